import { describe, expect, it } from 'vitest';
import type { DatasetRowDto, NormalisedRecord } from '../../../../preload/contract/datasets.js';
import { fakeDatasets, fakePreview, testStore } from '../testing/fake-services.js';
import { previewSelectors } from './selectors.js';

const rec = (instruction: string, output: string): NormalisedRecord => ({ kind: 'single', instruction, output });
const row = (idx: number, record: NormalisedRecord, excluded = false): DatasetRowDto => ({ idx, sourceRow: idx + 2, record, original: record, edited: false, excluded, split: 'train' });

function setup() {
  const ds = fakeDatasets();
  const rows = [row(0, rec('q?', 'ok')), row(1, rec('excluded', 'x'), true), row(2, rec('a much longer question', 'and a long answer')), row(3, rec('hi', 'yo'))];
  ds.service.rows = async (r) => ({ total: rows.length, rows: rows.slice(r.offset ?? 0, (r.offset ?? 0) + (r.limit ?? 50)) });
  const pv = fakePreview();
  const s = testStore({ datasets: ds.service, preview: pv.service });
  return { s, pv };
}

describe('preview slice', () => {
  it('loads the bundled model, a dataset without its excluded rows, and renders record 0 with stats', async () => {
    const { s, pv } = setup();
    await s.getState().loadDefaultModel();
    expect(s.getState().modelCard?.name).toBe('tiny');
    expect(s.getState().modelPath).toBe('/app/data/models/lathe-tiny-llama');
    expect(previewSelectors.template(s.getState())).toBe('llama3');
    await s.getState().usePreviewDataset(7);
    expect(s.getState().previewRecords).toHaveLength(3);
    expect(s.getState().stats?.records).toBe(3);
    expect(s.getState().rendered?.text).toBe('q?ok');
    expect(pv.calls.at(-1)?.request).toMatchObject({ modelPath: '/app/data/models/lathe-tiny-llama', offset: 0, rows: 1, options: { cutoffLen: 1024, trainOnPrompt: false } });
  });

  it('steps with the fast per-record call, clamps, and finds the longest record', async () => {
    const { s, pv } = setup();
    await s.getState().loadDefaultModel();
    await s.getState().usePreviewDataset(7);
    const before = pv.calls.filter((c) => c.method === 'dataset').length;
    await s.getState().showRecord(1);
    expect(s.getState().rendered?.text).toBe('a much longer questionand a long answer');
    await s.getState().showRecord(99);
    expect(s.getState().recordIndex).toBe(2);
    expect(pv.calls.filter((c) => c.method === 'dataset').length).toBe(before);
    await s.getState().showRecord(0);
    await s.getState().findLongest();
    expect(s.getState().recordIndex).toBe(1);
    expect(s.getState().longestProgress).toBeUndefined();
  });

  it('re-renders with new options and keeps a chosen template with its warnings', async () => {
    const { s } = setup();
    await s.getState().loadDefaultModel();
    await s.getState().usePreviewDataset(7);
    await s.getState().setPreviewOptions({ cutoffLen: 3 });
    expect(s.getState().rendered?.truncated).toBe(true);
    expect(s.getState().stats?.truncatedShare).toBe(1);
    await s.getState().chooseTemplate('qwen');
    expect(previewSelectors.template(s.getState())).toBe('qwen');
    expect(s.getState().templateWarnings).toEqual(['qwen does not match this model.']);
    await s.getState().chooseTemplate(undefined);
    expect(s.getState().templateWarnings).toEqual([]);
  });

  it('reports a bad model folder as a message', async () => {
    const { s } = setup();
    const s2 = testStore({ models: { inspect: async () => Promise.reject(new Error('No config.json in /nope.')), estimateVram: async () => ({}) as never, defaultModel: async () => ({}) as never } });
    await s2.getState().loadModel('/nope');
    expect(s2.getState().previewError).toBe('No config.json in /nope.');
    expect(s2.getState().modelCard).toBeUndefined();
    void s;
  });
});

import { describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../../../preload/contract/datasets.js';
import { datasetDto, fakeDatasets, fakePreview, testStore } from '../testing/fake-services.js';
import { previewSelectors } from './selectors.js';

const rec = (instruction: string, output: string): NormalisedRecord => ({ kind: 'single', instruction, output });

function setup(extraRows = 0) {
  const ds = fakeDatasets();
  const rows = [
    { record: rec('q?', 'ok') },
    { record: rec('excluded', 'x'.repeat(500)), excluded: true },
    { record: rec('a much longer question', 'and a long answer') },
    { record: rec('hi', 'yo') },
    ...Array.from({ length: extraRows }, (_, i) => ({ record: rec(`row ${i + 4}`, 'a') })),
  ];
  ds.datasets.push({ ...datasetDto(7, 1, 'd'), rowCount: rows.length });
  const pv = fakePreview(rows);
  const s = testStore({ datasets: ds.service, preview: pv.service });
  return { s, pv };
}

describe('preview slice', () => {
  it('loads the bundled model and a dataset by id, renders row 0 and the statistics of every included row', async () => {
    const { s, pv } = setup();
    await s.getState().loadDefaultModel();
    expect(s.getState().modelCard?.name).toBe('tiny');
    expect(s.getState().modelPath).toBe('/app/data/models/lathe-tiny-llama');
    expect(previewSelectors.template(s.getState())).toBe('llama3');
    await s.getState().usePreviewDataset(7);
    expect(s.getState().previewRowCount).toBe(4);
    expect(s.getState().stats?.records).toBe(3);
    expect(s.getState().statsProgress).toBeUndefined();
    expect(s.getState().rendered?.text).toBe('q?ok');
    // No records travel inline: main reads the stored dataset, the whole of it.
    const stats = pv.calls.filter((c) => c.method === 'dataset').at(-1)!.request;
    expect(stats).toMatchObject({ modelPath: '/app/data/models/lathe-tiny-llama', datasetId: 7, rows: 0, options: { cutoffLen: 1024, trainOnPrompt: false } });
    expect(stats.records).toBeUndefined();
    expect(typeof stats.jobId).toBe('string');
    expect(pv.calls.find((c) => c.method === 'record')?.request).toMatchObject({ datasetId: 7, index: 0 });
  });

  it('steps row by row without recomputing the statistics, clamps, and marks an excluded row', async () => {
    const { s, pv } = setup(2000);
    await s.getState().loadDefaultModel();
    await s.getState().usePreviewDataset(7);
    const before = pv.calls.filter((c) => c.method === 'dataset').length;
    await s.getState().showRecord(2);
    expect(s.getState().rendered?.text).toBe('a much longer questionand a long answer');
    await s.getState().showRecord(1);
    expect(s.getState().rendered?.excluded).toBe(true);
    // Any row of the dataset, not only the first 2,000.
    await s.getState().showRecord(2003);
    expect(s.getState().rendered?.text).toBe('row 2003a');
    await s.getState().showRecord(99_999);
    expect(s.getState().recordIndex).toBe(2003);
    expect(previewSelectors.canStep(s.getState())).toBe(true);
    expect(pv.calls.filter((c) => c.method === 'dataset').length).toBe(before);
  });

  it('jumps to the longest record of the whole dataset (excluded rows not counted)', async () => {
    const { s } = setup(2000);
    await s.getState().loadDefaultModel();
    await s.getState().usePreviewDataset(7);
    expect(previewSelectors.longest(s.getState())).toMatchObject({ index: 2 });
    await s.getState().showLongest();
    expect(s.getState().recordIndex).toBe(2);
    expect(s.getState().rendered?.fullLength).toBe(39);
  });

  it('shows progress while the statistics compute, and a cancel leaves them cancelled until asked again', async () => {
    const { s, pv } = setup();
    await s.getState().loadDefaultModel();
    const release = pv.holdStats();
    const using = s.getState().usePreviewDataset(7);
    await expect.poll(() => s.getState().statsProgress).toMatchObject({ done: 2, total: 4 });
    expect(previewSelectors.statsRunning(s.getState())).toBe(true);
    await s.getState().cancelStats();
    release();
    await using;
    expect(s.getState().statsCancelled).toBe(true);
    expect(s.getState().stats).toBeUndefined();
    expect(s.getState().statsProgress).toBeUndefined();
    expect(s.getState().previewError).toBeUndefined();
    expect(s.getState().rendered?.text).toBe('q?ok');
    await s.getState().computeStats();
    expect(s.getState().statsCancelled).toBe(false);
    expect(s.getState().stats?.records).toBe(3);
  });

  it('a change of options cancels the running statistics job and keeps only the new answer', async () => {
    const { s, pv } = setup();
    await s.getState().loadDefaultModel();
    await s.getState().usePreviewDataset(7);
    const release = pv.holdStats();
    const first = s.getState().setPreviewOptions({ cutoffLen: 5 });
    await expect.poll(() => s.getState().statsProgress?.done).toBe(2);
    const oldJob = pv.calls.filter((c) => c.method === 'dataset').at(-1)!.request.jobId;
    const second = s.getState().setPreviewOptions({ cutoffLen: 3 });
    expect(pv.calls.some((c) => c.method === 'cancel' && c.request.jobId === oldJob)).toBe(true);
    release();
    await Promise.all([first, second]);
    expect(s.getState().stats?.cutoffLen).toBe(3);
    expect(s.getState().statsCancelled).toBe(false);
    expect(s.getState().rendered?.truncated).toBe(true);
    expect(s.getState().stats?.truncatedShare).toBe(1);
  });

  it('keeps a chosen template with its warnings', async () => {
    const { s } = setup();
    await s.getState().loadDefaultModel();
    await s.getState().usePreviewDataset(7);
    await s.getState().chooseTemplate('qwen');
    expect(previewSelectors.template(s.getState())).toBe('qwen');
    // The proposal's notice is kept; the preview's notices are added once, only when they are new.
    expect(s.getState().templateWarnings).toEqual([
      { code: 'template.ownTemplateDiffers', params: { own: 'llama3', template: 'qwen' }, message: 'The model\'s own chat template looks like "llama3", not "qwen".' },
      { code: 'encoder.test', params: {}, message: 'The preview says more.' },
    ]);
    await s.getState().chooseTemplate(undefined);
    expect(s.getState().templateWarnings).toEqual([]);
  });

  it('reports a bad model folder as a message', async () => {
    const s2 = testStore({ models: { inspect: async () => Promise.reject(new Error('No config.json in /nope.')), estimateVram: async () => ({}) as never, defaultModel: async () => ({}) as never } });
    await s2.getState().loadModel('/nope');
    expect(s2.getState().previewError).toBe('No config.json in /nope.');
    expect(s2.getState().modelCard).toBeUndefined();
  });
});

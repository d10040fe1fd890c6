import { describe, expect, it } from 'vitest';
import { LatheError } from '../../bridge/lathe-error.js';
import { fakeDatasets, testStore } from '../testing/fake-services.js';
import { groupProblems, importerSelectors } from './selectors.js';
import { setFieldColumns } from './mapping-edit.js';

const csv = () => new File(['问题,回复\n怎么退款,请联系客服\n'], '工单.csv', { type: 'text/csv' });
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('importer slice', () => {
  it('uploads, inspects, takes the suggestion and previews the mapped records', async () => {
    const ds = fakeDatasets();
    const progress: number[] = [];
    const s = testStore({
      datasets: ds.service,
      upload: async (file, onProgress) => (onProgress?.(0.5), progress.push(0.5), { path: `/ws/up/${file.name}`, bytes: file.size }),
    });
    await s.getState().importFromFile(csv());
    const st = s.getState();
    expect(st.importStep).toBe('source');
    expect(st.importFile?.path).toBe('/ws/up/工单.csv');
    expect(st.inspection?.columns).toEqual(['问题', '回复']);
    expect(st.mapping?.fields.output?.columns).toEqual(['回复']);
    expect(st.mappedPreview?.records).toHaveLength(1);
    expect(ds.calls.map((c) => c.method)).toEqual(['inspect', 'preview']);
    expect(progress).toEqual([0.5]);
    expect(importerSelectors.reachable(st)).toBe(3);
  });

  it('re-reads the file when the header row changes and replaces a mapping that no longer fits', async () => {
    const ds = fakeDatasets();
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    await s.getState().setReaderOptions({ headerRow: 2 });
    expect(s.getState().inspection?.columns).toEqual(['title', 'answer']);
    expect(ds.calls.filter((c) => c.method === 'inspect').at(-1)?.request).toMatchObject({ options: { headerRow: 2 } });
    // The suggestion comes back (the old columns are gone); encoding changes keep a mapping that still fits.
    await s.getState().setReaderOptions({ headerRow: 1 });
    const edited = setFieldColumns(s.getState().mapping!, 'input', ['问题']);
    await s.getState().updateMapping(edited);
    await s.getState().setReaderOptions({ encoding: 'gb18030' });
    expect(s.getState().mapping?.fields.input?.columns).toEqual(['问题']);
  });

  it('does not preview while a required field is unmapped', async () => {
    const ds = fakeDatasets();
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    const before = ds.calls.length;
    await s.getState().updateMapping(setFieldColumns(s.getState().mapping!, 'output', []));
    expect(ds.calls.length).toBe(before);
    expect(s.getState().mappedPreview).toBeUndefined();
    expect(importerSelectors.missing(s.getState())).toEqual(['output']);
    expect(importerSelectors.reachable(s.getState())).toBe(2);
  });

  it('validates, groups problems, and saves with progress', async () => {
    const ds = fakeDatasets();
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    s.getState().goToImportStep('validate');
    await settle();
    expect(s.getState().validation?.problemCount).toBe(2);
    expect(groupProblems(s.getState().validation!.problems)).toEqual([{ message: 'The answer is empty.', column: '回复', rows: [4, 7] }]);
    s.getState().setSkipBad(false);
    expect(importerSelectors.canSave(s.getState())).toBe(false);
    s.getState().setSkipBad(true);
    expect(importerSelectors.canSave(s.getState())).toBe(true);
    const phases: string[] = [];
    const unsub = s.subscribe((st) => st.importJob && phases.at(-1) !== st.importJob.phase && phases.push(st.importJob.phase));
    expect(await s.getState().saveImport(1, ' 工单 ')).toBe(true);
    unsub();
    expect(phases).toEqual(['starting', 'reading', 'done']);
    expect(s.getState().importResult?.rows).toBe(8);
    expect(ds.calls.at(-1)?.request).toMatchObject({ projectId: 1, name: '工单', skipBad: true });
    expect(ds.progress.count()).toBe(0);
  });

  it('cancels a save: no error shown, the job says cancelled', async () => {
    const ds = fakeDatasets();
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    const release = ds.holdImports();
    const saving = s.getState().saveImport(1);
    await settle();
    expect(s.getState().importJob?.phase).toBe('reading');
    await s.getState().cancelImport();
    release();
    expect(await saving).toBe(false);
    expect(s.getState().importJob?.phase).toBe('cancelled');
    expect(s.getState().importError).toBeUndefined();
  });

  it('validation follows progress and can be cancelled, going back to the mapping without an error', async () => {
    const ds = fakeDatasets();
    let cancelled: (() => void) | undefined;
    ds.service.validate = (r) =>
      new Promise((_resolve, reject) => {
        ds.progress.emit({ jobId: r.jobId!, phase: 'reading', bytesRead: 30, totalBytes: 100, rows: 12 });
        cancelled = () => reject(new LatheError('cancelled', 'Validation cancelled.'));
      });
    ds.service.cancel = async () => (cancelled?.(), { cancelled: true });
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    s.getState().goToImportStep('validate');
    await settle();
    expect(s.getState().importBusy).toBe('validate');
    expect(s.getState().importJob).toMatchObject({ bytesRead: 30, rows: 12 });
    await s.getState().cancelImport();
    await settle();
    expect(s.getState().importBusy).toBeUndefined();
    expect(s.getState().importStep).toBe('mapping');
    expect(s.getState().importError).toBeUndefined();
  });

  it('shows any row of the file for the report, fetched by its row number; a late answer for another row is dropped', async () => {
    const ds = fakeDatasets();
    let hold: (() => void) | undefined;
    ds.service.preview = async (r) => {
      ds.calls.push({ method: 'preview', request: r });
      const row = r.fromRow ?? 2;
      if (row === 999_001) await new Promise<void>((res) => (hold = res));
      return { records: [{ row, record: { kind: 'single', instruction: `q${row}`, output: '' }, problems: [{ row, column: '回复', message: 'Empty answer.' }], values: { 问题: `q${row}`, 回复: '' } }] };
    };
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    const slow = s.getState().showSourceRow(999_001);
    expect(s.getState().sourceRow).toEqual({ row: 999_001, record: undefined, loading: true });
    await s.getState().showSourceRow(1_000_000);
    expect(ds.calls.at(-1)?.request).toMatchObject({ file: '/data/t.csv', fromRow: 1_000_000, limit: 1 });
    hold!();
    await slow;
    expect(s.getState().sourceRow).toMatchObject({ row: 1_000_000, loading: false, record: { row: 1_000_000, values: { 问题: 'q1000000' }, problems: [{ message: 'Empty answer.' }] } });
    await s.getState().showSourceRow(undefined);
    expect(s.getState().sourceRow).toBeUndefined();
  });

  it('a jump to a row the file lacks (blank) shows none rather than the next row', async () => {
    const ds = fakeDatasets();
    ds.service.preview = async () => ({ records: [{ row: 8, record: { kind: 'single', instruction: 'q', output: 'a' }, problems: [] }] });
    const s = testStore({ datasets: ds.service });
    await s.getState().importFromPath('/data/t.csv', 't.csv');
    await s.getState().showSourceRow(7);
    expect(s.getState().sourceRow).toEqual({ row: 7, record: undefined, loading: false });
  });

  it('names an unreadable file as the person chose it, not by its uploaded copy', async () => {
    const ds = fakeDatasets();
    ds.service.inspect = async (r) => {
      throw new LatheError('bad_input', `${r.file} is not a readable .xlsx workbook. Save it again from Excel as .xlsx, or export it as CSV.`);
    };
    const s = testStore({ datasets: ds.service, upload: async (file) => ({ path: `/ws/tmp/uploads/ab12/${file.name}`, bytes: file.size }) });
    await s.getState().importFromFile(new File(['x'], '工单.xlsx'));
    expect(s.getState().importError).toBe('工单.xlsx is not a readable .xlsx workbook. Save it again from Excel as .xlsx, or export it as CSV.');
    expect(s.getState().importBusy).toBeUndefined();
  });

  it('reports an upload failure as a message and resets cleanly', async () => {
    const s = testStore({
      upload: async () => {
        throw new Error('The file could not be uploaded (HTTP 413).');
      },
    });
    await s.getState().importFromFile(csv());
    expect(s.getState().importError).toBe('The file could not be uploaded (HTTP 413).');
    expect(s.getState().importBusy).toBeUndefined();
    s.getState().resetImport();
    expect(s.getState().importError).toBeUndefined();
    expect(s.getState().importStep).toBe('file');
  });

  it('imports a LLaMA-Factory folder and keeps what was skipped and why', async () => {
    const s = testStore();
    expect(await s.getState().importLlamaFactoryFolder(1, '/data/LLaMA-Factory/data')).toBe(true);
    expect(s.getState().folderResult?.imported[0]).toEqual({ entry: 'alpaca_zh', rows: 3, skipped: 0 });
    expect(s.getState().folderResult?.skipped[0]?.reason).toContain('not downloaded');
  });
});

import { describe, expect, it } from 'vitest';
import { datasetDto, fakeDatasets, testStore } from '../testing/fake-services.js';
import { datasetsSelectors } from './selectors.js';

describe('datasets slice', () => {
  it('lists a project\'s datasets, opens the first, and never shows another project\'s list', async () => {
    const ds = fakeDatasets();
    ds.datasets.push(datasetDto(1, 1, 'a'), datasetDto(2, 1, 'b'), datasetDto(3, 2, 'c'));
    const s = testStore({ datasets: ds.service });
    expect(datasetsSelectors.status(s.getState())).toBe('idle');
    await s.getState().loadDatasets(1);
    expect(datasetsSelectors.list(s.getState()).map((d) => d.name)).toEqual(['a', 'b']);
    expect(datasetsSelectors.open(s.getState())?.name).toBe('a');
    const loading = s.getState().loadDatasets(2);
    expect(datasetsSelectors.list(s.getState())).toEqual([]);
    await loading;
    expect(datasetsSelectors.list(s.getState()).map((d) => d.name)).toEqual(['c']);
  });

  it('updates the split in place and moves off a removed dataset', async () => {
    const ds = fakeDatasets();
    ds.datasets.push(datasetDto(1, 1, 'a'), datasetDto(2, 1, 'b'));
    const s = testStore({ datasets: ds.service });
    await s.getState().loadDatasets(1);
    expect(await s.getState().setSplit(1, 7, 0.2)).toBe(true);
    expect(datasetsSelectors.open(s.getState())).toMatchObject({ splitSeed: 7, valRatio: 0.2 });
    expect(await s.getState().removeDataset(1)).toBe(true);
    expect(datasetsSelectors.open(s.getState())?.name).toBe('b');
  });

  it('keeps a refused edit\'s message', async () => {
    const s = testStore();
    expect(await s.getState().editRow(1, 0, { kind: 'single', instruction: 'q', output: '' })).toBeUndefined();
    expect(datasetsSelectors.error(s.getState())).toBe('The record needs an answer.');
    expect((await s.getState().excludeRow(1, 3, true))?.excluded).toBe(true);
  });

  it('asks main for a page of the matching rows, sending only a real search and filter', async () => {
    const ds = fakeDatasets();
    const s = testStore({ datasets: ds.service });
    expect(await s.getState().fetchRows(1, 0, 200)).toMatchObject({ total: 10, matched: 10 });
    expect(await s.getState().fetchRows(1, 200, 200, { search: '  退款 ', filter: 'all' })).toMatchObject({ total: 10, matched: 3 });
    await s.getState().fetchRows(1, 0, 50, { search: ' ', filter: 'duplicates' });
    await s.getState().fetchRows(1, 0, 50, { search: 'Refund', filter: 'validation' });
    expect(ds.calls.filter((c) => c.method === 'rows').map((c) => c.request)).toEqual([
      { id: 1, offset: 0, limit: 200 },
      { id: 1, offset: 200, limit: 200, search: '退款' },
      { id: 1, offset: 0, limit: 50, filter: 'duplicates' },
      { id: 1, offset: 0, limit: 50, search: 'Refund', filter: 'validation' },
    ]);
  });
});

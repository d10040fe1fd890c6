// The datasets slice's actions: list a project's datasets, open one, page its rows, exclude/edit rows, split,
// export and remove. Rows are not kept here (a million would not fit): the view pages them through `fetchRows`,
// which main searches and filters (the renderer never scans a dataset).
import type { StateCreator } from 'zustand';
import type { DatasetDto, DatasetRowDto, ExportResult, NormalisedRecord, RowFilter, RowsResult } from '../../../../preload/contract/datasets.js';
import { messageOf } from '../../bridge/lathe-error.js';
import type { DatasetsService } from '../../services/datasets.js';
import type { LatheStore } from '../index.js';
import { datasetsInitialState, type DatasetsState } from './initialState.js';

/** What the dataset view shows: a search text (blank = any row) and a filter. */
export interface RowQuery {
  readonly search: string;
  readonly filter: RowFilter;
}

export interface DatasetsActions {
  loadDatasets(projectId: number): Promise<void>;
  openDataset(id: number | undefined): void;
  /** A page of the rows matching `query` (every row without one); `matched` counts them all. */
  fetchRows(id: number, offset: number, limit: number, query?: RowQuery): Promise<RowsResult>;
  excludeRow(id: number, idx: number, excluded: boolean): Promise<DatasetRowDto | undefined>;
  editRow(id: number, idx: number, record: NormalisedRecord | null): Promise<DatasetRowDto | undefined>;
  setSplit(id: number, seed: number, valRatio: number): Promise<boolean>;
  exportDataset(id: number, format: 'alpaca' | 'sharegpt', out: string, includeExcluded: boolean): Promise<ExportResult | undefined>;
  removeDataset(id: number): Promise<boolean>;
  clearDatasetsError(): void;
}

export type DatasetsSlice = DatasetsState & DatasetsActions;

export const createDatasetsSlice =
  (service: DatasetsService): StateCreator<LatheStore, [], [], DatasetsSlice> =>
  (set, get) => {
    const replace = (d: DatasetDto) => set({ datasets: get().datasets.map((x) => (x.id === d.id ? d : x)) });
    const guard = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (err) {
        set({ datasetsError: messageOf(err) });
        return undefined;
      }
    };
    return {
      ...datasetsInitialState,
      async loadDatasets(projectId) {
        const same = get().datasetsProjectId === projectId;
        set({ datasetsStatus: same && get().datasetsStatus === 'ready' ? 'ready' : 'loading', datasetsProjectId: projectId, ...(same ? {} : { datasets: [] }) });
        try {
          const datasets = await service.list(projectId);
          if (get().datasetsProjectId !== projectId) return;
          const open = get().openDatasetId;
          set({ datasets, datasetsStatus: 'ready', openDatasetId: open !== undefined && datasets.some((d) => d.id === open) ? open : datasets[0]?.id });
        } catch (err) {
          set({ datasetsStatus: 'error', datasetsError: messageOf(err) });
        }
      },
      openDataset: (id) => set({ openDatasetId: id }),
      fetchRows: (id, offset, limit, query) => {
        const search = query?.search.trim() ?? '';
        const filter = query?.filter ?? 'all';
        return service.rows({ id, offset, limit, ...(search ? { search } : {}), ...(filter !== 'all' ? { filter } : {}) });
      },
      excludeRow: (id, idx, excluded) => guard(() => service.excludeRow(id, idx, excluded)),
      editRow: (id, idx, record) => guard(() => service.editRow({ id, idx, record })),
      async setSplit(id, seed, valRatio) {
        const d = await guard(() => service.setSplit(id, seed, valRatio));
        if (d) replace(d);
        return !!d;
      },
      exportDataset: (id, format, out, includeExcluded) => guard(() => service.export({ id, format, out, includeExcluded })),
      async removeDataset(id) {
        const ok = await guard(() => service.remove(id));
        if (!ok) return false;
        const datasets = get().datasets.filter((d) => d.id !== id);
        set({ datasets, openDatasetId: get().openDatasetId === id ? datasets[0]?.id : get().openDatasetId });
        return true;
      },
      clearDatasetsError: () => set({ datasetsError: undefined }),
    };
  };

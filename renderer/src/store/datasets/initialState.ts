// The datasets slice's state: the datasets of the selected project as last loaded, and which one is open.
import type { DatasetDto } from '../../../../preload/contract/datasets.js';

export interface DatasetsState {
  datasets: readonly DatasetDto[];
  /** The project the list belongs to (a list for another project is never shown). */
  datasetsProjectId: number | undefined;
  datasetsStatus: 'idle' | 'loading' | 'ready' | 'error';
  datasetsError: string | undefined;
  openDatasetId: number | undefined;
}

export const datasetsInitialState: DatasetsState = {
  datasets: [],
  datasetsProjectId: undefined,
  datasetsStatus: 'idle',
  datasetsError: undefined,
  openDatasetId: undefined,
};

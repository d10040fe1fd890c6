// Renderer-side access to the datasets domain: thin wrappers over the bridge, so slices never touch transports.
import type { IDatasetsService, ImportProgressEvent } from '../../../preload/contract/datasets.js';
import { domainOf, onEvent } from '../bridge/lathe-client.js';

const api = () => domainOf<IDatasetsService>('datasets');

export const datasetsService = {
  inspect: (r: Parameters<IDatasetsService['inspect']>[0]) => api().inspect(r),
  preview: (r: Parameters<IDatasetsService['preview']>[0]) => api().preview(r),
  validate: (r: Parameters<IDatasetsService['validate']>[0]) => api().validate(r),
  import: (r: Parameters<IDatasetsService['import']>[0]) => api().import(r),
  importLlamaFactory: (r: Parameters<IDatasetsService['importLlamaFactory']>[0]) => api().importLlamaFactory(r),
  cancel: (jobId: string) => api().cancel({ jobId }),
  list: (projectId?: number) => api().list(projectId === undefined ? {} : { projectId }),
  get: (id: number) => api().get({ id }),
  rows: (r: Parameters<IDatasetsService['rows']>[0]) => api().rows(r),
  editRow: (r: Parameters<IDatasetsService['editRow']>[0]) => api().editRow(r),
  excludeRow: (id: number, idx: number, excluded: boolean) => api().excludeRow({ id, idx, excluded }),
  setSplit: (id: number, seed: number, valRatio: number) => api().setSplit({ id, seed, valRatio }),
  export: (r: Parameters<IDatasetsService['export']>[0]) => api().export(r),
  remove: (id: number) => api().remove({ id }),
  onImportProgress: (cb: (e: ImportProgressEvent) => void) => onEvent<ImportProgressEvent>('datasets.importProgress', cb),
  onChanged: (cb: (e: { id: number; change: string }) => void) => onEvent<{ id: number; change: string }>('datasets.changed', cb),
};
export type DatasetsService = typeof datasetsService;

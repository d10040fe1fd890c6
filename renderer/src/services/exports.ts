// Renderer-side access to the exports domain: turn a run's adapter into deployable files, follow the job, list.
import type { ExportFinishedEvent, ExportProgressEvent, IExportsService } from '../../../preload/contract/exports.js';
import { domainOf, onEvent } from '../bridge/lathe-client.js';

const api = () => domainOf<IExportsService>('exports');

export const exportsService = {
  start: (r: Parameters<IExportsService['start']>[0]) => api().start(r),
  get: (jobId: string) => api().get({ jobId }),
  cancel: (jobId: string) => api().cancel({ jobId }),
  list: (projectId: number) => api().list({ projectId }),
  remove: (id: number) => api().remove({ id }),
  onProgress: (cb: (e: ExportProgressEvent) => void) => onEvent<ExportProgressEvent>('exports.progress', cb),
  onFinished: (cb: (e: ExportFinishedEvent) => void) => onEvent<ExportFinishedEvent>('exports.finished', cb),
};
export type ExportsService = typeof exportsService;

// Renderer-side access to the preview domain: records rendered through a template with trained/masked spans and
// tokens, and length statistics over a whole dataset (a cancellable job with progress events).
import type { DatasetProgressEvent, IPreviewService } from '../../../preload/contract/preview.js';
import { domainOf, onEvent } from '../bridge/lathe-client.js';

const api = () => domainOf<IPreviewService>('preview');

export const previewService = {
  record: (r: Parameters<IPreviewService['record']>[0]) => api().record(r),
  dataset: (r: Parameters<IPreviewService['dataset']>[0]) => api().dataset(r),
  cancel: (jobId: string) => api().cancel({ jobId }),
  onDatasetProgress: (cb: (e: DatasetProgressEvent) => void) => onEvent<DatasetProgressEvent>('preview.datasetProgress', cb),
};
export type PreviewService = typeof previewService;

// Renderer-side access to the preview domain: records rendered through a template with trained/masked spans and
// tokens, and length statistics over a set of records.
import type { IPreviewService } from '../../../preload/contract/preview.js';
import { domainOf } from '../bridge/lathe-client.js';

const api = () => domainOf<IPreviewService>('preview');

export const previewService = {
  record: (r: Parameters<IPreviewService['record']>[0]) => api().record(r),
  dataset: (r: Parameters<IPreviewService['dataset']>[0]) => api().dataset(r),
};
export type PreviewService = typeof previewService;

// The prompt preview's state: the model (folder and card), the template (automatic or chosen, with warnings),
// the encoding options, the dataset previewed (by id: its rows stay in main), the row shown, and the length
// statistics of the whole dataset (computed in main with progress; cancellable).
import type { ModelCardDto } from '../../../../preload/contract/models.js';
import type { DatasetStatsDto, PreviewRecordDto } from '../../../../preload/contract/preview.js';
import type { TemplateSummaryDto } from '../../../../preload/contract/templates.js';
import type { MainMessage } from '../../i18n/main-message-text.js';

export interface PreviewOptions {
  readonly cutoffLen: number;
  readonly trainOnPrompt: boolean;
  readonly maskHistory: boolean;
}

export interface PreviewState {
  modelPath: string;
  modelCard: ModelCardDto | undefined;
  modelBusy: boolean;
  templates: readonly TemplateSummaryDto[];
  /** undefined: the automatic choice. */
  templateChoice: string | undefined;
  proposedTemplate: string | undefined;
  /** Shown with translateMainMessage: the proposal's notices (code + params), the preview's text as it came. */
  templateWarnings: readonly MainMessage[];
  previewOptions: PreviewOptions;
  previewDatasetId: number | undefined;
  /** Rows of the dataset (excluded ones included: they are shown, marked, but not counted). */
  previewRowCount: number;
  /** The row shown: its idx in the dataset, from 0. */
  recordIndex: number;
  rendered: PreviewRecordDto | undefined;
  renderedTemplate: string | undefined;
  /** Statistics of the whole dataset under the current model, template and options; undefined while computing. */
  stats: DatasetStatsDto | undefined;
  /** Rows read so far by the statistics job; undefined when none runs. */
  statsProgress: { readonly done: number; readonly total: number; readonly startedAt: number } | undefined;
  /** The statistics job was cancelled: nothing is computed until asked again. */
  statsCancelled: boolean;
  previewBusy: 'render' | undefined;
  previewError: string | undefined;
}

export const previewInitialState: PreviewState = {
  modelPath: '',
  modelCard: undefined,
  modelBusy: false,
  templates: [],
  templateChoice: undefined,
  proposedTemplate: undefined,
  templateWarnings: [],
  previewOptions: { cutoffLen: 1024, trainOnPrompt: false, maskHistory: false },
  previewDatasetId: undefined,
  previewRowCount: 0,
  recordIndex: 0,
  rendered: undefined,
  renderedTemplate: undefined,
  stats: undefined,
  statsProgress: undefined,
  statsCancelled: false,
  previewBusy: undefined,
  previewError: undefined,
};

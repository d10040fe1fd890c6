// The prompt preview's state: the model (folder and card), the template (automatic or chosen, with warnings),
// the encoding options, the records being previewed (from a dataset), the record shown and the length statistics.
import type { NormalisedRecord } from '../../../../preload/contract/datasets.js';
import type { ModelCardDto } from '../../../../preload/contract/models.js';
import type { DatasetStatsDto, PreviewRecordDto } from '../../../../preload/contract/preview.js';
import type { TemplateSummaryDto } from '../../../../preload/contract/templates.js';

export interface PreviewOptions {
  readonly cutoffLen: number;
  readonly trainOnPrompt: boolean;
  readonly maskHistory: boolean;
}

/** At most this many records of a dataset are previewed and counted (the contract takes records inline). */
export const PREVIEW_RECORD_CAP = 2000;

export interface PreviewState {
  modelPath: string;
  modelCard: ModelCardDto | undefined;
  modelBusy: boolean;
  templates: readonly TemplateSummaryDto[];
  /** undefined: the automatic choice. */
  templateChoice: string | undefined;
  proposedTemplate: string | undefined;
  templateWarnings: readonly string[];
  previewOptions: PreviewOptions;
  previewDatasetId: number | undefined;
  previewRecords: readonly NormalisedRecord[];
  /** Rows the dataset has beyond PREVIEW_RECORD_CAP (not previewed). */
  previewRecordsCapped: boolean;
  recordIndex: number;
  rendered: PreviewRecordDto | undefined;
  renderedTemplate: string | undefined;
  stats: DatasetStatsDto | undefined;
  previewBusy: 'records' | 'render' | 'stats' | 'longest' | undefined;
  longestProgress: { done: number; total: number } | undefined;
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
  previewRecords: [],
  previewRecordsCapped: false,
  recordIndex: 0,
  rendered: undefined,
  renderedTemplate: undefined,
  stats: undefined,
  previewBusy: undefined,
  longestProgress: undefined,
  previewError: undefined,
};

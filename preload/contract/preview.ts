// The `preview` domain: what the model will see — each record rendered through a template, split into trained
// and masked spans with its tokens — dataset-wide length statistics, and tokenizing a split to a .ltok file.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { NormalisedRecord } from './datasets.js';
import { Notice } from './message-code.js';

export const EncodeOptions = z
  .object({
    /** LLaMA-Factory's cutoff_len. */
    cutoffLen: z.number().int().min(1).max(1_048_576).default(2048),
    trainOnPrompt: z.boolean().default(false),
    maskHistory: z.boolean().default(false),
    /** Reasoning templates (qwen3): keep thinking on. */
    enableThinking: z.boolean().default(true),
  })
  .strict();
export type EncodeOptions = z.infer<typeof EncodeOptions>;

/** Chosen by the caller so it can cancel the job and match its progress events. */
const JobId = z.string().min(1).max(100);

const ModelAndTemplate = {
  modelPath: z.string().min(1),
  /** A template name; omitted means the one proposed for the model. */
  template: z.string().min(1).optional(),
  options: EncodeOptions.default({ cutoffLen: 2048, trainOnPrompt: false, maskHistory: false, enableThinking: true }),
};

/** Records inline, a JSON/JSONL file of records (alpaca, sharegpt, messages, text or normalised), or a stored dataset. */
const Source = {
  records: z.array(NormalisedRecord).max(100_000).optional(),
  datasetFile: z.string().min(1).optional(),
  /** A dataset stored in the workspace, optionally one split of it. */
  datasetId: z.number().int().positive().optional(),
  split: z.enum(['train', 'validation']).optional(),
};

export const PreviewSegmentDto = z.object({
  text: z.string(),
  trained: z.boolean(),
  part: z.enum(['prompt', 'response']),
  turn: z.number().int(),
  /** Token range [start, end). */
  start: z.number().int(),
  end: z.number().int(),
  /** Part of this segment fell beyond cutoff_len. */
  cut: z.boolean(),
});
export type PreviewSegmentDto = Readonly<z.infer<typeof PreviewSegmentDto>>;

export const PreviewRecordDto = z.object({
  index: z.number().int(),
  ok: z.boolean(),
  /** Why the record is skipped (LLaMA-Factory would drop it). */
  reason: z.string().optional(),
  /** The concatenation of the segments' text. */
  text: z.string(),
  segments: z.array(PreviewSegmentDto),
  input_ids: z.array(z.number().int()),
  labels: z.array(z.number().int()),
  /** Each token's text, parallel to input_ids: the token boundaries. */
  tokens: z.array(z.string()),
  tokenCount: z.number().int(),
  trainableCount: z.number().int(),
  truncated: z.boolean(),
  /** Tokens before truncation. */
  fullLength: z.number().int(),
  /** A stored dataset's row that is excluded from training (shown, but not counted in the statistics). */
  excluded: z.boolean().optional(),
});
export type PreviewRecordDto = Readonly<z.infer<typeof PreviewRecordDto>>;

/** Bin i counts records whose length before truncation is in (edges[i], edges[i+1]]; cutoffLen is one of the edges. */
export const LengthHistogramDto = z.object({ edges: z.array(z.number()), counts: z.array(z.number().int()) });

/** One of the longest records: `index` as in PreviewRecordDto (a stored dataset's row idx, else the position). */
export const LongRecordDto = z.object({ index: z.number().int(), fullLength: z.number().int(), tokenCount: z.number().int() });
export type LongRecordDto = Readonly<z.infer<typeof LongRecordDto>>;

export const DatasetStatsDto = z.object({
  records: z.number().int(),
  skipped: z.number().int(),
  totalTokens: z.number().int(),
  trainableTokens: z.number().int(),
  truncated: z.number().int(),
  truncatedShare: z.number(),
  cutoffLen: z.number().int(),
  meanLength: z.number(),
  p50Length: z.number().int(),
  p95Length: z.number().int(),
  maxLength: z.number().int(),
  /** The longest record before truncation (maxLength is after it). */
  maxFullLength: z.number().int(),
  histogram: LengthHistogramDto,
  /** The longest records before truncation, longest first (at most 10). */
  longest: z.array(LongRecordDto),
  batchSize: z.number().int(),
  gradientAccumulation: z.number().int(),
  stepsPerEpoch: z.number().int(),
});
export type DatasetStatsDto = Readonly<z.infer<typeof DatasetStatsDto>>;

export const PreviewResultDto = z.object({
  template: z.string(),
  warnings: z.array(Notice),
  records: z.array(PreviewRecordDto),
  stats: DatasetStatsDto,
});
export type PreviewResultDto = Readonly<z.infer<typeof PreviewResultDto>>;

/**
 * One record: given inline (`index` is only echoed back), or row `index` (its idx, from 0) of the stored dataset
 * `datasetId`.
 */
export const PreviewRecordRequest = z
  .object({ ...ModelAndTemplate, record: NormalisedRecord.optional(), datasetId: z.number().int().positive().optional(), index: z.number().int().min(0).default(0) })
  .strict();
export type PreviewRecordRequest = z.input<typeof PreviewRecordRequest>;

export const PreviewDatasetRequest = z
  .object({
    ...ModelAndTemplate,
    ...Source,
    /**
     * Records shown in full: those whose index is in [offset, offset + rows) (a stored dataset's row idx, else the
     * position). The statistics always cover the whole source, tokenized in worker threads.
     */
    offset: z.number().int().min(0).default(0),
    rows: z.number().int().min(0).max(1000).default(10),
    batchSize: z.number().int().min(1).max(4096).default(1),
    gradientAccumulation: z.number().int().min(1).max(4096).default(1),
    /** Chosen by the caller to cancel the job (preview.cancel) and match its datasetProgress events. */
    jobId: JobId.optional(),
  })
  .strict();
export type PreviewDatasetRequest = z.input<typeof PreviewDatasetRequest>;

export const TokenizeRequest = z
  .object({ ...ModelAndTemplate, ...Source, outFile: z.string().min(1), jobId: JobId.optional(), workers: z.number().int().min(0).max(64).optional() })
  .strict();
export type TokenizeRequest = z.input<typeof TokenizeRequest>;

export const TokenizeResultDto = z.object({
  outFile: z.string(),
  cacheKey: z.string(),
  cached: z.boolean(),
  records: z.number().int(),
  skipped: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  tokens: z.number().int(),
  trainableTokens: z.number().int(),
  bytes: z.number().int(),
  template: z.string(),
  seconds: z.number(),
});
export type TokenizeResultDto = Readonly<z.infer<typeof TokenizeResultDto>>;

export const PreviewCancelRequest = z.object({ jobId: JobId }).strict();
export type PreviewCancelRequest = z.infer<typeof PreviewCancelRequest>;

export interface IPreviewService {
  /** One record; answers in well under 100 ms once the tokenizer is loaded. */
  record(request: PreviewRecordRequest): Promise<PreviewRecordDto>;
  /** Shown records plus statistics over the whole source; cancellable, with datasetProgress events when given a jobId. */
  dataset(request: PreviewDatasetRequest): Promise<PreviewResultDto>;
  tokenize(request: TokenizeRequest): Promise<TokenizeResultDto>;
  /** Stops a running dataset or tokenize job; its call then fails with code 'cancelled'. */
  cancel(request: PreviewCancelRequest): Promise<{ readonly cancelled: boolean }>;
}

export const TokenizeProgressEvent = z.object({ jobId: z.string(), done: z.number().int(), total: z.number().int() });
export type TokenizeProgressEvent = z.infer<typeof TokenizeProgressEvent>;
/** Rows of the source read so far (cached, excluded and skipped ones included) out of all of them. */
export const DatasetProgressEvent = z.object({ jobId: z.string(), done: z.number().int(), total: z.number().int() });
export type DatasetProgressEvent = z.infer<typeof DatasetProgressEvent>;

export const previewContract = {
  name: 'preview',
  requests: { record: PreviewRecordRequest, dataset: PreviewDatasetRequest, tokenize: TokenizeRequest, cancel: PreviewCancelRequest },
  events: { tokenizeProgress: TokenizeProgressEvent, datasetProgress: DatasetProgressEvent },
} as const satisfies DomainContract<IPreviewService>;

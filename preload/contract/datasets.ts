// The `datasets` domain: inspect a user's data file, map its columns to training records, validate, import, edit,
// split and export. Types and zod schemas only; the readers and the store live in main/.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { MessageCode, MessageParams } from './message-code.js';

// ---------------------------------------------------------------------------------------------------------------
// The normalised record: what every imported row becomes, whatever file it came from. The templates/tokenizer
// domain consumes exactly this; keep it stable (add optional fields, never repurpose one).
//   single       — one instruction → one answer (alpaca): instruction, optional input (joined to the instruction
//                  with "\n" when rendered, as LLaMA-Factory does), output, optional system.
//   conversation — multi-turn messages (sharegpt/openai or a table with a history column); `tools` is the JSON
//                  text of the tool schemas (sharegpt `tools` column); `label` is a KTO desirability tag.
//   preference   — a prompt (text, or messages ending with a user turn) with a chosen and a rejected answer
//                  (DPO/ORPO/reward-model stages).
//   text         — plain text for continued pre-training (LLaMA-Factory `columns: {prompt: text}` files).
// ---------------------------------------------------------------------------------------------------------------
export const MessageRole = z.enum(['user', 'assistant', 'system', 'tool', 'function']);
export type MessageRole = z.infer<typeof MessageRole>;
export const Message = z.object({ role: MessageRole, content: z.string() });
export type Message = Readonly<z.infer<typeof Message>>;

export const SingleRecord = z.object({
  kind: z.literal('single'),
  system: z.string().optional(),
  instruction: z.string(),
  input: z.string().optional(),
  output: z.string(),
});
export const ConversationRecord = z.object({
  kind: z.literal('conversation'),
  system: z.string().optional(),
  messages: z.array(Message),
  tools: z.string().optional(),
  label: z.boolean().optional(),
});
export const PreferenceRecord = z.object({
  kind: z.literal('preference'),
  system: z.string().optional(),
  prompt: z.union([z.string(), z.array(Message)]),
  chosen: z.string(),
  rejected: z.string(),
  tools: z.string().optional(),
});
export const TextRecord = z.object({ kind: z.literal('text'), text: z.string() });
export const NormalisedRecord = z.discriminatedUnion('kind', [SingleRecord, ConversationRecord, PreferenceRecord, TextRecord]);
export type NormalisedRecord = z.infer<typeof NormalisedRecord>;
export type RecordKind = NormalisedRecord['kind'];

// ---------------------------------------------------------------------------------------------------------------
// Mapping: which source column(s) feed which target field.
// ---------------------------------------------------------------------------------------------------------------
export const TargetField = z.enum(['system', 'instruction', 'input', 'output', 'history', 'messages', 'tools', 'chosen', 'rejected', 'label', 'text']);
export type TargetField = z.infer<typeof TargetField>;

/** One or more columns; with several, `template` (e.g. `订单号: {order_id}\n{context}`) joins them, else "\n". */
export const FieldSource = z.object({
  columns: z.array(z.string().min(1)).min(1),
  template: z.string().max(4000).optional(),
});
export type FieldSource = z.infer<typeof FieldSource>;

/** LLaMA-Factory's sharegpt `tags`: the keys and role names used inside a messages column. */
export const RoleTags = z.object({
  roleTag: z.string().default('from'),
  contentTag: z.string().default('value'),
  userTag: z.string().default('human'),
  assistantTag: z.string().default('gpt'),
  observationTag: z.string().default('observation'),
  functionTag: z.string().default('function_call'),
  systemTag: z.string().default('system'),
});
export type RoleTags = z.infer<typeof RoleTags>;

export const Mapping = z.object({
  shape: z.enum(['single', 'conversation', 'preference', 'text']),
  fields: z.partialRecord(TargetField, FieldSource),
  roles: RoleTags.optional(),
});
export type Mapping = z.infer<typeof Mapping>;

export const MappingSuggestion = z.object({
  mapping: Mapping,
  /** 0..1: how sure the suggester is overall (the weakest required field). */
  confidence: z.number(),
  fieldConfidence: z.partialRecord(TargetField, z.number()),
  /** What the file looked like: a plain table, or a LLaMA-Factory alpaca/sharegpt/openai file. */
  detectedFormat: z.enum(['table', 'alpaca', 'sharegpt', 'openai']),
});
export type MappingSuggestion = z.infer<typeof MappingSuggestion>;

// ---------------------------------------------------------------------------------------------------------------
// Reading a source.
// ---------------------------------------------------------------------------------------------------------------
export const ReaderOptions = z.object({
  encoding: z.string().max(40).optional(),
  sheet: z.string().max(200).optional(),
  headerRow: z.number().int().positive().optional(),
});
export type ReaderOptions = z.infer<typeof ReaderOptions>;

export const SheetInfoDto = z.object({ name: z.string(), rows: z.number().int(), looksLikeTable: z.boolean() });

export const Problem = z.object({
  /** The row a person sees: spreadsheet row (header = its own row), jsonl line, json index + 1. */
  row: z.number().int(),
  column: z.string().optional(),
  message: z.string(),
  /** Translatable form of `message` (message-code.ts); absent in problems stored by older versions. */
  code: MessageCode.optional(),
  params: MessageParams.optional(),
});
export type Problem = z.infer<typeof Problem>;

export const SourceInspection = z.object({
  file: z.string(),
  format: z.string(),
  size: z.number(),
  encoding: z.string().optional(),
  encodingReason: z.string().optional(),
  delimiter: z.string().optional(),
  sheets: z.array(SheetInfoDto).optional(),
  sheet: z.string().optional(),
  headerRow: z.number().int().optional(),
  columns: z.array(z.string()),
  /** The first rows as read (cells as text/JSON), for showing the file. */
  sampleRows: z.array(z.object({ row: z.number().int(), values: z.record(z.string(), z.unknown()) })),
  suggestion: MappingSuggestion,
});
export type SourceInspection = z.infer<typeof SourceInspection>;

export const PreviewRecord = z.object({
  row: z.number().int(),
  record: NormalisedRecord.nullable(),
  problems: z.array(Problem),
  /** The cells as read, for rows past the inspection's sample rows (a jump to a row further down). */
  values: z.record(z.string(), z.unknown()).optional(),
});
export const PreviewResult = z.object({ records: z.array(PreviewRecord) });
export type PreviewResult = z.infer<typeof PreviewResult>;

export const ColumnStats = z.object({
  column: z.string(),
  empty: z.number().int(),
  minLength: z.number().int(),
  maxLength: z.number().int(),
  meanLength: z.number(),
});
export const ValidationReport = z.object({
  rows: z.number().int(),
  validRows: z.number().int(),
  blankRows: z.number().int(),
  problems: z.array(Problem),
  /** Problems beyond the first 1000 are counted, not listed. */
  problemCount: z.number().int(),
  exactDuplicates: z.number().int(),
  normalisedDuplicates: z.number().int(),
  /** Rows (first 100) whose duplicate is an earlier row: [row, earlierRow]. */
  duplicatePairs: z.array(z.tuple([z.number().int(), z.number().int()])),
  mojibakeRows: z.array(z.number().int()),
  columns: z.array(ColumnStats),
});
export type ValidationReport = z.infer<typeof ValidationReport>;

// ---------------------------------------------------------------------------------------------------------------
// Stored datasets.
// ---------------------------------------------------------------------------------------------------------------
export const DatasetId = z.number().int().positive();
export const DatasetDto = z.object({
  id: DatasetId,
  projectId: z.number().int(),
  name: z.string(),
  sourceName: z.string(),
  sourceSha256: z.string(),
  sourceSize: z.number(),
  format: z.string(),
  readerOptions: z.record(z.string(), z.unknown()),
  shape: z.string(),
  rowCount: z.number().int(),
  skippedCount: z.number().int(),
  splitSeed: z.number().int(),
  valRatio: z.number(),
  mapping: Mapping.nullable(),
  createdAt: z.string(),
});
export type DatasetDto = Readonly<z.infer<typeof DatasetDto>>;

export const DatasetRowDto = z.object({
  idx: z.number().int(),
  sourceRow: z.number().int(),
  /** The record in effect: the edit when there is one, else the original. */
  record: NormalisedRecord,
  original: NormalisedRecord,
  edited: z.boolean(),
  excluded: z.boolean(),
  split: z.enum(['train', 'validation']),
});
export type DatasetRowDto = z.infer<typeof DatasetRowDto>;

// ---------------------------------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------------------------------
const FilePath = z.string().min(1).max(4096);
/** Chosen by the caller so it can cancel the job and match its progress events. */
const JobId = z.string().min(1).max(100);

export const InspectRequest = z.object({ file: FilePath, options: ReaderOptions.default({}) }).strict();
export type InspectRequest = z.input<typeof InspectRequest>;
export const PreviewRequest = z
  .object({
    file: FilePath,
    options: ReaderOptions.default({}),
    mapping: Mapping,
    limit: z.number().int().min(1).max(200).default(20),
    /** Rows as read (records and unreadable rows) to skip before the first one returned. */
    offset: z.number().int().min(0).default(0),
    /** Start at this row of the file as a person sees it (Problem.row), or the next one there is: jump to a problem. */
    fromRow: z.number().int().min(1).optional(),
  })
  .strict();
export type PreviewRequest = z.input<typeof PreviewRequest>;
export const ValidateRequest = z.object({ file: FilePath, options: ReaderOptions.default({}), mapping: Mapping, jobId: JobId.optional() }).strict();
export type ValidateRequest = z.input<typeof ValidateRequest>;
export const ImportRequest = z
  .object({
    projectId: z.number().int().positive(),
    file: FilePath,
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Dataset names cannot contain control characters.')
      .optional(),
    options: ReaderOptions.default({}),
    /** Omitted: the suggested mapping. */
    mapping: Mapping.optional(),
    /** true: rows with problems are left out; false: any problem stops the import and nothing is written. */
    skipBad: z.boolean().default(false),
    /** Import even when the same file (same SHA-256) is already a dataset of the project. */
    allowDuplicate: z.boolean().default(false),
    jobId: JobId.optional(),
  })
  .strict();
export type ImportRequest = z.input<typeof ImportRequest>;
export const ImportResult = z.object({
  dataset: DatasetDto,
  rows: z.number().int(),
  skipped: z.number().int(),
  blankRows: z.number().int(),
  encoding: z.string().optional(),
  sheet: z.string().optional(),
  headerRow: z.number().int().optional(),
  mapping: Mapping,
  problems: z.array(Problem),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ImportLlamaFactoryRequest = z.object({ projectId: z.number().int().positive(), dir: FilePath, jobId: JobId.optional() }).strict();
export type ImportLlamaFactoryRequest = z.input<typeof ImportLlamaFactoryRequest>;
export const ImportLlamaFactoryResult = z.object({
  imported: z.array(z.object({ entry: z.string(), dataset: DatasetDto, rows: z.number().int(), skipped: z.number().int() })),
  /** `code`/`params`: the reason's translatable form (main/datasets/llamafactory-folder.ts); absent for an import's own error. */
  skipped: z.array(z.object({ entry: z.string(), reason: z.string(), code: MessageCode.optional(), params: MessageParams.optional() })),
});
export type ImportLlamaFactoryResult = z.infer<typeof ImportLlamaFactoryResult>;

export const DatasetRef = z.object({ id: DatasetId }).strict();
export type DatasetRef = z.infer<typeof DatasetRef>;
export const ListDatasetsRequest = z.object({ projectId: z.number().int().positive().optional() }).strict();
export type ListDatasetsRequest = z.infer<typeof ListDatasetsRequest>;
/**
 * Which rows the dataset view shows. duplicates: rows whose normalised record occurs more than once in the dataset
 * (every copy); train/validation: included rows of that split.
 */
export const RowFilter = z.enum(['all', 'excluded', 'edited', 'train', 'validation', 'duplicates']);
export type RowFilter = z.infer<typeof RowFilter>;
export const RowsRequest = z
  .object({
    id: DatasetId,
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(50),
    /** Only included rows of this split; `total` is then the split's size. */
    split: z.enum(['train', 'validation']).optional(),
    /** Case-insensitive substring of the record in effect (the edit when there is one); blank = every row. */
    search: z.string().max(1000).optional(),
    filter: RowFilter.optional(),
  })
  .strict();
export type RowsRequest = z.input<typeof RowsRequest>;
/** `offset`/`limit` page through the matching rows; `matched` counts them all (= `total` without search or filter). */
export const RowsResult = z.object({ total: z.number().int(), matched: z.number().int(), rows: z.array(DatasetRowDto) });
export type RowsResult = z.infer<typeof RowsResult>;
export const EditRowRequest = z.object({ id: DatasetId, idx: z.number().int().min(0), record: NormalisedRecord.nullable() }).strict();
export type EditRowRequest = z.infer<typeof EditRowRequest>;
export const ExcludeRowRequest = z.object({ id: DatasetId, idx: z.number().int().min(0), excluded: z.boolean() }).strict();
export type ExcludeRowRequest = z.infer<typeof ExcludeRowRequest>;
export const SetSplitRequest = z.object({ id: DatasetId, seed: z.number().int().min(0).max(2 ** 31 - 1), valRatio: z.number().min(0).max(0.9) }).strict();
export type SetSplitRequest = z.infer<typeof SetSplitRequest>;
export const ExportRequest = z.object({ id: DatasetId, format: z.enum(['alpaca', 'sharegpt', 'openai']), out: FilePath, includeExcluded: z.boolean().default(false) }).strict();
export type ExportRequest = z.input<typeof ExportRequest>;
export const ExportResult = z.object({ file: z.string(), rows: z.number().int(), datasetInfo: z.record(z.string(), z.unknown()), datasetInfoFile: z.string() });
export type ExportResult = z.infer<typeof ExportResult>;
export const CancelRequest = z.object({ jobId: JobId }).strict();
export type CancelRequest = z.infer<typeof CancelRequest>;

export interface IDatasetsService {
  inspect(request: InspectRequest): Promise<SourceInspection>;
  preview(request: PreviewRequest): Promise<PreviewResult>;
  validate(request: ValidateRequest): Promise<ValidationReport>;
  import(request: ImportRequest): Promise<ImportResult>;
  importLlamaFactory(request: ImportLlamaFactoryRequest): Promise<ImportLlamaFactoryResult>;
  cancel(request: CancelRequest): Promise<{ readonly cancelled: boolean }>;
  list(request: ListDatasetsRequest): Promise<readonly DatasetDto[]>;
  get(request: DatasetRef): Promise<DatasetDto>;
  rows(request: RowsRequest): Promise<RowsResult>;
  editRow(request: EditRowRequest): Promise<DatasetRowDto>;
  excludeRow(request: ExcludeRowRequest): Promise<DatasetRowDto>;
  setSplit(request: SetSplitRequest): Promise<DatasetDto>;
  export(request: ExportRequest): Promise<ExportResult>;
  remove(request: DatasetRef): Promise<{ readonly removed: true }>;
}

export const ImportProgressEvent = z.object({
  jobId: z.string(),
  phase: z.enum(['reading', 'writing', 'done', 'failed', 'cancelled']),
  bytesRead: z.number(),
  totalBytes: z.number(),
  rows: z.number().int(),
});
export type ImportProgressEvent = z.infer<typeof ImportProgressEvent>;
export const DatasetChangedEvent = z.object({ id: DatasetId, change: z.enum(['created', 'edited', 'split', 'removed']) });

export const datasetsContract = {
  name: 'datasets',
  requests: {
    inspect: InspectRequest,
    preview: PreviewRequest,
    validate: ValidateRequest,
    import: ImportRequest,
    importLlamaFactory: ImportLlamaFactoryRequest,
    cancel: CancelRequest,
    list: ListDatasetsRequest,
    get: DatasetRef,
    rows: RowsRequest,
    editRow: EditRowRequest,
    excludeRow: ExcludeRowRequest,
    setSplit: SetSplitRequest,
    export: ExportRequest,
    remove: DatasetRef,
  },
  events: { importProgress: ImportProgressEvent, changed: DatasetChangedEvent },
} as const satisfies DomainContract<IDatasetsService>;

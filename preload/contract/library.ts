// The `library` domain: getting base models. Download by name from Hugging Face (or a mirror) or ModelScope,
// the curated list with VRAM figures, the local library (list, add a folder, check, repair, remove) and hub access
// tokens. Types and zod schemas only; the work is main/library's and main/hub's.
import { z } from 'zod';
import type { DomainContract } from './define.js';
import { Empty } from './app.js';
import { MessageCode, MessageParams } from './message-code.js';
import type { ModelCardDto } from './models.js';

export const HubSource = z.enum(['hf', 'modelscope']);
export type HubSource = z.infer<typeof HubSource>;
export const LibrarySource = z.enum(['hf', 'modelscope', 'local']);
export const LibraryStatus = z.enum(['downloading', 'ready', 'incomplete', 'corrupted', 'missing']);
export type LibraryStatus = z.infer<typeof LibraryStatus>;

/** `owner/name` as both hubs spell model ids. */
export const RepoId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/, 'A model name looks like owner/name, e.g. Qwen/Qwen2.5-7B-Instruct.')
  .refine((s) => !s.includes('..'), 'A model name cannot contain “..”.');

/** A branch, tag or commit. */
export const HubRevision = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, 'A revision is a branch, tag or commit, e.g. main.')
  .refine((s) => !s.includes('..'), 'A revision cannot contain “..”.');

/** A hub base URL (a mirror such as https://hf-mirror.com); http(s) only, no credentials, no query. */
export const HubEndpoint = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => /^https?:\/\/[^\s/?#@]+(\/[^\s?#@]*)?$/.test(s), 'The endpoint must be an http(s) address like https://hf-mirror.com, without user name, password or query.');

/** Access tokens: printable ASCII without spaces (they go into an HTTP header). Never stored in the DB or logged. */
export const HubAccessToken = z
  .string()
  .trim()
  .min(8, 'That token is too short.')
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, 'A token has no spaces or non-ASCII characters: paste it exactly as the hub shows it.');

export const LibraryFileProblemDto = z.object({
  path: z.string(),
  problem: z.enum(['missing', 'size', 'checksum', 'unreadable', 'partial']),
  detail: z.string(),
  /** Translatable form of `detail`; absent in problems stored by older versions. */
  code: MessageCode.optional(),
  params: MessageParams.optional(),
});
export type LibraryFileProblemDto = Readonly<z.infer<typeof LibraryFileProblemDto>>;

/** What the library table shows of a model card; the whole card comes from `card`. */
export const CardSummaryDto = z.object({
  architecture: z.string(),
  parameters: z.number(),
  dtype: z.string(),
  kind: z.enum(['base', 'instruct']),
  contextLength: z.number().int(),
  proposedTemplate: z.string(),
  vramLoraBytes: z.number(),
  vramQloraBytes: z.number(),
});
export type CardSummaryDto = Readonly<z.infer<typeof CardSummaryDto>>;

export const VramFitDto = z.object({ lora: z.boolean().nullable(), qlora: z.boolean().nullable() });

export const LibraryModelDto = z.object({
  id: z.number().int(),
  name: z.string(),
  source: LibrarySource,
  endpoint: z.string().nullable(),
  revision: z.string().nullable(),
  commit: z.string().nullable(),
  /** Absolute folder path. */
  path: z.string(),
  /** Downloaded by Lathe into the workspace: removing it deletes the files. Added folders are only forgotten. */
  managed: z.boolean(),
  /** Comes with Lathe (the demo model): listed, checked and used like the others, but never removed. */
  builtIn: z.boolean(),
  status: LibraryStatus,
  diskBytes: z.number(),
  expectedBytes: z.number().nullable(),
  fileCount: z.number().int(),
  card: CardSummaryDto.nullable(),
  /** Why there is no card (unsupported architecture, unreadable config), when there is none. */
  cardError: z.string().nullable(),
  /** Whether LoRA / QLoRA fits the detected GPU; null without a GPU or a card. */
  fits: VramFitDto,
  problems: z.array(LibraryFileProblemDto),
  addedAt: z.string(),
  updatedAt: z.string(),
  checkedAt: z.string().nullable(),
});
export type LibraryModelDto = Readonly<z.infer<typeof LibraryModelDto>>;

export const FileProgressDto = z.object({
  path: z.string(),
  state: z.enum(['queued', 'downloading', 'retrying', 'done', 'skipped', 'failed']),
  bytesDone: z.number(),
  bytesTotal: z.number().nullable(),
  speedBps: z.number(),
  etaSeconds: z.number().nullable(),
  attempt: z.number().int(),
  message: z.string().nullable(),
  /** Translatable form of `message` when main has one (a retry); a failure's message is the error's English text. */
  messageCode: MessageCode.optional(),
  messageParams: MessageParams.optional(),
});
export type FileProgressDto = Readonly<z.infer<typeof FileProgressDto>>;

export const DownloadState = z.enum(['listing', 'downloading', 'verifying', 'done', 'failed', 'cancelled']);
export type DownloadState = z.infer<typeof DownloadState>;

/** `messageCode`/`messageParams`: the message's translatable form, where main has one (errors.ts ErrorText). */
export const LibraryErrorDto = z.object({ code: z.string(), message: z.string(), messageCode: MessageCode.optional(), messageParams: MessageParams.optional() });

export const DownloadDto = z.object({
  id: z.string(),
  name: z.string(),
  source: HubSource,
  endpoint: z.string(),
  revision: z.string(),
  kind: z.enum(['pull', 'repair']),
  modelId: z.number().int().nullable(),
  state: DownloadState,
  bytesDone: z.number(),
  bytesTotal: z.number(),
  speedBps: z.number(),
  etaSeconds: z.number().nullable(),
  filesDone: z.number().int(),
  fileCount: z.number().int(),
  /** Every file in `downloads`; only the files that changed in a `progress` event. */
  files: z.array(FileProgressDto),
  error: LibraryErrorDto.nullable(),
  startedAt: z.string(),
});
export type DownloadDto = Readonly<z.infer<typeof DownloadDto>>;

export const DetectedGpuDto = z.object({ name: z.string(), memoryBytes: z.number() });
export type DetectedGpuDto = Readonly<z.infer<typeof DetectedGpuDto>>;

export const CuratedModelDto = z.object({
  key: z.string(),
  family: z.string(),
  label: z.string(),
  hf: z.string(),
  modelscope: z.string().nullable(),
  gated: z.boolean(),
  kind: z.enum(['base', 'instruct']),
  parameters: z.number(),
  /** Approximate: bf16 weights, 2 bytes per parameter computed from the config's shape. */
  approxDownloadBytes: z.number(),
  /** The engine's memory plan (CURATED_VRAM_SHAPE); null when the engine is not built. */
  vramLoraBytes: z.number().nullable(),
  vramQloraBytes: z.number().nullable(),
  fits: VramFitDto,
});
export type CuratedModelDto = Readonly<z.infer<typeof CuratedModelDto>>;

export const CuratedListDto = z.object({
  gpu: DetectedGpuDto.nullable(),
  /** How the GPU was detected, or why none was; `gpuNoteCode`/`gpuNoteParams` its translatable form. */
  gpuNote: z.string(),
  gpuNoteCode: MessageCode.optional(),
  gpuNoteParams: MessageParams.optional(),
  /** The training shape the VRAM figures assume; `assumptionsCode`/`assumptionsParams` its translatable form. */
  assumptions: z.string(),
  assumptionsCode: MessageCode.optional(),
  assumptionsParams: MessageParams.optional(),
  /** Where the sizes come from and how approximate they are. */
  sourceNote: z.string(),
  models: z.array(CuratedModelDto),
});
export type CuratedListDto = Readonly<z.infer<typeof CuratedListDto>>;

export const TokenStatusDto = z.object({
  source: HubSource,
  present: z.boolean(),
  /** keychain: the OS's (libsecret, macOS Keychain, Windows DPAPI); electron: safeStorage; memory: this session only. */
  storage: z.enum(['keychain', 'electron', 'memory', 'none']),
  note: z.string(),
  /** Translatable form of `note` (main/hub/token-store.ts). */
  noteCode: MessageCode.optional(),
  noteParams: MessageParams.optional(),
});
export type TokenStatusDto = Readonly<z.infer<typeof TokenStatusDto>>;

export const LibraryModelRef = z.object({ id: z.number().int().positive() }).strict();
export type LibraryModelRef = z.infer<typeof LibraryModelRef>;

export const PullRequest = z
  .object({
    name: RepoId,
    source: HubSource.default('hf'),
    /** Hub base URL; default https://huggingface.co or https://www.modelscope.cn. */
    endpoint: HubEndpoint.optional(),
    /** Default main (HF) or master (ModelScope). */
    revision: HubRevision.optional(),
  })
  .strict();
export type PullRequest = z.input<typeof PullRequest>;

export const DownloadRef = z.object({ downloadId: z.string().min(1).max(100) }).strict();
export type DownloadRef = z.infer<typeof DownloadRef>;

export const RemoveModelRequest = z.object({ id: z.number().int().positive() }).strict();
export type RemoveModelRequest = z.infer<typeof RemoveModelRequest>;

export const AddFolderRequest = z.object({ path: z.string().trim().min(1, 'Choose a model folder.').max(4096) }).strict();
export type AddFolderRequest = z.infer<typeof AddFolderRequest>;

export const CheckModelRequest = z
  .object({
    id: z.number().int().positive(),
    /** Also hash every file against the hub's SHA-256 (slow for big models); else sizes and headers only. */
    full: z.boolean().optional(),
  })
  .strict();
export type CheckModelRequest = z.infer<typeof CheckModelRequest>;

export const SetHubTokenRequest = z.object({ source: HubSource, token: HubAccessToken }).strict();
export type SetHubTokenRequest = z.infer<typeof SetHubTokenRequest>;
export const HubTokenRef = z.object({ source: HubSource }).strict();
export type HubTokenRef = z.infer<typeof HubTokenRef>;

export interface ILibraryService {
  list(request: Empty): Promise<readonly LibraryModelDto[]>;
  curated(request: Empty): Promise<CuratedListDto>;
  /** Starts a download and answers at once; progress comes as `library.progress`, the end as `library.finished`. */
  pull(request: PullRequest): Promise<DownloadDto>;
  downloads(request: Empty): Promise<readonly DownloadDto[]>;
  cancel(request: DownloadRef): Promise<DownloadDto>;
  remove(request: RemoveModelRequest): Promise<{ readonly removed: true; readonly deletedFiles: boolean }>;
  addFolder(request: AddFolderRequest): Promise<LibraryModelDto>;
  check(request: CheckModelRequest): Promise<LibraryModelDto>;
  /** Re-downloads missing or bad files of a downloaded model (answers at once, like pull). */
  repair(request: LibraryModelRef): Promise<DownloadDto>;
  card(request: LibraryModelRef): Promise<ModelCardDto>;
  tokenStatus(request: Empty): Promise<readonly TokenStatusDto[]>;
  setToken(request: SetHubTokenRequest): Promise<TokenStatusDto>;
  clearToken(request: HubTokenRef): Promise<TokenStatusDto>;
}

export const LibraryChangedEvent = z.object({ id: z.number().int(), change: z.enum(['added', 'updated', 'removed']) });
export const DownloadFinishedEvent = z.object({
  downloadId: z.string(),
  name: z.string(),
  modelId: z.number().int().nullable(),
  state: z.enum(['done', 'failed', 'cancelled']),
  error: LibraryErrorDto.nullable(),
});
export type DownloadFinishedEvent = z.infer<typeof DownloadFinishedEvent>;

export const libraryContract = {
  name: 'library',
  requests: {
    list: Empty,
    curated: Empty,
    pull: PullRequest,
    downloads: Empty,
    cancel: DownloadRef,
    remove: RemoveModelRequest,
    addFolder: AddFolderRequest,
    check: CheckModelRequest,
    repair: LibraryModelRef,
    card: LibraryModelRef,
    tokenStatus: Empty,
    setToken: SetHubTokenRequest,
    clearToken: HubTokenRef,
  },
  events: {
    /** Batched (at most ~4 a second): each running download's totals and the files that moved. */
    progress: z.object({ downloads: z.array(DownloadDto) }),
    changed: LibraryChangedEvent,
    finished: DownloadFinishedEvent,
  },
} as const satisfies DomainContract<ILibraryService>;

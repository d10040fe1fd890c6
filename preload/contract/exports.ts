// The `exports` domain: turning a run's adapter (or any PEFT adapter folder) into what people deploy — the adapter
// with a README, a merged Hugging Face model, GGUF (llama.cpp), GGUF + Modelfile (Ollama), ONNX — and the checks
// run on the result. Types and zod schemas only; the work happens in main/export.
import { z } from 'zod';
import type { DomainContract } from './define.js';

export const ExportFormat = z.enum(['peft', 'merged', 'gguf', 'ollama', 'onnx']);
export type ExportFormat = z.infer<typeof ExportFormat>;
export const ExportDtype = z.enum(['bf16', 'f16', 'f32']);
export type ExportDtype = z.infer<typeof ExportDtype>;
export const ExportQuant = z.enum(['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_k_m']);
export type ExportQuant = z.infer<typeof ExportQuant>;

export const ExportedFileDto = z.object({ path: z.string(), bytes: z.number() });
export const VerificationDto = z.object({
  check: z.string(),
  passed: z.boolean(),
  /** True when the check could not run here (e.g. no engine binary); `passed` is then false. */
  skipped: z.boolean().optional(),
  /** English, for the CLI and older records. */
  detail: z.string(),
  /** The app shows `main.<code>` filled with `params` in the user's language (renderer/src/i18n/main-message.ts). */
  code: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** The check's name, likewise: `main.<checkCode>`, else `check`. */
  checkCode: z.string().optional(),
});
export type VerificationDto = Readonly<z.infer<typeof VerificationDto>>;

export const ExportResultDto = z.object({
  format: ExportFormat,
  out: z.string(),
  files: z.array(ExportedFileDto),
  verification: z.array(VerificationDto),
});
export type ExportResultDto = Readonly<z.infer<typeof ExportResultDto>>;

export const ExportJobDto = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'verifying', 'completed', 'failed', 'cancelled']),
  format: ExportFormat,
  out: z.string(),
  fraction: z.number(),
  message: z.string(),
  result: ExportResultDto.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ExportJobDto = Readonly<z.infer<typeof ExportJobDto>>;

/** An export kept in the workspace (an `artifacts` row). */
export const ExportDto = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  runId: z.number().int().nullable(),
  format: z.string(),
  path: z.string(),
  bytes: z.number(),
  verification: z.array(VerificationDto),
  createdAt: z.string(),
});
export type ExportDto = Readonly<z.infer<typeof ExportDto>>;

const Size = z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i, 'Write a size such as 5GB, 500MB or 2GiB.');

export const StartExportRequest = z
  .object({
    /** A run of this workspace (its newest adapter, base model and template), or … */
    runId: z.number().int().positive().optional(),
    /** … any PEFT adapter folder; its base model comes from `baseModel` or adapter_config.json. */
    adapterDir: z.string().min(1).max(4096).optional(),
    baseModel: z.string().min(1).max(4096).optional(),
    format: ExportFormat,
    dtype: ExportDtype.optional(),
    quant: ExportQuant.optional(),
    shardSize: Size.optional(),
    /** The training template's name (a run knows its own); 'jinja' keeps the model's. */
    template: z.string().min(1).max(64).optional(),
    /** Destination folder; defaults to the project's exports folder. Must not exist yet. */
    out: z.string().min(1).max(4096).optional(),
    verify: z.boolean().optional(),
  })
  .strict()
  .refine((r) => r.runId !== undefined || r.adapterDir !== undefined || r.baseModel !== undefined, 'Name a run, an adapter folder or a base model to export.');
export type StartExportRequest = z.infer<typeof StartExportRequest>;

export const ExportJobRef = z.object({ jobId: z.string().min(1).max(64) }).strict();
export type ExportJobRef = z.infer<typeof ExportJobRef>;
export const ListExportsRequest = z.object({ projectId: z.number().int().positive().optional(), runId: z.number().int().positive().optional() }).strict();
export type ListExportsRequest = z.infer<typeof ListExportsRequest>;
export const ExportRef = z.object({ id: z.number().int().positive() }).strict();
export type ExportRef = z.infer<typeof ExportRef>;

export interface IExportsService {
  /** Starts an export in the background; follow it with `exports.progress` / `exports.finished` or `get`. */
  start(request: StartExportRequest): Promise<ExportJobDto>;
  get(request: ExportJobRef): Promise<ExportJobDto>;
  /** Cancels a running export; its partial folder is removed. */
  cancel(request: ExportJobRef): Promise<ExportJobDto>;
  list(request: ListExportsRequest): Promise<readonly ExportDto[]>;
  /** Deletes an export's files and its record. */
  remove(request: ExportRef): Promise<{ readonly removed: true }>;
}

export const ExportProgressEvent = z.object({ jobId: z.string(), phase: z.string(), fraction: z.number(), message: z.string() });
export type ExportProgressEvent = z.infer<typeof ExportProgressEvent>;
export const ExportFinishedEvent = z.object({ jobId: z.string(), job: ExportJobDto });
export type ExportFinishedEvent = z.infer<typeof ExportFinishedEvent>;

export const exportsContract = {
  name: 'exports',
  requests: { start: StartExportRequest, get: ExportJobRef, cancel: ExportJobRef, list: ListExportsRequest, remove: ExportRef },
  events: { progress: ExportProgressEvent, finished: ExportFinishedEvent },
} as const satisfies DomainContract<IExportsService>;

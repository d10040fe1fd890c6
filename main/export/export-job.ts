// One export from start to finish, on whatever thread calls it (export-worker.ts runs it off the main thread):
// disk check, `<out>.partial-*` folder, the format's writer, rename. Verification is verify-export.ts's job.
import { copyFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import { renderReadme } from './adapter-readme.js';
import { AtomicOutput } from './atomic-output.js';
import { chatTemplateFor, type ChatTemplateOutput, type TrainingTemplate } from './chat-template.js';
import type { FloatDtype } from './half-float.js';
import { readAdapterConfig } from './lora-adapter.js';
import { MergedWeights } from './merged-weights.js';
import { throwIfCancelled, writeMergedWeights, type WriteTimings } from './merged-writer.js';
import { writeModelFiles } from './model-files.js';
import { formatWriters } from './format-writers.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const EXPORT_JOB_ERROR_CODES = ['err.export.noBaseConfig'] as const;
const errText = errorText(EXPORT_JOB_ERROR_CODES);

export const EXPORT_FORMATS = ['peft', 'merged', 'gguf', 'ollama', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const GGUF_QUANTS = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_k_m'] as const;
export type GgufQuant = (typeof GGUF_QUANTS)[number];

export interface ExportJobSpec {
  readonly format: ExportFormat;
  readonly baseDir: string;
  readonly adapterDir: string | null;
  readonly outDir: string;
  /** Merged safetensors dtype; ONNX weight storage (default F32). */
  readonly dtype?: FloatDtype;
  /** GGUF tensor type (Ollama too). */
  readonly quant?: GgufQuant;
  readonly maxShardBytes?: number;
  readonly template?: TrainingTemplate | null;
  /** Shown in READMEs: the run's name and settings. */
  readonly title?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly threads?: number;
}

export interface ExportProgress {
  readonly phase: 'preparing' | 'writing' | 'finishing';
  /** 0..1 over the whole export. */
  readonly fraction: number;
  readonly message: string;
}

export interface ExportedFile {
  readonly path: string;
  readonly bytes: number;
}

export interface ExportJobResult {
  readonly format: ExportFormat;
  readonly out: string;
  readonly files: ExportedFile[];
  readonly template: ChatTemplateOutput | null;
  /** Merged exports: where the weights' wall time went (benchmarks print it). */
  readonly timings?: WriteTimings;
}

export interface JobContext {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExportProgress) => void;
}

/** Bytes the export will write, for the disk check: output dtype size × parameters (+ adapter size for peft). */
async function estimateBytes(spec: ExportJobSpec, w: MergedWeights | null): Promise<number> {
  if (!w) {
    const st = spec.adapterDir ? await stat(join(spec.adapterDir, 'adapter_model.safetensors')).catch(() => null) : null;
    return st?.size ?? 0;
  }
  const params = w.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const perParam: Record<string, number> = { f32: 4, f16: 2, bf16: 2, q8_0: 34 / 32, q4_0: 18 / 32, q4_k_m: 0.65 };
  if (spec.format === 'merged') return params * (spec.dtype === 'F32' ? 4 : 2);
  if (spec.format === 'onnx') return params * (spec.dtype === 'F16' || spec.dtype === 'BF16' ? 2 : 4);
  return params * (perParam[spec.quant ?? 'f16'] ?? 2) + 32 * 2 ** 20;
}

async function listFiles(dir: string, root = dir): Promise<ExportedFile[]> {
  const out: ExportedFile[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, root)));
    else out.push({ path: relative(root, p), bytes: (await stat(p)).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

async function tokenizerEos(baseDir: string): Promise<string | null> {
  try {
    const { readFile } = await import('node:fs/promises');
    const tc = JSON.parse(await readFile(join(baseDir, 'tokenizer_config.json'), 'utf8')) as { eos_token?: string | { content?: string } };
    return typeof tc.eos_token === 'string' ? tc.eos_token : tc.eos_token?.content ?? null;
  } catch {
    return null;
  }
}

export async function runExportJob(spec: ExportJobSpec, ctx: JobContext = {}): Promise<ExportJobResult> {
  const progress = (phase: ExportProgress['phase'], fraction: number, message: string) => ctx.onProgress?.({ phase, fraction, message });
  progress('preparing', 0, 'Checking the model and adapter');
  if (spec.format !== 'peft' && !existsSync(join(spec.baseDir, 'config.json'))) {
    throw new LatheError('not_found', `The base model folder ${spec.baseDir} has no config.json. Point the export at the model the adapter was trained on.`, { path: spec.baseDir }, errText('err.export.noBaseConfig', { path: spec.baseDir }));
  }
  const template = spec.template ? chatTemplateFor(spec.template, await tokenizerEos(spec.baseDir)) : null;
  const adapterConfig = spec.adapterDir ? await readAdapterConfig(spec.adapterDir) : null;
  const weights = spec.format === 'peft' ? null : await MergedWeights.open(spec.baseDir, spec.adapterDir);
  let out: AtomicOutput | null = null;
  let timings: WriteTimings | undefined;
  try {
    out = await AtomicOutput.begin(spec.outDir, await estimateBytes(spec, weights));
    const readme = (kind: 'adapter' | 'merged' | 'gguf' | 'onnx', extra?: string[]) =>
      renderReadme({
        title: spec.title ?? 'Lathe export',
        kind,
        baseModel: adapterConfig?.baseModel ?? spec.baseDir,
        template: template?.name ?? null,
        adapter: adapterConfig,
        settings: spec.settings ?? {},
        stopStrings: template?.stopStrings ?? [],
        extra,
      });
    if (spec.format === 'peft') {
      if (!spec.adapterDir) throw new LatheError('invalid_request', 'A PEFT export needs an adapter folder.');
      for (const f of await readdir(spec.adapterDir)) {
        // The adapter and any tokenizer files the run saved with it; checkpoints' optimizer state stays behind.
        if (/^(adapter_config\.json|adapter_model\.safetensors|tokenizer.*|special_tokens_map\.json|chat_template\.jinja|vocab\.json|merges\.txt)$/.test(f)) {
          await copyFile(join(spec.adapterDir, f), join(out.dir, f));
        }
      }
      await writeFile(join(out.dir, 'README.md'), readme('adapter'));
    } else if (spec.format === 'merged') {
      const dtype = spec.dtype ?? 'BF16';
      ({ timings } = await writeMergedWeights(weights!, out.dir, {
        dtype,
        maxShardBytes: spec.maxShardBytes ?? 5e9,
        signal: ctx.signal,
        threads: spec.threads,
        onProgress: (p) => progress('writing', 0.02 + 0.95 * (p.doneBytes / p.totalBytes), `Merging ${p.tensor}`),
      }));
      await writeModelFiles(spec.baseDir, out.dir, dtype, template);
      await writeFile(join(out.dir, 'README.md'), readme('merged'));
    } else {
      const writer = formatWriters[spec.format];
      await writer({ spec, weights: weights!, dir: out.dir, template, readme, signal: ctx.signal, progress });
    }
    throwIfCancelled(ctx.signal);
    progress('finishing', 0.99, 'Moving the export into place');
    await out.commit();
    const files = await listFiles(spec.outDir);
    progress('finishing', 1, 'Done');
    return { format: spec.format, out: spec.outDir, files, template, ...(timings ? { timings } : {}) };
  } catch (err) {
    await out?.discard();
    throw err;
  } finally {
    await weights?.close();
  }
}

// Turns an export request (a run of the workspace, or an adapter folder, plus options) into a job spec: which
// adapter, which base model (QLoRA runs merge into the original unquantised one), which template, where to write.
// Reads the DB and small JSON files; writes nothing.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StartExportRequest } from '../../preload/contract/exports.js';
import { errorText, LatheError } from '../../preload/contract/errors.js';
import type { TemplateSpec } from '../../preload/contract/templates.js';
import { RunsStore } from '../db/runs-store.js';
import { TemplatesStore } from '../db/templates-store.js';
import { resolveTemplate } from '../templates/template-registry.js';
import { resolveInside, slugFileName } from '../workspace/safe-path.js';
import type { Workspace } from '../workspace/workspace.js';
import type { TrainingTemplate } from './chat-template.js';
import type { ExportJobSpec } from './export-job.js';
import type { FloatDtype } from './half-float.js';
import { parseShardSize } from './safetensors-sharder.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const EXPORT_INPUT_ERROR_CODES = ['err.export.noAdapter', 'err.export.notAdapter', 'err.export.noOut'] as const;
const errText = errorText(EXPORT_INPUT_ERROR_CODES);

export interface ResolvedExport {
  readonly spec: ExportJobSpec;
  readonly projectId: number | null;
  readonly runId: number | null;
}

const DTYPES: Record<string, FloatDtype> = { bf16: 'BF16', f16: 'F16', f32: 'F32' };

/** The training template for a model folder: a built-in or user spec by name, or the model's own ("jinja"). */
export function trainingTemplate(name: string, baseDir: string, user: readonly TemplateSpec[]): TrainingTemplate {
  let chat: string | null = null;
  try {
    const tc = JSON.parse(readFileSync(path.join(baseDir, 'tokenizer_config.json'), 'utf8')) as { chat_template?: unknown };
    chat = typeof tc.chat_template === 'string' ? tc.chat_template : null;
  } catch {
    chat = null;
  }
  const r = resolveTemplate(name, chat, user);
  return r.kind === 'spec' ? { kind: 'spec', spec: r.spec } : { kind: 'jinja', name: r.name, source: r.source };
}

function adapterBase(adapterDir: string): string | null {
  try {
    const cfg = JSON.parse(readFileSync(path.join(adapterDir, 'adapter_config.json'), 'utf8')) as { base_model_name_or_path?: unknown };
    return typeof cfg.base_model_name_or_path === 'string' ? cfg.base_model_name_or_path : null;
  } catch {
    return null;
  }
}

/** `name-format[-variant]` as a clean slug ("lathe-tiny-llama-1-peft"), numbered when taken, inside the project's exports folder. */
function defaultOut(workspace: Workspace, projectId: number, name: string, variant: string): string {
  const dir = path.join(workspace.paths.project(projectId), 'exports');
  const stem = slugFileName(`${name}-${variant}`, 'export');
  let out = resolveInside(dir, stem);
  for (let i = 2; existsSync(out); i++) out = resolveInside(dir, `${stem}-${i}`);
  return out;
}

export function resolveExport(req: StartExportRequest, workspace: Workspace | null): ResolvedExport {
  let adapterDir = req.adapterDir ? path.resolve(req.adapterDir) : null;
  let baseDir = req.baseModel ? path.resolve(req.baseModel) : null;
  let templateName = req.template ?? null;
  let projectId: number | null = null;
  let runId: number | null = null;
  let title = 'Lathe export';
  let settings: Record<string, unknown> = {};
  if (req.runId !== undefined) {
    if (!workspace) throw new LatheError('invalid_request', 'Exporting a run needs a workspace.');
    const runs = new RunsStore(workspace.db);
    const run = runs.get(req.runId);
    const adapter = runs.artifacts(req.runId).filter((a) => a.kind === 'adapter').pop();
    if (!adapter) throw new LatheError('conflict', `Run “${run.row.name}” has no adapter yet: export it once training has finished (or stopped with a checkpoint).`, undefined, errText('err.export.noAdapter', { name: run.row.name }));
    adapterDir ??= path.join(workspace.paths.home, adapter.path);
    baseDir ??= path.resolve(run.config.model);
    templateName ??= run.config.template;
    projectId = run.row.project_id;
    runId = run.row.id;
    title = run.row.name;
    const c = run.config;
    settings = {
      learning_rate: c.learningRate, epochs: c.numTrainEpochs, ...(c.maxSteps ? { max_steps: c.maxSteps } : {}), cutoff_len: c.cutoffLen,
      batch_size: c.perDeviceTrainBatchSize, gradient_accumulation_steps: c.gradientAccumulationSteps, lr_scheduler: c.lrSchedulerType,
      ...(c.quantizationBit ? { quantization_bit: `${c.quantizationBit} (QLoRA; merged into the unquantised base)` } : {}), seed: c.seed, steps_trained: run.row.step,
    };
  }
  if (adapterDir && !existsSync(path.join(adapterDir, 'adapter_config.json'))) {
    throw new LatheError('not_found', `${adapterDir} is not a LoRA adapter folder (no adapter_config.json).`, { path: adapterDir }, errText('err.export.notAdapter', { path: adapterDir }));
  }
  if (!baseDir && adapterDir) {
    const b = adapterBase(adapterDir);
    if (b && existsSync(path.join(b, 'config.json'))) baseDir = path.resolve(b);
  }
  if (req.format !== 'peft' && !baseDir) {
    throw new LatheError('invalid_request', `The adapter's base model (${adapterDir ? adapterBase(adapterDir) ?? 'unknown' : 'unknown'}) is not a local folder: pass the base model folder (--base DIR).`);
  }
  if (req.format === 'peft' && !adapterDir) throw new LatheError('invalid_request', 'A PEFT export needs a run or an adapter folder.');
  const user = workspace ? new TemplatesStore(workspace.db).list() : [];
  const template = templateName && baseDir ? trainingTemplate(templateName, baseDir, user) : null;
  // ONNX: f32 unless asked (the folder says a half dtype: onnx-f16).
  const variant = req.format === 'merged' ? (req.dtype ?? 'bf16') : req.format === 'gguf' || req.format === 'ollama' ? (req.quant ?? 'q8_0') : req.format === 'onnx' && req.dtype && req.dtype !== 'f32' ? req.dtype : req.format;
  let out: string;
  if (req.out) out = path.resolve(req.out);
  else if (projectId !== null && workspace) out = defaultOut(workspace, projectId, title, req.format === variant ? variant : `${req.format}-${variant}`);
  else throw new LatheError('invalid_request', 'Choose where to write the export (--out DIR).', undefined, errText('err.export.noOut'));
  let maxShardBytes: number | undefined;
  if (req.shardSize) {
    try {
      maxShardBytes = parseShardSize(req.shardSize);
    } catch (err) {
      throw new LatheError('invalid_request', (err as Error).message);
    }
  }
  const spec: ExportJobSpec = {
    format: req.format,
    baseDir: baseDir ?? '',
    adapterDir,
    outDir: out,
    dtype: DTYPES[req.dtype ?? (req.format === 'onnx' ? 'f32' : 'bf16')],
    quant: req.quant ?? (req.format === 'gguf' || req.format === 'ollama' ? 'q8_0' : undefined),
    maxShardBytes,
    template,
    title,
    settings,
  };
  return { spec, projectId, runId };
}

// The run configuration as YAML, with LLaMA-Factory's key names where one exists (its `examples/train_lora/*.yaml`
// load here unchanged for the keys Lathe supports), and "the equivalent CLI command" for any configuration.
// Does not read files or resolve datasets: callers pass the text and get a validated RunConfig back.
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { LatheError } from '../../preload/contract/errors.js';
import type { Notice } from '../../preload/contract/message-code.js';
import { RunConfig, type RunDatasetRef } from '../../preload/contract/runs.js';

/** RunConfig field → YAML key. LLaMA-Factory's name where it has one; the rest are Lathe's, in the same style. */
export const YAML_KEYS = {
  model: 'model_name_or_path',
  datasets: 'dataset',
  valSize: 'val_size',
  maxSamples: 'max_samples',
  template: 'template',
  cutoffLen: 'cutoff_len',
  packing: 'packing',
  trainOnPrompt: 'train_on_prompt',
  maskHistory: 'mask_history',
  finetuningType: 'finetuning_type',
  quantizationBit: 'quantization_bit',
  gradientCheckpointing: 'gradient_checkpointing',
  maxVramGb: 'max_vram_gb',
  loraRank: 'lora_rank',
  loraAlpha: 'lora_alpha',
  loraDropout: 'lora_dropout',
  loraTarget: 'lora_target',
  useRslora: 'use_rslora',
  adapterFrom: 'adapter_name_or_path',
  optim: 'optim',
  lrSchedulerType: 'lr_scheduler_type',
  warmupRatio: 'warmup_ratio',
  learningRate: 'learning_rate',
  weightDecay: 'weight_decay',
  maxGradNorm: 'max_grad_norm',
  numTrainEpochs: 'num_train_epochs',
  maxSteps: 'max_steps',
  perDeviceTrainBatchSize: 'per_device_train_batch_size',
  gradientAccumulationSteps: 'gradient_accumulation_steps',
  loggingSteps: 'logging_steps',
  evalSteps: 'eval_steps',
  saveSteps: 'save_steps',
  saveTotalLimit: 'save_total_limit',
  seed: 'seed',
  device: 'device',
  predictWithGenerate: 'predict_with_generate',
  maxNewTokens: 'max_new_tokens',
  maxPredictSamples: 'max_predict_samples',
  doSample: 'do_sample',
  temperature: 'temperature',
  outputDir: 'output_dir',
} as const satisfies Record<Exclude<keyof RunConfig, 'debug'>, string>;

/** Engine test hooks under their engine names. */
const DEBUG_KEYS = { nanAtStep: 'debug_nan_at_step', stopAfterSteps: 'stop_after_steps' } as const;

/** LLaMA-Factory keys that Lathe accepts and ignores (they describe things Lathe decides itself). */
const IGNORED_KEYS = new Set([
  'do_train', 'overwrite_output_dir', 'overwrite_cache', 'plot_loss', 'report_to', 'bf16', 'fp16', 'pure_bf16', 'ddp_timeout',
  'preprocessing_num_workers', 'dataloader_num_workers', 'trust_remote_code', 'flash_attn', 'resume_from_checkpoint',
  'save_only_model', 'logging_dir', 'dataset_dir', 'per_device_eval_batch_size', 'eval_strategy', 'evaluation_strategy',
  'save_strategy', 'logging_strategy', 'use_unsloth', 'enable_liger_kernel', 'upcast_layernorm',
  // Multi-GPU and logging plumbing of LLaMA-Factory's example configs: Lathe runs one GPU and logs everything itself.
  'deepspeed', 'ddp_find_unused_parameters', 'include_num_input_tokens_seen', 'save_safetensors', 'disable_tqdm',
]);

const FIELD_OF_KEY = new Map<string, keyof RunConfig>(Object.entries(YAML_KEYS).map(([f, k]) => [k, f as keyof RunConfig]));
const DATA_EXTENSIONS = /\.(jsonl|json|csv|tsv|txt|xlsx|parquet|ltok)$/i;

export function datasetRefFromText(s: string): RunDatasetRef {
  const t = s.trim();
  if (/^#\d+$/.test(t)) return { id: Number(t.slice(1)) };
  if (DATA_EXTENSIONS.test(t) || t.includes('/') || t.includes('\\')) return { file: t };
  return { name: t };
}

export function datasetRefToText(r: RunDatasetRef): string {
  return 'id' in r ? `#${r.id}` : 'name' in r ? r.name : r.file;
}

export interface ParsedRunYaml {
  readonly config: RunConfig;
  readonly name: string | null;
  readonly warnings: Notice[];
}

/** Codes of this file's warnings (the renderer has a `main.<code>` text for each; a test checks). */
export const RUN_YAML_CODES = ['runYaml.ignoredKey'] as const;

/** YAML text → validated RunConfig. Unknown keys are an error naming them; LLaMA-Factory keys Lathe decides itself are warnings. */
export function runConfigFromYaml(text: string, file = 'the configuration'): ParsedRunYaml {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new LatheError('bad_input', `${file} is not valid YAML: ${(err as Error).message}`, { file });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new LatheError('bad_input', `${file} must be a YAML mapping of keys to values (model_name_or_path: …, dataset: …).`, { file });
  const warnings: Notice[] = [];
  const out: Record<string, unknown> = {};
  const debug: Record<string, unknown> = {};
  let name: string | null = null;
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    const field = FIELD_OF_KEY.get(key);
    if (field === 'datasets') {
      const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
      out.datasets = list.map((s) => s.trim()).filter(Boolean).map(datasetRefFromText);
    } else if (field === 'maxSteps') {
      if (Number(value) > 0) out.maxSteps = value; // LLaMA-Factory/HF use -1 for "no limit"
    } else if (field === 'loraTarget') {
      out.loraTarget = Array.isArray(value) ? value.join(',') : String(value);
    } else if (field) {
      out[field] = value;
    } else if (key === 'run_name') {
      name = String(value);
    } else if (key === 'stage') {
      if (value !== 'sft') throw new LatheError('unsupported', `${file}: stage "${String(value)}" is not supported; Lathe trains supervised fine-tuning (stage: sft).`, { file, key });
    } else if (key === DEBUG_KEYS.nanAtStep) {
      debug.nanAtStep = value;
    } else if (key === DEBUG_KEYS.stopAfterSteps) {
      debug.stopAfterSteps = value;
    } else if (IGNORED_KEYS.has(key)) {
      warnings.push({ code: 'runYaml.ignoredKey' satisfies (typeof RUN_YAML_CODES)[number], params: { key }, message: `${key} is decided by Lathe and was ignored.` });
    } else {
      unknown.push(key);
    }
  }
  if (unknown.length) {
    throw new LatheError('bad_input', `${file}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Supported keys: run_name, ${Object.values(YAML_KEYS).join(', ')}.`, { file, keys: unknown });
  }
  if (Object.keys(debug).length) out.debug = debug;
  return { config: parseRunConfig(out, file), name, warnings };
}

/** Validates a RunConfig-shaped object, with the first problems named by their YAML key. */
export function parseRunConfig(value: unknown, file = 'the configuration'): RunConfig {
  const r = RunConfig.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 5).map((i) => {
    const field = String(i.path[0] ?? '');
    const key = (YAML_KEYS as Record<string, string>)[field] ?? field;
    return key ? `${key}: ${i.message}` : i.message;
  });
  throw new LatheError('bad_input', `${file}: ${problems.join('; ')}`, { file, issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
}

/** RunConfig → YAML with LLaMA-Factory keys; defaults are written out so the file says exactly what runs. */
export function runConfigToYaml(config: RunConfig, name?: string | null): string {
  const doc: Record<string, unknown> = {};
  if (name) doc.run_name = name;
  doc.stage = 'sft';
  doc.do_train = true;
  for (const [field, key] of Object.entries(YAML_KEYS) as [keyof typeof YAML_KEYS, string][]) {
    const v = config[field];
    if (v === undefined) continue;
    doc[key] = field === 'datasets' ? config.datasets.map(datasetRefToText).join(',') : v;
  }
  if (config.debug?.nanAtStep !== undefined) doc[DEBUG_KEYS.nanAtStep] = config.debug.nanAtStep;
  if (config.debug?.stopAfterSteps !== undefined) doc[DEBUG_KEYS.stopAfterSteps] = config.debug.stopAfterSteps;
  return stringify(doc, { lineWidth: 0 });
}

/** Resolves the configuration's paths (model, data files, adapter, output) against `base`, as a YAML's folder. */
export function resolveConfigPaths(c: RunConfig, base: string): RunConfig {
  const abs = (p: string) => path.resolve(base, p);
  return {
    ...c,
    model: abs(c.model),
    datasets: c.datasets.map((d) => ('file' in d ? { file: abs(d.file) } : d)),
    ...(c.adapterFrom ? { adapterFrom: abs(c.adapterFrom) } : {}),
    ...(c.outputDir ? { outputDir: abs(c.outputDir) } : {}),
  };
}

/** The shell line that runs this configuration from a saved YAML file. */
export function cliCommandFor(yamlFile: string, o: { home?: string } = {}): string {
  const q = (s: string) => (/^[\w./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ['lathe', ...(o.home ? ['--home', q(o.home)] : []), 'train', q(yamlFile)].join(' ');
}

// Reads a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) into a map from the base
// weight each pair adapts to its A, B and scale. Refuses what it cannot merge exactly (DoRA, embeddings, modules_to_save).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LatheError } from '../../preload/contract/errors.js';
import { SafetensorsSource, type SourceTensor } from './safetensors-source.js';

export interface AdapterConfig {
  readonly r: number;
  readonly loraAlpha: number;
  readonly useRslora: boolean;
  readonly targetModules: readonly string[];
  readonly baseModel: string | null;
  readonly rankPattern: Readonly<Record<string, number>>;
  readonly alphaPattern: Readonly<Record<string, number>>;
  /** The file as read, for the README. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface LoraPair {
  /** The base tensor this pair changes, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  readonly target: string;
  readonly a: SourceTensor; // (r, in)
  readonly b: SourceTensor; // (out, r)
  readonly rank: number;
  /** alpha/r, or alpha/√r with rsLoRA (Kalajdzievski 2023), as peft's LoraLayer.update_layer sets `scaling`. */
  readonly scale: number;
}

export interface LoraAdapter {
  readonly dir: string;
  readonly config: AdapterConfig;
  readonly pairs: ReadonlyMap<string, LoraPair>;
  readonly source: SafetensorsSource;
}

export async function readAdapterConfig(dir: string): Promise<AdapterConfig> {
  const path = join(dir, 'adapter_config.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new LatheError('bad_input', `${dir} is not a LoRA adapter folder: ${path} is missing or not JSON (${(err as Error).message}).`, { path });
  }
  if (raw.peft_type !== undefined && raw.peft_type !== 'LORA') throw new LatheError('unsupported', `${path}: adapter type ${String(raw.peft_type)} cannot be merged; only LoRA can.`, { path });
  if (raw.use_dora === true) throw new LatheError('unsupported', `${path}: DoRA adapters cannot be merged yet.`, { path });
  if (raw.fan_in_fan_out === true) throw new LatheError('unsupported', `${path}: fan_in_fan_out adapters (GPT-2 Conv1D) are not supported.`, { path });
  const r = Number(raw.r);
  const alpha = Number(raw.lora_alpha ?? raw.r);
  if (!Number.isInteger(r) || r <= 0 || !Number.isFinite(alpha)) throw new LatheError('bad_input', `${path}: r and lora_alpha must be numbers (r=${String(raw.r)}).`, { path });
  const tm = raw.target_modules;
  const targetModules = Array.isArray(tm) ? tm.map(String) : typeof tm === 'string' ? [tm] : [];
  return {
    r,
    loraAlpha: alpha,
    useRslora: raw.use_rslora === true,
    targetModules,
    baseModel: typeof raw.base_model_name_or_path === 'string' ? raw.base_model_name_or_path : null,
    rankPattern: (raw.rank_pattern ?? {}) as Record<string, number>,
    alphaPattern: (raw.alpha_pattern ?? {}) as Record<string, number>,
    raw,
  };
}

/** peft matches pattern keys against the module's full name as `(.*\.)?KEY$`. */
function fromPattern(pattern: Readonly<Record<string, number>>, module: string, fallback: number): number {
  for (const [key, value] of Object.entries(pattern)) {
    try {
      if (new RegExp(`^(.*\\.)?(${key})$`).test(module)) return value;
    } catch {
      if (module === key || module.endsWith(`.${key}`)) return value;
    }
  }
  return fallback;
}

const PAIR_RE = /^base_model\.model\.(.+)\.lora_([AB])(?:\.[^.]+)?\.weight$/;

export async function openLoraAdapter(dir: string): Promise<LoraAdapter> {
  const config = await readAdapterConfig(dir);
  const source = await SafetensorsSource.open(dir, 'adapter_model.safetensors').catch((err: unknown) => {
    throw new LatheError('bad_input', `${dir} has no readable adapter_model.safetensors (${(err as Error).message}).`, { path: dir });
  });
  const halves = new Map<string, { a?: SourceTensor; b?: SourceTensor }>();
  for (const t of source.tensors) {
    const m = PAIR_RE.exec(t.name);
    if (!m) {
      await source.close();
      throw new LatheError('unsupported', `The adapter holds ${t.name}, which is not a LoRA A/B matrix (modules_to_save, DoRA magnitudes and embedding LoRA cannot be merged yet).`, { path: dir });
    }
    const entry = halves.get(m[1]!) ?? {};
    if (m[2] === 'A') entry.a = t;
    else entry.b = t;
    halves.set(m[1]!, entry);
  }
  const pairs = new Map<string, LoraPair>();
  for (const [module, { a, b }] of halves) {
    if (!a || !b || a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== b.shape[1]) {
      await source.close();
      throw new LatheError('bad_input', `The adapter's ${module} needs a lora_A (r, in) and a lora_B (out, r) of matching rank.`, { path: dir });
    }
    const rank = a.shape[0]!;
    const alpha = fromPattern(config.alphaPattern, module, config.loraAlpha);
    const r = fromPattern(config.rankPattern, module, config.r);
    if (r !== rank) {
      await source.close();
      throw new LatheError('bad_input', `The adapter's ${module} has rank ${rank}, but adapter_config.json says ${r}.`, { path: dir });
    }
    const scale = config.useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    const target = `${module}.weight`;
    pairs.set(target, { target, a, b, rank, scale });
  }
  if (pairs.size === 0) {
    await source.close();
    throw new LatheError('bad_input', `The adapter in ${dir} has no LoRA weights.`, { path: dir });
  }
  return { dir, config, pairs, source };
}

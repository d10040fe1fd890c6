// The `general.*` and `<arch>.*` GGUF metadata of a Llama/Qwen/Mistral model from its config.json (llama.cpp's
// key names), and llama3's rope scaling as the `rope_freqs.weight` factors llama.cpp reads. No tokenizer keys.
import { LatheError } from '../../preload/contract/errors.js';
import { ggufArchOf, type GgufArch } from './gguf-tensor-map.js';
import { meta, type GgufMetaValue } from './gguf-writer.js';

export interface HfConfig {
  architectures?: string[];
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  max_position_embeddings?: number;
  rms_norm_eps?: number;
  rope_theta?: number;
  vocab_size: number;
  tie_word_embeddings?: boolean;
  rope_scaling?: { rope_type?: string; type?: string; factor?: number; low_freq_factor?: number; high_freq_factor?: number; original_max_position_embeddings?: number } | null;
  rope_parameters?: { rope_theta?: number; rope_type?: string } | null;
}

export interface ArchInfo {
  readonly arch: GgufArch;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly layers: number;
}

export function archInfo(config: HfConfig): ArchInfo {
  const name = config.architectures?.[0] ?? '';
  const arch = ggufArchOf(name);
  if (!arch) throw new LatheError('unsupported', `GGUF export supports Llama, Mistral, Qwen2 and Qwen3 models, not ${name || 'this model'}.`);
  const heads = config.num_attention_heads;
  return { arch, heads, kvHeads: config.num_key_value_heads ?? heads, headDim: config.head_dim ?? config.hidden_size / heads, layers: config.num_hidden_layers };
}

export function ropeTheta(config: HfConfig): number {
  return config.rope_theta ?? config.rope_parameters?.rope_theta ?? 10000;
}

export function modelMetadata(config: HfConfig, name: string, fileType: number, quantized: boolean): [string, GgufMetaValue][] {
  const a = archInfo(config);
  const p = a.arch;
  const entries: [string, GgufMetaValue][] = [
    ['general.architecture', meta.str(p)],
    ['general.name', meta.str(name)],
    ['general.file_type', meta.u32(fileType)],
    [`${p}.context_length`, meta.u32(config.max_position_embeddings ?? 4096)],
    [`${p}.embedding_length`, meta.u32(config.hidden_size)],
    [`${p}.block_count`, meta.u32(a.layers)],
    [`${p}.feed_forward_length`, meta.u32(config.intermediate_size)],
    [`${p}.attention.head_count`, meta.u32(a.heads)],
    [`${p}.attention.head_count_kv`, meta.u32(a.kvHeads)],
    [`${p}.rope.freq_base`, meta.f32(ropeTheta(config))],
    [`${p}.attention.layer_norm_rms_epsilon`, meta.f32(config.rms_norm_eps ?? 1e-6)],
    [`${p}.rope.dimension_count`, meta.u32(a.headDim)],
    [`${p}.attention.key_length`, meta.u32(a.headDim)],
    [`${p}.attention.value_length`, meta.u32(a.headDim)],
    [`${p}.vocab_size`, meta.u32(config.vocab_size)],
  ];
  if (quantized) entries.push(['general.quantization_version', meta.u32(2)]);
  const rs = config.rope_scaling;
  const kind = rs?.rope_type ?? rs?.type;
  if (rs && kind === 'linear' && rs.factor) {
    entries.push([`${p}.rope.scaling.type`, meta.str('linear')], [`${p}.rope.scaling.factor`, meta.f32(rs.factor)]);
  }
  return entries;
}

/**
 * Llama 3.1's frequency-dependent rope scaling (transformers' `_compute_llama3_parameters`) as one factor per
 * rotary frequency; llama.cpp divides each frequency by it. Null when the model does not use llama3 scaling.
 */
export function llama3RopeFactors(config: HfConfig): Float32Array | null {
  const rs = config.rope_scaling;
  if (!rs || (rs.rope_type ?? rs.type) !== 'llama3') return null;
  const { headDim } = archInfo(config);
  const base = ropeTheta(config);
  const factor = rs.factor ?? 8;
  const low = rs.low_freq_factor ?? 1;
  const high = rs.high_freq_factor ?? 4;
  const oldCtx = rs.original_max_position_embeddings ?? 8192;
  const lowWavelen = oldCtx / low;
  const highWavelen = oldCtx / high;
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) {
    const freq = 1 / base ** ((2 * i) / headDim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = factor;
    else {
      const smooth = (oldCtx / wavelen - low) / (high - low);
      out[i] = 1 / ((1 - smooth) / factor + smooth);
    }
  }
  return out;
}

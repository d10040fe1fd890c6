// Which GGUF tensor each Hugging Face weight becomes (llama.cpp's tensor names for the llama, qwen2 and qwen3
// architectures), the Q/K row permutation llama-architecture files need, and the per-tensor type of each
// quantisation preset. Pure functions; no I/O.
import { GgmlType, GGML_BLOCK, LlamaFileType } from './gguf-types.js';

export type GgufArch = 'llama' | 'qwen2' | 'qwen3';

export function ggufArchOf(architecture: string): GgufArch | null {
  if (architecture === 'LlamaForCausalLM' || architecture === 'MistralForCausalLM') return 'llama';
  if (architecture === 'Qwen2ForCausalLM') return 'qwen2';
  if (architecture === 'Qwen3ForCausalLM') return 'qwen3';
  return null;
}

const LAYER_PARTS: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'self_attn.q_proj.bias': 'attn_q.bias',
  'self_attn.k_proj.bias': 'attn_k.bias',
  'self_attn.v_proj.bias': 'attn_v.bias',
  'self_attn.q_norm.weight': 'attn_q_norm.weight',
  'self_attn.k_norm.weight': 'attn_k_norm.weight',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

/** The GGUF name of an HF tensor, or null for tensors llama.cpp does not load (rotary caches). */
export function ggufTensorName(hf: string): string | null {
  if (hf === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (hf === 'model.norm.weight') return 'output_norm.weight';
  if (hf === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hf);
  if (m && LAYER_PARTS[m[2]!]) return `blk.${m[1]}.${LAYER_PARTS[m[2]!]}`;
  if (hf.endsWith('rotary_emb.inv_freq')) return null;
  throw new Error(`No GGUF name for tensor ${hf}.`);
}

/**
 * llama.cpp's llama architecture rotates interleaved pairs (GPT-J style) while HF Llama rotates halves, so
 * convert_hf_to_gguf reorders q_proj/k_proj rows within each head: out[h, i, j] = in[h, j, i] for the view
 * (heads, 2, headDim/2) → (heads, headDim/2, 2). Qwen2/3 use NEOX rotation in llama.cpp and need no permute.
 */
export function permuteQK(w: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const headDim = rows / heads;
  const half = headDim / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const dst = (h * headDim + i * 2 + j) * cols;
        const src = (h * headDim + j * half + i) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
  return out;
}

export type QuantPreset = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_k_m';

export const PRESET_FILE_TYPE: Record<QuantPreset, LlamaFileType> = {
  f32: LlamaFileType.ALL_F32,
  f16: LlamaFileType.MOSTLY_F16,
  bf16: LlamaFileType.MOSTLY_BF16,
  q8_0: LlamaFileType.MOSTLY_Q8_0,
  q4_0: LlamaFileType.MOSTLY_Q4_0,
  q4_k_m: LlamaFileType.MOSTLY_Q4_K_M,
};

/** llama-quantize's use_more_bits: the first and last eighth of layers, and every third in between. */
export function useMoreBits(i: number, n: number): boolean {
  return i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;
}

function fits(t: GgmlType, rowLen: number): boolean {
  return rowLen % GGML_BLOCK[t].elems === 0;
}

/** The tensor type of one GGUF tensor under a preset; rows that are not whole blocks fall back to a smaller block. */
export function tensorTypeFor(preset: QuantPreset, gguf: string, shape: readonly number[], nLayers: number): GgmlType {
  if (shape.length < 2) return GgmlType.F32;
  const rowLen = shape[shape.length - 1]!;
  const pick = (want: GgmlType): GgmlType => {
    if (fits(want, rowLen)) return want;
    if (want === GgmlType.Q6_K || want === GgmlType.Q4_K) return fits(GgmlType.Q8_0, rowLen) ? (want === GgmlType.Q6_K ? GgmlType.Q8_0 : GgmlType.Q4_0) : GgmlType.F16;
    return GgmlType.F16;
  };
  switch (preset) {
    case 'f32': return GgmlType.F32;
    case 'f16': return GgmlType.F16;
    case 'bf16': return GgmlType.BF16;
    case 'q8_0': return pick(GgmlType.Q8_0);
    case 'q4_0': return gguf === 'output.weight' ? pick(GgmlType.Q6_K) : pick(GgmlType.Q4_0);
    case 'q4_k_m': {
      if (gguf === 'output.weight') return pick(GgmlType.Q6_K);
      const layer = /^blk\.(\d+)\./.exec(gguf);
      if (layer && (gguf.endsWith('attn_v.weight') || gguf.endsWith('ffn_down.weight')) && useMoreBits(Number(layer[1]), nLayers)) return pick(GgmlType.Q6_K);
      return pick(GgmlType.Q4_K);
    }
  }
}

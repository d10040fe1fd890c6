// Estimates peak GPU memory of a LoRA or QLoRA training step from the model's shape. A formula, not a
// measurement: it will be checked against measured runs; it does not model fragmentation or multi-GPU.
import type { VramEstimateDto } from '../../preload/contract/models.js';

export interface ModelShape {
  readonly layers: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly tieWordEmbeddings: boolean;
  /** Total parameters (from the safetensors headers, else computed from the shape). */
  readonly parameters: number;
}

export interface VramOptions {
  readonly method: 'lora' | 'qlora';
  readonly seqLen: number;
  readonly batchSize: number;
  readonly loraRank: number;
  readonly gradientCheckpointing: boolean;
  /** Bytes per base weight for LoRA (2 for bf16/fp16). */
  readonly weightBytes?: number;
}

/** Tokens of logits materialised at once: the engine computes the loss in chunks of this many tokens. */
export const LOGITS_CHUNK_TOKENS = 4096;
/** CUDA context, cuBLAS workspace and allocator slack; a constant measured runs will refine. */
export const OVERHEAD_BYTES = 600 * 1024 * 1024;

/** Parameters of the shape when no weights are at hand (embeddings, attention, SwiGLU MLP, two RMSNorms per layer). */
export function parametersFromShape(s: Omit<ModelShape, 'parameters'>): number {
  const h = s.hiddenSize;
  const kv = s.kvHeads * s.headDim;
  const q = s.heads * s.headDim;
  const attn = h * q + 2 * h * kv + q * h;
  const mlp = 3 * h * s.intermediateSize;
  const embed = s.vocabSize * h * (s.tieWordEmbeddings ? 1 : 2);
  return embed + s.layers * (attn + mlp + 2 * h) + h;
}

/** LoRA parameters for rank r on all seven linear projections of every layer: r·(in + out) each. */
export function loraParameters(s: ModelShape, r: number): number {
  const h = s.hiddenSize;
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const i = s.intermediateSize;
  const perLayer = r * ((h + q) + (h + kv) + (h + kv) + (q + h) + (h + i) + (h + i) + (i + h));
  return s.layers * perLayer;
}

/**
 * Peak memory, in bytes, as the sum of:
 *  - weights: LoRA keeps base weights in bf16 (2 B/param). QLoRA stores the linear layers in NF4 with double
 *    quantisation, 4.127 bits/param (Dettmers et al. 2023, QLoRA §2), while embeddings and lm_head stay bf16.
 *  - LoRA state: each LoRA parameter holds an fp32 master weight, an fp32 gradient and Adam's two fp32
 *    moments: 16 B/param.
 *  - activations, per token per layer in bf16 (2 B/element), kept for the backward pass: both RMSNorm
 *    inputs (2h), the normed input to q/k/v (h), q, k and v (q + 2kv, FlashAttention keeps no s×s scores),
 *    the attention output feeding o_proj (q), the normed MLP input (h), gate and up outputs (2i), SiLU(gate)
 *    (i) and the product feeding down_proj (i); plus the LoRA branch inputs after dropout, one copy of the
 *    module input per adapted projection, since LoRA dropout makes a fresh tensor for each: 3h (q, k, v) + q (o)
 *    + 2h (gate, up) + i (down). With gradient checkpointing
 *    only each layer's input (h) is kept, and one layer's full set is live during its recomputation.
 *    (Korthikanti et al. 2022, "Reducing Activation Recomputation", §4, adapted to SwiGLU + GQA.)
 *  - logits: one chunk of LOGITS_CHUNK_TOKENS tokens × vocab as bf16 logits, their fp32 upcast for the
 *    cross-entropy, and the fp32 gradient: 10 B per element.
 *  - overhead: OVERHEAD_BYTES.
 */
export function estimateVram(s: ModelShape, o: VramOptions): VramEstimateDto {
  const h = s.hiddenSize;
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const i = s.intermediateSize;
  const embedParams = s.vocabSize * h * (s.tieWordEmbeddings ? 1 : 2);
  const linearParams = Math.max(0, s.parameters - embedParams);
  const weightBytes =
    o.method === 'lora'
      ? s.parameters * (o.weightBytes ?? 2)
      : (linearParams * 4.127) / 8 + embedParams * 2;
  const loraParams = loraParameters(s, o.loraRank);
  const loraStateBytes = loraParams * 16;
  const tokens = o.seqLen * o.batchSize;
  const fullLayerElems = 2 * h + h + (q + 2 * kv) + q + h + 2 * i + i + i + (5 * h + q + i);
  const perTokenBytes = o.gradientCheckpointing
    ? 2 * (s.layers * h + fullLayerElems)
    : 2 * s.layers * fullLayerElems;
  const activationBytes = tokens * perTokenBytes;
  const logitsBytes = Math.min(tokens, LOGITS_CHUNK_TOKENS) * s.vocabSize * 10;
  const totalBytes = weightBytes + loraStateBytes + activationBytes + logitsBytes + OVERHEAD_BYTES;
  return {
    method: o.method,
    seqLen: o.seqLen,
    batchSize: o.batchSize,
    gradientCheckpointing: o.gradientCheckpointing,
    loraRank: o.loraRank,
    weightsBytes: Math.round(weightBytes),
    loraParams,
    loraStateBytes,
    activationBytes,
    logitsBytes,
    overheadBytes: OVERHEAD_BYTES,
    totalBytes: Math.round(totalBytes),
  };
}

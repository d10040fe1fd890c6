// The Llama/Mistral/Qwen2/Qwen3 decoder as an ONNX graph (standard opset 17 ops only) with key/value cache inputs
// `past_key_values.N.key|value` and outputs `present.N.key|value`, the layout Optimum and transformers.js use.
// Builds nodes and names the weights it needs; it reads no weights and writes no files (onnx-export.ts does).
import { OnnxDataType, type OnnxAttr, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto.js';

export interface DecoderConfig {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  readonly eps: number;
  readonly ropeTheta: number;
  /** Per-frequency divisors (llama3 rope scaling), or null. */
  readonly ropeFactors: Float32Array | null;
  readonly tied: boolean;
  readonly qkvBias: boolean;
  readonly qkNorm: boolean;
  /**
   * How the weight initializers are stored: FLOAT (default), FLOAT16 or BFLOAT16. Half weights are cast to f32
   * where they are used and the graph computes in f32, its inputs and outputs (KV cache, logits) staying f32:
   * onnxruntime's CPU provider lacks f16 kernels for some ops (it wraps them in casts itself) and transformers'
   * RMSNorm squares activations, which overflow f16 above 256. onnxruntime folds each Cast of an initializer once,
   * at session creation.
   */
  readonly weightType?: OnnxDataType;
}

/** A weight initializer: which HF tensor it comes from and whether it is stored transposed (for MatMul). */
export interface WeightRef {
  readonly name: string;
  readonly hf: string;
  readonly transpose: boolean;
}

export interface DecoderGraph {
  readonly nodes: OnnxNode[];
  readonly constants: OnnxTensor[];
  readonly weights: WeightRef[];
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
}

class Builder {
  readonly nodes: OnnxNode[] = [];
  readonly constants: OnnxTensor[] = [];
  readonly weights: WeightRef[] = [];
  private n = 0;
  private readonly casts = new Map<string, string>();

  constructor(private readonly weightType: OnnxDataType = OnnxDataType.FLOAT) {}

  op(op: string, inputs: string[], attrs?: Record<string, OnnxAttr>, outputs?: string[]): string {
    const id = this.n++;
    const outs = outputs ?? [`${op.toLowerCase()}_${id}`];
    this.nodes.push({ op, inputs, outputs: outs, name: `${op}_${id}`, ...(attrs ? { attrs } : {}) });
    return outs[0]!;
  }

  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = `const_i64_${this.constants.length}`;
    const raw = new Uint8Array(values.length * 8);
    const dv = new DataView(raw.buffer);
    values.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
    this.constants.push({ name, dataType: OnnxDataType.INT64, dims, raw });
    return name;
  }

  f32(values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    const name = `const_f32_${this.constants.length}`;
    const raw = new Uint8Array(Float32Array.from(values).buffer);
    this.constants.push({ name, dataType: OnnxDataType.FLOAT, dims, raw });
    return name;
  }

  /** The f32 value of a weight: the initializer itself, or one Cast of it when it is stored in half precision. */
  weight(hf: string, transpose: boolean): string {
    const name = transpose ? `${hf}.T` : hf;
    if (!this.weights.some((w) => w.name === name)) this.weights.push({ name, hf, transpose });
    if (this.weightType === OnnxDataType.FLOAT) return name;
    let cast = this.casts.get(name);
    if (!cast) {
      cast = this.op('Cast', [name], { to: { i: OnnxDataType.FLOAT } }, [`${name}.f32`]);
      this.casts.set(name, cast);
    }
    return cast;
  }
}

export function buildDecoderGraph(c: DecoderConfig): DecoderGraph {
  const b = new Builder(c.weightType);
  const { hidden: C, heads: H, kvHeads: KV, headDim: D } = c;
  const batch = 'batch_size';
  const inputs: OnnxValueInfo[] = [
    { name: 'input_ids', elemType: OnnxDataType.INT64, shape: [batch, 'sequence_length'] },
    { name: 'attention_mask', elemType: OnnxDataType.INT64, shape: [batch, 'total_sequence_length'] },
    { name: 'position_ids', elemType: OnnxDataType.INT64, shape: [batch, 'sequence_length'] },
  ];
  const outputs: OnnxValueInfo[] = [{ name: 'logits', elemType: OnnxDataType.FLOAT, shape: [batch, 'sequence_length', c.vocab] }];
  for (let l = 0; l < c.layers; l++) {
    for (const kv of ['key', 'value']) {
      inputs.push({ name: `past_key_values.${l}.${kv}`, elemType: OnnxDataType.FLOAT, shape: [batch, KV, 'past_sequence_length', D] });
      outputs.push({ name: `present.${l}.${kv}`, elemType: OnnxDataType.FLOAT, shape: [batch, KV, 'total_sequence_length', D] });
    }
  }
  const ax = (...a: number[]) => b.i64(a);
  const rmsnorm = (x: string, w: string): string => {
    // transformers' LlamaRMSNorm: x · rsqrt(mean(x²) + eps) · weight, in f32.
    const ms = b.op('ReduceMean', [b.op('Mul', [x, x])], { axes: { ints: [-1] }, keepdims: { i: 1 } });
    const r = b.op('Sqrt', [b.op('Add', [ms, b.f32([c.eps], [])])]);
    return b.op('Mul', [b.op('Div', [x, r]), w]);
  };

  // Rotary tables from position_ids: angle = position · inv_freq (HF's half-rotation layout: [freqs, freqs]).
  const invFreq = new Float32Array(D / 2);
  for (let i = 0; i < D / 2; i++) invFreq[i] = 1 / c.ropeTheta ** ((2 * i) / D) / (c.ropeFactors ? c.ropeFactors[i]! : 1);
  const pos = b.op('Unsqueeze', [b.op('Cast', ['position_ids'], { to: { i: OnnxDataType.FLOAT } }), ax(-1)]);
  const freqs = b.op('Mul', [pos, b.f32(invFreq)]);
  const angles = b.op('Concat', [freqs, freqs], { axis: { i: -1 } });
  const cos = b.op('Unsqueeze', [b.op('Cos', [angles]), ax(1)]); // (B, 1, S, D)
  const sin = b.op('Unsqueeze', [b.op('Sin', [angles]), ax(1)]);
  const rope = (x: string): string => {
    const x1 = b.op('Slice', [x, ax(0), ax(D / 2), ax(3)]);
    const x2 = b.op('Slice', [x, ax(D / 2), ax(D), ax(3)]);
    const rot = b.op('Concat', [b.op('Neg', [x2]), x1], { axis: { i: 3 } });
    return b.op('Add', [b.op('Mul', [x, cos]), b.op('Mul', [rot, sin])]);
  };

  // Additive mask (B, 1, S, T): key j is visible to query i when j ≤ past + i and attention_mask[j] = 1.
  const gather = (shape: string, i: number) => b.op('Gather', [shape, b.i64([i], [])], { axis: { i: 0 } });
  const S = gather(b.op('Shape', ['input_ids']), 1);
  const T = gather(b.op('Shape', ['attention_mask']), 1);
  const one = b.i64([1], []);
  const kpos = b.op('Range', [b.i64([0], []), T, one]);
  const qpos = b.op('Range', [b.op('Sub', [T, S]), T, one]);
  const causal = b.op('LessOrEqual', [b.op('Unsqueeze', [kpos, ax(0)]), b.op('Unsqueeze', [qpos, ax(1)])]);
  const pad = b.op('Unsqueeze', [b.op('Cast', ['attention_mask'], { to: { i: OnnxDataType.BOOL } }), ax(1, 2)]);
  const bias = b.op('Where', [b.op('And', [causal, pad]), b.f32([0], []), b.f32([-1e9], [])]);

  let x = b.op('Gather', [b.weight('model.embed_tokens.weight', false), 'input_ids'], { axis: { i: 0 } });
  const scale = b.f32([1 / Math.sqrt(D)], []);
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}.`;
    const h = rmsnorm(x, b.weight(`${p}input_layernorm.weight`, false));
    const proj = (name: string, heads: number, normName?: string): string => {
      let y = b.op('MatMul', [h, b.weight(`${p}self_attn.${name}.weight`, true)]);
      if (c.qkvBias) y = b.op('Add', [y, b.weight(`${p}self_attn.${name}.bias`, false)]);
      y = b.op('Reshape', [y, b.i64([0, 0, heads, D])]);
      if (normName) y = rmsnorm(y, b.weight(`${p}self_attn.${normName}.weight`, false));
      return b.op('Transpose', [y], { perm: { ints: [0, 2, 1, 3] } }); // (B, heads, S, D)
    };
    const q = rope(proj('q_proj', H, c.qkNorm ? 'q_norm' : undefined));
    const k = rope(proj('k_proj', KV, c.qkNorm ? 'k_norm' : undefined));
    const v = proj('v_proj', KV);
    const presentK = b.op('Concat', [`past_key_values.${l}.key`, k], { axis: { i: 2 } }, [`present.${l}.key`]);
    const presentV = b.op('Concat', [`past_key_values.${l}.value`, v], { axis: { i: 2 } }, [`present.${l}.value`]);
    // Grouped-query attention: each KV head serves H/KV query heads (repeat_kv in transformers).
    const repeat = (t: string): string =>
      H === KV ? t : b.op('Reshape', [b.op('Expand', [b.op('Unsqueeze', [t, ax(2)]), b.i64([1, 1, H / KV, 1, 1])]), b.i64([0, H, -1, D])]);
    const kAll = repeat(presentK);
    const vAll = repeat(presentV);
    const scores = b.op('Add', [b.op('Mul', [b.op('MatMul', [q, b.op('Transpose', [kAll], { perm: { ints: [0, 1, 3, 2] } })]), scale]), bias]);
    const probs = b.op('Softmax', [scores], { axis: { i: -1 } });
    const att = b.op('Reshape', [b.op('Transpose', [b.op('MatMul', [probs, vAll])], { perm: { ints: [0, 2, 1, 3] } }), b.i64([0, 0, H * D])]);
    x = b.op('Add', [x, b.op('MatMul', [att, b.weight(`${p}self_attn.o_proj.weight`, true)])]);
    const h2 = rmsnorm(x, b.weight(`${p}post_attention_layernorm.weight`, false));
    const gate = b.op('MatMul', [h2, b.weight(`${p}mlp.gate_proj.weight`, true)]);
    const up = b.op('MatMul', [h2, b.weight(`${p}mlp.up_proj.weight`, true)]);
    const act = b.op('Mul', [b.op('Mul', [gate, b.op('Sigmoid', [gate])]), up]); // SiLU(gate) · up
    x = b.op('Add', [x, b.op('MatMul', [act, b.weight(`${p}mlp.down_proj.weight`, true)])]);
  }
  x = rmsnorm(x, b.weight('model.norm.weight', false));
  b.op('MatMul', [x, b.weight(c.tied ? 'model.embed_tokens.weight' : 'lm_head.weight', true)], undefined, ['logits']);
  return { nodes: b.nodes, constants: b.constants, weights: b.weights, inputs, outputs };
}

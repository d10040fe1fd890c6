// ONNX vs native engine on the tiny model: greedy generation through onnxruntime-node (the playground's worker-free
// decoder loop) and through lathe-engine must produce the same token ids; stop tokens end both; a broken ONNX
// folder is a clear error. The ONNX decoder is the workspace export when an exporter is wired in; until then this
// file writes the tiny Llama as an ONNX graph itself (opset 17, Optimum's KV-cache I/O names), below.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamplingOptions } from '../../preload/contract/playground.js';
import { findEngineBinary } from '../../main/engine/engine-binary.js';
import { bf16ToF32 } from '../../main/export/half-float.js';
import { defaultModelPath } from '../../main/models/default-model.js';
import { buildChatPrompt } from '../../main/playground/chat-prompt.js';
import { runChatTurn } from '../../main/playground/chat-turn.js';
import { NativeGenerator } from '../../main/playground/native-generator.js';
import { OnnxGenerator } from '../../main/playground/onnx-generator.js';
import { resolveOnnxModel } from '../../main/playground/onnx-model-source.js';
import { startBackend } from '../../main/services/backend.js';
import { tempHome } from '../helpers/temp-home.js';

const MODEL = defaultModelPath();
const engine = findEngineBinary();

// ---------------------------------------------------------------------------------------------------------------
// A minimal ONNX protobuf writer (onnx.proto3 field numbers) and the Llama decoder graph.
// ---------------------------------------------------------------------------------------------------------------
function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const cat = (parts: readonly Buffer[]) => Buffer.concat(parts);
const bytesField = (f: number, b: Buffer) => cat([varint((f << 3) | 2), varint(b.length), b]);
const strField = (f: number, s: string) => bytesField(f, Buffer.from(s, 'utf8'));
const intField = (f: number, n: number) => cat([varint(f << 3), varint(n)]);
const floatField = (f: number, x: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return cat([varint((f << 3) | 5), b]);
};

const FLOAT = 1;
const INT64 = 7;
type Attr = number | number[] | { f: number };
function attribute(name: string, v: Attr): Buffer {
  if (typeof v === 'number') return cat([strField(1, name), intField(3, v), intField(20, 2)]);
  if (Array.isArray(v)) return cat([strField(1, name), ...v.map((x) => intField(8, x)), intField(20, 7)]);
  return cat([strField(1, name), floatField(2, v.f), intField(20, 1)]);
}

class Graph {
  nodes: Buffer[] = [];
  inits: Buffer[] = [];
  private n = 0;
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => `t${this.n++}`);
    this.nodes.push(cat([...inputs.map((i) => strField(1, i)), ...outs.map((o) => strField(2, o)), strField(3, `n${this.n}`), strField(4, op), ...Object.entries(attrs).map(([k, v]) => bytesField(5, attribute(k, v)))]));
    return outs;
  }
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.node(op, inputs, attrs)[0]!;
  }
  tensor(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.inits.push(cat([...dims.map((d) => intField(1, d)), intField(2, data instanceof Float32Array ? FLOAT : INT64), strField(8, name), bytesField(9, raw)]));
    return name;
  }
  ints(name: string, v: number[]): string {
    return this.tensor(name, [v.length], BigInt64Array.from(v, BigInt));
  }
  scalarF(name: string, v: number): string {
    return this.tensor(name, [], Float32Array.of(v));
  }
}

function valueInfo(name: string, elem: number, dims: (number | string)[]): Buffer {
  const shape = cat(dims.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : strField(2, d))));
  return cat([strField(1, name), bytesField(2, bytesField(1, cat([intField(1, elem), bytesField(2, shape)])))]);
}

interface LlamaConfig {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  vocab_size: number;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
}

function readWeights(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const bytes = buf.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    const copy = new Uint8Array(bytes);
    const data = t.dtype === 'BF16' ? bf16ToF32(new Uint16Array(copy.buffer)) : new Float32Array(copy.buffer);
    out.set(name, { shape: t.shape, data });
  }
  return out;
}

function transpose(w: { shape: number[]; data: Float32Array }): Float32Array {
  const [rows, cols] = w.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w.data[r * cols + c]!;
  return out;
}

/** The tiny Llama as an ONNX decoder with KV cache (HF LlamaForCausalLM forward, fp32). */
function writeLlamaOnnx(modelDir: string, outFile: string): void {
  const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as LlamaConfig;
  const W = readWeights(path.join(modelDir, 'model.safetensors'));
  const w = (name: string) => W.get(name)!;
  const g = new Graph();
  const C = cfg.hidden_size;
  const H = cfg.num_attention_heads;
  const KVH = cfg.num_key_value_heads;
  const hd = cfg.head_dim;
  const rep = H / KVH;
  // RoPE tables as transformers builds them: inv_freq in fp32, cos/sin of position × inv_freq, halves repeated.
  const P = cfg.max_position_embeddings;
  const cos = new Float32Array(P * hd);
  const sin = new Float32Array(P * hd);
  for (let p = 0; p < P; p++)
    for (let i = 0; i < hd / 2; i++) {
      const inv = Math.fround(1 / Math.fround(Math.pow(cfg.rope_theta, Math.fround((2 * i) / hd))));
      const a = Math.fround(p * inv);
      cos[p * hd + i] = cos[p * hd + i + hd / 2] = Math.cos(a);
      sin[p * hd + i] = sin[p * hd + i + hd / 2] = Math.sin(a);
    }
  g.tensor('rope_cos', [P, hd], cos);
  g.tensor('rope_sin', [P, hd], sin);
  const eps = g.scalarF('eps', cfg.rms_norm_eps);
  const two = g.scalarF('two', 2);
  const scale = g.scalarF('scale', 1 / Math.sqrt(hd));
  const neg = g.scalarF('neg_big', -3.4028234663852886e38);
  const zero = g.scalarF('zero', 0);
  const rmsnorm = (x: string, weight: string) => {
    const ms = g.op('ReduceMean', [g.op('Pow', [x, two])], { axes: [-1], keepdims: 1 });
    return g.op('Mul', [g.op('Mul', [x, g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, eps])])])]), weight]);
  };
  const linear = (x: string, name: string) => g.op('MatMul', [x, g.tensor(`${name}.T`, [w(name).shape[1]!, w(name).shape[0]!], transpose(w(name)))]);
  const half = hd / 2;
  const rotate = (x: string) => {
    const x1 = g.op('Slice', [x, g.ints(`s0_${g.nodes.length}`, [0]), g.ints(`s1_${g.nodes.length}`, [half]), g.ints(`sa_${g.nodes.length}`, [-1])]);
    const x2 = g.op('Slice', [x, g.ints(`s2_${g.nodes.length}`, [half]), g.ints(`s3_${g.nodes.length}`, [hd]), g.ints(`sb_${g.nodes.length}`, [-1])]);
    return g.op('Concat', [g.op('Neg', [x2]), x1], { axis: -1 });
  };
  // cos/sin for these positions: (1, S, hd) → (1, 1, S, hd).
  const cosP = g.op('Unsqueeze', [g.op('Gather', ['rope_cos', 'position_ids']), g.ints('ax1', [1])]);
  const sinP = g.op('Unsqueeze', [g.op('Gather', ['rope_sin', 'position_ids']), g.ints('ax1b', [1])]);
  const rope = (x: string) => g.op('Add', [g.op('Mul', [x, cosP]), g.op('Mul', [rotate(x), sinP])]);
  const heads = (x: string, n: number) => g.op('Transpose', [g.op('Reshape', [x, g.ints(`shape_${n}_${g.nodes.length}`, [1, -1, n, hd])])], { perm: [0, 2, 1, 3] });
  // Causal mask over (query position, key position): keys after the query get the most negative float.
  const qpos = g.op('Reshape', ['position_ids', g.ints('col', [-1, 1])]);
  let x = g.op('Gather', [g.tensor('embed', w('model.embed_tokens.weight').shape, w('model.embed_tokens.weight').data), 'input_ids']);
  let mask = '';
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const pre = `model.layers.${l}`;
    const h = rmsnorm(x, g.tensor(`${pre}.ln1`, [C], w(`${pre}.input_layernorm.weight`).data));
    const q = rope(heads(linear(h, `${pre}.self_attn.q_proj.weight`), H));
    const k = rope(heads(linear(h, `${pre}.self_attn.k_proj.weight`), KVH));
    const v = heads(linear(h, `${pre}.self_attn.v_proj.weight`), KVH);
    const pk = g.node('Concat', [`past_key_values.${l}.key`, k], { axis: 2 })[0]!;
    const pv = g.node('Concat', [`past_key_values.${l}.value`, v], { axis: 2 })[0]!;
    g.nodes.push(cat([strField(1, pk), strField(2, `present.${l}.key`), strField(4, 'Identity')]));
    g.nodes.push(cat([strField(1, pv), strField(2, `present.${l}.value`), strField(4, 'Identity')]));
    if (!mask) {
      const T = g.op('Gather', [g.op('Shape', [pk]), g.tensor('idx2', [], BigInt64Array.of(2n))]);
      const keys = g.op('Range', [g.tensor('r0', [], BigInt64Array.of(0n)), T, g.tensor('r1', [], BigInt64Array.of(1n))]);
      mask = g.op('Where', [g.op('Greater', [keys, qpos]), neg, zero]);
    }
    // GQA: query heads grouped per KV head, (1, KVH, rep, S, hd) against (1, KVH, 1, T, hd).
    const q5 = g.op('Reshape', [q, g.ints(`q5_${l}`, [1, KVH, rep, -1, hd])]);
    const k5 = g.op('Unsqueeze', [pk, g.ints(`k5_${l}`, [2])]);
    const v5 = g.op('Unsqueeze', [pv, g.ints(`v5_${l}`, [2])]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q5, g.op('Transpose', [k5], { perm: [0, 1, 2, 4, 3] })]), scale]), mask]);
    const ctx = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v5]);
    const merged = g.op('Reshape', [g.op('Transpose', [g.op('Reshape', [ctx, g.ints(`c4_${l}`, [1, H, -1, hd])])], { perm: [0, 2, 1, 3] }), g.ints(`c3_${l}`, [1, -1, H * hd])]);
    const mid = g.op('Add', [x, linear(merged, `${pre}.self_attn.o_proj.weight`)]);
    const h2 = rmsnorm(mid, g.tensor(`${pre}.ln2`, [C], w(`${pre}.post_attention_layernorm.weight`).data));
    const gate = linear(h2, `${pre}.mlp.gate_proj.weight`);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), linear(h2, `${pre}.mlp.up_proj.weight`)]);
    x = g.op('Add', [mid, linear(act, `${pre}.mlp.down_proj.weight`)]);
  }
  const final = rmsnorm(x, g.tensor('norm', [C], w('model.norm.weight').data));
  const logits = linear(final, 'lm_head.weight');
  g.nodes.push(cat([strField(1, logits), strField(2, 'logits'), strField(4, 'Identity')]));
  const inputs = [valueInfo('input_ids', INT64, [1, 'seq']), valueInfo('position_ids', INT64, [1, 'seq'])];
  const outputs = [valueInfo('logits', FLOAT, [1, 'seq', cfg.vocab_size])];
  for (let l = 0; l < cfg.num_hidden_layers; l++)
    for (const kv of ['key', 'value']) {
      inputs.push(valueInfo(`past_key_values.${l}.${kv}`, FLOAT, [1, KVH, 'past', hd]));
      outputs.push(valueInfo(`present.${l}.${kv}`, FLOAT, [1, KVH, 'total', hd]));
    }
  const graph = cat([...g.nodes.map((n) => bytesField(1, n)), strField(2, 'lathe-tiny-llama'), ...g.inits.map((t) => bytesField(5, t)), ...inputs.map((i) => bytesField(11, i)), ...outputs.map((o) => bytesField(12, o))]);
  const model = cat([intField(1, 8), bytesField(8, intField(2, 17)), strField(2, 'lathe-test'), bytesField(7, graph)]);
  fs.writeFileSync(outFile, model);
}

// ---------------------------------------------------------------------------------------------------------------

describe('playground: ONNX decoder loop', () => {
  let home: ReturnType<typeof tempHome>;
  let onnxDir: string;
  beforeAll(() => {
    home = tempHome('lathe-playground-onnx-');
    onnxDir = path.join(home.dir, 'tiny-onnx');
    fs.mkdirSync(onnxDir);
    writeLlamaOnnx(MODEL, path.join(onnxDir, 'model.onnx'));
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) fs.copyFileSync(path.join(MODEL, f), path.join(onnxDir, f));
  });
  afterAll(() => home.cleanup());

  const greedy = (maxNewTokens: number) => SamplingOptions.parse({ maxNewTokens });
  const questions = ['How do I reset my password?', 'My parcel never arrived, what now?', 'Can I change the delivery address after ordering?'];

  it.skipIf(!engine)('greedy tokens from onnxruntime-node equal the native engine’s', async () => {
    const onnx = new OnnxGenerator({ file: path.join(onnxDir, 'model.onnx'), configJson: path.join(onnxDir, 'config.json'), providers: ['cpu'], useWorker: false });
    const native = new NativeGenerator({ binary: engine!, model: MODEL, tmpDir: home.dir, device: 'cpu' });
    try {
      for (const q of questions) {
        const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: q }] });
        const a = await runChatTurn(onnx, prompt, greedy(48), new AbortController().signal, () => undefined);
        const b = await runChatTurn(native, prompt, greedy(48), new AbortController().signal, () => undefined);
        expect(a.engine).toBe('onnx');
        expect(a.tokens.length).toBeGreaterThan(8);
        expect(a.tokens).toEqual(b.tokens);
        expect(a.text).toBe(b.text);
      }
    } finally {
      await onnx.dispose();
      await native.dispose();
    }
  });

  it('a stop token ends the answer and is kept in the ids, not the text', async () => {
    const onnx = new OnnxGenerator({ file: path.join(onnxDir, 'model.onnx'), configJson: path.join(onnxDir, 'config.json'), providers: ['cpu'], useWorker: false });
    try {
      const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: questions[0]! }] });
      const free = await runChatTurn(onnx, prompt, greedy(16), new AbortController().signal, () => undefined);
      const k = free.tokens.findIndex((t, i) => i > 0 && !free.tokens.slice(0, i).includes(t));
      const stopped = await runChatTurn(onnx, { ...prompt, stopTokenIds: [free.tokens[k]!] }, greedy(16), new AbortController().signal, () => undefined);
      expect(stopped.finishReason).toBe('stop');
      expect(stopped.tokens).toEqual(free.tokens.slice(0, k + 1));
      expect(stopped.text).toBe(prompt.session.tokenizer.decode(free.tokens.slice(0, k), { skipSpecialTokens: true }));
    } finally {
      await onnx.dispose();
    }
  });

  it('repetition penalty changes the greedy answer, and stop cancels', async () => {
    const onnx = new OnnxGenerator({ file: path.join(onnxDir, 'model.onnx'), configJson: path.join(onnxDir, 'config.json'), providers: ['cpu'], useWorker: false });
    try {
      const prompt = await buildChatPrompt({ model: MODEL, messages: [{ role: 'user', content: questions[1]! }] });
      const plain = await runChatTurn(onnx, prompt, greedy(32), new AbortController().signal, () => undefined);
      const penalised = await runChatTurn(onnx, prompt, SamplingOptions.parse({ maxNewTokens: 32, repetitionPenalty: 1.8 }), new AbortController().signal, () => undefined);
      expect(penalised.tokens).not.toEqual(plain.tokens);
      expect(new Set(penalised.tokens).size).toBeGreaterThanOrEqual(new Set(plain.tokens).size);
      const ac = new AbortController();
      const r = await runChatTurn(onnx, prompt, greedy(5000), ac.signal, (p) => p.count >= 5 && ac.abort());
      expect(r.finishReason).toBe('cancelled');
      expect(r.tokens.length).toBeLessThan(10);
    } finally {
      await onnx.dispose();
    }
  });

  it('the service runs the ONNX folder in a pane (streamed events) and names a broken ONNX file', async () => {
    const backend = startBackend(home.dir, 'web');
    try {
      const r = await backend.services.playground.generate({ paneId: 'o', generationId: 'x1', engine: 'onnx', target: { model: onnxDir }, messages: [{ role: 'user', content: questions[2]! }], sampling: { maxNewTokens: 12 } });
      expect(r.engine).toBe('onnx');
      expect(r.tokens.length).toBeGreaterThan(0);
      const broken = path.join(home.dir, 'broken-onnx');
      fs.mkdirSync(broken);
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(MODEL, f), path.join(broken, f));
      fs.writeFileSync(path.join(broken, 'model.onnx'), 'garbage');
      await expect(backend.services.playground.generate({ paneId: 'b', generationId: 'x2', engine: 'onnx', target: { model: broken }, messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/onnxruntime cannot load .*broken-onnx/);
    } finally {
      backend.close();
    }
  });

  it('a plain model folder without an exporter says how to proceed; an exporter result is cached', async () => {
    await expect(resolveOnnxModel({ model: MODEL, cacheRoot: home.dir, exporter: null })).rejects.toThrow(/native engine/);
    let calls = 0;
    const exporter = async (o: { modelDir: string; outDir: string }) => {
      calls++;
      fs.copyFileSync(path.join(onnxDir, 'model.onnx'), path.join(o.outDir, 'model.onnx'));
    };
    const a = await resolveOnnxModel({ model: MODEL, cacheRoot: home.dir, exporter });
    const b = await resolveOnnxModel({ model: MODEL, cacheRoot: home.dir, exporter });
    expect(a.exported).toBe(true);
    expect(b.exported).toBe(false);
    expect(b.file).toBe(a.file);
    expect(calls).toBe(1);
    expect(fs.existsSync(path.join(path.dirname(a.file), 'config.json'))).toBe(true);
  });
});

// Greedy / sampled generation with onnxruntime-node over an exported decoder with a KV cache, in the I/O layout
// of HF Optimum's text-generation-with-past export: inputs `input_ids`, `attention_mask`, `position_ids`
// (optional), `past_key_values.{i}.key|value` (batch, kv_heads, past_len, head_dim); outputs `logits` and
// `present.{i}.key|value`. The prompt runs in one pass, then one token per step. Runs wherever it is called (the
// worker in onnx-worker.ts, or inline in tests); does not tokenize.
import fs from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { LatheError } from '../../preload/contract/errors.js';
import type { SamplingOptions } from '../../preload/contract/playground.js';
import { f16ToF32 } from '../export/half-float.js';
import type { FinishReason } from './generator.js';
import { pickToken, SeededRandom } from './sampling.js';

type Ort = typeof import('onnxruntime-node');

export interface DecoderShape {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly maxPositions: number;
}

export interface DecoderIo {
  readonly inputIds: string;
  readonly attentionMask: string | null;
  readonly positionIds: string | null;
  readonly logits: string;
  /** Per layer: [key, value] input names and the matching output names. */
  readonly past: readonly (readonly [string, string])[];
  readonly present: readonly (readonly [string, string])[];
  readonly cacheType: 'float32' | 'float16';
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;
const PRESENT = /^(?:present|present_key_values)\.(\d+)\.(key|value)$/;

/** Matches a session's names to the layout above; a clear error names what is missing. */
export function decoderIo(inputs: readonly string[], outputs: readonly string[], cacheType: string | undefined, file: string): DecoderIo {
  const need = (list: readonly string[], name: string) => {
    if (!list.includes(name)) throw new LatheError('bad_input', `${file} is not a decoder with a KV cache: it has no "${name}" (inputs: ${inputs.join(', ')}; outputs: ${outputs.join(', ')}).`);
    return name;
  };
  const layers = (names: readonly string[], re: RegExp) => {
    const out: [string, string][] = [];
    for (const n of names) {
      const m = re.exec(n);
      if (!m) continue;
      const i = Number(m[1]);
      out[i] ??= ['', ''];
      out[i]![m[2] === 'key' ? 0 : 1] = n;
    }
    return out;
  };
  const past = layers(inputs, PAST);
  const present = layers(outputs, PRESENT);
  if (past.length === 0 || past.length !== present.length || past.some((p, i) => !p || !p[0] || !p[1] || !present[i]?.[0] || !present[i]?.[1])) {
    throw new LatheError('bad_input', `${file} has no complete past_key_values.N.key/value inputs with matching present.N.key/value outputs: export it with a KV cache.`);
  }
  if (cacheType !== undefined && cacheType !== 'float32' && cacheType !== 'float16') throw new LatheError('unsupported', `${file} keeps its KV cache as ${cacheType}; float32 and float16 are supported.`);
  return {
    inputIds: need(inputs, 'input_ids'),
    attentionMask: inputs.includes('attention_mask') ? 'attention_mask' : null,
    positionIds: inputs.includes('position_ids') ? 'position_ids' : null,
    logits: need(outputs, 'logits'),
    past,
    present,
    cacheType: cacheType === 'float16' ? 'float16' : 'float32',
  };
}

/** Shape of the cache from the model's config.json (heads may differ from query heads: GQA). */
export function decoderShape(config: Record<string, unknown>): DecoderShape {
  const num = (k: string) => (typeof config[k] === 'number' ? (config[k] as number) : undefined);
  const heads = num('num_attention_heads');
  const hidden = num('hidden_size');
  const layers = num('num_hidden_layers');
  if (!heads || !hidden || !layers) throw new LatheError('bad_input', 'config.json lacks num_attention_heads, hidden_size or num_hidden_layers.');
  return { layers, kvHeads: num('num_key_value_heads') ?? heads, headDim: num('head_dim') ?? hidden / heads, maxPositions: num('max_position_embeddings') ?? 1 << 30 };
}

export interface DecoderRequest {
  readonly promptIds: readonly number[];
  readonly sampling: SamplingOptions;
  readonly stopTokenIds: readonly number[];
}

export class OnnxDecoder {
  private constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    readonly io: DecoderIo,
    readonly shape: DecoderShape,
    readonly provider: string,
  ) {}

  /** `providers`: tried in order ('cuda' falls back to 'cpu' when its libraries are missing). */
  static async load(file: string, configJson: string, providers: readonly string[] = ['cpu']): Promise<OnnxDecoder> {
    if (!fs.existsSync(file)) throw new LatheError('not_found', `No ONNX model at ${file}.`, { file });
    const config = JSON.parse(fs.readFileSync(configJson, 'utf8')) as Record<string, unknown>;
    const shape = decoderShape(config);
    const ort = (await import('onnxruntime-node')) as Ort;
    let session: InferenceSession | null = null;
    let provider = 'cpu';
    let lastErr: unknown = null;
    for (const p of providers) {
      try {
        session = await ort.InferenceSession.create(file, { executionProviders: [p], graphOptimizationLevel: 'all' });
        provider = p;
        break;
      } catch (e) {
        lastErr = e;
      }
    }
    if (!session) throw new LatheError('bad_input', `onnxruntime cannot load ${file}: ${(lastErr as Error)?.message ?? 'unknown error'}`, { file });
    const meta = session.inputMetadata.find((m) => PAST.test(m.name));
    const cacheType = meta && meta.isTensor ? String(meta.type) : undefined;
    const io = decoderIo(session.inputNames, session.outputNames, cacheType, file);
    if (io.past.length !== shape.layers) throw new LatheError('bad_input', `${file} has a cache for ${io.past.length} layers but config.json says ${shape.layers}.`);
    return new OnnxDecoder(ort, session, io, shape, provider);
  }

  private ids(name: string, values: readonly number[]): Tensor {
    return new this.ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [1, values.length]);
  }

  private lastLogits(t: Tensor): Float32Array {
    const dims = t.dims;
    const vocab = dims[dims.length - 1]!;
    const rows = t.data.length / vocab;
    const start = (rows - 1) * vocab;
    if (t.type === 'float16') return f16ToF32((t.data as Uint16Array).subarray(start, start + vocab));
    if (t.type !== 'float32') throw new LatheError('unsupported', `logits of type ${t.type} are not supported.`);
    return Float32Array.from((t.data as Float32Array).subarray(start, start + vocab));
  }

  /** Generates until a stop token, the limit, the context length, or `cancelled()` turns true. */
  async generate(r: DecoderRequest, onToken: (id: number) => void, cancelled: () => boolean): Promise<{ tokens: number[]; finishReason: FinishReason }> {
    const { io, shape } = this;
    if (r.promptIds.length === 0) throw new LatheError('invalid_request', 'The prompt is empty.');
    const empty = io.cacheType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    let past: Record<string, Tensor> = {};
    for (const [k, v] of io.past) {
      past[k] = new this.ort.Tensor(io.cacheType, empty, [1, shape.kvHeads, 0, shape.headDim]);
      past[v] = new this.ort.Tensor(io.cacheType, empty, [1, shape.kvHeads, 0, shape.headDim]);
    }
    const seen = [...r.promptIds];
    const stop = new Set(r.stopTokenIds);
    const rng = new SeededRandom(r.sampling.seed);
    const tokens: number[] = [];
    let step = [...r.promptIds];
    let pos = 0;
    const cap = Math.max(shape.maxPositions, r.promptIds.length);
    for (let n = 0; n < r.sampling.maxNewTokens && pos + step.length <= cap; n++) {
      if (cancelled()) return { tokens, finishReason: 'cancelled' };
      const feeds: Record<string, Tensor> = { ...past, [io.inputIds]: this.ids(io.inputIds, step) };
      const total = pos + step.length;
      if (io.attentionMask) feeds[io.attentionMask] = this.ids(io.attentionMask, new Array<number>(total).fill(1));
      if (io.positionIds) feeds[io.positionIds] = this.ids(io.positionIds, step.map((_, i) => pos + i));
      const out = await this.session.run(feeds);
      const logits = this.lastLogits(out[io.logits]!);
      const next: Record<string, Tensor> = {};
      io.present.forEach(([k, v], l) => {
        next[io.past[l]![0]] = out[k]!;
        next[io.past[l]![1]] = out[v]!;
      });
      past = next;
      pos = total;
      const tok = pickToken(logits, seen, r.sampling, rng);
      tokens.push(tok);
      seen.push(tok);
      onToken(tok);
      if (stop.has(tok)) return { tokens, finishReason: 'stop' };
      step = [tok];
    }
    return { tokens, finishReason: cancelled() ? 'cancelled' : 'length' };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

// Runs an exported decoder with onnxruntime-node (CPU): prefill, then one token at a time through the key/value
// cache. Used by verification and by the playground; it compares nothing itself.
import { join } from 'node:path';
import { ONNX_FILE } from './onnx-export.js';

type Ort = typeof import('onnxruntime-node');

export interface OnnxDecoder {
  readonly vocab: number;
  /** Logits (V) of the token after the whole prompt, computed in one pass without cache. */
  lastLogits(prompt: readonly number[]): Promise<Float32Array>;
  /** Greedy continuation using the KV cache: one prefill, then one token per step. Returns ids and each step's logits. */
  greedy(prompt: readonly number[], maxNew: number): Promise<{ tokens: number[]; logits: Float32Array[] }>;
  /**
   * Teacher-forced through the KV cache: the logits (V) after the prompt, then after each given token but the last —
   * one per token of `continuation`, as the model would score that continuation.
   */
  score(prompt: readonly number[], continuation: readonly number[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export async function openOnnxDecoder(dir: string, meta: { layers: number; kvHeads: number; headDim: number; vocab: number }): Promise<OnnxDecoder> {
  const ort: Ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(join(dir, ONNX_FILE), { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  const { layers, kvHeads, headDim, vocab } = meta;
  const i64 = (values: readonly number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
  const run = async (ids: readonly number[], past: Record<string, InstanceType<Ort['Tensor']>>, pastLen: number) => {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
      input_ids: i64(ids),
      attention_mask: i64(new Array(pastLen + ids.length).fill(1)),
      position_ids: i64(ids.map((_, i) => pastLen + i)),
      ...past,
    };
    const out = await session.run(feeds);
    const present: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (let l = 0; l < layers; l++) for (const kv of ['key', 'value']) present[`past_key_values.${l}.${kv}`] = out[`present.${l}.${kv}`]!;
    const logits = out.logits!.data as Float32Array;
    return { last: logits.slice((ids.length - 1) * vocab, ids.length * vocab), present };
  };
  const empty = (): Record<string, InstanceType<Ort['Tensor']>> => {
    const p: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (let l = 0; l < layers; l++) for (const kv of ['key', 'value']) p[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    return p;
  };
  const argmax = (a: Float32Array) => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);
  return {
    vocab,
    async lastLogits(prompt) {
      return (await run(prompt, empty(), 0)).last;
    },
    async greedy(prompt, maxNew) {
      const tokens: number[] = [];
      const logits: Float32Array[] = [];
      let step = await run(prompt, empty(), 0);
      let len = prompt.length;
      for (let i = 0; i < maxNew; i++) {
        const next = argmax(step.last);
        tokens.push(next);
        logits.push(step.last);
        if (i + 1 < maxNew) {
          step = await run([next], step.present, len);
          len += 1;
        }
      }
      return { tokens, logits };
    },
    async score(prompt, continuation) {
      const logits: Float32Array[] = [];
      let step = await run(prompt, empty(), 0);
      let len = prompt.length;
      for (let i = 0; i < continuation.length; i++) {
        logits.push(step.last);
        if (i + 1 < continuation.length) {
          step = await run([continuation[i]!], step.present, len);
          len += 1;
        }
      }
      return logits;
    },
    async close() {
      await session.release();
    },
  };
}

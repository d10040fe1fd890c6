// Writes one GGUF file from merged weights: metadata (model + tokenizer + chat template), tensor infos, then each
// tensor read a slice of rows at a time, permuted where llama.cpp needs it, quantised and streamed to disk.
// Does not verify the result (verify-gguf.ts does, through llama.cpp).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergedWeights } from '../export/merged-weights.js';
import { throwIfCancelled } from '../export/merged-writer.js';
import { archInfo, llama3RopeFactors, modelMetadata, type HfConfig } from './gguf-metadata.js';
import { ggufTensorName, permuteQK, PRESET_FILE_TYPE, tensorTypeFor, type QuantPreset } from './gguf-tensor-map.js';
import { tokenizerMetadata } from './gguf-tokenizer.js';
import { GgmlType } from './gguf-types.js';
import { GgufWriter, meta, tensorDataBytes, type GgufMetaValue, type GgufTensorInfo } from './gguf-writer.js';
import { encodeTensor } from './gguf-encode.js';
import { defaultQuantizeWorker, QuantPool } from './quantize-pool.js';

export interface GgufExportOptions {
  readonly preset: QuantPreset;
  readonly name: string;
  readonly eosToken: string | null;
  readonly chatTemplate: string | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, tensor: string) => void;
  /** The compiled quantisation worker; undefined: beside this module if built, null: encode inline. */
  readonly quantizeWorker?: string | null;
}

interface Planned {
  readonly info: GgufTensorInfo;
  readonly hf: string | null;
  readonly permuteHeads: number;
  readonly constant?: Float32Array;
}

/** Elements per encoding job: enough jobs per matrix to keep every worker busy, little memory in flight. */
const CHUNK_ELEMS = 2 ** 21;

export async function writeGguf(w: MergedWeights, modelDir: string, outPath: string, o: GgufExportOptions): Promise<{ warnings: string[] }> {
  const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as HfConfig;
  const a = archInfo(config);
  const quantized = !['f32', 'f16', 'bf16'].includes(o.preset);
  const metadata = new Map<string, GgufMetaValue>(modelMetadata(config, o.name, PRESET_FILE_TYPE[o.preset], quantized));
  metadata.set('general.alignment', meta.u32(32));
  const tok = await tokenizerMetadata(modelDir, config.vocab_size, { eosToken: o.eosToken, chatTemplate: o.chatTemplate });
  for (const [k, v] of tok.entries) metadata.set(k, v);

  const planned: Planned[] = [];
  const ropeFactors = llama3RopeFactors(config);
  if (ropeFactors) planned.push({ info: { name: 'rope_freqs.weight', shape: [ropeFactors.length], type: GgmlType.F32 }, hf: null, permuteHeads: 0, constant: ropeFactors });
  for (const t of w.tensors) {
    const name = ggufTensorName(t.name);
    if (!name) continue;
    let permuteHeads = 0;
    if (a.arch === 'llama' && name.endsWith('attn_q.weight')) permuteHeads = a.heads;
    if (a.arch === 'llama' && name.endsWith('attn_k.weight')) permuteHeads = a.kvHeads;
    planned.push({ info: { name, shape: t.shape, type: tensorTypeFor(o.preset, name, t.shape, a.layers) }, hf: t.name, permuteHeads });
  }
  const writer = await GgufWriter.create(outPath, metadata, planned.map((p) => p.info));
  const total = planned.reduce((s, p) => s + tensorDataBytes(p.info), 0);
  const pool = new QuantPool(undefined, o.quantizeWorker === undefined ? defaultQuantizeWorker() : o.quantizeWorker);
  // Encoded slices in file order; the head is written as soon as it is ready, at most 2 per worker in flight.
  const queue: { name: string; bytes: Promise<Uint8Array> }[] = [];
  let done = 0;
  const drain = async (keep: number) => {
    while (queue.length > keep) {
      const head = queue.shift()!;
      const bytes = await head.bytes;
      await writer.write(head.name, bytes);
      done += bytes.length;
      o.onProgress?.(done, total, head.name);
    }
  };
  const push = async (name: string, bytes: Promise<Uint8Array>) => {
    bytes.catch(() => undefined); // awaited in order by drain; a failure surfaces there
    queue.push({ name, bytes });
    await drain(pool.parallel * 2);
  };
  try {
    for (const p of planned) {
      throwIfCancelled(o.signal);
      const { name, type } = p.info;
      if (p.constant) {
        await push(name, Promise.resolve(encodeTensor(p.constant, type)));
        continue;
      }
      if (p.info.shape.length < 2) {
        await push(name, Promise.resolve(encodeTensor(await w.readF32(p.hf!), type)));
        continue;
      }
      const [rows, cols] = p.info.shape as [number, number];
      const step = Math.max(1, Math.floor(CHUNK_ELEMS / cols));
      if (p.permuteHeads) {
        // Q/K rows move between halves of each head: permute the whole merged matrix (one layer's), then encode.
        const permuted = permuteQK(await w.readF32(p.hf!), rows, cols, p.permuteHeads);
        for (let r = 0; r < rows; r += step) {
          const n = Math.min(step, rows - r);
          await push(name, pool.encode({ type, rows: n, cols, values: permuted.slice(r * cols, (r + n) * cols) }));
        }
        continue;
      }
      const src = w.get(p.hf!)!;
      const esize = src.bytes / (rows * cols);
      const pair = w.pair(p.hf!);
      const lora = pair ? await w.loraF32(pair) : null;
      for (let r = 0; r < rows; r += step) {
        throwIfCancelled(o.signal);
        const n = Math.min(step, rows - r);
        const raw = await w.base.readBytes(src, r * cols * esize, n * cols * esize);
        await push(name, pool.encode({
          type, rows: n, cols, raw, srcDtype: src.dtype,
          ...(pair && lora ? { lora: { a: lora.a, at: lora.at, b: lora.b.slice(r * pair.rank, (r + n) * pair.rank), rank: pair.rank, scale: pair.scale } } : {}),
        }));
      }
    }
    await drain(0);
    await writer.close();
  } catch (err) {
    await Promise.allSettled(queue.map((q) => q.bytes));
    await writer.abort();
    throw err;
  } finally {
    await pool.close();
  }
  return { warnings: tok.warnings };
}

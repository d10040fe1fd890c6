// Writes merged weights as sharded safetensors, one tensor at a time: unchanged tensors are copied in 64 MiB
// pieces (converted when the dtype changes), adapted ones are decoded, merged and encoded by the worker pool.
// Peak memory: one adapted tensor in and out, never a shard. Does not write config or tokenizer files.
import { LatheError } from '../../preload/contract/errors.js';
import { DTYPE_BYTES } from '../models/safetensors-header.js';
import type { FloatDtype } from './half-float.js';
import { MergePool, runRows, sharedBytes, sharedF32 } from './merge-pool.js';
import type { MergedWeights } from './merged-weights.js';
import { planShards, ShardWriter, writeShardIndex, type PlannedTensor, type ShardPlan } from './safetensors-sharder.js';

export interface WeightsProgress {
  readonly tensor: string;
  readonly doneBytes: number;
  readonly totalBytes: number;
}

export interface WriteOptions {
  readonly dtype: FloatDtype;
  readonly maxShardBytes: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: WeightsProgress) => void;
  /** Worker threads for the merge arithmetic; 1 runs on the calling thread. */
  readonly threads?: number;
}

const COPY_CHUNK = 64 * 2 ** 20;

export function plannedOutput(w: MergedWeights, dtype: FloatDtype): PlannedTensor[] {
  return w.tensors.map((t) => ({ name: t.name, dtype, shape: t.shape }));
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LatheError('cancelled', 'The export was cancelled; nothing was kept.');
}

/** Returns the files written (shards, then the index when there is more than one shard). */
export async function writeMergedWeights(w: MergedWeights, outDir: string, opts: WriteOptions): Promise<{ files: string[]; shards: ShardPlan[] }> {
  const planned = plannedOutput(w, opts.dtype);
  const shards = planShards(planned, opts.maxShardBytes);
  const totalBytes = shards.reduce((a, s) => a + s.dataBytes, 0);
  const pool = new MergePool(opts.threads ?? undefined);
  let doneBytes = 0;
  try {
    for (const shard of shards) {
      const writer = await ShardWriter.create(outDir, shard);
      // One write in flight while the next tensor is read and merged: disk and cores work at the same time.
      const pending = { write: Promise.resolve() };
      try {
        for (const t of shard.tensors) {
          throwIfCancelled(opts.signal);
          await writeOne(w, t, writer, pool, pending, opts.signal);
          doneBytes += t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]!;
          opts.onProgress?.({ tensor: t.name, doneBytes, totalBytes });
        }
        await pending.write;
        await writer.close();
      } catch (err) {
        await pending.write.catch(() => undefined);
        await writer.abort();
        throw err;
      }
    }
  } finally {
    await pool.close();
  }
  const files = shards.map((s) => s.file);
  const index = await writeShardIndex(outDir, shards);
  if (index) files.push(index);
  return { files, shards };
}

async function writeOne(w: MergedWeights, out: PlannedTensor, writer: ShardWriter, pool: MergePool, pending: { write: Promise<void> }, signal?: AbortSignal): Promise<void> {
  const enqueue = async (bytes: Uint8Array) => {
    await pending.write;
    pending.write = writer.write(out.name, bytes);
  };
  const src = w.get(out.name)!;
  const pair = w.pair(out.name);
  if (!pair && src.dtype === out.dtype) {
    for (let pos = 0; pos < src.bytes; pos += COPY_CHUNK) {
      throwIfCancelled(signal);
      await enqueue(await w.base.readBytes(src, pos, Math.min(COPY_CHUNK, src.bytes - pos)));
    }
    return;
  }
  const rows = src.shape.length >= 2 ? src.shape[0]! : 1;
  const cols = src.shape.length >= 2 ? src.bytes / DTYPE_BYTES[src.dtype]! / rows : src.bytes / DTYPE_BYTES[src.dtype]!;
  const outBytes = rows * cols * DTYPE_BYTES[out.dtype]!;
  if (!pair) {
    // A dtype change only: convert in row pieces so an embedding never needs to be whole in memory.
    const rowsPer = Math.max(1, Math.floor(COPY_CHUNK / (cols * DTYPE_BYTES[src.dtype]!)));
    for (let r = 0; r < rows; r += rowsPer) {
      throwIfCancelled(signal);
      const n = Math.min(rowsPer, rows - r);
      const inBytes = await w.base.readBytes(src, r * cols * DTYPE_BYTES[src.dtype]!, n * cols * DTYPE_BYTES[src.dtype]!);
      const dst = new Uint8Array(n * cols * DTYPE_BYTES[out.dtype]!);
      runRows({ src: inBytes, srcDtype: src.dtype, dst, dstDtype: out.dtype, rows: n, cols }, 0, n);
      await enqueue(dst);
    }
    return;
  }
  const raw = sharedBytes(src.bytes);
  await w.base.readBytes(src, 0, src.bytes, raw);
  const dst = sharedBytes(outBytes);
  const { a, b } = await w.loraF32(pair);
  await pool.run({ src: raw, srcDtype: src.dtype, dst, dstDtype: out.dtype, rows, cols, lora: { a: sharedF32(a), b: sharedF32(b), rank: pair.rank, scale: pair.scale } });
  await enqueue(dst);
}

// Writes merged weights as sharded safetensors, one tensor at a time: unchanged tensors are copied in 64 MiB
// pieces (converted when the dtype changes), adapted ones are decoded, merged and encoded by the worker pool.
// Peak memory: one adapted tensor in and out, never a shard. Does not write config or tokenizer files.
import { LatheError } from '../../preload/contract/errors.js';
import { DTYPE_BYTES } from '../models/safetensors-header.js';
import type { FloatDtype } from './half-float.js';
import { MergePool, sharedBytes } from './merge-pool.js';
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

/**
 * The only large buffers of a merge, allocated once and reused: `src` holds one tensor's raw input (or a piece of
 * it), `ring` two output buffers used in turn, so one can be on its way to disk while the next is filled.
 * Allocating per tensor instead left gigabytes of SharedArrayBuffers waiting for the garbage collector.
 */
class Buffers {
  private turn = 0;
  readonly src: Uint8Array;
  private readonly ring: [Uint8Array, Uint8Array];

  constructor(srcBytes: number, outBytes: number) {
    this.src = sharedBytes(srcBytes);
    this.ring = [sharedBytes(outBytes), sharedBytes(outBytes)];
  }

  /** The next output buffer, `n` bytes long. Safe because at most one write is in flight (see enqueue). */
  out(n: number): Uint8Array {
    this.turn ^= 1;
    return this.ring[this.turn]!.subarray(0, n);
  }
}

function sizes(w: MergedWeights, planned: readonly PlannedTensor[]): { src: number; out: number } {
  let src = COPY_CHUNK;
  let out = COPY_CHUNK;
  for (const t of planned) {
    const s = w.get(t.name)!;
    const inSize = DTYPE_BYTES[s.dtype]!;
    const outSize = DTYPE_BYTES[t.dtype]!;
    if (w.pair(t.name)) {
      src = Math.max(src, s.bytes);
      out = Math.max(out, (s.bytes / inSize) * outSize);
    } else if (s.dtype !== t.dtype) {
      out = Math.max(out, Math.ceil(COPY_CHUNK / inSize) * outSize + outSize * (s.shape[1] ?? 1));
    }
  }
  return { src, out };
}

/** Returns the files written (shards, then the index when there is more than one shard). */
export async function writeMergedWeights(w: MergedWeights, outDir: string, opts: WriteOptions): Promise<{ files: string[]; shards: ShardPlan[] }> {
  const planned = plannedOutput(w, opts.dtype);
  const shards = planShards(planned, opts.maxShardBytes);
  const totalBytes = shards.reduce((a, s) => a + s.dataBytes, 0);
  const size = sizes(w, planned);
  const buffers = new Buffers(size.src, size.out);
  const pool = new MergePool(opts.threads ?? undefined);
  // Each finished shard is flushed to disk (fsync) in the background while the next one is merged.
  const closing: Promise<void>[] = [];
  let doneBytes = 0;
  try {
    for (const shard of shards) {
      const writer = await ShardWriter.create(outDir, shard);
      // One write in flight while the next piece is read and merged: disk and cores work at the same time.
      const pending = { write: Promise.resolve() };
      try {
        for (const t of shard.tensors) {
          throwIfCancelled(opts.signal);
          await writeOne(w, t, writer, pool, buffers, pending, opts.signal);
          doneBytes += t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]!;
          opts.onProgress?.({ tensor: t.name, doneBytes, totalBytes });
        }
        await pending.write;
        const c = writer.close();
        c.catch(() => undefined);
        closing.push(c);
      } catch (err) {
        await pending.write.catch(() => undefined);
        await writer.abort();
        throw err;
      }
    }
    await Promise.all(closing);
  } catch (err) {
    await Promise.allSettled(closing);
    throw err;
  } finally {
    await pool.close();
  }
  const files = shards.map((s) => s.file);
  const index = await writeShardIndex(outDir, shards);
  if (index) files.push(index);
  return { files, shards };
}

async function writeOne(w: MergedWeights, out: PlannedTensor, writer: ShardWriter, pool: MergePool, buffers: Buffers, pending: { write: Promise<void> }, signal?: AbortSignal): Promise<void> {
  const enqueue = async (bytes: Uint8Array) => {
    await pending.write;
    pending.write = writer.write(out.name, bytes);
  };
  const src = w.get(out.name)!;
  const pair = w.pair(out.name);
  const inSize = DTYPE_BYTES[src.dtype]!;
  const outSize = DTYPE_BYTES[out.dtype]!;
  if (!pair && src.dtype === out.dtype) {
    for (let pos = 0; pos < src.bytes; pos += COPY_CHUNK) {
      throwIfCancelled(signal);
      const n = Math.min(COPY_CHUNK, src.bytes - pos);
      await enqueue(await w.base.readBytes(src, pos, n, buffers.out(n)));
    }
    return;
  }
  const rows = src.shape.length >= 2 ? src.shape[0]! : 1;
  const cols = src.bytes / inSize / rows;
  if (!pair) {
    // A dtype change only: convert in row pieces so an embedding never needs to be whole in memory.
    const rowsPer = Math.max(1, Math.floor(COPY_CHUNK / (cols * inSize)));
    for (let r = 0; r < rows; r += rowsPer) {
      throwIfCancelled(signal);
      const n = Math.min(rowsPer, rows - r);
      const inBytes = await w.base.readBytes(src, r * cols * inSize, n * cols * inSize, buffers.src);
      const dst = buffers.out(n * cols * outSize);
      await pool.run({ src: inBytes, srcDtype: src.dtype, dst, dstDtype: out.dtype, rows: n, cols });
      await enqueue(dst);
    }
    return;
  }
  const raw = await w.base.readBytes(src, 0, src.bytes, buffers.src);
  const dst = buffers.out(rows * cols * outSize);
  const { a, b, at } = await w.loraF32(pair);
  await pool.run({ src: raw, srcDtype: src.dtype, dst, dstDtype: out.dtype, rows, cols, lora: { a, b, at, rank: pair.rank, scale: pair.scale } });
  await enqueue(dst);
}

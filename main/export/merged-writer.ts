// Writes merged weights as sharded safetensors, one tensor at a time: unchanged tensors are copied in 64 MiB
// pieces (converted when the dtype changes), adapted ones are decoded, merged and encoded by the worker pool.
// Peak memory: one adapted tensor in and out, never a shard. Does not write config or tokenizer files.
import { LatheError } from '../../preload/contract/errors.js';
import { DTYPE_BYTES } from '../models/safetensors-header.js';
import type { FloatDtype } from './half-float.js';
import { MergePool, sharedBytes, type TensorJob } from './merge-pool.js';
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

/** Where a merge's wall time went (ms), for benchmarks: waiting for reads, the pool, writes, and the end fsyncs. */
export interface WriteTimings {
  readWaitMs: number;
  computeMs: number;
  writeWaitMs: number;
  syncWaitMs: number;
}

/**
 * The only large buffers of a merge, allocated once and reused: `src` two slots for adapted tensors' raw input (one
 * being merged while the next adapted tensor is read into the other), `ring` two output buffers used in turn, so one
 * can be on its way to disk while the next is filled. Allocating per tensor instead left gigabytes of
 * SharedArrayBuffers waiting for the garbage collector.
 */
class Buffers {
  private turn = 0;
  private readonly srcSlots: [Uint8Array, Uint8Array];
  private readonly ring: [Uint8Array, Uint8Array];

  constructor(srcBytes: number, outBytes: number) {
    this.srcSlots = [sharedBytes(srcBytes), sharedBytes(srcBytes)];
    this.ring = [sharedBytes(outBytes), sharedBytes(outBytes)];
  }

  /** Input slot 0 or 1: adapted tensors alternate between them (see Prefetch). */
  src(slot: number): Uint8Array {
    return this.srcSlots[slot & 1]!;
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

/**
 * Reads adapted tensors one ahead: while tensor i is merged from one input slot, the next adapted tensor (maybe in
 * the next shard) is read into the other, so a cold page cache or a slow disk overlaps the arithmetic.
 */
class Prefetch {
  private readonly adapted: string[];
  private readonly reads = new Map<string, Promise<Uint8Array>>();
  private readonly slot = new Map<string, number>();

  constructor(
    private readonly w: MergedWeights,
    planned: readonly PlannedTensor[],
    private readonly buffers: Buffers,
  ) {
    this.adapted = planned.filter((t) => w.pair(t.name)).map((t) => t.name);
    this.adapted.forEach((name, i) => this.slot.set(name, i & 1));
  }

  private start(name: string): Promise<Uint8Array> {
    let p = this.reads.get(name);
    if (!p) {
      const src = this.w.get(name)!;
      p = this.w.base.readBytes(src, 0, src.bytes, this.buffers.src(this.slot.get(name)!));
      p.catch(() => undefined);
      this.reads.set(name, p);
    }
    return p;
  }

  /** The tensor's bytes; starts reading the next adapted one into the other slot (free: its last user is done). */
  async take(name: string): Promise<Uint8Array> {
    const p = this.start(name);
    this.reads.delete(name);
    const bytes = await p;
    const next = this.adapted[this.adapted.indexOf(name) + 1];
    if (next) this.start(next);
    return bytes;
  }

  /** A slot no read is landing in, for pieces read outside the prefetch (dtype conversion of unadapted tensors). */
  freeSlot(): number {
    for (const name of this.reads.keys()) return 1 - this.slot.get(name)!;
    return 0;
  }

  /** Waits for a read still in flight (on failure or cancel, before the buffers and files go away). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.reads.values()]);
  }
}

/** Returns the files written (shards, then the index when there is more than one shard). */
export async function writeMergedWeights(w: MergedWeights, outDir: string, opts: WriteOptions): Promise<{ files: string[]; shards: ShardPlan[]; timings: WriteTimings }> {
  const planned = plannedOutput(w, opts.dtype);
  const shards = planShards(planned, opts.maxShardBytes);
  const totalBytes = shards.reduce((a, s) => a + s.dataBytes, 0);
  const size = sizes(w, planned);
  const buffers = new Buffers(size.src, size.out);
  const prefetch = new Prefetch(w, planned, buffers);
  const pool = new MergePool(opts.threads ?? undefined);
  const timings: WriteTimings = { readWaitMs: 0, computeMs: 0, writeWaitMs: 0, syncWaitMs: 0 };
  // Each finished shard's last fsync runs in the background while the next one is merged.
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
          await writeOne(w, t, writer, pool, buffers, prefetch, pending, timings, opts.signal);
          doneBytes += t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]!;
          opts.onProgress?.({ tensor: t.name, doneBytes, totalBytes });
        }
        const t0 = performance.now();
        await pending.write;
        timings.writeWaitMs += performance.now() - t0;
        const c = writer.close();
        c.catch(() => undefined);
        closing.push(c);
      } catch (err) {
        await pending.write.catch(() => undefined);
        await writer.abort();
        throw err;
      }
    }
    const t0 = performance.now();
    await Promise.all(closing);
    timings.syncWaitMs += performance.now() - t0;
  } catch (err) {
    await prefetch.settle();
    await Promise.allSettled(closing);
    throw err;
  } finally {
    await pool.close();
  }
  const files = shards.map((s) => s.file);
  const index = await writeShardIndex(outDir, shards);
  if (index) files.push(index);
  return { files, shards, timings };
}

async function writeOne(w: MergedWeights, out: PlannedTensor, writer: ShardWriter, pool: MergePool, buffers: Buffers, prefetch: Prefetch, pending: { write: Promise<void> }, timings: WriteTimings, signal?: AbortSignal): Promise<void> {
  const enqueue = async (bytes: Uint8Array) => {
    const t0 = performance.now();
    await pending.write;
    timings.writeWaitMs += performance.now() - t0;
    pending.write = writer.write(out.name, bytes);
  };
  const read = async (p: Promise<Uint8Array>) => {
    const t0 = performance.now();
    const bytes = await p;
    timings.readWaitMs += performance.now() - t0;
    return bytes;
  };
  const compute = async (job: TensorJob) => {
    const t0 = performance.now();
    await pool.run(job);
    timings.computeMs += performance.now() - t0;
  };
  const src = w.get(out.name)!;
  const pair = w.pair(out.name);
  const inSize = DTYPE_BYTES[src.dtype]!;
  const outSize = DTYPE_BYTES[out.dtype]!;
  if (!pair && src.dtype === out.dtype) {
    for (let pos = 0; pos < src.bytes; pos += COPY_CHUNK) {
      throwIfCancelled(signal);
      const n = Math.min(COPY_CHUNK, src.bytes - pos);
      const dst = buffers.out(n);
      // The write two pieces back used this buffer: enqueue waited for it before the last piece was queued.
      await enqueue(await read(w.base.readBytes(src, pos, n, dst)));
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
      const inBytes = await read(w.base.readBytes(src, r * cols * inSize, n * cols * inSize, buffers.src(prefetch.freeSlot())));
      const dst = buffers.out(n * cols * outSize);
      await compute({ src: inBytes, srcDtype: src.dtype, dst, dstDtype: out.dtype, rows: n, cols });
      await enqueue(dst);
    }
    return;
  }
  const raw = await read(prefetch.take(out.name));
  const dst = buffers.out(rows * cols * outSize);
  const { a, b, at } = await w.loraF32(pair);
  await compute({ src: raw, srcDtype: src.dtype, dst, dstDtype: out.dtype, rows, cols, lora: { a, b, at, rank: pair.rank, scale: pair.scale } });
  await enqueue(dst);
}

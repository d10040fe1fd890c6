// Runs "decode rows → add the LoRA delta → encode rows" over worker threads sharing memory, so merging an 8B
// model uses every core. Holds no model state: each call hands over one tensor's buffers. Does no file I/O.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { addLoraDelta } from './lora-merge.js';
import { decodeRange, encodeRange } from './row-codec.js';

export interface TensorJob {
  /** Raw little-endian bytes of the base tensor, (rows, cols) of srcDtype; SharedArrayBuffer-backed for the pool. */
  readonly src: Uint8Array;
  readonly srcDtype: string;
  /** Output bytes, (rows, cols) of dstDtype. */
  readonly dst: Uint8Array;
  readonly dstDtype: string;
  readonly rows: number;
  readonly cols: number;
  /** The LoRA pair, when this tensor is adapted: a (rank, cols), b (rows, rank) as f32. */
  readonly lora?: { readonly a: Float32Array; readonly b: Float32Array; readonly rank: number; readonly scale: number; readonly at?: Float32Array };
}

type Decode = typeof decodeRange;
type Add = typeof addLoraDelta;
type Encode = typeof encodeRange;

/** The job's rows with the kernels passed in: it refers only to its parameters, so workers get it as source text. */
function runRowsWith(job: TensorJob, rowStart: number, rowEnd: number, decode: Decode, add: Add, encode: Encode): void {
  const chunkRows = Math.max(1, Math.floor(262144 / Math.max(1, job.cols)));
  const scratch = new Float32Array(Math.min(rowEnd - rowStart, chunkRows) * job.cols);
  for (let r0 = rowStart; r0 < rowEnd; r0 += chunkRows) {
    const r1 = Math.min(rowEnd, r0 + chunkRows);
    const n = (r1 - r0) * job.cols;
    decode(job.src, job.srcDtype, r0 * job.cols, n, scratch);
    if (job.lora) {
      // The kernel indexes b by absolute row: hand it the rows of b that belong to this chunk.
      const b = job.lora.b.subarray(r0 * job.lora.rank, r1 * job.lora.rank);
      add(scratch, job.lora.a, b, job.cols, job.lora.rank, job.lora.scale, 0, r1 - r0, job.lora.at);
    }
    encode(scratch, n, job.dstDtype, job.dst, r0 * job.cols);
  }
}

/** The whole job (or a row range) on the calling thread: small tensors and tests. */
export function runRows(job: TensorJob, rowStart: number, rowEnd: number): void {
  runRowsWith(job, rowStart, rowEnd, decodeRange, addLoraDelta, encodeRange);
}

function workerSource(): string {
  return [
    `const decode = ${decodeRange.toString()};`,
    `const encode = ${encodeRange.toString()};`,
    `const add = ${addLoraDelta.toString()};`,
    `const runRowsWith = ${runRowsWith.toString()};`,
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => {
       try { runRowsWith(m.job, m.rowStart, m.rowEnd, decode, add, encode); parentPort.postMessage({ id: m.id }); }
       catch (e) { parentPort.postMessage({ id: m.id, error: String(e && e.stack || e) }); }
     });`,
  ].join('\n');
}

export class MergePool {
  private readonly workers: Worker[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(readonly size = Math.max(1, Math.min(availableParallelism(), 32))) {
    if (size <= 1) return;
    const src = workerSource();
    for (let i = 0; i < size; i++) {
      const w = new Worker(src, { eval: true });
      w.on('message', (m: { id: number; error?: string }) => {
        const p = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve();
      });
      w.on('error', (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
      this.workers.push(w);
    }
  }

  /** Buffers must live on SharedArrayBuffers when the pool has workers (see sharedBytes). */
  async run(job: TensorJob): Promise<void> {
    const elements = job.rows * job.cols;
    if (this.workers.length === 0 || elements < 1 << 20) {
      runRows(job, 0, job.rows);
      return;
    }
    const parts = Math.min(this.workers.length, job.rows);
    const per = Math.ceil(job.rows / parts);
    const tasks: Promise<void>[] = [];
    for (let p = 0; p < parts; p++) {
      const rowStart = p * per;
      const rowEnd = Math.min(job.rows, rowStart + per);
      if (rowStart >= rowEnd) break;
      const id = this.nextId++;
      tasks.push(new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject })));
      this.workers[p]!.postMessage({ id, job, rowStart, rowEnd });
    }
    await Promise.all(tasks);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

/** A zeroed byte buffer the pool's workers can see. */
export function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(8, Math.ceil(n / 8) * 8)), 0, n);
}

export function sharedF32(values: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(Math.max(4, values.byteLength)), 0, values.length);
  out.set(values);
  return out;
}

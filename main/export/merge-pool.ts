// Runs "decode rows → add the LoRA delta → encode rows" over worker threads sharing memory, so merging an 8B
// model uses every core. Holds no model state: each call hands over one tensor's buffers. Does no file I/O.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { addLoraDelta } from './lora-merge.js';
import { BF16_COLS_PER_STEP, loraMergeWasmBytes } from './lora-merge-wasm.js';
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
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface Kernel {
  /** Scratch for n floats, with room kept for `reserve` more (A and B) so later calls never move it. */
  alloc(n: number, reserve: number): Float32Array;
  add: Add;
  /** bf16 in → merge → bf16 out for rows [r0, r1) in one pass, when the fused kernel can; false when it cannot. */
  bf16?: (job: TensorJob, r0: number, r1: number) => boolean;
}

/**
 * The WebAssembly SIMD kernel (lora-merge-wasm.ts) behind the same signature as addLoraDelta. It works on scratch
 * that lives in its own memory, copies A (once per job) and B's rows next to it, and falls back to the JS kernel
 * for anything else (rank or width not a multiple of 4). Self-contained: workers get it as source text.
 */
function wasmKernel(bytes: Uint8Array, fallback: Add, bf16Step: number): Kernel {
  // Node's types for this project leave WebAssembly out (no DOM lib): the two constructors we use, typed here.
  const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const inst = new wa.Instance(new wa.Module(bytes), {});
  const merge = inst.exports.merge as (w: number, a: number, b: number, rows: number, cols: number, rank: number, scale: number) => void;
  const mergeBf16 = inst.exports.merge_bf16 as (w: number, a: number, c: number, rows: number, cols: number, rank: number) => void;
  const mem = inst.exports.mem as { readonly buffer: ArrayBuffer; grow(pages: number): number };
  let scratchFloats = 0;
  let lastA: Float32Array | null = null;
  return {
    alloc(n, reserve) {
      const need = (n + reserve) * 4;
      if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
      scratchFloats = n;
      lastA = null;
      return new Float32Array(mem.buffer, 0, n);
    },
    bf16(job, r0, r1) {
      const lora = job.lora;
      const { cols } = job;
      // Only cases the f32 SIMD path below takes (so the bytes are the same), whole steps of columns.
      if (!lora || job.srcDtype !== 'BF16' || job.dstDtype !== 'BF16' || lora.rank % 4 !== 0 || cols % bf16Step !== 0) return false;
      const rank = lora.rank;
      const chunkRows = Math.max(1, Math.min(r1 - r0, Math.floor(131072 / cols)));
      // Memory: A (rank, cols) f32 | scale·B for one chunk (chunkRows, rank) f32 | the chunk's bf16 rows.
      const cOff = rank * cols * 4;
      const wOff = cOff + Math.ceil((chunkRows * rank * 4) / 16) * 16;
      const need = wOff + chunkRows * cols * 2;
      if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
      new Float32Array(mem.buffer, 0, rank * cols).set(lora.a.subarray(0, rank * cols));
      lastA = null;
      const c = new Float32Array(mem.buffer, cOff, chunkRows * rank);
      const w = new Uint8Array(mem.buffer, wOff, chunkRows * cols * 2);
      // f32 × f32 is exact in f64, so storing the product rounds once: the kernel's own f32 multiply.
      const scale = Math.fround(lora.scale);
      for (let s0 = r0; s0 < r1; s0 += chunkRows) {
        const s1 = Math.min(r1, s0 + chunkRows);
        const b = lora.b;
        for (let i = 0, x = s0 * rank, n = (s1 - s0) * rank; i < n; i++, x++) c[i] = b[x]! * scale;
        const bytes = (s1 - s0) * cols * 2;
        w.set(job.src.subarray(s0 * cols * 2, s0 * cols * 2 + bytes));
        mergeBf16(wOff, 0, cOff, s1 - s0, cols, rank);
        job.dst.set(w.subarray(0, bytes), s0 * cols * 2);
      }
      return true;
    },
    add(w, a, b, inDim, rank, scale, r0, r1, at) {
      const aOff = scratchFloats;
      const bOff = aOff + rank * inDim;
      if (w.buffer !== mem.buffer || rank % 4 !== 0 || inDim % 4 !== 0 || (bOff + (r1 - r0) * rank) * 4 > mem.buffer.byteLength) {
        fallback(w, a, b, inDim, rank, scale, r0, r1, at);
        return;
      }
      const f = new Float32Array(mem.buffer);
      if (lastA !== a) {
        f.set(a.subarray(0, rank * inDim), aOff);
        lastA = a;
      }
      f.set(b.subarray(r0 * rank, r1 * rank), bOff);
      merge(w.byteOffset + r0 * inDim * 4, aOff * 4, bOff * 4, r1 - r0, inDim, rank, scale);
    },
  };
}

/** The job's rows with the kernels passed in: it refers only to its parameters, so workers get it as source text. */
function runRowsWith(job: TensorJob, rowStart: number, rowEnd: number, decode: Decode, kernel: Kernel, encode: Encode): void {
  if (kernel.bf16?.(job, rowStart, rowEnd)) return;
  const chunkRows = Math.max(1, Math.floor(262144 / Math.max(1, job.cols)));
  const n0 = Math.min(rowEnd - rowStart, chunkRows);
  const scratch = kernel.alloc(n0 * job.cols, job.lora ? job.lora.rank * job.cols + n0 * job.lora.rank : 0);
  const add = kernel.add;
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

let localKernel: Kernel | undefined;

/** The whole job (or a row range) on the calling thread: small tensors and tests. */
export function runRows(job: TensorJob, rowStart: number, rowEnd: number): void {
  localKernel ??= wasmKernel(loraMergeWasmBytes(), addLoraDelta, BF16_COLS_PER_STEP);
  runRowsWith(job, rowStart, rowEnd, decodeRange, localKernel, encodeRange);
}

/** The same on the JS kernel only (tests compare the two). */
export function runRowsJs(job: TensorJob, rowStart: number, rowEnd: number): void {
  runRowsWith(job, rowStart, rowEnd, decodeRange, { alloc: (n) => new Float32Array(n), add: addLoraDelta }, encodeRange);
}

function workerSource(): string {
  return [
    `const decode = ${decodeRange.toString()};`,
    `const encode = ${encodeRange.toString()};`,
    `const add = ${addLoraDelta.toString()};`,
    `const wasmKernel = ${wasmKernel.toString()};`,
    `const runRowsWith = ${runRowsWith.toString()};`,
    `const { parentPort, workerData } = require('node:worker_threads');
     const kernel = wasmKernel(workerData.wasm, add, workerData.bf16Step);
     parentPort.on('message', (m) => {
       try { runRowsWith(m.job, m.rowStart, m.rowEnd, decode, kernel, encode); parentPort.postMessage({ id: m.id }); }
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
    const wasm = loraMergeWasmBytes();
    for (let i = 0; i < size; i++) {
      const w = new Worker(src, { eval: true, workerData: { wasm, bf16Step: BF16_COLS_PER_STEP } });
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

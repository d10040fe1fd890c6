// Dataset statistics over a whole source in worker threads: a source a chunk at a time (never all of it in memory),
// each chunk measured in a worker, with progress and cancel; each chunk's per-turn token counts kept under a content
// hash of (tokenizer, template, the options that change the turns, the chunk's records): a repeat, another cutoff or
// train_on_prompt, or a pass after one row was edited only tokenizes the chunks that changed. A stored dataset's rows
// are read and hashed by the workers themselves (stored-chunks.ts): this thread only hands out idx ranges and looks
// keys up. It does not encode on the calling thread when a worker can; it does not lay out lengths (turn-layout.ts).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import type { TemplateEncoder } from '../templates/record-encoder.js';
import type { ChunkSetup } from '../tokenizer/tokenize-chunk.js';
import { chunkKey, measureChunk, type ChunkPayload, type TurnChunk } from './measure-chunk.js';
import type { MeasureWorkerData, ToMeasureWorker } from './measure-worker.js';
import type { StoredChunkSpec } from './stored-chunks.js';

/** Records in memory, handed out in chunks, in order. `rows` counts the source rows a chunk consumed. */
export interface RecordsSource {
  readonly total: number;
  next(): { readonly payload: ChunkPayload; readonly rows: number } | null;
}

/** A dataset stored in the workspace: `total` rows (idx 0 … total − 1), read by the workers `chunkRows` idx at a time. */
export interface StoredSource {
  readonly total: number;
  readonly stored: StoredChunkSpec;
  readonly chunkRows: number;
}

export type MeasureSource = RecordsSource | StoredSource;

/** Where measured chunks are kept besides memory (chunk-file-cache.ts: files in the workspace cache folder). */
export interface ChunkStore {
  read(key: string): Promise<TurnChunk | undefined>;
  write(key: string, chunk: TurnChunk): void;
}

/** Measured chunks by content hash, least recently used dropped past `maxRecords` records (~20 bytes each). */
export class MeasureCache {
  private readonly entries = new Map<string, TurnChunk>();
  private records = 0;
  constructor(
    private readonly maxRecords = 4_000_000,
    private readonly store?: ChunkStore,
  ) {}

  /** From memory, else from the store (then kept in memory too). */
  async lookup(key: string): Promise<TurnChunk | undefined> {
    const hit = this.get(key);
    if (hit || !this.store) return hit;
    const stored = await this.store.read(key);
    if (stored) this.remember(key, stored);
    return stored;
  }

  get(key: string): TurnChunk | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** Kept in memory and written to the store. */
  set(key: string, chunk: TurnChunk): void {
    if (this.entries.has(key)) return;
    this.remember(key, chunk);
    this.store?.write(key, chunk);
  }

  private remember(key: string, chunk: TurnChunk): void {
    this.entries.set(key, chunk);
    this.records += chunk.index.length + 1;
    while (this.records > this.maxRecords && this.entries.size > 1) {
      const [k, v] = this.entries.entries().next().value!;
      this.entries.delete(k);
      this.records -= v.index.length + 1;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface MeasureJob {
  readonly source: MeasureSource;
  readonly setup: ChunkSetup;
  /** Everything besides the records that decides the measures (setupKeyOf). */
  readonly setupKey: string;
  /** Used when there is no compiled worker (running from TypeScript sources: tests). */
  readonly encoder: TemplateEncoder;
  readonly cache?: MeasureCache | undefined;
  /** Compiled worker script; default: measure-worker.js beside this module when it exists. */
  readonly workerFile?: string | undefined;
  /** Worker threads; default CPUs − 1, at least 1, at most 8. */
  readonly workers?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface MeasureResult {
  readonly chunks: readonly TurnChunk[];
  /** Each chunk's cache key (content hash), in the same order. */
  readonly keys: readonly string[];
  readonly cachedChunks: number;
  readonly workers: number;
}

/** Tokenizer hash, template, special tokens and the options that change the turns (not cutoffLen, trainOnPrompt). */
export function setupKeyOf(tokenizerSha256: string, setup: ChunkSetup): string {
  const { cutoffLen: _c, trainOnPrompt: _t, ...turnOptions } = setup.options;
  return `measure-v2\0${tokenizerSha256}\0${JSON.stringify(setup.template)}\0${JSON.stringify(setup.special)}\0${JSON.stringify(turnOptions)}`;
}

function defaultWorkerFile(): string | undefined {
  const p = join(dirname(fileURLToPath(import.meta.url)), 'measure-worker.js');
  return existsSync(p) ? p : undefined;
}

const cancelled = () => new LatheError('cancelled', 'Computing the dataset statistics was cancelled.');
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** One worker, one request at a time. */
class MeasureWorker {
  private readonly worker: Worker;
  private pending: { resolve(m: WorkerReply): void; reject(e: unknown): void } | undefined;
  private seq = 0;

  constructor(file: string, data: MeasureWorkerData) {
    this.worker = new Worker(file, { workerData: data });
    this.worker.on('message', (m: WorkerReply & { error?: { code: string; message: string } }) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.error) p?.reject(new LatheError(m.error.code as 'internal', m.error.message));
      else p?.resolve(m);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new LatheError('internal', `A statistics worker stopped (exit code ${code}).`)));
  }

  private ask(msg: ToMeasureWorker): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  async measure(payload: ChunkPayload): Promise<TurnChunk> {
    return (await this.ask({ type: 'measure', id: ++this.seq, payload })).result!;
  }

  /** Reads (and hashes) the rows with from ≤ idx < to in the worker; they stay there until measureRead or dropRead. */
  async read(from: number, to: number | undefined): Promise<{ key: string; rows: number }> {
    return (await this.ask({ type: 'read', id: ++this.seq, from, to })).read!;
  }

  async measureRead(): Promise<TurnChunk> {
    return (await this.ask({ type: 'measureRead', id: ++this.seq })).result!;
  }

  dropRead(): void {
    this.worker.postMessage({ type: 'dropRead' } satisfies ToMeasureWorker);
  }

  fail(e: unknown): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  async close(): Promise<void> {
    this.fail(cancelled());
    await this.worker.terminate();
  }
}

interface WorkerReply {
  readonly result?: TurnChunk;
  readonly read?: { readonly key: string; readonly rows: number };
}

const isStored = (s: MeasureSource): s is StoredSource => 'stored' in s;

export async function measureSource(job: MeasureJob): Promise<MeasureResult> {
  const { source, signal } = job;
  if (signal?.aborted) throw cancelled();
  const file = job.workerFile ?? defaultWorkerFile();
  if (isStored(source) && !file) {
    throw new LatheError('unsupported', 'The statistics worker (measure-worker.js) is missing: build Lathe (npm run build) to compute statistics of a stored dataset.');
  }
  // The main thread never encodes (nor reads stored rows) when a worker can: even on two cores one worker keeps the app responsive.
  const nWorkers = file ? Math.max(1, Math.min(job.workers ?? availableParallelism() - 1, 8)) : 0;
  const data: MeasureWorkerData = { setup: job.setup, setupKey: job.setupKey, ...(isStored(source) ? { stored: source.stored } : {}) };
  // Records in memory: a worker starts at its lane's first cache miss (a fully cached pass starts none). A stored
  // source's rows are read in the workers, so they start at once.
  const workers: MeasureWorker[] = [];
  const start = () => {
    const w = new MeasureWorker(file!, data);
    workers.push(w);
    return w;
  };
  const onAbort = () => workers.forEach((w) => w.fail(cancelled()));
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: TurnChunk[] = [];
  const keys: string[] = [];
  let slots = 0;
  let done = 0;
  let cachedChunks = 0;
  const progress = (rows: number) => {
    done += rows;
    job.onProgress?.(Math.min(done, source.total), source.total);
  };
  const recordsLane = async (src: RecordsSource) => {
    let w: MeasureWorker | undefined;
    for (;;) {
      if (signal?.aborted) throw cancelled();
      const c = src.next();
      if (!c) return;
      const slot = slots++;
      const key = chunkKey(job.setupKey, c.payload);
      let m = await job.cache?.lookup(key);
      if (m) {
        cachedChunks++;
        // Reading and hashing are synchronous: let other work in between.
        await nextTick();
      } else {
        if (file) m = await (w ??= start()).measure(c.payload);
        else {
          await nextTick();
          m = measureChunk(job.encoder, job.setup.options, c.payload);
        }
        job.cache?.set(key, m);
      }
      chunks[slot] = m;
      keys[slot] = key;
      progress(c.rows);
    }
  };
  const storedLane = async (src: StoredSource) => {
    const ranges = Math.max(1, Math.ceil(src.total / src.chunkRows));
    const w = start();
    for (;;) {
      if (signal?.aborted) throw cancelled();
      const slot = slots++;
      if (slot >= ranges) return;
      // The last range is open-ended: rows past `total` (none, normally) are not lost.
      const { key, rows } = await w.read(slot * src.chunkRows, slot === ranges - 1 ? undefined : (slot + 1) * src.chunkRows);
      let m = await job.cache?.lookup(key);
      if (m) {
        cachedChunks++;
        w.dropRead();
      } else {
        m = await w.measureRead();
        job.cache?.set(key, m);
      }
      chunks[slot] = m;
      keys[slot] = key;
      progress(rows);
    }
  };
  try {
    const lanes = isStored(source) ? Math.min(nWorkers, Math.max(1, Math.ceil(source.total / source.chunkRows))) : Math.max(1, nWorkers);
    await Promise.all(Array.from({ length: lanes }, () => (isStored(source) ? storedLane(source) : recordsLane(source))));
    if (signal?.aborted) throw cancelled();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.close()));
  }
  job.onProgress?.(source.total, source.total);
  return { chunks, keys, cachedChunks, workers: workers.length };
}

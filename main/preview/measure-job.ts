// Dataset statistics over a whole source in worker threads: reads the source a chunk at a time (never all of it
// in memory), measures each chunk in a worker, with progress and cancel, and keeps each chunk's per-turn token
// counts under a content hash of (tokenizer, template, the options that change the turns, the chunk's records): a
// repeat, another cutoff or train_on_prompt, or a pass after one row was edited only tokenizes the chunks that
// changed. It does not encode on the calling thread when a worker can; it does not lay out lengths (turn-layout.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import type { TemplateEncoder } from '../templates/record-encoder.js';
import type { ChunkSetup } from '../tokenizer/tokenize-chunk.js';
import { measureChunk, type ChunkPayload, type TurnChunk } from './measure-chunk.js';

/** A source read in chunks, in order. `rows` counts the source rows a chunk consumed (excluded ones included). */
export interface MeasureSource {
  readonly total: number;
  next(): { readonly payload: ChunkPayload; readonly rows: number } | null;
}

/** Measured chunks by content hash, least recently used dropped past `maxRecords` records (~20 bytes each). */
export class MeasureCache {
  private readonly entries = new Map<string, TurnChunk>();
  private records = 0;
  constructor(private readonly maxRecords = 4_000_000) {}

  get(key: string): TurnChunk | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, chunk: TurnChunk): void {
    if (this.entries.has(key)) return;
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
  readonly cachedChunks: number;
  readonly workers: number;
}

/** Tokenizer hash, template, special tokens and the options that change the turns (not cutoffLen, trainOnPrompt). */
export function setupKeyOf(tokenizerSha256: string, setup: ChunkSetup): string {
  const { cutoffLen: _c, trainOnPrompt: _t, ...turnOptions } = setup.options;
  return `measure-v2\0${tokenizerSha256}\0${JSON.stringify(setup.template)}\0${JSON.stringify(setup.special)}\0${JSON.stringify(turnOptions)}`;
}

function chunkKey(setupKey: string, p: ChunkPayload): string {
  const h = createHash('sha256').update(setupKey);
  for (let i = 0; i < p.texts.length; i++) h.update(`\n${p.indexes[i]}\t`).update(p.texts[i]!);
  return h.digest('hex');
}

function defaultWorkerFile(): string | undefined {
  const p = join(dirname(fileURLToPath(import.meta.url)), 'measure-worker.js');
  return existsSync(p) ? p : undefined;
}

const cancelled = () => new LatheError('cancelled', 'Computing the dataset statistics was cancelled.');
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** One worker, one chunk at a time. */
class MeasureWorker {
  private readonly worker: Worker;
  private pending: { resolve(c: TurnChunk): void; reject(e: unknown): void } | undefined;
  private seq = 0;

  constructor(file: string, setup: ChunkSetup) {
    this.worker = new Worker(file, { workerData: setup });
    this.worker.on('message', (m: { result?: TurnChunk; error?: { code: string; message: string } }) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.error) p?.reject(new LatheError(m.error.code as 'internal', m.error.message));
      else p?.resolve(m.result!);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new LatheError('internal', `A statistics worker stopped (exit code ${code}).`)));
  }

  run(payload: ChunkPayload): Promise<TurnChunk> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ id: ++this.seq, payload });
    });
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

export async function measureSource(job: MeasureJob): Promise<MeasureResult> {
  const { source, signal } = job;
  if (signal?.aborted) throw cancelled();
  const file = job.workerFile ?? defaultWorkerFile();
  // The main thread never encodes when a worker can: even on two cores one worker keeps the app responsive.
  const nWorkers = file ? Math.max(1, Math.min(job.workers ?? availableParallelism() - 1, 8)) : 0;
  // Started at a lane's first cache miss: a fully cached pass starts no thread.
  const workers: MeasureWorker[] = [];
  const onAbort = () => workers.forEach((w) => w.fail(cancelled()));
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: TurnChunk[] = [];
  let slots = 0;
  let done = 0;
  let cachedChunks = 0;
  const lane = async () => {
    let w: MeasureWorker | undefined;
    for (;;) {
      if (signal?.aborted) throw cancelled();
      const c = source.next();
      if (!c) return;
      const slot = slots++;
      const key = chunkKey(job.setupKey, c.payload);
      let m = job.cache?.get(key);
      if (m) {
        cachedChunks++;
        // Reading and hashing are synchronous: let other work in between.
        await nextTick();
      } else {
        if (file) {
          if (!w) workers.push((w = new MeasureWorker(file, job.setup)));
          m = await w.run(c.payload);
        } else {
          await nextTick();
          m = measureChunk(job.encoder, job.setup.options, c.payload);
        }
        job.cache?.set(key, m);
      }
      chunks[slot] = m;
      done += c.rows;
      job.onProgress?.(Math.min(done, source.total), source.total);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, nWorkers) }, () => lane()));
    if (signal?.aborted) throw cancelled();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.close()));
  }
  job.onProgress?.(source.total, source.total);
  return { chunks, cachedChunks, workers: workers.length };
}

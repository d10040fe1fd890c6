// Hands an import's rows to a writer thread (row-write-thread.ts) so SQLite inserts run on the second core while this
// thread parses and validates. Chunks of rows are posted; at most MAX_IN_FLIGHT wait unacknowledged (memory stays
// bounded). It does not fall back by itself: the pipeline uses the in-thread ImportWriter when no compiled thread exists.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DatasetDto, Mapping, NormalisedRecord } from '../../preload/contract/datasets.js';
import type { SerializedError } from '../../preload/contract/define.js';
import { LatheError } from '../../preload/contract/errors.js';
import { CHUNK_ROWS, type WriterStats } from '../db/dataset-import-writer.js';
import { isPlainSingle } from './record-json.js';
import type { ToRowThread } from './row-write-thread.js';

const THREAD_FILE = fileURLToPath(new URL('./row-write-thread.js', import.meta.url));
const MAX_IN_FLIGHT = 2;

type FromRowThread =
  | { readonly type: 'ack' }
  | { readonly type: 'committed'; readonly dataset: DatasetDto; readonly stats: WriterStats }
  | { readonly type: 'rolledBack' }
  | { readonly type: 'error'; readonly error: SerializedError };

/** The compiled writer thread beside this module (the app, `lathe serve`, the CLI); absent when running from sources. */
export function rowThreadFile(): string | null {
  return fs.existsSync(THREAD_FILE) ? THREAD_FILE : null;
}

/** Writer threads still running: after a publish, one goes on checkpointing the WAL for a while. */
const running = new Set<Promise<void>>();

/**
 * Resolves once every writer thread has exited (an import worker waits for this before it ends, killing them);
 * `after`: first wait for that to settle (an import), whatever its outcome.
 */
export async function rowThreadsSettled(after?: Promise<unknown>): Promise<void> {
  await after?.catch(() => undefined);
  await Promise.all([...running]);
}

export class ThreadedRowSink {
  private rows: (number | string)[] = [];
  private inFlight = 0;
  private failure: LatheError | null = null;
  private waiting: (() => void) | null = null;
  private final: ((m: FromRowThread) => void) | null = null;
  private readonly worker: Worker;
  private readonly ended: Promise<void>;
  stats: WriterStats | null = null;

  constructor(file: string, dbFile: string, datasetId: number) {
    this.worker = new Worker(file, { workerData: { dbFile, datasetId } });
    this.worker.on('message', (m: FromRowThread) => {
      if (m.type === 'ack') this.inFlight--;
      else if (m.type === 'error') this.failure = LatheError.fromSerialized(m.error);
      else this.final?.(m);
      this.wake();
    });
    this.worker.on('error', (err) => ((this.failure ??= LatheError.from(err)), this.wake()));
    this.ended = new Promise((resolve) =>
      this.worker.on('exit', (code) => {
        this.failure ??= code === 0 ? null : new LatheError('internal', `The import's writer thread stopped unexpectedly (exit code ${code}); nothing was saved.`);
        this.final?.({ type: 'error', error: (this.failure ?? new LatheError('internal', 'The writer thread ended early.')).toJSON() });
        this.wake();
        resolve();
      }),
    );
    running.add(this.ended);
    void this.ended.then(() => running.delete(this.ended));
  }

  /**
   * Queues a record; the writer thread builds its JSON and hash (row-write-thread.ts). Three slots a row: a plain single
   * record as (sourceRow, instruction, output), anything else as (-1 - sourceRow, its JSON, 0).
   */
  add(sourceRow: number, record: NormalisedRecord): void {
    if (isPlainSingle(record)) this.rows.push(sourceRow, record.instruction, record.output);
    else this.rows.push(-1 - sourceRow, JSON.stringify(record), 0);
    if (this.rows.length >= CHUNK_ROWS * 3) this.post();
  }

  /** Waits while the writer is behind; throws what went wrong there. */
  async drain(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure) await new Promise<void>((r) => (this.waiting = r));
    if (this.failure) throw this.failure;
  }

  async commit(skipped: number, shape: string, sha256: string, mapping: Mapping): Promise<DatasetDto> {
    this.post();
    const m = await this.finish({ type: 'commit', skipped, shape, sha256, mapping });
    if (m.type === 'committed') {
      this.stats = m.stats;
      return m.dataset;
    }
    throw this.failure ?? new LatheError('internal', 'The import could not be saved.');
  }

  /** Asks the thread to remove what it wrote; resolves once it has (or has died: the caller then discards). */
  async rollback(): Promise<void> {
    this.rows = [];
    await this.finish({ type: 'rollback' });
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Posts the chunk as it is: joining its 4,000 JSONs into one string to clone fewer values was slower (measured). */
  private post(): void {
    if (this.rows.length === 0 || this.failure) return;
    const msg: ToRowThread = { type: 'rows', rows: this.rows };
    this.worker.postMessage(msg);
    this.rows = [];
    this.inFlight++;
  }

  private finish(msg: ToRowThread): Promise<FromRowThread> {
    const done = new Promise<FromRowThread>((resolve) => (this.final = resolve));
    this.worker.postMessage(msg);
    return Promise.race([done, this.ended.then((): FromRowThread => ({ type: 'error', error: (this.failure ?? new LatheError('internal', 'The writer thread ended.')).toJSON() }))]);
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}

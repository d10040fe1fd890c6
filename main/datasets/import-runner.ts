// Runs an import task off the main thread when the compiled worker is present (the app, `lathe serve`), or inline
// when running from TypeScript sources (tests) or when asked to (the CLI, whose thread blocks nothing).
// It does not decide what to import; the service does.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import type { WriterStats } from '../db/dataset-import-writer.js';
import type { DatasetsStore } from '../db/datasets-store.js';
import { discardImport } from './abandoned-imports.js';
import type { ImportProgress } from './import-pipeline.js';
import { runTask, type ImportTask, type ImportTaskResult, type WorkerToMain } from './import-task.js';
import { rowThreadsSettled } from './threaded-row-sink.js';

export interface RunningImport {
  readonly result: Promise<ImportTaskResult>;
  /**
   * Settles once the import's threads have exited (after the result, its writer thread checkpoints the WAL); inline,
   * once every writer thread of this process has.
   */
  readonly ended: Promise<void>;
  cancel(): void;
}

const WORKER_FILE = fileURLToPath(new URL('./import-worker.js', import.meta.url));

/**
 * The import worker's heap: a larger young generation than V8's default 16 MiB semi-spaces (whose sizing follows
 * maxYoungGenerationSizeMb). An import allocates a few short-lived objects per row and keeps a chunk (4,000 rows) alive
 * until it is written; with the default, scavenges copied those chunks over and over (GC was 15 % of a CSV import).
 */
export const IMPORT_WORKER_LIMITS = { maxYoungGenerationSizeMb: 96 } as const;

export function workerAvailable(): boolean {
  return fs.existsSync(WORKER_FILE);
}

export interface RunnerOptions {
  readonly store: DatasetsStore;
  readonly dbFile: string;
  readonly useWorker: boolean;
  /** The worker script; default: the compiled import-worker.js beside this module. */
  readonly workerFile?: string;
}

/** `onWritten`: how the rows were written (write transactions, lock hold times), once the dataset is published. */
export function startImport(opts: RunnerOptions, task: ImportTask, onProgress: (p: ImportProgress) => void, onWritten?: (stats: WriterStats) => void): RunningImport {
  const workerFile = opts.workerFile ?? WORKER_FILE;
  if (opts.useWorker && fs.existsSync(workerFile)) return inWorker(opts.store, workerFile, opts.dbFile, task, onProgress, onWritten);
  const ac = new AbortController();
  const result = runTask(opts.store, task, { signal: ac.signal, onProgress, ...(onWritten ? { onWritten } : {}) });
  return { result, ended: rowThreadsSettled(result), cancel: () => ac.abort() };
}

function inWorker(store: DatasetsStore, workerFile: string, dbFile: string, task: ImportTask, onProgress: (p: ImportProgress) => void, onWritten?: (stats: WriterStats) => void): RunningImport {
  const worker = new Worker(workerFile, { workerData: { dbFile, task }, resourceLimits: IMPORT_WORKER_LIMITS });
  // Unfinished datasets the worker started; if it dies without finishing them, this thread removes them.
  const started: number[] = [];
  const result = new Promise<ImportTaskResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'dataset') started.push(m.datasetId);
      else if (m.type === 'written') onWritten?.(m.stats);
      else if (m.type === 'done') ((settled = true), resolve(m.result));
      else ((settled = true), reject(LatheError.fromSerialized(m.error)));
    });
    worker.on('error', (err) => ((settled = true), reject(LatheError.from(err))));
    worker.on('exit', (code) => {
      if (settled) return;
      const fail = () => reject(new LatheError('internal', `The import worker stopped unexpectedly (exit code ${code}); nothing was saved.`));
      Promise.all(started.map((id) => discardImport(store, id))).then(fail, fail);
    });
  });
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { result, ended, cancel: () => worker.postMessage({ type: 'cancel' }) };
}

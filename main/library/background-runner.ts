// Runs a background task (background-task.ts) in a worker thread when the compiled worker is present (the app,
// `lathe serve`), or inline when running from TypeScript sources (tests) or when asked to (the CLI, whose thread
// blocks nothing). Cancel through the signal either way.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatheError } from '../../preload/contract/errors.js';
import type { DownloadResult, DownloadSnapshot } from '../hub/downloader.js';
import { runDownloadTask, runHashTask, type DownloadTask, type HashTask, type WorkerToMain } from './background-task.js';
import type { FileHashes } from './integrity-check.js';

const WORKER_FILE = fileURLToPath(new URL('./download-worker.js', import.meta.url));

export function workerAvailable(): boolean {
  return fs.existsSync(WORKER_FILE);
}

export interface RunOptions {
  readonly useWorker: boolean;
  readonly signal: AbortSignal;
  readonly onProgress?: (s: DownloadSnapshot) => void;
}

export function runDownload(task: DownloadTask, o: RunOptions): Promise<DownloadResult> {
  if (o.useWorker && workerAvailable()) return inWorker(task, o) as Promise<DownloadResult>;
  return runDownloadTask(task, o);
}

export function runHash(task: HashTask, o: RunOptions): Promise<FileHashes> {
  if (o.useWorker && workerAvailable()) return inWorker(task, o) as Promise<FileHashes>;
  return runHashTask(task, o);
}

function inWorker(task: DownloadTask | HashTask, o: RunOptions): Promise<unknown> {
  const worker = new Worker(WORKER_FILE, { workerData: task });
  const onAbort = () => worker.postMessage({ type: 'cancel' });
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort();
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'progress') o.onProgress?.(m.snapshot);
      else if (m.type === 'done') ((settled = true), resolve(m.result));
      else ((settled = true), reject(LatheError.fromSerialized(m.error)));
    });
    worker.on('error', (err) => ((settled = true), reject(LatheError.from(err))));
    worker.on('exit', (code) => {
      o.signal.removeEventListener('abort', onAbort);
      if (!settled) reject(new LatheError('internal', `The download worker stopped unexpectedly (exit code ${code}). Start the download again to resume.`));
    });
  });
}

// The heavy parts of the library — downloading (network + hashing every byte) and hashing whole models for a full
// check — as plain async functions, so they run the same inline (tests, the CLI) or in a worker thread (the app,
// `lathe serve`: download-worker.ts). Message types for the worker live here too. No DB, no events.
import type { SerializedError } from '../../preload/contract/define.js';
import type { ExpectedFile } from '../db/library-store.js';
import { downloadFiles, type DownloadResult, type DownloadSnapshot, type FileProgress } from '../hub/downloader.js';
import { HfClient } from '../hub/hf-client.js';
import type { RetryPolicy } from '../hub/hub-http.js';
import type { HubFile, HubSource } from '../hub/hub-types.js';
import { ModelScopeClient } from '../hub/modelscope-client.js';
import { hashFile, type FileHashes } from './integrity-check.js';

export interface DownloadTask {
  readonly type: 'download';
  readonly source: HubSource;
  readonly endpoint: string;
  /** Held in memory only; never logged. */
  readonly token: string | null;
  readonly retry: RetryPolicy;
  readonly repo: string;
  readonly revision: string;
  readonly files: readonly HubFile[];
  readonly dir: string;
  readonly concurrency: number;
}

export interface HashTask {
  readonly type: 'hash';
  readonly path: string;
  readonly file: ExpectedFile;
}

export type BackgroundTask = DownloadTask | HashTask;

export type MainToWorker = { type: 'cancel' };
export type WorkerToMain =
  | { type: 'progress'; snapshot: DownloadSnapshot }
  | { type: 'done'; result: DownloadResult | FileHashes }
  | { type: 'error'; error: SerializedError };

export interface TaskHooks {
  readonly signal: AbortSignal;
  readonly onProgress?: (s: DownloadSnapshot) => void;
}

export function runDownloadTask(t: DownloadTask, hooks: TaskHooks): Promise<DownloadResult> {
  const client = t.source === 'hf' ? new HfClient(t.endpoint, t.token, t.retry) : new ModelScopeClient(t.endpoint, t.token, t.retry);
  return downloadFiles(client, t.repo, t.revision, t.files, t.dir, { concurrency: t.concurrency, retry: t.retry, signal: hooks.signal, keepExisting: true, onProgress: hooks.onProgress });
}

export function runHashTask(t: HashTask, hooks: TaskHooks): Promise<FileHashes> {
  return hashFile(t.path, t.file, hooks.signal);
}

/**
 * Coalesces snapshots: the downloader reports every chunk; across a thread boundary one message per interval is
 * plenty. Files changed in between are merged, so none is lost.
 */
export class SnapshotCoalescer {
  private last: DownloadSnapshot | undefined;
  private readonly changed = new Map<string, FileProgress>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (s: DownloadSnapshot) => void,
  ) {}

  push(s: DownloadSnapshot): void {
    this.last = s;
    for (const f of s.changed) this.changed.set(f.path, f);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.last) return;
    this.send({ ...this.last, changed: [...this.changed.values()] });
    this.changed.clear();
    this.last = undefined;
  }
}

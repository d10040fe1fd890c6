// Downloads the files of one repository revision into a folder: several files at once (4 by default), each
// resumable and verified (file-download.ts), retried with backoff, cancellable, with per-file and overall
// progress (bytes, speed, ETA). Does not decide which files (file-selection.ts) nor record anything in the DB.
import fs from 'node:fs/promises';
import { LatheError } from '../../preload/contract/errors.js';
import { resolveInside } from '../workspace/safe-path.js';
import { downloadAttempt, PartState } from './file-download.js';
import { cancelled, DEFAULT_RETRY, isAbort, reasonOf, withRetry, type RetryPolicy } from './hub-http.js';
import type { HubClient, HubFile } from './hub-types.js';
import { ProgressMeter } from './progress-meter.js';

export type FileState = 'queued' | 'downloading' | 'retrying' | 'done' | 'skipped' | 'failed';

export interface FileProgress {
  readonly path: string;
  readonly state: FileState;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  readonly speedBps: number;
  readonly etaSeconds: number | null;
  readonly attempt: number;
  readonly message: string | null;
  readonly messageCode?: (typeof DOWNLOADER_CODES)[number];
  readonly messageParams?: Readonly<Record<string, string | number>>;
}

/** Codes of the files' messages (the renderer has a `main.<code>` text for each; a test checks). */
export const DOWNLOADER_CODES = ['download.retrying'] as const;

export interface DownloadSnapshot {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly speedBps: number;
  readonly etaSeconds: number | null;
  readonly filesDone: number;
  readonly fileCount: number;
  /** Only the files whose progress changed since the previous snapshot. */
  readonly changed: readonly FileProgress[];
}

export interface DownloadOptions {
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Called on every chunk; callers throttle (main/ipc/throttle.ts). */
  readonly onProgress?: (s: DownloadSnapshot) => void;
  /** A whole file already in place with the listed size is kept (files are only ever renamed in when verified). */
  readonly keepExisting?: boolean;
  /** Drop and retry a connection that sends nothing for this long (default 60 s). */
  readonly stallTimeoutMs?: number;
  readonly now?: () => number;
}

export interface DownloadResult {
  readonly files: readonly { path: string; bytes: number; sha256: string | null; skipped: boolean }[];
  readonly bytes: number;
  readonly retries: number;
}

interface Tracked {
  file: HubFile;
  state: FileState;
  done: number;
  attempt: number;
  message: string | null;
  retry: { attempt: number; reason: string; seconds: string } | null;
  meter: ProgressMeter;
}

export async function downloadFiles(client: HubClient, repo: string, revision: string, files: readonly HubFile[], dir: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const now = opts.now ?? Date.now;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) inner.abort();
  const signal = inner.signal;

  const tracked: Tracked[] = files.map((file) => ({ file, state: 'queued', done: 0, attempt: 0, message: null, retry: null, meter: new ProgressMeter() }));
  const overall = new ProgressMeter();
  const total = files.reduce((s, f) => s + (f.size ?? 0), 0);
  const dirty = new Set<Tracked>(tracked);
  let retries = 0;

  const bytesDone = () => tracked.reduce((s, t) => s + t.done, 0);
  const report = () => {
    const t = now();
    const doneBytes = bytesDone();
    overall.sample(t, doneBytes);
    const changed = [...dirty].map((x) => progressOf(x));
    dirty.clear();
    opts.onProgress?.({
      bytesDone: doneBytes,
      bytesTotal: total,
      speedBps: overall.speed(),
      etaSeconds: overall.eta(total - doneBytes),
      filesDone: tracked.filter((x) => x.state === 'done' || x.state === 'skipped').length,
      fileCount: tracked.length,
      changed,
    });
  };
  const touch = (x: Tracked) => {
    x.meter.sample(now(), x.done);
    dirty.add(x);
    report();
  };

  const results: DownloadResult['files'][number][] = [];
  let next = 0;
  let failure: unknown;

  const runOne = async (x: Tracked) => {
    const dest = resolveInside(dir, ...x.file.path.split('/'));
    if (opts.keepExisting && x.file.size !== null) {
      const size = await fs.stat(dest).then((s) => s.size, () => -1);
      if (size === x.file.size) {
        x.state = 'skipped';
        x.done = size;
        touch(x);
        results.push({ path: x.file.path, bytes: size, sha256: null, skipped: true });
        return;
      }
    }
    const state = new PartState(x.file);
    x.state = 'downloading';
    touch(x);
    const job = { file: x.file, url: client.fileUrl(repo, revision, x.file.path), dest, repo, headers: client.headers(), stallTimeoutMs: opts.stallTimeoutMs };
    const r = await withRetry(
      (attempt) => {
        x.attempt = attempt;
        if (attempt > 1) {
          x.state = 'downloading';
          touch(x);
        }
        return downloadAttempt(
          job,
          state,
          (delta) => {
            x.done += delta;
            touch(x);
          },
          signal,
        );
      },
      retry,
      signal,
      (n) => {
        retries++;
        x.state = 'retrying';
        const seconds = (n.delayMs / 1000).toFixed(1);
        x.retry = { attempt: n.attempt, reason: n.reason, seconds };
        x.message = `Attempt ${n.attempt} failed (${n.reason}); retrying in ${seconds} s.`;
        touch(x);
      },
    );
    x.state = 'done';
    x.message = null;
    x.retry = null;
    x.done = r.bytes;
    touch(x);
    results.push({ path: x.file.path, bytes: r.bytes, sha256: r.sha256, skipped: false });
  };

  const worker = async () => {
    while (!signal.aborted) {
      const x = tracked[next++];
      if (!x) return;
      try {
        await runOne(x);
      } catch (err) {
        x.state = 'failed';
        x.message = LatheError.from(err).message;
        x.retry = null;
        touch(x);
        failure ??= err;
        inner.abort();
        return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, tracked.length || 1)) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (opts.signal?.aborted) throw cancelled();
  if (failure !== undefined) throw toLatheError(failure);
  return { files: results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), bytes: bytesDone(), retries };
}

function progressOf(x: Tracked): FileProgress {
  const total = x.file.size;
  return {
    path: x.file.path,
    state: x.state,
    bytesDone: x.done,
    bytesTotal: total,
    speedBps: x.state === 'downloading' ? x.meter.speed() : 0,
    etaSeconds: total === null ? null : x.state === 'done' || x.state === 'skipped' ? 0 : x.meter.eta(total - x.done),
    attempt: x.attempt,
    message: x.message,
    ...(x.retry ? { messageCode: 'download.retrying' as const, messageParams: x.retry } : {}),
  };
}

function toLatheError(err: unknown): LatheError {
  if (err instanceof LatheError) return err;
  if (isAbort(err)) return cancelled();
  return new LatheError('io_error', `The download failed after several attempts: ${reasonOf(err)}. Start it again to resume.`);
}

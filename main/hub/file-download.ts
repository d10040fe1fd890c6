// Downloads ONE file of a repository: resumable (the bytes so far stay in `<name>.part` and an HTTP Range request
// asks for the rest), hashed while it is written, verified against the hub's size and SHA-256 (or git blob SHA-1)
// and renamed into place only when whole. Retries are the caller's policy (withRetry); this does one attempt.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { HubFile } from './hub-types.js';
import { CorruptDownloadError, RetryableHttpError, cancelled, hubGet, statusError } from './hub-http.js';

export const PART_SUFFIX = '.part';

export interface FileJob {
  readonly file: HubFile;
  readonly url: string;
  readonly dest: string;
  readonly repo: string;
  readonly headers: Record<string, string>;
  /** An attempt that receives nothing for this long is dropped and retried (resuming). Default 60 s. */
  readonly stallTimeoutMs?: number;
}

export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** Hash state of the `.part` file, kept across attempts so a resume does not re-read what is already hashed. */
export class PartState {
  bytes = 0;
  sha256: Hash = createHash('sha256');
  sha1: Hash | null = null;

  constructor(private readonly file: HubFile) {
    this.reset();
  }

  reset(): void {
    this.bytes = 0;
    this.sha256 = createHash('sha256');
    this.sha1 = this.file.gitSha1 && this.file.size !== null ? createHash('sha1').update(`blob ${this.file.size}\0`) : null;
  }

  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.sha1?.update(chunk);
    this.bytes += chunk.byteLength;
  }
}

export interface AttemptResult {
  readonly bytes: number;
  readonly sha256: string;
}

/** Strips `W/` and quotes from an ETag; returns a SHA-256 only when it is one (HF: X-Linked-Etag of LFS files). */
export function sha256FromEtag(res: Response): string | null {
  const raw = res.headers.get('x-linked-etag') ?? res.headers.get('etag');
  if (!raw) return null;
  const v = raw.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(v) ? v : null;
}

async function sizeOf(p: string): Promise<number> {
  try {
    return (await fs.stat(p)).size;
  } catch {
    return 0;
  }
}

/** Re-reads the `.part` file into the hashers when they do not already cover exactly its bytes. */
async function syncState(part: string, state: PartState, signal?: AbortSignal): Promise<void> {
  const onDisk = await sizeOf(part);
  if (onDisk === state.bytes) return;
  state.reset();
  if (onDisk === 0) return;
  for await (const chunk of createReadStream(part, { signal })) state.update(chunk as Buffer);
}

/**
 * One attempt at one file. `onBytes(n)` reports bytes newly on disk (negative when a stale part is discarded).
 * Throws RetryableHttpError / network errors (retry), CorruptDownloadError (bytes deleted; retry) or LatheError.
 * A connection that goes quiet (a stalled mirror keeps it open and sends nothing) is dropped after
 * `stallTimeoutMs` and reported as retryable, so the next attempt resumes from the bytes on disk.
 */
export async function downloadAttempt(job: FileJob, state: PartState, onBytes: (delta: number) => void, signal?: AbortSignal): Promise<AttemptResult> {
  const idleMs = job.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const attempt = new AbortController();
  const onOuter = () => attempt.abort();
  signal?.addEventListener('abort', onOuter, { once: true });
  if (signal?.aborted) attempt.abort();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      attempt.abort();
    }, idleMs);
  };
  try {
    arm();
    return await attemptOnce(job, state, onBytes, attempt.signal, arm);
  } catch (err) {
    if (stalled && !signal?.aborted) throw new RetryableHttpError(0, `${job.file.path}: no data for ${(idleMs / 1000).toFixed(idleMs < 10_000 ? 1 : 0)} s; reconnecting`);
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onOuter);
  }
}

async function attemptOnce(job: FileJob, state: PartState, onBytes: (delta: number) => void, signal: AbortSignal, onActivity: () => void): Promise<AttemptResult> {
  const part = job.dest + PART_SUFFIX;
  await fs.mkdir(path.dirname(job.dest), { recursive: true });
  const before = state.bytes;
  await syncState(part, state, signal);
  if (state.bytes !== before) onBytes(state.bytes - before);
  if (job.file.size !== null && state.bytes > job.file.size) {
    await discard(part, state, onBytes);
  }

  const headers: Record<string, string> = { ...job.headers };
  // Identity encoding: Range offsets and Content-Length must count the file's bytes, not a compressed stream's.
  headers['Accept-Encoding'] = 'identity';
  if (state.bytes > 0) headers.Range = `bytes=${state.bytes}-`;
  const res = await hubGet(job.url, headers, signal);
  onActivity();
  let etagSha: string | null = null;

  if (res.status === 416 && state.bytes > 0) {
    // Asked past the end: the part is already whole (or the file shrank); verification below decides.
    await res.body?.cancel();
  } else {
    if (res.status === 200 && state.bytes > 0) {
      // The server ignored the range: start over from byte 0.
      await discard(part, state, onBytes);
    } else if (res.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] ?? NaN);
      if (start !== state.bytes) {
        await res.body?.cancel();
        await discard(part, state, onBytes);
        throw new RetryableHttpError(206, `${job.file.path}: the server resumed at byte ${start}, not ${state.bytes}`);
      }
    } else if (!res.ok) {
      await res.body?.cancel();
      throw statusError(res.status, `${job.file.path} of ${job.repo}`, job.repo, 'Authorization' in job.headers, res.headers);
    }
    etagSha = sha256FromEtag(res);
    if (!res.body) throw new RetryableHttpError(res.status, `${job.file.path}: empty answer`);
    await appendBody(res.body, part, state, onBytes, signal, onActivity);
  }

  const expectedSize = job.file.size;
  const expectedSha = job.file.sha256 ?? etagSha;
  const sha256 = state.sha256.copy().digest('hex');
  const problem =
    expectedSize !== null && state.bytes !== expectedSize
      ? `has ${state.bytes} bytes where the hub lists ${expectedSize}`
      : expectedSha && sha256 !== expectedSha
        ? `has SHA-256 ${sha256.slice(0, 12)}… where the hub lists ${expectedSha.slice(0, 12)}…`
        : job.file.gitSha1 && state.sha1 && state.sha1.copy().digest('hex') !== job.file.gitSha1
          ? `does not match the hub's git blob id ${job.file.gitSha1.slice(0, 12)}…`
          : null;
  if (problem) {
    await discard(part, state, onBytes);
    throw new CorruptDownloadError(`${job.file.path} ${problem}; it was deleted and will be fetched again`);
  }
  await fs.rename(part, job.dest);
  return { bytes: state.bytes, sha256 };
}

async function discard(part: string, state: PartState, onBytes: (delta: number) => void): Promise<void> {
  await fs.rm(part, { force: true });
  if (state.bytes) onBytes(-state.bytes);
  state.reset();
}

/** Bytes gathered before one write: fewer, larger writes cost less than one per network chunk (16–64 KiB). */
const WRITE_BATCH = 1024 * 1024;

/** Appends the body to the part file, hashing exactly what reached the disk. */
async function appendBody(body: ReadableStream<Uint8Array>, part: string, state: PartState, onBytes: (delta: number) => void, signal: AbortSignal, onActivity: () => void): Promise<void> {
  const fh = await fs.open(part, state.bytes > 0 ? 'a' : 'w');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    let off = 0;
    while (off < buf.byteLength) off += (await fh.write(buf, off, buf.byteLength - off)).bytesWritten;
    state.update(buf);
    onBytes(buf.byteLength);
  };
  try {
    for await (const chunk of Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>, { signal })) {
      onActivity();
      pending.push(chunk as Buffer);
      pendingBytes += (chunk as Buffer).byteLength;
      if (pendingBytes >= WRITE_BATCH) await flush();
    }
    await flush();
  } catch (err) {
    // Bytes that arrived before a dropped connection are good: keep them for the resume.
    await flush().catch(() => undefined);
    if (signal.aborted) throw cancelled();
    throw err;
  } finally {
    await fh.close();
  }
}

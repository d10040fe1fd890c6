// SHA-256, size and name of a source file: how a dataset remembers where it came from and spots re-imports.
// It does not read the file's content as data.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { throwIfAborted } from './readers/decoded-text.js';

export interface Fingerprint {
  readonly sha256: string;
  readonly size: number;
  readonly name: string;
}

/**
 * Files at least this large are hashed on a thread of their own: an import fingerprints its file beside reading it,
 * and SHA-256 of a 180 MiB file is ~0.15–0.2 s of the importing thread's CPU (scripts/bench/datasets-README.md);
 * below it, starting the thread costs more than it saves.
 */
const THREAD_MIN_BYTES = 16 << 20;

/** The hashing thread: plain CommonJS (an eval worker needs no file beside the bundle). */
const HASH_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const hash = crypto.createHash('sha256');
const buf = Buffer.allocUnsafe(1 << 20);
const fd = fs.openSync(workerData.file, 'r');
let size = 0;
try {
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    hash.update(n === buf.length ? buf : buf.subarray(0, n));
    size += n;
  }
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage({ sha256: hash.digest('hex'), size });
`;

/**
 * Reads the file once in 1 MiB chunks. `onChunk` sees every chunk in order, for a caller that needs another pass's
 * worth of work from the same bytes (row-offset-index.ts finds row starts). Without `onChunk`, a large file is hashed
 * on its own thread (the same digest; a failure there is retried here, where it throws as it would have).
 */
export async function fingerprint(file: string, signal?: AbortSignal, onChunk?: (chunk: Buffer) => void): Promise<Fingerprint> {
  if (!onChunk) {
    throwIfAborted(signal);
    const size = await fs.promises.stat(file).then((s) => s.size, () => -1);
    if (size >= THREAD_MIN_BYTES) {
      const r = await hashOnThread(file, signal);
      if (r) return { ...r, name: path.basename(file) };
    }
  }
  const hash = crypto.createHash('sha256');
  let size = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      hash.update(chunk);
      onChunk?.(chunk);
      size += chunk.length;
    }
  } finally {
    stream.destroy();
  }
  return { sha256: hash.digest('hex'), size, name: path.basename(file) };
}

/** The digest from a hashing thread; null when that thread failed (the caller hashes here instead). Abort stops it. */
function hashOnThread(file: string, signal: AbortSignal | undefined): Promise<{ sha256: string; size: number } | null> {
  return new Promise((resolve, reject) => {
    try {
      throwIfAborted(signal); // aborted while the file was stat'ed
    } catch (err) {
      reject(err);
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(HASH_THREAD, { eval: true, workerData: { file } });
    } catch {
      resolve(null);
      return;
    }
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => {
      void worker.terminate();
      settle(() => {
        try {
          throwIfAborted(signal);
        } catch (err) {
          reject(err);
        }
      });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: { sha256: string; size: number }) => settle(() => resolve(m)));
    worker.once('error', () => settle(() => resolve(null)));
    worker.once('exit', () => settle(() => resolve(null)));
  });
}

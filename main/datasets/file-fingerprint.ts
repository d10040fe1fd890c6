// SHA-256, size and name of a source file: how a dataset remembers where it came from and spots re-imports.
// It does not read the file's content as data.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { throwIfAborted } from './readers/decoded-text.js';

export interface Fingerprint {
  readonly sha256: string;
  readonly size: number;
  readonly name: string;
}

/**
 * Reads the file once in 1 MiB chunks. `onChunk` sees every chunk in order, for a caller that needs another pass's
 * worth of work from the same bytes (row-offset-index.ts finds row starts).
 */
export async function fingerprint(file: string, signal?: AbortSignal, onChunk?: (chunk: Buffer) => void): Promise<Fingerprint> {
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

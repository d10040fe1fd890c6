// Reads a text file as decoded string chunks (BOM stripped) with progress and cancellation.
// It does not split lines or records; the format readers do.
import fs from 'node:fs';
import { LatheError } from '../../../preload/contract/errors.js';

export const CHUNK_BYTES = 1 << 20;

/** The first `n` bytes of a file. */
export async function readHead(file: string, n: number): Promise<Uint8Array> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface DecodeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesRead: number) => void;
}

/** Yields the file's text in chunks of about 1 MiB; a BOM matching `encoding` is dropped by TextDecoder. */
export async function* decodedChunks(file: string, encoding: string, opts: DecodeOptions = {}): AsyncGenerator<string> {
  const decoder = textDecoder(encoding);
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(opts.signal);
      bytes += chunk.length;
      opts.onProgress?.(bytes);
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const tail = decoder.decode();
    if (tail) yield tail;
  } finally {
    stream.destroy();
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LatheError('cancelled', 'The import was cancelled.');
}

/** The bytes 0x80–0x9F of Windows-1252 (Node 20's TextDecoder decodes that label as Latin-1: C1 controls there). */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export interface ChunkDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** A TextDecoder, except that Windows-1252 is decoded by its real table. */
export function textDecoder(encoding: string): ChunkDecoder {
  if (encoding !== 'windows-1252') return new TextDecoder(encoding);
  return {
    decode(input?: Uint8Array): string {
      if (!input) return '';
      return Buffer.from(input.buffer, input.byteOffset, input.byteLength)
        .toString('latin1')
        .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
    },
  };
}

/** Decodes a whole buffer (a sample, a small file). */
export function decodeAll(bytes: Uint8Array, encoding: string): string {
  return textDecoder(encoding).decode(bytes);
}

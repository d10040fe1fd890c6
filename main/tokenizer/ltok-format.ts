// The `.ltok` tokenized-dataset file (native/docs/tokenized-dataset.md, version 1): encode from per-record ids and
// masks, and a checking reader for tests and tools. Little-endian; 128-byte header; SHA-256 of the body.
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

export const LTOK_MAGIC = 'LATHETOK';
export const LTOK_VERSION = 1;
export const LTOK_HEADER_BYTES = 128;

export interface LtokRecord {
  readonly ids: ArrayLike<number>;
  /** 1 = trained (label is the token itself), 0 = masked (label -100). */
  readonly mask: ArrayLike<number>;
}

/** u16 ids when the whole vocabulary fits, else u32. */
export function tokenBytesFor(vocabSize: number): 2 | 4 {
  return vocabSize <= 65536 ? 2 : 4;
}

export function encodeLtok(records: readonly LtokRecord[], vocabSize: number): Buffer {
  const tb = tokenBytesFor(vocabSize);
  const n = records.length;
  let nTokens = 0;
  for (const r of records) nTokens += r.ids.length;
  const offsetsBytes = 8 * (n + 1);
  const bodyBytes = offsetsBytes + tb * nTokens + nTokens;
  const buf = Buffer.alloc(LTOK_HEADER_BYTES + bodyBytes);
  buf.write(LTOK_MAGIC, 0, 'ascii');
  buf.writeUInt32LE(LTOK_VERSION, 8);
  buf.writeUInt32LE(tb, 12);
  buf.writeBigUInt64LE(BigInt(n), 16);
  buf.writeBigUInt64LE(BigInt(nTokens), 24);
  buf.writeUInt32LE(vocabSize, 32);
  buf.writeUInt32LE(0, 36);
  let off = LTOK_HEADER_BYTES;
  let acc = 0;
  buf.writeBigUInt64LE(0n, off);
  for (let i = 0; i < n; i++) {
    acc += records[i]!.ids.length;
    buf.writeBigUInt64LE(BigInt(acc), off + 8 * (i + 1));
  }
  off += offsetsBytes;
  const tokView = tb === 2 ? new Uint16Array(nTokens) : new Uint32Array(nTokens);
  const mask = new Uint8Array(nTokens);
  let t = 0;
  for (const r of records) {
    for (let k = 0; k < r.ids.length; k++) {
      const id = r.ids[k]!;
      if (id < 0 || id >= vocabSize) throw new Error(`token id ${id} outside the vocabulary (${vocabSize})`);
      tokView[t] = id;
      mask[t] = r.mask[k] ? 1 : 0;
      t++;
    }
  }
  // Typed arrays are platform-endian; every platform Lathe ships on is little-endian, as the format requires.
  Buffer.from(tokView.buffer, tokView.byteOffset, tokView.byteLength).copy(buf, off);
  off += tokView.byteLength;
  Buffer.from(mask.buffer).copy(buf, off);
  createHash('sha256').update(buf.subarray(LTOK_HEADER_BYTES)).digest().copy(buf, 40);
  return buf;
}

export interface LtokFile {
  readonly tokenBytes: 2 | 4;
  readonly vocabSize: number;
  readonly offsets: readonly number[];
  readonly tokens: Uint16Array | Uint32Array;
  readonly mask: Uint8Array;
}

/** Reads and checks a .ltok file, naming the first check that fails (as the engine's reader must). */
export function decodeLtok(buf: Buffer): LtokFile {
  if (buf.length < LTOK_HEADER_BYTES || buf.toString('ascii', 0, 8) !== LTOK_MAGIC) throw new Error('ltok: bad magic');
  if (buf.readUInt32LE(8) !== LTOK_VERSION) throw new Error(`ltok: unsupported version ${buf.readUInt32LE(8)}`);
  const tb = buf.readUInt32LE(12);
  if (tb !== 2 && tb !== 4) throw new Error(`ltok: bad token_bytes ${tb}`);
  const n = Number(buf.readBigUInt64LE(16));
  const nTokens = Number(buf.readBigUInt64LE(24));
  const want = LTOK_HEADER_BYTES + 8 * (n + 1) + tb * nTokens + nTokens;
  if (buf.length !== want) throw new Error(`ltok: file size ${buf.length}, header says ${want}`);
  const sum = createHash('sha256').update(buf.subarray(LTOK_HEADER_BYTES)).digest();
  if (!sum.equals(buf.subarray(40, 72))) throw new Error('ltok: checksum mismatch');
  const offsets: number[] = [];
  for (let i = 0; i <= n; i++) offsets.push(Number(buf.readBigUInt64LE(LTOK_HEADER_BYTES + 8 * i)));
  if (offsets[0] !== 0 || offsets[n] !== nTokens || offsets.some((o, i) => i > 0 && o < offsets[i - 1]!)) throw new Error('ltok: bad offsets');
  const tokStart = LTOK_HEADER_BYTES + 8 * (n + 1);
  const raw = Uint8Array.from(buf.subarray(tokStart, tokStart + tb * nTokens));
  const tokens = tb === 2 ? new Uint16Array(raw.buffer) : new Uint32Array(raw.buffer);
  const mask = Uint8Array.from(buf.subarray(tokStart + tb * nTokens));
  return { tokenBytes: tb, vocabSize: buf.readUInt32LE(32), offsets, tokens, mask };
}

/** Records encoded by one worker: lengths, ids and masks laid end to end. */
export interface LtokChunk {
  readonly lengths: Int32Array;
  readonly ids: Uint32Array;
  readonly mask: Uint8Array;
}

/** Streams chunks (in order) to a .ltok file without holding a second copy; same bytes as encodeLtok. */
export function writeLtokFile(path: string, chunks: readonly LtokChunk[], vocabSize: number): { bytes: number; sha256: string } {
  const tb = tokenBytesFor(vocabSize);
  let n = 0;
  let nTokens = 0;
  for (const c of chunks) {
    n += c.lengths.length;
    nTokens += c.ids.length;
  }
  const header = Buffer.alloc(LTOK_HEADER_BYTES);
  header.write(LTOK_MAGIC, 0, 'ascii');
  header.writeUInt32LE(LTOK_VERSION, 8);
  header.writeUInt32LE(tb, 12);
  header.writeBigUInt64LE(BigInt(n), 16);
  header.writeBigUInt64LE(BigInt(nTokens), 24);
  header.writeUInt32LE(vocabSize, 32);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    const offsets = new BigUint64Array(n + 1);
    let acc = 0;
    let i = 0;
    for (const c of chunks) for (const len of c.lengths) offsets[++i] = BigInt((acc += len));
    const ob = Buffer.from(offsets.buffer);
    hash.update(ob);
    writeSync(fd, ob);
    for (const c of chunks) {
      for (const id of c.ids) if (id >= vocabSize) throw new Error(`token id ${id} outside the vocabulary (${vocabSize})`);
      const arr = tb === 2 ? Uint16Array.from(c.ids) : c.ids;
      const b = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
      hash.update(b);
      writeSync(fd, b);
    }
    for (const c of chunks) {
      const b = Buffer.from(c.mask.buffer, c.mask.byteOffset, c.mask.byteLength);
      hash.update(b);
      writeSync(fd, b);
    }
    const sum = hash.digest();
    writeSync(fd, sum, 0, 32, 40);
    return { bytes: LTOK_HEADER_BYTES + ob.length + tb * nTokens + nTokens, sha256: sum.toString('hex') };
  } finally {
    closeSync(fd);
  }
}

// Random access to the entries of a .zip file (the container of .xlsx): reads the central directory (ZIP64 too) and
// streams one entry, inflated, without touching the others. It does not write zips or handle encryption.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

export class ZipError extends Error {}

async function readAt(fh: fs.promises.FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

/** The entries of the zip, keyed by name. */
export async function readZipDirectory(file: string): Promise<Map<string, ZipEntry>> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 65557);
    const tail = await readAt(fh, size - tailLen, tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new ZipError('not a zip archive (no end-of-central-directory record)');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || count === 0xffff || cdSize === 0xffffffff) {
      // ZIP64: the locator sits just before the EOCD record and points at the ZIP64 EOCD record.
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw new ZipError('ZIP64 archive without its locator');
      const rec = await readAt(fh, Number(tail.readBigUInt64LE(loc + 8)), 56);
      if (rec.readUInt32LE(0) !== 0x06064b50) throw new ZipError('bad ZIP64 end-of-central-directory record');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries = new Map<string, ZipEntry>();
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw new ZipError('damaged central directory');
      const method = cd.readUInt16LE(at + 10);
      let compressedSize = cd.readUInt32LE(at + 20);
      let uncompressedSize = cd.readUInt32LE(at + 24);
      const nameLen = cd.readUInt16LE(at + 28);
      const extraLen = cd.readUInt16LE(at + 30);
      const commentLen = cd.readUInt16LE(at + 32);
      let localHeaderOffset = cd.readUInt32LE(at + 42);
      const name = cd.toString('utf8', at + 46, at + 46 + nameLen);
      // ZIP64 extended information: present fields follow in this order, only for values that overflowed.
      let x = at + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = cd.readUInt16LE(x);
        const len = cd.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let p = x + 4;
          if (uncompressedSize === 0xffffffff) (uncompressedSize = Number(cd.readBigUInt64LE(p)), (p += 8));
          if (compressedSize === 0xffffffff) (compressedSize = Number(cd.readBigUInt64LE(p)), (p += 8));
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(p));
        }
        x += 4 + len;
      }
      entries.set(name, { name, method, compressedSize, uncompressedSize, localHeaderOffset });
      at += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** A stream of the entry's uncompressed bytes; `onRaw` sees how many compressed bytes were read. */
export async function openZipEntry(file: string, entry: ZipEntry, onRaw?: (bytes: number) => void): Promise<Readable> {
  const fh = await fs.promises.open(file, 'r');
  let header: Buffer;
  try {
    header = await readAt(fh, entry.localHeaderOffset, 30);
  } finally {
    await fh.close();
  }
  if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw new ZipError(`damaged local header for ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = fs.createReadStream(file, { start, end: start + Math.max(entry.compressedSize, 1) - 1, highWaterMark: 1 << 20 });
  if (onRaw) raw.on('data', (c) => onRaw(c.length));
  if (entry.method === 0) return raw;
  if (entry.method !== 8) throw new ZipError(`${entry.name} uses unsupported compression method ${entry.method}`);
  const inflate = zlib.createInflateRaw({ chunkSize: 1 << 20 });
  raw.on('error', (e) => inflate.destroy(e));
  inflate.on('close', () => raw.destroy());
  return raw.pipe(inflate);
}

/** A whole (small) entry as text. */
export async function readZipText(file: string, entry: ZipEntry): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await openZipEntry(file, entry)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

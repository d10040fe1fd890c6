// The preview statistics' cache on disk (workspace cache folder): each measured chunk in a file named by its content
// hash, and each stored-dataset pass as the list of its chunks' hashes under a key of (dataset revision, split,
// setup), so a restarted app shows a big dataset's statistics without reading a row. Files are written to a
// temporary name and renamed (a killed write leaves only a temporary file, removed later), checked on reading
// (length, magic, digest: anything else is ignored), and the folder is kept under a size bound, least recently
// used first. Best effort: an I/O error only costs a recomputation. It does not decide what a key covers.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TurnChunk } from './measure-chunk.js';
import type { ChunkStore } from './measure-job.js';

const MAGIC = 0x3143544c; // 'LTC1', little-endian
const HEADER = 32;
const CHUNK_EXT = '.tc';
const PASS_EXT = '.pass.json';
/** A temporary file older than this was left by a killed write (a live one is renamed within milliseconds). */
const STALE_TMP_MS = 10 * 60_000;
const HEX64 = /^[0-9a-f]{64}$/;
/** Int32Arrays are copied as bytes on little-endian hosts (the file is little-endian everywhere). */
const LITTLE_ENDIAN = os.endianness() === 'LE';

interface Entry {
  size: number;
  used: number;
}

export class StatsDiskCache implements ChunkStore {
  private index: Promise<Map<string, Entry>> | undefined;
  private bytes = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Milliseconds, strictly increasing within this process: the least recently used order has no ties. */
  private clock = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes = 256 * 2 ** 20,
  ) {}

  async read(key: string): Promise<TurnChunk | undefined> {
    if (!HEX64.test(key)) return undefined;
    const buf = await this.readFile(`${key}${CHUNK_EXT}`);
    return buf ? decodeChunk(buf) : undefined;
  }

  write(key: string, chunk: TurnChunk): void {
    if (HEX64.test(key)) this.enqueue(`${key}${CHUNK_EXT}`, encodeChunk(chunk));
  }

  /** The chunk hashes of a pass stored under `passKey` (any string; hashed for the name), in order. */
  async readPass(passKey: string): Promise<string[] | undefined> {
    const buf = await this.readFile(`${sha256(passKey)}${PASS_EXT}`);
    if (!buf) return undefined;
    try {
      const p = JSON.parse(buf.toString('utf8')) as { v?: unknown; key?: unknown; chunks?: unknown };
      if (p.v !== 1 || p.key !== passKey || !Array.isArray(p.chunks) || !p.chunks.every((c) => typeof c === 'string' && HEX64.test(c))) return undefined;
      return p.chunks as string[];
    } catch {
      return undefined;
    }
  }

  writePass(passKey: string, chunkKeys: readonly string[]): void {
    this.enqueue(`${sha256(passKey)}${PASS_EXT}`, Buffer.from(JSON.stringify({ v: 1, key: passKey, chunks: chunkKeys })));
  }

  /** Resolves once the writes asked for so far are on disk (or failed). */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Bytes of cache files, as far as this process knows. */
  async size(): Promise<number> {
    await this.entries();
    return this.bytes;
  }

  private async readFile(name: string): Promise<Buffer | undefined> {
    try {
      const buf = await fs.promises.readFile(path.join(this.dir, name));
      const index = await this.entries();
      const e = index.get(name);
      if (e) e.used = this.tick();
      // Marks it recently used for the next process too (the size bound drops the least recently used).
      fs.promises.utimes(path.join(this.dir, name), new Date(), new Date()).catch(() => undefined);
      return buf;
    } catch {
      return undefined;
    }
  }

  private enqueue(name: string, data: Buffer): void {
    this.queue = this.queue.then(() => this.writeFile(name, data)).catch(() => undefined);
  }

  private async writeFile(name: string, data: Buffer): Promise<void> {
    const index = await this.entries();
    const final = path.join(this.dir, name);
    const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.promises.writeFile(tmp, data);
      await fs.promises.rename(tmp, final);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    const old = index.get(name);
    this.bytes += data.length - (old?.size ?? 0);
    index.set(name, { size: data.length, used: this.tick() });
    if (this.bytes > this.maxBytes) await this.evict(index);
  }

  private tick(): number {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return this.clock;
  }

  /** Drops the least recently used files until the folder is under 90 % of the bound. */
  private async evict(index: Map<string, Entry>): Promise<void> {
    const order = [...index.entries()].sort((a, b) => a[1].used - b[1].used);
    for (const [name, e] of order) {
      if (this.bytes <= this.maxBytes * 0.9) break;
      await fs.promises.rm(path.join(this.dir, name), { force: true }).catch(() => undefined);
      index.delete(name);
      this.bytes -= e.size;
    }
  }

  /** The folder's files (read once per process), stale temporary files removed. */
  private entries(): Promise<Map<string, Entry>> {
    this.index ??= (async () => {
      await fs.promises.mkdir(this.dir, { recursive: true });
      const index = new Map<string, Entry>();
      for (const name of await fs.promises.readdir(this.dir)) {
        const st = await fs.promises.stat(path.join(this.dir, name)).catch(() => undefined);
        if (!st?.isFile()) continue;
        if (name.endsWith('.tmp')) {
          if (Date.now() - st.mtimeMs > STALE_TMP_MS) await fs.promises.rm(path.join(this.dir, name), { force: true }).catch(() => undefined);
        } else if (name.endsWith(CHUNK_EXT) || name.endsWith(PASS_EXT)) {
          index.set(name, { size: st.size, used: st.mtimeMs });
          this.bytes += st.size;
        }
      }
      return index;
    })();
    return this.index;
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Header: magic, records, turns, skipped (u32 each), 16 bytes of the body's SHA-256; body: the four Int32 arrays. */
export function encodeChunk(c: TurnChunk): Buffer {
  const n = c.index.length;
  const t = c.src.length;
  const buf = Buffer.alloc(HEADER + 4 * (2 * n + 2 * t));
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(n, 4);
  buf.writeUInt32LE(t, 8);
  buf.writeUInt32LE(c.skipped, 12);
  let at = HEADER;
  for (const a of [c.index, c.turnEnd, c.src, c.tgt]) {
    if (LITTLE_ENDIAN) Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(buf, at);
    else for (let i = 0; i < a.length; i++) buf.writeInt32LE(a[i]!, at + 4 * i);
    at += a.byteLength;
  }
  createHash('sha256').update(buf.subarray(HEADER)).digest().copy(buf, 16, 0, 16);
  return buf;
}

/** The chunk, or undefined when the bytes are not a whole, intact chunk file. */
export function decodeChunk(buf: Buffer): TurnChunk | undefined {
  if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC) return undefined;
  const n = buf.readUInt32LE(4);
  const t = buf.readUInt32LE(8);
  if (buf.length !== HEADER + 4 * (2 * n + 2 * t)) return undefined;
  if (!createHash('sha256').update(buf.subarray(HEADER)).digest().subarray(0, 16).equals(buf.subarray(16, 32))) return undefined;
  let at = HEADER;
  const take = (len: number) => {
    const a = new Int32Array(len);
    if (LITTLE_ENDIAN) buf.copy(Buffer.from(a.buffer), 0, at, at + 4 * len);
    else for (let i = 0; i < len; i++) a[i] = buf.readInt32LE(at + 4 * i);
    at += 4 * len;
    return a;
  };
  const index = take(n);
  const turnEnd = take(n);
  const src = take(t);
  const tgt = take(t);
  return { index, turnEnd, src, tgt, skipped: buf.readUInt32LE(12) };
}

// A streaming GGUF v3 writer (ggml docs/gguf.md): header, typed metadata, tensor infos, then each tensor's data at
// its aligned offset, written in the declared order and in as many pieces as the caller likes. Knows nothing
// about models: names, shapes and bytes come from the caller, already quantised.
import { open, type FileHandle } from 'node:fs/promises';
import { GGML_BLOCK, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, GgufValueType, rowBytes } from './gguf-types.js';

export type GgufScalar = { type: GgufValueType; value: number | bigint | boolean | string };
export type GgufArray = { type: GgufValueType.ARRAY; itemType: GgufValueType; values: readonly (number | bigint | boolean | string)[] };
export type GgufMetaValue = GgufScalar | GgufArray;

export interface GgufTensorInfo {
  readonly name: string;
  /** Shape in PyTorch order (rows first); written reversed, as ggml's ne[] puts the fastest dimension first. */
  readonly shape: readonly number[];
  readonly type: GgmlType;
}

export const meta = {
  str: (value: string): GgufScalar => ({ type: GgufValueType.STRING, value }),
  u32: (value: number): GgufScalar => ({ type: GgufValueType.UINT32, value }),
  i32: (value: number): GgufScalar => ({ type: GgufValueType.INT32, value }),
  f32: (value: number): GgufScalar => ({ type: GgufValueType.FLOAT32, value }),
  bool: (value: boolean): GgufScalar => ({ type: GgufValueType.BOOL, value }),
  strs: (values: readonly string[]): GgufArray => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, values }),
  i32s: (values: readonly number[]): GgufArray => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, values }),
  f32s: (values: readonly number[]): GgufArray => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, values }),
};

/** Growable little-endian byte builder for the header. */
class Bytes {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  private pos = 0;
  length = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(Math.max(1 << 16, n));
    this.dv = new DataView(this.buf.buffer);
    this.pos = 0;
  }
  u8(v: number) { this.room(1); this.dv.setUint8(this.pos, v); this.pos += 1; this.length += 1; }
  i8(v: number) { this.room(1); this.dv.setInt8(this.pos, v); this.pos += 1; this.length += 1; }
  u16(v: number) { this.room(2); this.dv.setUint16(this.pos, v, true); this.pos += 2; this.length += 2; }
  i16(v: number) { this.room(2); this.dv.setInt16(this.pos, v, true); this.pos += 2; this.length += 2; }
  u32(v: number) { this.room(4); this.dv.setUint32(this.pos, v, true); this.pos += 4; this.length += 4; }
  i32(v: number) { this.room(4); this.dv.setInt32(this.pos, v, true); this.pos += 4; this.length += 4; }
  f32(v: number) { this.room(4); this.dv.setFloat32(this.pos, v, true); this.pos += 4; this.length += 4; }
  f64(v: number) { this.room(8); this.dv.setFloat64(this.pos, v, true); this.pos += 8; this.length += 8; }
  u64(v: number | bigint) { this.room(8); this.dv.setBigUint64(this.pos, BigInt(v), true); this.pos += 8; this.length += 8; }
  i64(v: number | bigint) { this.room(8); this.dv.setBigInt64(this.pos, BigInt(v), true); this.pos += 8; this.length += 8; }
  raw(b: Uint8Array) { this.room(b.length); this.buf.set(b, this.pos); this.pos += b.length; this.length += b.length; }
  str(s: string) { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.raw(b); }
  done(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of [...this.chunks, this.buf.subarray(0, this.pos)]) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function writeValue(b: Bytes, type: GgufValueType, v: number | bigint | boolean | string): void {
  switch (type) {
    case GgufValueType.UINT8: return b.u8(Number(v));
    case GgufValueType.INT8: return b.i8(Number(v));
    case GgufValueType.UINT16: return b.u16(Number(v));
    case GgufValueType.INT16: return b.i16(Number(v));
    case GgufValueType.UINT32: return b.u32(Number(v));
    case GgufValueType.INT32: return b.i32(Number(v));
    case GgufValueType.FLOAT32: return b.f32(Number(v));
    case GgufValueType.BOOL: return b.u8(v ? 1 : 0);
    case GgufValueType.STRING: return b.str(String(v));
    case GgufValueType.UINT64: return b.u64(v as number | bigint);
    case GgufValueType.INT64: return b.i64(v as number | bigint);
    case GgufValueType.FLOAT64: return b.f64(Number(v));
    default: throw new Error(`GGUF value type ${type} cannot be a scalar.`);
  }
}

export function tensorDataBytes(t: GgufTensorInfo): number {
  const rowLen = t.shape[t.shape.length - 1] ?? 1;
  const rows = t.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return rows * rowBytes(t.type, rowLen);
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export class GgufWriter {
  private index = 0;
  private written = 0;
  private pos = 0;
  readonly offsets: number[] = [];

  private constructor(
    private readonly fh: FileHandle,
    readonly tensors: readonly GgufTensorInfo[],
    readonly dataStart: number,
    readonly alignment: number,
  ) {}

  /** Writes everything before the tensor data; `general.alignment` in metadata, if any, sets the alignment. */
  static async create(path: string, metadata: ReadonlyMap<string, GgufMetaValue>, tensors: readonly GgufTensorInfo[]): Promise<GgufWriter> {
    const alignMeta = metadata.get('general.alignment');
    const alignment = alignMeta && alignMeta.type !== GgufValueType.ARRAY ? Number(alignMeta.value) : GGUF_DEFAULT_ALIGNMENT;
    const b = new Bytes();
    b.u32(GGUF_MAGIC);
    b.u32(GGUF_VERSION);
    b.u64(tensors.length);
    b.u64(metadata.size);
    for (const [key, v] of metadata) {
      b.str(key);
      b.u32(v.type);
      if (v.type === GgufValueType.ARRAY) {
        const arr = v as GgufArray;
        b.u32(arr.itemType);
        b.u64(arr.values.length);
        for (const x of arr.values) writeValue(b, arr.itemType, x);
      } else writeValue(b, v.type, (v as GgufScalar).value);
    }
    const offsets: number[] = [];
    let off = 0;
    for (const t of tensors) {
      if (!GGML_BLOCK[t.type]) throw new Error(`Unsupported tensor type ${t.type} for ${t.name}.`);
      b.str(t.name);
      b.u32(t.shape.length);
      for (let i = t.shape.length - 1; i >= 0; i--) b.u64(t.shape[i]!);
      b.u32(t.type);
      b.u64(off);
      offsets.push(off);
      off = alignUp(off + tensorDataBytes(t), alignment);
    }
    const header = b.done();
    const dataStart = alignUp(header.length, alignment);
    const fh = await open(path, 'w');
    const w = new GgufWriter(fh, tensors, dataStart, alignment);
    w.offsets.push(...offsets);
    await w.raw(header);
    await w.raw(new Uint8Array(dataStart - header.length));
    return w;
  }

  private async raw(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, this.pos);
      done += bytesWritten;
      this.pos += bytesWritten;
    }
  }

  get current(): GgufTensorInfo | undefined {
    return this.tensors[this.index];
  }

  /** Appends bytes of the current tensor; pads to the alignment when it is complete. */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const t = this.current;
    if (!t || t.name !== name) throw new Error(`GGUF: expected tensor ${t?.name ?? '(none)'}, got ${name}.`);
    const want = tensorDataBytes(t);
    if (this.written + bytes.length > want) throw new Error(`GGUF tensor ${name}: more than its ${want} bytes.`);
    await this.raw(bytes);
    this.written += bytes.length;
    if (this.written === want) {
      this.index++;
      this.written = 0;
      const pad = this.index < this.tensors.length ? this.dataStart + this.offsets[this.index]! - this.pos : 0;
      if (pad > 0) await this.raw(new Uint8Array(pad));
    }
  }

  async close(): Promise<void> {
    try {
      if (this.index !== this.tensors.length) throw new Error(`GGUF closed after ${this.index} of ${this.tensors.length} tensors.`);
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

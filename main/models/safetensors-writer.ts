// Writes a .safetensors file (8-byte LE header length, JSON header padded to 8 bytes, raw little-endian
// tensor data) from in-memory tensors. Also converts f32 → bf16. Does not quantise or shard.
import { writeFileSync } from 'node:fs';
import { DTYPE_BYTES } from './safetensors-header.js';

export interface TensorToWrite {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Little-endian bytes, exactly product(shape) · sizeof(dtype). */
  readonly data: Uint8Array;
}

/** The whole file as one buffer; tensors are laid out in name order, as the Python writer does. */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> = {}): Buffer {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of sorted) {
    const elems = t.shape.reduce((a, b) => a * b, 1);
    const want = elems * (DTYPE_BYTES[t.dtype] ?? NaN);
    if (t.data.byteLength !== want) throw new Error(`Tensor ${t.name}: ${t.data.byteLength} bytes, expected ${want}.`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + want] };
    offset += want;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const t of sorted) {
    out.set(t.data, pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> = {}): void {
  writeFileSync(path, encodeSafetensors(tensors, metadata));
}

/** f32 → bf16 with round-to-nearest-even (PyTorch's `.to(torch.bfloat16)`), NaN kept quiet. */
export function f32ToBf16Bytes(values: Float32Array): Uint8Array {
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < u32.length; i++) {
    const x = u32[i]!;
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = (x >>> 16) | 0x40;
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return new Uint8Array(out.buffer);
}

// Conversions between f32 and the 16-bit floats models are stored in (IEEE f16, bfloat16), in bulk over typed arrays.
// Rounding is round-to-nearest-even, as PyTorch's `.to(torch.float16 / torch.bfloat16)`; does not do any quantisation.

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function bf16ToF32(src: Uint16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! << 16;
  return dst;
}

export function f32ToBf16(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const u32 = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < u32.length; i++) {
    const x = u32[i]!;
    // NaN stays a (quiet) NaN; everything else rounds to nearest even on the dropped 16 bits.
    dst[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return dst;
}

/** One f16 → f32, exact (every f16 is representable in f32). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** One f32 → f16 bits, round-to-nearest-even, overflow to ±Inf, subnormals kept. */
export function floatToHalf(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let r = mant >>> shift;
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  const rest = mant & 0x1fff;
  let r = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  // A carry out of the mantissa bumps the exponent, which is the right answer (up to Inf).
  return sign | r;
}

// A 64 Ki-entry table makes f16 → f32 a lookup: the hot path of reading f16 checkpoints.
let halfTable: Float32Array | undefined;
function table(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i);
  }
  return halfTable;
}

export function f16ToF32(src: Uint16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  const t = table();
  for (let i = 0; i < src.length; i++) dst[i] = t[src[i]!]!;
  return dst;
}

export function f32ToF16(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[i] = floatToHalf(src[i]!);
  return dst;
}

export type FloatDtype = 'F32' | 'F16' | 'BF16';

/** Decodes little-endian F32/F16/BF16 bytes to f32 (the bytes must be 4-/2-byte aligned in their buffer). */
export function toF32(bytes: Uint8Array, dtype: string, dst?: Float32Array): Float32Array {
  if (dtype === 'F32') {
    const src = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (!dst) return new Float32Array(src);
    dst.set(src);
    return dst;
  }
  const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  if (dtype === 'BF16') return bf16ToF32(u16, dst);
  if (dtype === 'F16') return f16ToF32(u16, dst);
  throw new Error(`Cannot read ${dtype} tensors as floats: only F32, F16 and BF16 are supported.`);
}

/** Encodes f32 values as little-endian bytes of dtype. */
export function fromF32(values: Float32Array, dtype: FloatDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = dtype === 'BF16' ? f32ToBf16(values) : f32ToF16(values);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

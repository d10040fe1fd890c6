// Self-contained decode (F32/F16/BF16 bytes → f32) and encode (f32 → F32/F16/BF16 bytes) over element ranges.
// Each function refers to nothing outside itself, so merge-pool.ts can ship its source text to worker threads;
// half-float.ts is the readable single-threaded version of the same rounding (nearest even).

export function decodeRange(src: Uint8Array, dtype: string, start: number, count: number, out: Float32Array): void {
  if (dtype === 'F32') {
    out.set(new Float32Array(src.buffer, src.byteOffset + start * 4, count));
    return;
  }
  const h = new Uint16Array(src.buffer, src.byteOffset + start * 2, count);
  if (dtype === 'BF16') {
    const o = new Uint32Array(out.buffer, out.byteOffset, count);
    for (let i = 0; i < count; i++) o[i] = h[i]! << 16;
    return;
  }
  for (let i = 0; i < count; i++) {
    const x = h[i]!;
    const e = (x >>> 10) & 0x1f;
    const m = x & 0x3ff;
    const v = e === 0 ? m * 5.960464477539063e-8 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
    out[i] = x & 0x8000 ? -v : v;
  }
}

export function encodeRange(values: Float32Array, count: number, dtype: string, dst: Uint8Array, start: number): void {
  if (dtype === 'F32') {
    new Float32Array(dst.buffer, dst.byteOffset + start * 4, count).set(values.subarray(0, count));
    return;
  }
  const out = new Uint16Array(dst.buffer, dst.byteOffset + start * 2, count);
  const u = new Uint32Array(values.buffer, values.byteOffset, count);
  if (dtype === 'BF16') {
    for (let i = 0; i < count; i++) {
      const x = u[i]!;
      out[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const x = u[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 112;
    if (e >= 31) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      const rest = mant & ((1 << shift) - 1);
      let r = mant >>> shift;
      if (rest > half || (rest === half && r & 1)) r++;
      out[i] = sign | r;
    } else {
      const rest = mant & 0x1fff;
      let r = (e << 10) | (mant >>> 13);
      if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
      out[i] = sign | r;
    }
  }
}

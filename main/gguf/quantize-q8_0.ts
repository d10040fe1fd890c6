// Q8_0 (ggml): blocks of 32 values as one f16 scale d = max|x|/127 and 32 int8 q = round(x/d), like ggml's
// quantize_row_q8_0_ref. Also the exact dequantiser, for tests. Does not choose which tensors to quantise.
import { floatToHalf, halfToFloat } from '../export/half-float.js';

/** C's roundf: halves away from zero (Math.round rounds them up). */
export function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function quantizeQ8_0(x: Float32Array, out: Uint8Array = new Uint8Array((x.length / 32) * 34)): Uint8Array {
  if (x.length % 32 !== 0) throw new Error('Q8_0 needs a multiple of 32 values.');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let b = 0, o = 0; b < x.length; b += 32, o += 34) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b + j]!));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    dv.setUint16(o, floatToHalf(d), true);
    for (let j = 0; j < 32; j++) dv.setInt8(o + 2 + j, roundf(x[b + j]! * id));
  }
  return out;
}

export function dequantizeQ8_0(q: Uint8Array, n: number): Float32Array {
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  const y = new Float32Array(n);
  for (let b = 0, o = 0; b < n; b += 32, o += 34) {
    const d = halfToFloat(dv.getUint16(o, true));
    for (let j = 0; j < 32; j++) y[b + j] = d * dv.getInt8(o + 2 + j);
  }
  return y;
}

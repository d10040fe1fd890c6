// Q4_0 (ggml): blocks of 32 values as one f16 scale d = (signed value of largest magnitude)/-8 and 4-bit codes
// q = x/d + 8 in 0..15; element j in the low nibble of byte j, element j+16 in its high nibble
// (quantize_row_q4_0_ref). Plus the dequantiser for tests. No importance weighting.
import { floatToHalf, halfToFloat } from '../export/half-float.js';

export function quantizeQ4_0(x: Float32Array, out: Uint8Array = new Uint8Array((x.length / 32) * 18)): Uint8Array {
  if (x.length % 32 !== 0) throw new Error('Q4_0 needs a multiple of 32 values.');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let b = 0, o = 0; b < x.length; b += 32, o += 18) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = x[b + j]!;
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = max / -8;
    const id = d ? 1 / d : 0;
    dv.setUint16(o, floatToHalf(d), true);
    for (let j = 0; j < 16; j++) {
      // (int8_t)(v + 8.5f) truncates; v + 8.5 ≥ 0.5 here, so truncation is floor.
      const q0 = Math.min(15, Math.floor(x[b + j]! * id + 8.5));
      const q1 = Math.min(15, Math.floor(x[b + 16 + j]! * id + 8.5));
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

export function dequantizeQ4_0(q: Uint8Array, n: number): Float32Array {
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  const y = new Float32Array(n);
  for (let b = 0, o = 0; b < n; b += 32, o += 18) {
    const d = halfToFloat(dv.getUint16(o, true));
    for (let j = 0; j < 16; j++) {
      const byte = q[o + 2 + j]!;
      y[b + j] = ((byte & 15) - 8) * d;
      y[b + 16 + j] = ((byte >> 4) - 8) * d;
    }
  }
  return y;
}

// Q6_K (ggml k-quants): super-blocks of 256 values in 16 sub-blocks of 16, y = d·scale·(q − 32) with 6-bit q split
// into low 4 bits (ql) and high 2 bits (qh) and int8 sub-block scales (block_q6_K). Q4_K_M keeps its most
// sensitive tensors in this type. The scale search is a small symmetric grid; no imatrix.
import { floatToHalf, halfToFloat } from '../export/half-float.js';

const QK = 256;
export const Q6_K_BYTES = 210;

/** Scale s so that x ≈ s·q with q in −32..31, by trying a few candidates around max/−32. */
function fitSymmetric(x: Float32Array, off: number, n: number): number {
  let amax = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = x[off + i]!;
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  if (amax === 0) return 0;
  let best = max / -32;
  let bestErr = Infinity;
  for (let step = -9; step <= 9; step++) {
    const scale = max / (-32 + 0.1 * step);
    let sumlx = 0, suml2 = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(-32, Math.min(31, Math.round(x[off + i]! / scale)));
      const w = x[off + i]! * x[off + i]!;
      sumlx += w * l * x[off + i]!;
      suml2 += w * l * l;
    }
    const s = suml2 > 0 ? sumlx / suml2 : scale;
    let err = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(-32, Math.min(31, Math.round(x[off + i]! / s)));
      const e = s * l - x[off + i]!;
      err += x[off + i]! * x[off + i]! * e * e;
    }
    if (err < bestErr) {
      bestErr = err;
      best = s;
    }
  }
  return best;
}

export function quantizeQ6_K(x: Float32Array, out: Uint8Array = new Uint8Array((x.length / QK) * Q6_K_BYTES)): Uint8Array {
  if (x.length % QK !== 0) throw new Error('Q6_K needs a multiple of 256 values.');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const L = new Uint8Array(QK);
  const scales = new Float32Array(16);
  for (let b = 0, o = 0; b < x.length; b += QK, o += Q6_K_BYTES) {
    let maxScale = 0;
    let maxAbs = 0;
    for (let ib = 0; ib < 16; ib++) {
      scales[ib] = fitSymmetric(x, b + 16 * ib, 16);
      if (Math.abs(scales[ib]!) > maxAbs) {
        maxAbs = Math.abs(scales[ib]!);
        maxScale = scales[ib]!;
      }
    }
    out.fill(0, o, o + Q6_K_BYTES);
    if (maxAbs === 0) continue;
    const iscale = -128 / maxScale;
    const dBits = floatToHalf(1 / iscale);
    dv.setUint16(o + 208, dBits, true);
    const d = halfToFloat(dBits);
    for (let ib = 0; ib < 16; ib++) dv.setInt8(o + 192 + ib, Math.min(127, Math.round(iscale * scales[ib]!)));
    for (let ib = 0; ib < 16; ib++) {
      const dd = d * dv.getInt8(o + 192 + ib);
      for (let i = 0; i < 16; i++) L[16 * ib + i] = dd ? Math.max(-32, Math.min(31, Math.round(x[b + 16 * ib + i]! / dd))) + 32 : 32;
    }
    let ql = o;
    let qh = o + 128;
    for (let j = 0; j < QK; j += 128) {
      for (let l = 0; l < 32; l++) {
        const q1 = L[j + l]!, q2 = L[j + l + 32]!, q3 = L[j + l + 64]!, q4 = L[j + l + 96]!;
        out[ql + l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
        out[ql + l + 32] = (q2 & 0xf) | ((q4 & 0xf) << 4);
        out[qh + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
      }
      ql += 64;
      qh += 32;
    }
  }
  return out;
}

export function dequantizeQ6_K(q: Uint8Array, n: number): Float32Array {
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  const y = new Float32Array(n);
  for (let b = 0, o = 0; b < n; b += QK, o += Q6_K_BYTES) {
    const d = halfToFloat(dv.getUint16(o + 208, true));
    let ql = o;
    let qh = o + 128;
    let sc = o + 192;
    for (let j = 0; j < QK; j += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const q1 = ((q[ql + l]! & 0xf) | (((q[qh + l]! >> 0) & 3) << 4)) - 32;
        const q2 = ((q[ql + l + 32]! & 0xf) | (((q[qh + l]! >> 2) & 3) << 4)) - 32;
        const q3 = ((q[ql + l]! >> 4) | (((q[qh + l]! >> 4) & 3) << 4)) - 32;
        const q4 = ((q[ql + l + 32]! >> 4) | (((q[qh + l]! >> 6) & 3) << 4)) - 32;
        y[b + j + l] = d * dv.getInt8(sc + is) * q1;
        y[b + j + l + 32] = d * dv.getInt8(sc + is + 2) * q2;
        y[b + j + l + 64] = d * dv.getInt8(sc + is + 4) * q3;
        y[b + j + l + 96] = d * dv.getInt8(sc + is + 6) * q4;
      }
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
  return y;
}

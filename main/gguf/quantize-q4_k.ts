// Q4_K (ggml k-quants): super-blocks of 256 values in 8 sub-blocks of 32, each y = d·sc·q − dmin·m with 4-bit q
// and 6-bit sc/m packed into 12 bytes (block_q4_K). The per-sub-block (scale, min) search is a weighted
// least-squares fit over a few candidate grids, in the spirit of ggml's make_qkx2_quants; no imatrix.
import { floatToHalf, halfToFloat } from '../export/half-float.js';

const QK = 256;
export const Q4_K_BYTES = 144;

/** Best (scale, min ≥ 0) so that x ≈ scale·q − min with q in 0..nmax, weighted squared error. */
function fitScaleMin(x: Float32Array, off: number, n: number, w: Float32Array, nmax: number, L: Uint8Array): [number, number] {
  let xmin = x[off]!;
  let xmax = x[off]!;
  for (let i = 1; i < n; i++) {
    xmin = Math.min(xmin, x[off + i]!);
    xmax = Math.max(xmax, x[off + i]!);
  }
  if (xmin > 0) xmin = 0;
  if (xmax === xmin) {
    L.fill(0, 0, n);
    return [0, -xmin];
  }
  let bestScale = (xmax - xmin) / nmax;
  let bestMin = xmin;
  let bestErr = Infinity;
  for (let step = 0; step <= 20; step++) {
    const iscale = (-1 + 0.1 * step + nmax) / (xmax - xmin);
    let sw = 0, sl = 0, sl2 = 0, sx = 0, slx = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, Math.round(iscale * (x[off + i]! - xmin))));
      const wi = w[i]!;
      sw += wi;
      sl += wi * l;
      sl2 += wi * l * l;
      sx += wi * x[off + i]!;
      slx += wi * l * x[off + i]!;
    }
    const det = sw * sl2 - sl * sl;
    if (det <= 0) continue;
    let scale = (sw * slx - sl * sx) / det;
    let min = (sl2 * sx - sl * slx) / det;
    if (min > 0) {
      min = 0;
      scale = sl2 > 0 ? slx / sl2 : 0;
    }
    let err = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, Math.round((x[off + i]! - min) / (scale || 1))));
      const e = scale * l + min - x[off + i]!;
      err += w[i]! * e * e;
    }
    if (err < bestErr) {
      bestErr = err;
      bestScale = scale;
      bestMin = min;
    }
  }
  return [bestScale, -bestMin];
}

/** get_scale_min_k4: sub-block j's 6-bit scale and min from the 12 packed bytes at `o`. */
export function scaleMinK4(j: number, q: Uint8Array, o: number): [number, number] {
  if (j < 4) return [q[o + j]! & 63, q[o + j + 4]! & 63];
  return [(q[o + j + 4]! & 0xf) | ((q[o + j - 4]! >> 6) << 4), (q[o + j + 4]! >> 4) | ((q[o + j]! >> 6) << 4)];
}

export function quantizeQ4_K(x: Float32Array, out: Uint8Array = new Uint8Array((x.length / QK) * Q4_K_BYTES)): Uint8Array {
  if (x.length % QK !== 0) throw new Error('Q4_K needs a multiple of 256 values.');
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const L = new Uint8Array(QK);
  const Lsub = new Uint8Array(32);
  const w = new Float32Array(32);
  const scales = new Float32Array(8);
  const mins = new Float32Array(8);
  for (let b = 0, o = 0; b < x.length; b += QK, o += Q4_K_BYTES) {
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const off = b + 32 * j;
      let sum2 = 0;
      for (let i = 0; i < 32; i++) sum2 += x[off + i]! * x[off + i]!;
      const av = Math.sqrt(sum2 / 32);
      // Larger values weigh more, as in ggml's reference quantiser (weights = av_x + |x|).
      for (let i = 0; i < 32; i++) w[i] = av + Math.abs(x[off + i]!);
      [scales[j], mins[j]] = fitScaleMin(x, off, 32, w, 15, Lsub);
      maxScale = Math.max(maxScale, scales[j]!);
      maxMin = Math.max(maxMin, mins[j]!);
    }
    const invScale = maxScale > 0 ? 63 / maxScale : 0;
    const invMin = maxMin > 0 ? 63 / maxMin : 0;
    const s = o + 4;
    out.fill(0, s, s + 12);
    for (let j = 0; j < 8; j++) {
      const ls = Math.min(63, Math.round(invScale * scales[j]!));
      const lm = Math.min(63, Math.round(invMin * mins[j]!));
      if (j < 4) {
        out[s + j] = ls;
        out[s + j + 4] = lm;
      } else {
        out[s + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
        out[s + j - 4]! |= (ls >> 4) << 6;
        out[s + j]! |= (lm >> 4) << 6;
      }
    }
    const dBits = floatToHalf(maxScale / 63);
    const dminBits = floatToHalf(maxMin / 63);
    dv.setUint16(o, dBits, true);
    dv.setUint16(o + 2, dminBits, true);
    const d = halfToFloat(dBits);
    const dmin = halfToFloat(dminBits);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMinK4(j, out, s);
      const dd = d * sc;
      const dm = dmin * m;
      for (let i = 0; i < 32; i++) L[32 * j + i] = dd ? Math.max(0, Math.min(15, Math.round((x[b + 32 * j + i]! + dm) / dd))) : 0;
    }
    let q = o + 16;
    for (let j = 0; j < QK; j += 64) {
      for (let l = 0; l < 32; l++) out[q + l] = L[j + l]! | (L[j + l + 32]! << 4);
      q += 32;
    }
  }
  return out;
}

export function dequantizeQ4_K(q: Uint8Array, n: number): Float32Array {
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  const y = new Float32Array(n);
  for (let b = 0, o = 0; b < n; b += QK, o += Q4_K_BYTES) {
    const d = halfToFloat(dv.getUint16(o, true));
    const dmin = halfToFloat(dv.getUint16(o + 2, true));
    let qs = o + 16;
    let is = 0;
    let yi = b;
    for (let j = 0; j < QK; j += 64) {
      const [sc1, m1] = scaleMinK4(is, q, o + 4);
      const [sc2, m2] = scaleMinK4(is + 1, q, o + 4);
      for (let l = 0; l < 32; l++) y[yi + l] = d * sc1 * (q[qs + l]! & 0xf) - dmin * m1;
      for (let l = 0; l < 32; l++) y[yi + 32 + l] = d * sc2 * (q[qs + l]! >> 4) - dmin * m2;
      qs += 32;
      yi += 64;
      is += 2;
    }
  }
  return y;
}

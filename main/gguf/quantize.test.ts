// Quantiser block layouts and error bounds, the Q/K permutation, and the Q4_K_M type mix.
import { describe, expect, it } from 'vitest';
import { dequantizeQ4_0, quantizeQ4_0 } from './quantize-q4_0.js';
import { dequantizeQ4_K, quantizeQ4_K } from './quantize-q4_k.js';
import { dequantizeQ6_K, quantizeQ6_K } from './quantize-q6_k.js';
import { dequantizeQ8_0, quantizeQ8_0 } from './quantize-q8_0.js';
import { permuteQK, tensorTypeFor, useMoreBits } from './gguf-tensor-map.js';
import { GgmlType } from './gguf-types.js';

function data(n: number, seed = 1): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = (s / 2147483648 - 0.5) * (i % 97 === 0 ? 1.5 : 0.2);
  }
  return x;
}

function relRmse(a: Float32Array, b: Float32Array): number {
  let e = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i]! - b[i]!) ** 2;
    s += a[i]! ** 2;
  }
  return Math.sqrt(e / s);
}

describe('quantisers', () => {
  it('Q8_0: a hand-checked block, then round-trip error within half a step', () => {
    const x = new Float32Array(32);
    x[0] = 1.27; x[1] = -0.635; x[2] = 0.5; // d = 0.01: codes 127, −64 (−63.5 rounds away from 0), 50
    const q = quantizeQ8_0(x);
    expect(q.length).toBe(34);
    expect(new Int8Array(q.buffer, 2, 3)).toEqual(new Int8Array([127, -64, 50]));
    const big = data(4096);
    const y = dequantizeQ8_0(quantizeQ8_0(big), big.length);
    for (let b = 0; b < big.length; b += 32) {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(big[b + j]!));
      for (let j = 0; j < 32; j++) expect(Math.abs(y[b + j]! - big[b + j]!)).toBeLessThanOrEqual((amax / 127) * 0.5 + amax * 1e-3);
    }
  });

  it('Q4_0 keeps the block extreme exact and nibbles in llama.cpp order', () => {
    const x = new Float32Array(32).fill(0);
    x[0] = -0.8; // the extreme: d = −0.8/−8 = 0.1, code 0
    x[16] = 0.35; // code round(3.5 + 8) → floor(0.35/0.1·... ) = 11 in the high nibble of byte 0
    const q = quantizeQ4_0(x);
    expect(q[2]! & 15).toBe(0);
    expect(q[2]! >> 4).toBe(11);
    const y = dequantizeQ4_0(q, 32);
    expect(y[0]).toBeCloseTo(-0.8, 3);
    const big = data(8192);
    expect(relRmse(big, dequantizeQ4_0(quantizeQ4_0(big), big.length))).toBeLessThan(0.2);
  });

  it('Q4_K and Q6_K round-trip with the error their bit widths allow', () => {
    const big = data(256 * 64, 3);
    const e4 = relRmse(big, dequantizeQ4_K(quantizeQ4_K(big), big.length));
    const e6 = relRmse(big, dequantizeQ6_K(quantizeQ6_K(big), big.length));
    const e40 = relRmse(big, dequantizeQ4_0(quantizeQ4_0(big), big.length));
    expect(quantizeQ4_K(big).length).toBe(64 * 144);
    expect(quantizeQ6_K(big).length).toBe(64 * 210);
    expect(e4).toBeLessThan(0.12);
    expect(e4).toBeLessThan(e40 * 1.05);
    expect(e6).toBeLessThan(0.035);
    expect(e6).toBeLessThan(e4 / 2);
    const zeros = new Float32Array(256);
    expect(Math.max(...dequantizeQ4_K(quantizeQ4_K(zeros), 256).map(Math.abs))).toBe(0);
    expect(Math.max(...dequantizeQ6_K(quantizeQ6_K(zeros), 256).map(Math.abs))).toBe(0);
  });
});

describe('GGUF tensor map', () => {
  it('permutes Q/K rows from half rotation to interleaved pairs', () => {
    // One head of dim 4, one column: rows [a0 a1 b0 b1] (halves a, b) become [a0 b0 a1 b1].
    expect([...permuteQK(new Float32Array([1, 2, 3, 4]), 4, 1, 1)]).toEqual([1, 3, 2, 4]);
  });

  it('chooses Q4_K_M types like llama-quantize, falling back when rows are not whole blocks', () => {
    expect(tensorTypeFor('q4_k_m', 'blk.0.attn_q.weight', [4096, 4096], 32)).toBe(GgmlType.Q4_K);
    expect(tensorTypeFor('q4_k_m', 'blk.0.attn_v.weight', [1024, 4096], 32)).toBe(GgmlType.Q6_K);
    expect(tensorTypeFor('q4_k_m', 'blk.5.attn_v.weight', [1024, 4096], 32)).toBe(GgmlType.Q4_K);
    expect(tensorTypeFor('q4_k_m', 'output.weight', [128256, 4096], 32)).toBe(GgmlType.Q6_K);
    expect(tensorTypeFor('q4_k_m', 'blk.0.attn_q.weight', [128, 128], 4)).toBe(GgmlType.Q4_0);
    expect(tensorTypeFor('q8_0', 'blk.0.attn_norm.weight', [128], 4)).toBe(GgmlType.F32);
    expect([0, 1, 2, 3, 4, 5, 6, 7].filter((i) => useMoreBits(i, 8))).toEqual([0, 3, 6, 7]);
  });
});

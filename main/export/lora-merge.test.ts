// The merge kernel on both of its paths (row-wise and transposed A) against a textbook f64 merge.
import { describe, expect, it } from 'vitest';
import { addLoraDelta, transposeA } from './lora-merge.js';

function naive(w: Float32Array, a: Float32Array, b: Float32Array, rows: number, cols: number, rank: number, scale: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let o = 0; o < rows; o++)
    for (let j = 0; j < cols; j++) {
      let d = 0;
      for (let k = 0; k < rank; k++) d += b[o * rank + k]! * a[k * cols + j]!;
      out[o * cols + j] = w[o * cols + j]! + scale * d;
    }
  return out;
}

describe('LoRA merge kernel', () => {
  for (const rank of [1, 4, 6, 8, 16, 24]) {
    it(`matches the textbook merge at rank ${rank}, on both paths`, () => {
      const rows = 37, cols = 53;
      const w = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 0.05);
      const a = Float32Array.from({ length: rank * cols }, (_, i) => Math.cos(i * 1.3) * 0.1);
      const b = Float32Array.from({ length: rows * rank }, (_, i) => Math.sin(i * 0.7) * 0.1);
      const want = naive(w, a, b, rows, cols, rank, 1.5);
      for (const at of [undefined, transposeA(a, rank, cols)]) {
        const got = Float32Array.from(w);
        addLoraDelta(got, a, b, cols, rank, 1.5, 0, rows, at);
        let maxErr = 0;
        for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
        // One f32 rounding of the result: half an ulp of values below 1.
        expect(maxErr).toBeLessThan(6e-8);
      }
    });
  }

  it('touches only the rows it is given', () => {
    const w = new Float32Array(4 * 8);
    addLoraDelta(w, new Float32Array(8 * 8).fill(1), new Float32Array(4 * 8).fill(1), 8, 8, 1, 1, 3, transposeA(new Float32Array(64).fill(1), 8, 8));
    expect([...w.subarray(0, 8)].every((x) => x === 0)).toBe(true);
    expect([...w.subarray(8, 24)].every((x) => x === 8)).toBe(true);
    expect([...w.subarray(24)].every((x) => x === 0)).toBe(true);
  });
});

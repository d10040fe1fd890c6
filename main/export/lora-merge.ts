// The LoRA merge kernel: W[o, :] += scale · Σ_k B[o, k] · A[k, :] over a range of rows, in f32, in place.
// Pure arithmetic on typed arrays (no I/O, no threads): merge-pool.ts runs it across workers, and its source is
// sent to them as text, so it must not refer to anything outside itself.

/**
 * w: (out, inDim) row-major f32, a: (rank, inDim), b: (out, rank); rows [rowStart, rowEnd).
 * `at`, when given, is A transposed (inDim, rank): with rank a multiple of 8 the kernel then reads each column's
 * coefficients contiguously and updates w once per 8 ranks (about 1.4× faster in V8 than row-wise axpys).
 * The delta is computed in f64 registers and added to f32 weights; rounding to the output dtype happens once,
 * after the add (peft rounds B·A·scale to the base dtype first, then adds: we differ from it by at most one ulp).
 */
export function addLoraDelta(
  w: Float32Array,
  a: Float32Array,
  b: Float32Array,
  inDim: number,
  rank: number,
  scale: number,
  rowStart: number,
  rowEnd: number,
  at?: Float32Array,
): void {
  if (at && rank % 8 === 0) {
    for (let o = rowStart; o < rowEnd; o++) {
      const row = o * inDim;
      for (let k = 0; k < rank; k += 8) {
        const bo = o * rank + k;
        const c0 = scale * b[bo]!, c1 = scale * b[bo + 1]!, c2 = scale * b[bo + 2]!, c3 = scale * b[bo + 3]!;
        const c4 = scale * b[bo + 4]!, c5 = scale * b[bo + 5]!, c6 = scale * b[bo + 6]!, c7 = scale * b[bo + 7]!;
        for (let j = 0, x = k; j < inDim; j++, x += rank) {
          w[row + j] = w[row + j]! + (c0 * at[x]! + c1 * at[x + 1]! + c2 * at[x + 2]! + c3 * at[x + 3]! + c4 * at[x + 4]! + c5 * at[x + 5]! + c6 * at[x + 6]! + c7 * at[x + 7]!);
        }
      }
    }
    return;
  }
  for (let o = rowStart; o < rowEnd; o++) {
    const row = o * inDim;
    let k = 0;
    // Four rank components per pass over the row: a quarter of the loads and stores of w.
    for (; k + 4 <= rank; k += 4) {
      const c0 = scale * b[o * rank + k]!;
      const c1 = scale * b[o * rank + k + 1]!;
      const c2 = scale * b[o * rank + k + 2]!;
      const c3 = scale * b[o * rank + k + 3]!;
      const a0 = k * inDim;
      const a1 = a0 + inDim;
      const a2 = a1 + inDim;
      const a3 = a2 + inDim;
      for (let j = 0; j < inDim; j++) {
        w[row + j] = w[row + j]! + (c0 * a[a0 + j]! + c1 * a[a1 + j]! + c2 * a[a2 + j]! + c3 * a[a3 + j]!);
      }
    }
    for (; k < rank; k++) {
      const c = scale * b[o * rank + k]!;
      const ak = k * inDim;
      for (let j = 0; j < inDim; j++) w[row + j] = w[row + j]! + c * a[ak + j]!;
    }
  }
}

/** A (rank, inDim) → (inDim, rank), for the fast path above. */
export function transposeA(a: Float32Array, rank: number, inDim: number, out: Float32Array = new Float32Array(a.length)): Float32Array {
  for (let k = 0; k < rank; k++) for (let j = 0; j < inDim; j++) out[j * rank + k] = a[k * inDim + j]!;
  return out;
}

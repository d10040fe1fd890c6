// The LoRA merge kernel: W[o, :] += scale · Σ_k B[o, k] · A[k, :] over a range of rows, in f32, in place.
// Pure arithmetic on typed arrays (no I/O, no threads): merge-pool.ts runs it across workers, and its source is
// sent to them as text, so it must not refer to anything outside itself.

/**
 * w: (out, inDim) row-major f32, a: (rank, inDim), b: (out, rank); rows [rowStart, rowEnd).
 * The delta is computed in f32 and added to f32 weights; rounding to the output dtype happens once, after the
 * add (peft rounds B·A·scale to the base dtype first, then adds: we differ from it by at most one ulp).
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
): void {
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

// The merge kernel as a WebAssembly SIMD module (f32x4), built from bytes written here by hand (no toolchain):
// w[o, :] += Σ_k (scale·b[o, k])·a[k, :] for rank and width multiples of 4, on data inside the module's memory;
// and the same fused with bf16 decode/encode (`merge_bf16`), so bf16 weights never exist as f32 arrays.
// V8's scalar JS does ~1 multiply-add per ns per core here; this does four. Does not allocate or know about jobs.

const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, get: 0x20, set: 0x21,
  i32const: 0x41, add: 0x6a, mul: 0x6c, shl: 0x74, geU: 0x4f, f32load: 0x2a, f32mul: 0x94,
} as const;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 0x00, 0x00]; // memarg: align 2^0 (any), offset 0
const V128_STORE = [SIMD, 0x0b, 0x00, 0x00];
const F32X4_SPLAT = [SIMD, 0x13];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const V128_LOAD32_SPLAT = [SIMD, 0x09, 0x02]; // memarg offset follows
const I32X4_SPLAT = [SIMD, 0x11];
const I32X4_GT_S = [SIMD, 0x3b];
const V128_AND = [SIMD, 0x4e];
const V128_OR = [SIMD, 0x50];
const V128_BITSELECT = [SIMD, 0x52];
const I16X8_NARROW_I32X4_U = [SIMD, 0x86, 0x01];
const I32X4_EXTEND_LOW_I16X8_U = [SIMD, 0xa9, 0x01];
const I32X4_EXTEND_HIGH_I16X8_U = [SIMD, 0xaa, 0x01];
const I32X4_SHL = [SIMD, 0xab, 0x01];
const I32X4_SHR_U = [SIMD, 0xad, 0x01];
const I32X4_ADD = [SIMD, 0xae, 0x01];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'ascii')];
}

// Parameters 0..6: w, a, b, rows, cols, rank (i32), scale (f32). Locals 7..16 i32, 17..20 v128.
const [W, A, B, ROWS, COLS, RANK, SCALE] = [0, 1, 2, 3, 4, 5, 6];
const [O, K, J, WP, BP, AP, T, RB, RB2, RB3] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const C = [17, 18, 19, 20];

function body(): number[] {
  const g = (i: number) => [OP.get, i];
  const s = (i: number) => [OP.set, i];
  const k32 = (v: number) => [OP.i32const, ...uleb(v)]; // small non-negative constants only (< 64)
  const code: number[] = [
    ...g(COLS), ...k32(2), OP.shl, ...s(RB),
    ...g(RB), ...k32(1), OP.shl, ...s(RB2),
    ...g(RB2), ...g(RB), OP.add, ...s(RB3),
    ...k32(0), ...s(O),
    OP.block, 0x40, OP.loop, 0x40,
    ...g(O), ...g(ROWS), OP.geU, OP.brIf, 1,
    ...g(W), ...g(O), ...g(RB), OP.mul, OP.add, ...s(WP),
    ...g(B), ...g(O), ...g(RANK), OP.mul, ...k32(2), OP.shl, OP.add, ...s(BP),
    ...k32(0), ...s(K),
    OP.block, 0x40, OP.loop, 0x40,
    ...g(K), ...g(RANK), OP.geU, OP.brIf, 1,
    ...g(BP), ...g(K), ...k32(2), OP.shl, OP.add, ...s(T),
  ];
  for (let i = 0; i < 4; i++) code.push(...g(T), OP.f32load, 2, i * 4, ...g(SCALE), OP.f32mul, ...F32X4_SPLAT, ...s(C[i]!));
  code.push(
    ...g(A), ...g(K), ...g(RB), OP.mul, OP.add, ...s(AP),
    ...k32(0), ...s(J),
    OP.block, 0x40, OP.loop, 0x40,
    ...g(J), ...g(RB), OP.geU, OP.brIf, 1,
    // address of w[j]: kept on the stack for the store, and loaded
    ...g(WP), ...g(J), OP.add,
    ...g(WP), ...g(J), OP.add, ...V128_LOAD,
    ...g(AP), ...g(J), OP.add, ...s(T),
    ...g(T), ...V128_LOAD, ...g(C[0]!), ...F32X4_MUL, ...F32X4_ADD,
    ...g(T), ...g(RB), OP.add, ...V128_LOAD, ...g(C[1]!), ...F32X4_MUL, ...F32X4_ADD,
    ...g(T), ...g(RB2), OP.add, ...V128_LOAD, ...g(C[2]!), ...F32X4_MUL, ...F32X4_ADD,
    ...g(T), ...g(RB3), OP.add, ...V128_LOAD, ...g(C[3]!), ...F32X4_MUL, ...F32X4_ADD,
    ...V128_STORE,
    ...g(J), ...k32(16), OP.add, ...s(J),
    OP.br, 0, OP.end, OP.end,
    ...g(K), ...k32(4), OP.add, ...s(K),
    OP.br, 0, OP.end, OP.end,
    ...g(O), ...k32(1), OP.add, ...s(O),
    OP.br, 0, OP.end, OP.end,
    OP.end,
  );
  const locals = [2, ...uleb(10), 0x7f, ...uleb(4), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

// merge_bf16 parameters 0..5: w (bf16, rewritten in place), a (f32), c (f32 scale·b, (rows, rank)), rows, cols,
// rank (i32; cols a multiple of BF16_COLS_PER_STEP, rank of 4). Locals 6..13 i32, 14.. v128.
const [BW, BA, BC, BROWS, BCOLS, BRANK] = [0, 1, 2, 3, 4, 5];
const [BO, BJ, BK, RP, CROW, AT, CP, ARB] = [6, 7, 8, 9, 10, 11, 12, 13];
const [CV, X, ONE, R7FFF, ABS, INF, Q40, LO] = [14, 15, 16, 17, 18, 19, 20, 21];
/** Columns per step of merge_bf16: one f32x4 accumulator per 4. */
export const BF16_COLS_PER_STEP = 16;
const NV = BF16_COLS_PER_STEP / 4;
const WV = Array.from({ length: NV }, (_, i) => 22 + i);

/**
 * Per BF16_COLS_PER_STEP columns of a row: the bf16 weights widened to f32 (bits << 16, exact), then w = w + a[k]·c[k] for k in
 * order, one f32 rounding per step as the f32 kernel above does in memory, then rounded to bf16 as encodeRange
 * does (nearest even on the dropped 16 bits; NaN stays a quiet NaN). Bit for bit the decode → merge → encode path.
 * Four accumulators: each add waits for the one before it in its lane (~4 cycles of latency), so with two chains
 * the FP units sat idle half the time (2 → 4: 0.7x the CPU time; 8 measured no better than 4).
 */
function bodyBf16(): number[] {
  const g = (i: number) => [OP.get, i];
  const s = (i: number) => [OP.set, i];
  const k32 = (v: number) => [OP.i32const, ...sleb(v)];
  const splat = (v: number, into: number) => [...k32(v), ...I32X4_SPLAT, ...s(into)];
  const load = (offset: number) => [SIMD, 0x00, 0x00, ...uleb(offset)];
  const store = (offset: number) => [SIMD, 0x0b, 0x00, ...uleb(offset)];
  // f32x4 bits on the stack → bf16 in the low 16 bits of each i32 lane
  const encode = [
    ...s(X),
    ...g(X), ...k32(16), ...I32X4_SHR_U, ...g(Q40), ...V128_OR,
    ...g(X), ...g(R7FFF), ...I32X4_ADD, ...g(X), ...k32(16), ...I32X4_SHR_U, ...g(ONE), ...V128_AND, ...I32X4_ADD, ...k32(16), ...I32X4_SHR_U,
    ...g(X), ...g(ABS), ...V128_AND, ...g(INF), ...I32X4_GT_S,
    ...V128_BITSELECT,
  ];
  const code: number[] = [
    ...splat(1, ONE), ...splat(0x7fff, R7FFF), ...splat(0x7fffffff, ABS), ...splat(0x7f800000, INF), ...splat(0x40, Q40),
    ...g(BCOLS), ...k32(2), OP.shl, ...s(ARB),
    ...k32(0), ...s(BO),
    OP.block, 0x40, OP.loop, 0x40,
    ...g(BO), ...g(BROWS), OP.geU, OP.brIf, 1,
    ...g(BW), ...g(BO), ...g(BCOLS), OP.mul, ...k32(1), OP.shl, OP.add, ...s(RP),
    ...g(BC), ...g(BO), ...g(BRANK), OP.mul, ...k32(2), OP.shl, OP.add, ...s(CROW),
    ...k32(0), ...s(BJ),
    OP.block, 0x40, OP.loop, 0x40,
    ...g(BJ), ...g(BCOLS), OP.geU, OP.brIf, 1,
  ];
  for (let h = 0; h < NV / 2; h++) {
    code.push(
      ...g(RP), ...g(BJ), ...k32(1), OP.shl, OP.add, ...load(16 * h), ...s(X),
      ...g(X), ...I32X4_EXTEND_LOW_I16X8_U, ...k32(16), ...I32X4_SHL, ...s(WV[2 * h]!),
      ...g(X), ...I32X4_EXTEND_HIGH_I16X8_U, ...k32(16), ...I32X4_SHL, ...s(WV[2 * h + 1]!),
    );
  }
  code.push(
    ...g(BA), ...g(BJ), ...k32(2), OP.shl, OP.add, ...s(AT),
    ...g(CROW), ...s(CP),
    ...k32(0), ...s(BK),
    OP.block, 0x40, OP.loop, 0x40,
    ...g(BK), ...g(BRANK), OP.geU, OP.brIf, 1,
  );
  for (let i = 0; i < 4; i++) {
    code.push(...g(CP), ...V128_LOAD32_SPLAT, i * 4, ...s(CV));
    for (let v = 0; v < NV; v++) code.push(...g(WV[v]!), ...g(AT), ...load(16 * v), ...g(CV), ...F32X4_MUL, ...F32X4_ADD, ...s(WV[v]!));
    code.push(...g(AT), ...g(ARB), OP.add, ...s(AT));
  }
  code.push(
    ...g(CP), ...k32(16), OP.add, ...s(CP),
    ...g(BK), ...k32(4), OP.add, ...s(BK),
    OP.br, 0, OP.end, OP.end,
  );
  for (let h = 0; h < NV / 2; h++) {
    // address for the store, then the two halves narrowed into one i16x8
    code.push(
      ...g(RP), ...g(BJ), ...k32(1), OP.shl, OP.add,
      ...g(WV[2 * h]!), ...encode, ...s(LO),
      ...g(LO), ...g(WV[2 * h + 1]!), ...encode, ...I16X8_NARROW_I32X4_U,
      ...store(16 * h),
    );
  }
  code.push(
    ...g(BJ), ...k32(BF16_COLS_PER_STEP), OP.add, ...s(BJ),
    OP.br, 0, OP.end, OP.end,
    ...g(BO), ...k32(1), OP.add, ...s(BO),
    OP.br, 0, OP.end, OP.end,
    OP.end,
  );
  const locals = [2, ...uleb(8), 0x7f, ...uleb(8 + NV), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/** The module's bytes: exports `merge(w, a, b, rows, cols, rank, scale)`, `merge_bf16(w, a, c, rows, cols, rank)` and its memory `mem`. */
export function loraMergeWasmBytes(): Uint8Array {
  const type = [2, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0];
  const funcs = [2, 0, 1];
  const memory = [1, 0x00, 1];
  const exports = [3, ...str('merge'), 0x00, 0, ...str('merge_bf16'), 0x00, 1, ...str('mem'), 0x02, 0];
  const code = [2, ...body(), ...bodyBf16()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type), ...section(3, funcs), ...section(5, memory), ...section(7, exports), ...section(10, code),
  ]);
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * addLoraDelta over all rows of an ordinary Float32Array through the SIMD module: copies w, A and B in and w back
 * out (cheap beside rank multiply-adds per element). Falls back to `fallback` when rank or width is not a multiple
 * of 4. One module instance per thread that calls it.
 */
export function createWasmMerge(fallback: (w: Float32Array, a: Float32Array, b: Float32Array, inDim: number, rank: number, scale: number, r0: number, r1: number) => void) {
  const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const inst = new wa.Instance(new wa.Module(loraMergeWasmBytes()), {});
  const merge = inst.exports.merge as (w: number, a: number, b: number, rows: number, cols: number, rank: number, scale: number) => void;
  const mem = inst.exports.mem as { readonly buffer: ArrayBuffer; grow(pages: number): number };
  return (w: Float32Array, a: Float32Array, b: Float32Array, inDim: number, rank: number, scale: number, rows: number): void => {
    if (rank % 4 !== 0 || inDim % 4 !== 0) {
      fallback(w, a, b, inDim, rank, scale, 0, rows);
      return;
    }
    const nW = rows * inDim, nA = rank * inDim, nB = rows * rank;
    const need = (nW + nA + nB) * 4;
    if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    const f = new Float32Array(mem.buffer);
    f.set(w.subarray(0, nW), 0);
    f.set(a.subarray(0, nA), nW);
    f.set(b.subarray(0, nB), nW + nA);
    merge(0, nW * 4, (nW + nA) * 4, rows, inDim, rank, scale);
    w.set(f.subarray(0, nW));
  };
}

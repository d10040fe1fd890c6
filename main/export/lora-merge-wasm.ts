// The merge kernel as a WebAssembly SIMD module (f32x4), built from bytes written here by hand (no toolchain):
// w[o, :] += Σ_k (scale·b[o, k])·a[k, :] for rank and width multiples of 4, on data inside the module's memory.
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

/** The module's bytes: exports `merge(w, a, b, rows, cols, rank, scale)` and its memory `mem`. */
export function loraMergeWasmBytes(): Uint8Array {
  const type = [1, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0];
  const funcs = [1, 0];
  const memory = [1, 0x00, 1];
  const exports = [2, ...str('merge'), 0x00, 0, ...str('mem'), 0x02, 0];
  const code = [1, ...body()];
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

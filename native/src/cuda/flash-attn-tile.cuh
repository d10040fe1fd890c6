// Shared pieces of the flash-attn dev kernels (flash-attn-fwd.cuh, flash-attn-bwd.cuh): mma.sync / ldmatrix
// fragments, tile loads, the mask and the tile-skipping rule, the launchers' shared-memory sizes. No kernels.
//
// Flash-style attention on bf16 tensor cores (mma.sync m16n8k16, sm_80+: RTX 30/40/50 and H100/H200 alike; no
// wgmma), the dev variants of issue 6: forward with online softmax (FlashAttention-2, Dao 2023, algorithm 1) and
// backward recomputing P from the saved log-sum-exp (algorithm 2) — v1 with a separate deterministic dQ pass, v2 with
// dQ by atomics inside the dK/dV kernel —, masks exactly as cpu/attention.cpp: causal within
// a segment (packed records), GQA, optional sliding window. Layouts as the op layer: q (B,T,H,hd), k/v (B,T,KVH,hd),
// seg (B,T), lse (B,H,T). Does not touch the engine (no cuda_ctx): the harness flash-attn.cu owns memory and streams.
//
// Numerics: Q, K, V and dO are bf16 operands, every product accumulates in fp32; P (and dS) are rounded to bf16 as the
// A operand of the second product (as FlashAttention does); the softmax, lse, D = rowsum(dO * O) stay fp32.
// Tile skipping assumes what data/batch.cpp builds: each segment id is one contiguous run of a row (padding, -1, is
// the last run). Under that assumption a key tile entirely before a query tile is live iff its last key is in the
// segment of the query tile's first row, and once a tile is dead every tile further away is dead too. The
// per-element mask is the CPU's test and does not rely on it.
#pragma once
#include <cuda_bf16.h>
#include <climits>
#include <cmath>
#include <cstdint>

namespace fa {

typedef __nv_bfloat16 bf16;
constexpr float LOG2E = 1.4426950408889634f;
constexpr int THREADS = 128;  // 4 warps, 16 rows of the block's tile each
constexpr int SEG_NO_QUERY = INT_MIN;  // segment id of query rows >= T (real ids are >= -1)
constexpr int SEG_NO_KEY = INT_MAX;    // segment id of key rows >= T

#ifndef FA_HOST_EMULATION  // flash-attn-emu.cpp supplies these on host threads (fragment-layout check without a GPU)
static __device__ __forceinline__ uint32_t smem_u32(const void* p) { return (uint32_t)__cvta_generic_to_shared(p); }

// Four 8x8 bf16 matrices from shared memory; lanes 8m..8m+7 give the row addresses of matrix m.
static __device__ __forceinline__ void ldsm_x4(uint32_t* r, const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_u32(p)));
}
static __device__ __forceinline__ void ldsm_x4_t(uint32_t* r, const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_u32(p)));
}

// c (16x8 fp32) += a (16x16 bf16, row) * b (16x8 bf16, col)
static __device__ __forceinline__ void mma(float* c, const uint32_t* a, uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// 16 bytes global -> shared without registers (sm_80+); src_bytes 0 writes zeros (rows past T)
static __device__ __forceinline__ void cp_async16(void* dst, const void* src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(dst)), "l"(src), "r"(valid ? 16 : 0));
}
static __device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
static __device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::: "memory"); }
#endif

static __device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
  __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x (lower column) in the low half, as mma reads it
  return (uint32_t)__bfloat16_as_ushort(v.x) | ((uint32_t)__bfloat16_as_ushort(v.y) << 16);
}

// Fragment loads from row-major shared tiles with leading dimension ld (elements, rows 16-byte aligned).
// A (16x16) at rows r0, columns k0.
static __device__ __forceinline__ void load_a(uint32_t* a, const bf16* s, int ld, int r0, int k0) {
  int lane = threadIdx.x & 31, m = lane >> 3, r = lane & 7;
  ldsm_x4(a, s + (r0 + r + (m & 1) * 8) * ld + k0 + (m >> 1) * 8);
}
// B of two n8 tiles (n0, n0+8) x k16 from a tile stored [n][k] (keys or queries by rows, head dim contiguous):
// b[0..1] for n0, b[2..3] for n0+8.
static __device__ __forceinline__ void load_b_nk(uint32_t* b, const bf16* s, int ld, int n0, int k0) {
  int lane = threadIdx.x & 31, m = lane >> 3, r = lane & 7;
  ldsm_x4(b, s + (n0 + r + (m >> 1) * 8) * ld + k0 + (m & 1) * 8);
}
// The same from a tile stored [k][n] (the product runs over its rows), transposed by ldmatrix.
static __device__ __forceinline__ void load_b_kn(uint32_t* b, const bf16* s, int ld, int k0, int n0) {
  int lane = threadIdx.x & 31, m = lane >> 3, r = lane & 7;
  ldsm_x4_t(b, s + (k0 + r + (m & 1) * 8) * ld + n0 + (m >> 1) * 8);
}
// A (16x16) at rows m0, columns k0 from a tile stored transposed, [k][m]
static __device__ __forceinline__ void load_a_t(uint32_t* a, const bf16* s, int ld, int m0, int k0) {
  int lane = threadIdx.x & 31, m = lane >> 3, r = lane & 7;
  ldsm_x4_t(a, s + (k0 + r + (m >> 1) * 8) * ld + m0 + (m & 1) * 8);
}
// A fragment of k16 from two 16x8 accumulator tiles (FlashAttention-2's register reuse of P)
static __device__ __forceinline__ void acc_to_a(uint32_t* a, const float* c0, const float* c1) {
  a[0] = pack_bf16(c0[0], c0[1]);
  a[1] = pack_bf16(c0[2], c0[3]);
  a[2] = pack_bf16(c1[0], c1[1]);
  a[3] = pack_bf16(c1[2], c1[3]);
}

// acc (16 x N, the warp's) += A · Bᵀ over K: A the warp's 16 rows (from r0) of a (rows x K) shared tile, B an (N x K)
// shared tile — S = Q Kᵀ and dP = dO Vᵀ (and their transposes in the dK/dV kernel)
template <int K, int N>
static __device__ __forceinline__ void mma_abt(float (&acc)[N / 8][4], const bf16* as, const bf16* bs, int ld, int r0) {
#pragma unroll
  for (int kk = 0; kk < K / 16; kk++) {
    uint32_t a[4];
    load_a(a, as, ld, r0, kk * 16);
#pragma unroll
    for (int np = 0; np < N / 16; np++) {
      uint32_t bb[4];
      load_b_nk(bb, bs, ld, np * 16, kk * 16);
      mma(acc[2 * np], a, bb[0], bb[1]);
      mma(acc[2 * np + 1], a, bb[2], bb[3]);
    }
  }
}

// acc (16 x HD) += P · B over K: P the warp's (16 x K) accumulators as bf16 A fragments, B a (K x HD) shared tile —
// O += P V, dQ += dS K, dV += Pᵀ dO, dK += dSᵀ Q
template <int K, int HD>
static __device__ __forceinline__ void mma_pb(float (&acc)[HD / 8][4], const float (&p)[K / 8][4], const bf16* bs, int ld) {
#pragma unroll
  for (int kk = 0; kk < K / 16; kk++) {
    uint32_t a[4];
    acc_to_a(a, p[2 * kk], p[2 * kk + 1]);
#pragma unroll
    for (int dp = 0; dp < HD / 16; dp++) {
      uint32_t bb[4];
      load_b_kn(bb, bs, ld, kk * 16, dp * 16);
      mma(acc[2 * dp], a, bb[0], bb[1]);
      mma(acc[2 * dp + 1], a, bb[2], bb[3]);
    }
  }
}

// rows r of a (rows x HD) tile from global rows row0 + r (row stride `stride` elements), zeros past T
template <int HD>
static __device__ __forceinline__ void load_tile(bf16* s, int ld, const bf16* g, int64_t stride, int row0, int rows, int T) {
  constexpr int CH = HD / 8;  // 16-byte chunks per row
  for (int e = threadIdx.x; e < rows * CH; e += THREADS) {
    int r = e / CH, c = (e % CH) * 8, row = row0 + r;
    uint4 v = make_uint4(0u, 0u, 0u, 0u);
    if (row < T) v = *reinterpret_cast<const uint4*>(g + (int64_t)row * stride + c);
    *reinterpret_cast<uint4*>(s + r * ld + c) = v;
  }
}

// the same through cp.async (the caller commits and waits)
template <int HD>
static __device__ __forceinline__ void load_tile_async(bf16* s, int ld, const bf16* g, int64_t stride, int row0, int rows, int T) {
  constexpr int CH = HD / 8;
  for (int e = threadIdx.x; e < rows * CH; e += THREADS) {
    int r = e / CH, c = (e % CH) * 8, row = row0 + r;
    cp_async16(s + r * ld + c, row < T ? g + (int64_t)row * stride + c : g, row < T);
  }
}

static __device__ __forceinline__ bool allowed(int i, int j, int seg_i, int seg_j, int window) {
  return j <= i && seg_i == seg_j && (window <= 0 || i - j < window);
}

// Every (query, key) pair of two whole tiles (qn, kn rows of the tile sizes BQ, BK; a tile cut by T is never whole)
// is visible: no per-element mask needed.
static __device__ __forceinline__ bool tile_full(const int32_t* sg, int i0, int qn, int BQ, int j0, int kn, int BK, int window) {
  int i1 = i0 + qn - 1, j1 = j0 + kn - 1;
  return qn == BQ && kn == BK && j1 <= i0 && sg[j0] == sg[i1] && (window <= 0 || i1 - j0 < window);
}

#ifndef FA_HOST_EMULATION
// ---- launch helpers. The launchers (in -fwd/-bwd) return false when the head dim has no instantiation: the caller
// keeps the cuBLAS path of attention-gemm.cu (any hd there); 64 and 128 are every benchmark model, 32/96 would be
// one instantiation each ----
inline size_t fwd_smem(int hd, bool pipe) { return (size_t)((pipe ? 5 : 3) * 64 * (hd + 8)) * 2 + (pipe ? 2 : 1) * 64 * 4; }
inline size_t dq_smem(int hd) { return (size_t)(4 * 64 * (hd + 8)) * 2 + 64 * 4; }
inline size_t dkv_smem(int hd, int bq, bool atomic_dq) {
  return (size_t)((2 * 64 + 2 * bq) * (hd + 8)) * 2 + (size_t)bq * 12 + (atomic_dq ? (size_t)64 * (bq + 8) * 2 : 0);
}

template <typename F>
inline void allow_smem(F* f, size_t bytes) {
  if (bytes > 48 * 1024) cudaFuncSetAttribute(f, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
}
#endif

}  // namespace fa

// Attention on the GPU, flash-style in memory (no (T, T) buffer; only the per-row log-sum-exp is saved): causal
// within a segment (packed records), GQA, optional sliding window, exactly the masks of cpu/attention.cpp.
// Simple fp32 kernels on CUDA cores: one warp per query row (forward, dq) or key row (dk/dv), 32-row tiles of
// the other side staged in shared memory, lane = row of the tile for the dot products, lane = head-dim slice for
// the accumulations. Does not use tensor cores yet (next: a bf16 mma variant in native/dev/).
#include <cmath>
#include "core/status.h"
#include "cuda/ops.cuh"

namespace {
constexpr int ROWS = 8;  // warps (query or key rows) per block
constexpr int TILE = 32;  // rows of the other side per shared tile (= lanes)
}

static __device__ __forceinline__ bool att_allowed(const int32_t* sg, int qi, int kj, int window) {
  if (kj > qi || sg[kj] != sg[qi]) return false;
  return window <= 0 || qi - kj < window;
}

// The first key tile a block of query rows from i0 on can see (a sliding window skips the tiles before it).
static __device__ __forceinline__ int first_key_tile(int i0, int window) {
  int j = window > 0 ? max(0, i0 - window + 1) : 0;
  return (j / TILE) * TILE;
}

// Rows j0 .. j0+TILE-1 of head `head` (of `heads`) of two (B, T, heads, hd) tensors that share a layout — keys and
// values, or queries and their output gradients — into shared memory (rows of ld floats), zeros past T. Every thread
// of the block takes part; the caller synchronises around it.
static __device__ __forceinline__ void load_tile_pair(float* As, float* Bs, int ld, const float* a, const float* bt, int b, int T,
                                                      int heads, int head, int hd, int j0) {
  for (int e = threadIdx.x; e < TILE * hd; e += blockDim.x) {
    int r = e / hd, d = e % hd, j = j0 + r;
    float av = 0.0f, bv = 0.0f;
    if (j < T) {
      int64_t off = (((int64_t)b * T + j) * heads + head) * hd + d;
      av = a[off];
      bv = bt[off];
    }
    As[r * ld + d] = av;
    Bs[r * ld + d] = bv;
  }
}

// grid (ceil(T/ROWS), H, B), block 32*ROWS. NT = ceil(hd/32) accumulator slots per lane.
template <int NT>
static __global__ void attention_forward_kernel(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                                                int T, int H, int KVH, int hd, int window, float scale) {
  extern __shared__ float smem[];
  const int ld = hd + 1;
  float* Ks = smem;                 // (TILE, hd+1)
  float* Vs = Ks + TILE * ld;       // (TILE, hd+1)
  float* Qs = Vs + TILE * ld;       // (ROWS, hd)
  int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int b = blockIdx.z, h = blockIdx.y, kh = h / (H / KVH);
  int i0 = blockIdx.x * ROWS, i = i0 + w;
  bool valid = i < T;
  const int32_t* sg = seg + (int64_t)b * T;
  float* qs = Qs + w * hd;
  if (valid) {
    const float* qi = q + (((int64_t)b * T + i) * H + h) * hd;
    for (int d = lane; d < hd; d += 32) qs[d] = qi[d] * scale;
  }
  int imax = min(T - 1, i0 + ROWS - 1);
  int jstart = first_key_tile(i0, window);
  float m = -INFINITY, l = 0.0f, acc[NT];
#pragma unroll
  for (int t = 0; t < NT; t++) acc[t] = 0.0f;
  for (int j0 = jstart; j0 <= imax; j0 += TILE) {
    __syncthreads();
    load_tile_pair(Ks, Vs, ld, k, v, b, T, KVH, kh, hd, j0);
    __syncthreads();
    if (!valid) continue;
    int j = j0 + lane;
    float s = -INFINITY;
    if (j < T && att_allowed(sg, i, j, window)) {
      float a = 0.0f;
      const float* kr = Ks + lane * ld;
      for (int d = 0; d < hd; d++) a += qs[d] * kr[d];
      s = a;
    }
    float mt = warp_max(s);
    if (mt == -INFINITY) continue;
    float mn = fmaxf(m, mt);
    float p = s == -INFINITY ? 0.0f : expf(s - mn);
    float corr = m == -INFINITY ? 0.0f : expf(m - mn);
    l = l * corr + warp_sum(p);
#pragma unroll
    for (int t = 0; t < NT; t++) acc[t] *= corr;
    for (int jj = 0; jj < TILE; jj++) {
      float pj = __shfl_sync(0xffffffffu, p, jj);
      if (pj == 0.0f) continue;
      const float* vr = Vs + jj * ld;
#pragma unroll
      for (int t = 0; t < NT; t++) {
        int d = lane + 32 * t;
        if (d < hd) acc[t] += pj * vr[d];
      }
    }
    m = mn;
  }
  if (!valid) return;
  float inv = 1.0f / l;
  float* o = out + (((int64_t)b * T + i) * H + h) * hd;
#pragma unroll
  for (int t = 0; t < NT; t++) {
    int d = lane + 32 * t;
    if (d < hd) o[d] = acc[t] * inv;
  }
  if (lane == 0) lse[((int64_t)b * H + h) * T + i] = m + logf(l);
}

// D (B,H,T) = dout_i . out_i, one warp per row
static __global__ void attention_rowdot_kernel(float* D, const float* dout, const float* out, int B, int T, int H, int hd) {
  int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);  // (b, t, h)
  int lane = threadIdx.x & 31;
  if (row >= (int64_t)B * T * H) return;
  const float* a = dout + row * hd;
  const float* o = out + row * hd;
  float s = 0.0f;
  for (int d = lane; d < hd; d += 32) s += a[d] * o[d];
  s = warp_sum(s);
  int h = (int)(row % H);
  int64_t bt = row / H;
  int t = (int)(bt % T), b = (int)(bt / T);
  if (lane == 0) D[((int64_t)b * H + h) * T + t] = s;
}

// dq: grid (ceil(T/ROWS), H, B); warp per query row, tiles of keys
template <int NT>
static __global__ void attention_dq_kernel(float* dq, const float* dout, const float* lse, const float* D, const float* q, const float* k,
                                           const float* v, const int32_t* seg, int T, int H, int KVH, int hd, int window, float scale) {
  extern __shared__ float smem[];
  const int ld = hd + 1;
  float* Ks = smem;
  float* Vs = Ks + TILE * ld;
  float* Qs = Vs + TILE * ld;     // (ROWS, hd)
  float* Gs = Qs + ROWS * hd;     // (ROWS, hd) dout rows
  int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int b = blockIdx.z, h = blockIdx.y, kh = h / (H / KVH);
  int i0 = blockIdx.x * ROWS, i = i0 + w;
  bool valid = i < T;
  const int32_t* sg = seg + (int64_t)b * T;
  float* qs = Qs + w * hd;
  float* gs = Gs + w * hd;
  float L = 0.0f, Di = 0.0f;
  if (valid) {
    int64_t off = (((int64_t)b * T + i) * H + h) * hd;
    for (int d = lane; d < hd; d += 32) { qs[d] = q[off + d]; gs[d] = dout[off + d]; }
    L = lse[((int64_t)b * H + h) * T + i];
    Di = D[((int64_t)b * H + h) * T + i];
  }
  int imax = min(T - 1, i0 + ROWS - 1);
  int jstart = first_key_tile(i0, window);
  float acc[NT];
#pragma unroll
  for (int t = 0; t < NT; t++) acc[t] = 0.0f;
  for (int j0 = jstart; j0 <= imax; j0 += TILE) {
    __syncthreads();
    load_tile_pair(Ks, Vs, ld, k, v, b, T, KVH, kh, hd, j0);
    __syncthreads();
    if (!valid) continue;
    int j = j0 + lane;
    float ds = 0.0f;
    if (j < T && att_allowed(sg, i, j, window)) {
      float s = 0.0f, dp = 0.0f;
      const float* kr = Ks + lane * ld;
      const float* vr = Vs + lane * ld;
      for (int d = 0; d < hd; d++) { s += qs[d] * kr[d]; dp += gs[d] * vr[d]; }
      float p = expf(s * scale - L);
      ds = p * (dp - Di) * scale;
    }
    for (int jj = 0; jj < TILE; jj++) {
      float dsj = __shfl_sync(0xffffffffu, ds, jj);
      if (dsj == 0.0f) continue;
      const float* kr = Ks + jj * ld;
#pragma unroll
      for (int t = 0; t < NT; t++) {
        int d = lane + 32 * t;
        if (d < hd) acc[t] += dsj * kr[d];
      }
    }
  }
  if (!valid) return;
  float* o = dq + (((int64_t)b * T + i) * H + h) * hd;
#pragma unroll
  for (int t = 0; t < NT; t++) {
    int d = lane + 32 * t;
    if (d < hd) o[d] += acc[t];
  }
}

// dk, dv: grid (ceil(T/ROWS), KVH, B); warp per key row j, tiles of queries i >= j over the kv group's heads
template <int NT>
static __global__ void attention_dkv_kernel(float* dk, float* dv, const float* dout, const float* lse, const float* D, const float* q,
                                            const float* k, const float* v, const int32_t* seg, int T, int H, int KVH, int hd, int window,
                                            float scale) {
  extern __shared__ float smem[];
  const int ld = hd + 1;
  float* Qt = smem;               // (TILE, hd+1)
  float* Gt = Qt + TILE * ld;     // (TILE, hd+1)
  float* Ks = Gt + TILE * ld;     // (ROWS, hd)
  float* Vs = Ks + ROWS * hd;     // (ROWS, hd)
  float* Lt = Vs + ROWS * hd;     // (TILE)
  float* Dt = Lt + TILE;          // (TILE)
  int w = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int b = blockIdx.z, kh = blockIdx.y, rep = H / KVH;
  int j0b = blockIdx.x * ROWS, j = j0b + w;
  bool valid = j < T;
  const int32_t* sg = seg + (int64_t)b * T;
  float* ks = Ks + w * hd;
  float* vs = Vs + w * hd;
  if (valid) {
    int64_t off = (((int64_t)b * T + j) * KVH + kh) * hd;
    for (int d = lane; d < hd; d += 32) { ks[d] = k[off + d]; vs[d] = v[off + d]; }
  }
  int jmax = min(T - 1, j0b + ROWS - 1);
  int iend = window > 0 ? min(T - 1, jmax + window - 1) : T - 1;
  int istart = (j0b / TILE) * TILE;
  float ak[NT], av[NT];
#pragma unroll
  for (int t = 0; t < NT; t++) { ak[t] = 0.0f; av[t] = 0.0f; }
  for (int h = kh * rep; h < (kh + 1) * rep; h++) {
    for (int i0 = istart; i0 <= iend; i0 += TILE) {
      __syncthreads();
      load_tile_pair(Qt, Gt, ld, q, dout, b, T, H, h, hd, i0);
      if (threadIdx.x < TILE) {
        int i = i0 + threadIdx.x;
        Lt[threadIdx.x] = i < T ? lse[((int64_t)b * H + h) * T + i] : 0.0f;
        Dt[threadIdx.x] = i < T ? D[((int64_t)b * H + h) * T + i] : 0.0f;
      }
      __syncthreads();
      if (!valid) continue;
      int i = i0 + lane;
      float p = 0.0f, ds = 0.0f;
      if (i < T && att_allowed(sg, i, j, window)) {
        float s = 0.0f, dp = 0.0f;
        const float* qr = Qt + lane * ld;
        const float* gr = Gt + lane * ld;
        for (int d = 0; d < hd; d++) { s += qr[d] * ks[d]; dp += gr[d] * vs[d]; }
        p = expf(s * scale - Lt[lane]);
        ds = p * (dp - Dt[lane]) * scale;
      }
      for (int ii = 0; ii < TILE; ii++) {
        float pi = __shfl_sync(0xffffffffu, p, ii);
        float dsi = __shfl_sync(0xffffffffu, ds, ii);
        if (pi == 0.0f && dsi == 0.0f) continue;
        const float* qr = Qt + ii * ld;
        const float* gr = Gt + ii * ld;
#pragma unroll
        for (int t = 0; t < NT; t++) {
          int d = lane + 32 * t;
          if (d < hd) { av[t] += pi * gr[d]; ak[t] += dsi * qr[d]; }
        }
      }
    }
  }
  if (!valid) return;
  int64_t off = (((int64_t)b * T + j) * KVH + kh) * hd;
#pragma unroll
  for (int t = 0; t < NT; t++) {
    int d = lane + 32 * t;
    if (d < hd) { dk[off + d] += ak[t]; dv[off + d] += av[t]; }
  }
}

// decode: one warp per head; lanes take keys for the scores, head-dim slices for the output
template <int NT>
static __global__ void attention_decode_kernel(float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH, int hd,
                                               int window, int q_pos, float scale) {
  int h = blockIdx.x, lane = threadIdx.x, kh = h / (H / KVH);
  const float* qh = q + (int64_t)h * hd;
  int j0 = window > 0 && q_pos - window + 1 > 0 ? q_pos - window + 1 : 0;
  float m = -INFINITY, l = 0.0f, acc[NT];
#pragma unroll
  for (int t = 0; t < NT; t++) acc[t] = 0.0f;
  for (int jb = j0; jb <= q_pos; jb += 32) {
    int j = jb + lane;
    float s = -INFINITY;
    if (j <= q_pos) {
      const float* kr = kc + ((int64_t)j * KVH + kh) * hd;
      float a = 0.0f;
      for (int d = 0; d < hd; d++) a += qh[d] * kr[d];
      s = a * scale;
    }
    float mn = fmaxf(m, warp_max(s));
    float p = s == -INFINITY ? 0.0f : expf(s - mn);
    float corr = m == -INFINITY ? 0.0f : expf(m - mn);
    l = l * corr + warp_sum(p);
#pragma unroll
    for (int t = 0; t < NT; t++) acc[t] *= corr;
    for (int jj = 0; jj < 32 && jb + jj <= q_pos; jj++) {
      float pj = __shfl_sync(0xffffffffu, p, jj);
      const float* vr = vc + ((int64_t)(jb + jj) * KVH + kh) * hd;
#pragma unroll
      for (int t = 0; t < NT; t++) {
        int d = lane + 32 * t;
        if (d < hd) acc[t] += pj * vr[d];
      }
    }
    m = mn;
  }
  float* o = out + (int64_t)h * hd;
#pragma unroll
  for (int t = 0; t < NT; t++) {
    int d = lane + 32 * t;
    if (d < hd) o[d] = acc[t] / l;
  }
}


template <typename F>
static void set_smem(F* f, size_t bytes) {
  if (bytes > 48 * 1024) CUDA_CHECK(cudaFuncSetAttribute(f, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes));
}

void attention_forward_cuda(cuda_ctx& x, float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                            int B, int T, int H, int KVH, int hd, int window) {
  // out (B,T,H,hd), lse (B,H,T), q (B,T,H,hd), k/v (B,T,KVH,hd), seg (B,T)
  LATHE_ASSERT(hd <= 256 && H % KVH == 0);
  float scale = 1.0f / std::sqrt((float)hd);
  size_t sm = (size_t)(2 * TILE * (hd + 1) + ROWS * hd) * 4;
  dim3 grid((T + ROWS - 1) / ROWS, H, B);
  set_smem(attention_forward_kernel<8>, sm);
#define FWD(NT) attention_forward_kernel<NT><<<grid, 32 * ROWS, sm, x.stream>>>(out, lse, q, k, v, seg, T, H, KVH, hd, window, scale)
  if (hd <= 32) FWD(1); else if (hd <= 64) FWD(2); else if (hd <= 128) FWD(4); else FWD(8);
#undef FWD
  CUDA_LAUNCH_CHECK();
}

void attention_backward_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                             const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                             int hd, int window) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=; probabilities recomputed from lse
  LATHE_ASSERT(hd <= 256 && H % KVH == 0);
  float scale = 1.0f / std::sqrt((float)hd);
  float* D = x.f32_scratch((int64_t)B * H * T);
  int64_t rows = (int64_t)B * T * H;
  attention_rowdot_kernel<<<(unsigned)((rows + 7) / 8), 256, 0, x.stream>>>(D, dout, out, B, T, H, hd);
  CUDA_LAUNCH_CHECK();
  size_t sm_q = (size_t)(2 * TILE * (hd + 1) + 2 * ROWS * hd) * 4;
  dim3 gq((T + ROWS - 1) / ROWS, H, B);
  set_smem(attention_dq_kernel<8>, sm_q);
#define DQ(NT) attention_dq_kernel<NT><<<gq, 32 * ROWS, sm_q, x.stream>>>(dq, dout, lse, D, q, k, v, seg, T, H, KVH, hd, window, scale)
  if (hd <= 32) DQ(1); else if (hd <= 64) DQ(2); else if (hd <= 128) DQ(4); else DQ(8);
#undef DQ
  CUDA_LAUNCH_CHECK();
  size_t sm_kv = (size_t)(2 * TILE * (hd + 1) + 2 * ROWS * hd + 2 * TILE) * 4;
  dim3 gk((T + ROWS - 1) / ROWS, KVH, B);
  set_smem(attention_dkv_kernel<8>, sm_kv);
#define DKV(NT) attention_dkv_kernel<NT><<<gk, 32 * ROWS, sm_kv, x.stream>>>(dk, dv, dout, lse, D, q, k, v, seg, T, H, KVH, hd, window, scale)
  if (hd <= 32) DKV(1); else if (hd <= 64) DKV(2); else if (hd <= 128) DKV(4); else DKV(8);
#undef DKV
  CUDA_LAUNCH_CHECK();
}

void attention_decode_forward_cuda(cuda_ctx& x, float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH,
                                   int hd, int window, int q_pos) {
  // out (H,hd), q (H,hd), kc/vc (L,KVH,hd); keys 0..q_pos visible
  LATHE_ASSERT(hd <= 256 && H % KVH == 0);
  float scale = 1.0f / std::sqrt((float)hd);
#define DEC(NT) attention_decode_kernel<NT><<<H, 32, 0, x.stream>>>(out, q, kc, vc, L, H, KVH, hd, window, q_pos, scale)
  if (hd <= 32) DEC(1); else if (hd <= 64) DEC(2); else if (hd <= 128) DEC(4); else DEC(8);
#undef DEC
  CUDA_LAUNCH_CHECK();
}

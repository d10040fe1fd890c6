// Flash-attn dev forward (native/dev/cuda/flash-attn.cu): FlashAttention-2's algorithm 1 on bf16 mma.sync; writes out
// (fp32) and the log-sum-exp the backward reads. v1 loads each K/V tile between two barriers; v2 (PIPE) double-buffers
// them with cp.async, the next tile in flight while this one is multiplied. Does not do the backward (flash-attn-bwd.cuh).
#pragma once
#include "flash-attn-tile.cuh"

namespace fa {

// ---- forward: grid (ceil(T/64), H, B), 128 threads; query tiles in reverse order (the longest rows start first) ----
template <int HD, bool PIPE>
static __global__ void __launch_bounds__(THREADS) flash_fwd_kernel(float* out, float* lse, const bf16* q, const bf16* k, const bf16* v,
                                                                   const int32_t* seg, int T, int H, int KVH, int window,
                                                                   float scale_log2) {
  // out (B,T,H,HD) fp32, lse (B,H,T) natural log of the sum over visible keys of exp(scale * q.k)
  constexpr int BM = 64, BN = 64, LD = HD + 8;  // +8: ldmatrix rows fall in distinct banks
  extern __shared__ __align__(16) unsigned char smem[];
  constexpr int NBUF = PIPE ? 2 : 1;
  bf16* Qs = reinterpret_cast<bf16*>(smem);
  bf16* Kbuf = Qs + BM * LD;          // NBUF x (BN, LD)
  bf16* Vbuf = Kbuf + NBUF * BN * LD;  // NBUF x (BN, LD)
  int* segbuf = reinterpret_cast<int*>(Vbuf + NBUF * BN * LD);  // NBUF x BN
  const int w = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t4 = lane & 3;
  const int b = blockIdx.z, h = blockIdx.y, kh = h / (H / KVH);
  const int i0 = (gridDim.x - 1 - blockIdx.x) * BM;
  const int32_t* sg = seg + (int64_t)b * T;
  const bf16* kbase = k + ((int64_t)b * T * KVH + kh) * HD;
  const bf16* vbase = v + ((int64_t)b * T * KVH + kh) * HD;
  const int ra = i0 + w * 16 + g, rb = ra + 8;  // this thread's two rows (accumulator elements 0-1 and 2-3)
  const int sa = ra < T ? sg[ra] : SEG_NO_QUERY, sb = rb < T ? sg[rb] : SEG_NO_QUERY;
  const int qn = min(BM, T - i0), ilast = i0 + qn - 1;
  const int tlo = (window > 0 ? max(0, i0 - window + 1) : 0) / BN;
  const int seg0 = sg[i0];
  // key tile tj holds a visible pair for this query tile (contiguous segments: the first dead tile ends the loop)
  auto live = [&](int tj) {
    int j0 = tj * BN, kn = min(BN, T - j0);
    return tj >= tlo && !(j0 + kn - 1 < i0 && sg[j0 + kn - 1] != seg0);
  };
  auto issue = [&](int tj, int buf) {  // K, V and key segments of tile tj into buffer buf
    int j0 = tj * BN;
    if constexpr (PIPE) {
      load_tile_async<HD>(Kbuf + buf * BN * LD, LD, kbase, (int64_t)KVH * HD, j0, BN, T);
      load_tile_async<HD>(Vbuf + buf * BN * LD, LD, vbase, (int64_t)KVH * HD, j0, BN, T);
    } else {
      load_tile<HD>(Kbuf + buf * BN * LD, LD, kbase, (int64_t)KVH * HD, j0, BN, T);
      load_tile<HD>(Vbuf + buf * BN * LD, LD, vbase, (int64_t)KVH * HD, j0, BN, T);
    }
    for (int r = threadIdx.x; r < BN; r += THREADS) segbuf[buf * BN + r] = j0 + r < T ? sg[j0 + r] : SEG_NO_KEY;
  };
  if constexpr (PIPE) {
    load_tile_async<HD>(Qs, LD, q + ((int64_t)b * T * H + h) * HD, (int64_t)H * HD, i0, BM, T);
    issue(ilast / BN, 0);  // the diagonal tile is always live
    cp_async_commit();
  } else {
    load_tile<HD>(Qs, LD, q + ((int64_t)b * T * H + h) * HD, (int64_t)H * HD, i0, BM, T);
  }

  float o[HD / 8][4] = {};
  float ma = -INFINITY, mb = -INFINITY, la = 0.0f, lb = 0.0f;
  for (int tj = ilast / BN, it = 0; live(tj); tj--, it++) {
    const int j0 = tj * BN, kn = min(BN, T - j0), cur = PIPE ? (it & 1) : 0;
    if constexpr (PIPE) {
      cp_async_wait_all();
      __syncthreads();  // tile tj landed for every thread, and everyone is done with the other buffer
      if (live(tj - 1)) {
        issue(tj - 1, cur ^ 1);
        cp_async_commit();
      }
    } else {
      __syncthreads();  // the previous tile's readers are done
      issue(tj, 0);
      __syncthreads();
    }
    const bf16* Ks = Kbuf + cur * BN * LD;
    const bf16* Vs = Vbuf + cur * BN * LD;
    const int* segk = segbuf + cur * BN;

    float s[BN / 8][4] = {};
    mma_abt<HD, BN>(s, Qs, Ks, LD, w * 16);
    const bool full = tile_full(sg, i0, qn, BM, j0, kn, BN, window);
    float mxa = -INFINITY, mxb = -INFINITY;
#pragma unroll
    for (int n = 0; n < BN / 8; n++) {
#pragma unroll
      for (int e = 0; e < 4; e++) {
        int jl = n * 8 + 2 * t4 + (e & 1);
        float x = s[n][e] * scale_log2;
        if (!full && !allowed(e < 2 ? ra : rb, j0 + jl, e < 2 ? sa : sb, segk[jl], window)) x = -INFINITY;
        s[n][e] = x;
      }
      mxa = fmaxf(mxa, fmaxf(s[n][0], s[n][1]));
      mxb = fmaxf(mxb, fmaxf(s[n][2], s[n][3]));
    }
#pragma unroll
    for (int off = 1; off <= 2; off <<= 1) {  // the 4 lanes of a quad share a row
      mxa = fmaxf(mxa, __shfl_xor_sync(0xffffffffu, mxa, off));
      mxb = fmaxf(mxb, __shfl_xor_sync(0xffffffffu, mxb, off));
    }
    const float mna = fmaxf(ma, mxa), mnb = fmaxf(mb, mxb);
    // a row with nothing visible so far keeps m = -inf; subtract 0 then so exp2 gives 0, not NaN
    const float ua = mna == -INFINITY ? 0.0f : mna, ub = mnb == -INFINITY ? 0.0f : mnb;
    const float ca = exp2f(ma - ua), cb = exp2f(mb - ub);
    ma = mna;
    mb = mnb;
    float suma = 0.0f, sumb = 0.0f;
#pragma unroll
    for (int n = 0; n < BN / 8; n++) {
      s[n][0] = exp2f(s[n][0] - ua);
      s[n][1] = exp2f(s[n][1] - ua);
      s[n][2] = exp2f(s[n][2] - ub);
      s[n][3] = exp2f(s[n][3] - ub);
      suma += s[n][0] + s[n][1];
      sumb += s[n][2] + s[n][3];
    }
    la = la * ca + suma;  // per-lane partial sums; the quad is summed once at the end
    lb = lb * cb + sumb;
#pragma unroll
    for (int d = 0; d < HD / 8; d++) {
      o[d][0] *= ca;
      o[d][1] *= ca;
      o[d][2] *= cb;
      o[d][3] *= cb;
    }
    mma_pb<BN, HD>(o, s, Vs, LD);
  }
#pragma unroll
  for (int off = 1; off <= 2; off <<= 1) {
    la += __shfl_xor_sync(0xffffffffu, la, off);
    lb += __shfl_xor_sync(0xffffffffu, lb, off);
  }
  // every row < T sees at least its own key, so l > 0 there; rows >= T are not written
  const float ia = 1.0f / la, ib = 1.0f / lb;
#pragma unroll
  for (int d = 0; d < HD / 8; d++) {
    int c = d * 8 + 2 * t4;
    if (ra < T) *reinterpret_cast<float2*>(out + (((int64_t)b * T + ra) * H + h) * HD + c) = make_float2(o[d][0] * ia, o[d][1] * ia);
    if (rb < T) *reinterpret_cast<float2*>(out + (((int64_t)b * T + rb) * H + h) * HD + c) = make_float2(o[d][2] * ib, o[d][3] * ib);
  }
  if (t4 == 0) {
    const float LN2 = 0.6931471805599453f;
    if (ra < T) lse[((int64_t)b * H + h) * T + ra] = (ma + log2f(la)) * LN2;
    if (rb < T) lse[((int64_t)b * H + h) * T + rb] = (mb + log2f(lb)) * LN2;
  }
}

#ifndef FA_HOST_EMULATION
// pipelined: variant v2 (cp.async double buffer), else v1
inline bool flash_attention_forward(cudaStream_t st, float* out, float* lse, const bf16* q, const bf16* k, const bf16* v,
                                    const int32_t* seg, int B, int T, int H, int KVH, int hd, int window, bool pipelined) {
  // out (B,T,H,hd), lse (B,H,T), q (B,T,H,hd), k/v (B,T,KVH,hd) bf16, seg (B,T)
  if ((hd != 64 && hd != 128) || H % KVH != 0) return false;
  float sl2 = LOG2E / sqrtf((float)hd);
  dim3 grid((T + 63) / 64, H, B);
  size_t sm = fwd_smem(hd, pipelined);
#define FA_FWD(HD, P)                                                                           \
  do {                                                                                          \
    allow_smem(flash_fwd_kernel<HD, P>, sm);                                                    \
    flash_fwd_kernel<HD, P><<<grid, THREADS, sm, st>>>(out, lse, q, k, v, seg, T, H, KVH, window, sl2); \
  } while (0)
  if (hd == 64) {
    if (pipelined) FA_FWD(64, true); else FA_FWD(64, false);
  } else {
    if (pipelined) FA_FWD(128, true); else FA_FWD(128, false);
  }
#undef FA_FWD
  return true;
}
#endif

}  // namespace fa

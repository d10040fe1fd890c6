// Flash-attn dev backward (variants v1 and v2 of native/dev/cuda/flash-attn.cu): FlashAttention-2's algorithm 2 on
// bf16 mma.sync, P recomputed from the forward's log-sum-exp; dq/dk/dv accumulate (+=) as the op layer's backward.
#pragma once
#include "flash-attn-tile.cuh"

namespace fa {

// ---- backward prologue: D (B,H,T) = rowsum(dob * out) in fp32, and dout as the bf16 operand dob (B,T,H,hd) ----
// D takes dO rounded to bf16, the operand dP = dO V^T and dV = P^T dO use, so that dP - D = dob (v_j - o_i) and
// the backward is the exact gradient for dob (FlashAttention-2 reads one bf16 dO for all three). With fp32 dO here,
// dS carried P (dob - dout) . v_j, which does not cancel: a row with one visible key (window 1, a record's first
// token), whose true dS is 0, got bf16 noise of ~1e-3 in dq/dk instead of fp32 rounding (~1e-7).
static __global__ void flash_bwd_prep_kernel(float* D, bf16* dob, const float* dout, const float* out, int B, int T, int H, int hd) {
  int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);  // (b, t, h)
  int lane = threadIdx.x & 31;
  if (row >= (int64_t)B * T * H) return;
  float s = 0.0f;
  for (int d = lane; d < hd; d += 32) {
    bf16 gb = __float2bfloat16_rn(dout[row * hd + d]);
    s += __bfloat162float(gb) * out[row * hd + d];
    dob[row * hd + d] = gb;
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
  int h = (int)(row % H);
  int64_t bt = row / H;
  if (lane == 0) D[((bt / T) * H + h) * T + bt % T] = s;
}

// ---- backward dK, dV: grid (ceil(T/64), KVH, B), 128 threads; each warp owns 16 keys of the block's 64 and keeps
// their dK, dV rows in registers over every query tile of every head of the kv group, so dK/dV need no atomics and
// no second writer (deterministic). Per query tile of BQ rows: S^T = K Q^T and dP^T = V dO^T (16 x BQ per warp),
// P^T = exp(S^T - lse), dS^T = P^T (dP^T - D) scale, then dV += P^T dO and dK += dS^T Q. BQ = 32 at HD 128 keeps the
// accumulators (2 x 64 floats per lane) clear of spills.
// ATOMIC_DQ (variant v2, FlashAttention-2's own scheme): dS also goes through shared memory as bf16 and the block adds
// its dQ = dS K share to dq with fp32 atomics — no dQ pass, but the order of the adds, hence dq's last bits, varies.
template <int HD, int BQ, bool ATOMIC_DQ>
static __global__ void __launch_bounds__(THREADS) flash_bwd_dkv_kernel(float* dq, float* dk, float* dv, const bf16* dob, const float* lse,
                                                                       const float* D, const bf16* q, const bf16* k, const bf16* v,
                                                                       const int32_t* seg, int T, int H, int KVH, int window,
                                                                       float scale, float scale_log2) {
  // dq (B,T,H,HD) += (ATOMIC_DQ only, else unused), dk/dv (B,T,KVH,HD) +=, dob (B,T,H,HD), lse/D (B,H,T)
  constexpr int BN = 64, LD = HD + 8;
  extern __shared__ __align__(16) unsigned char smem[];
  bf16* Ks = reinterpret_cast<bf16*>(smem);
  bf16* Vs = Ks + BN * LD;
  bf16* Qs = Vs + BN * LD;
  bf16* Gs = Qs + BQ * LD;  // dO
  float* Ls = reinterpret_cast<float*>(Gs + BQ * LD);  // lse * log2(e)
  float* Dsh = Ls + BQ;
  int* segq = reinterpret_cast<int*>(Dsh + BQ);
  bf16* dSs = reinterpret_cast<bf16*>(segq + BQ);  // ATOMIC_DQ: dS^T (BN, BQ + 8)
  const int w = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t4 = lane & 3;
  const int b = blockIdx.z, kh = blockIdx.y, rep = H / KVH;
  const int j0 = blockIdx.x * BN, kn = min(BN, T - j0), jlast = j0 + kn - 1;
  const int32_t* sg = seg + (int64_t)b * T;
  load_tile<HD>(Ks, LD, k + ((int64_t)b * T * KVH + kh) * HD, (int64_t)KVH * HD, j0, BN, T);
  load_tile<HD>(Vs, LD, v + ((int64_t)b * T * KVH + kh) * HD, (int64_t)KVH * HD, j0, BN, T);
  const int ka = j0 + w * 16 + g, kb = ka + 8;  // this thread's two key rows
  const int sa = ka < T ? sg[ka] : SEG_NO_KEY, sb = kb < T ? sg[kb] : SEG_NO_KEY;
  const int ihi = window > 0 ? min(T - 1, jlast + window - 1) : T - 1;
  const int seglast = sg[jlast];

  float adk[HD / 8][4] = {}, adv[HD / 8][4] = {};
  for (int h = kh * rep; h < (kh + 1) * rep; h++) {
    const bf16* qh = q + ((int64_t)b * T * H + h) * HD;
    const bf16* gh = dob + ((int64_t)b * T * H + h) * HD;
    const float* lh = lse + ((int64_t)b * H + h) * T;
    const float* dh = D + ((int64_t)b * H + h) * T;
    for (int i0 = j0 / BQ * BQ; i0 <= ihi; i0 += BQ) {
      if (i0 > jlast && sg[i0] != seglast) break;  // contiguous segments: every later query tile is dead too
      const int qn = min(BQ, T - i0);
      __syncthreads();
      load_tile<HD>(Qs, LD, qh, (int64_t)H * HD, i0, BQ, T);
      load_tile<HD>(Gs, LD, gh, (int64_t)H * HD, i0, BQ, T);
      for (int r = threadIdx.x; r < BQ; r += THREADS) {
        bool in = i0 + r < T;
        Ls[r] = in ? lh[i0 + r] * LOG2E : 0.0f;
        Dsh[r] = in ? dh[i0 + r] : 0.0f;
        segq[r] = in ? sg[i0 + r] : SEG_NO_QUERY;
      }
      __syncthreads();

      float st[BQ / 8][4] = {}, dpt[BQ / 8][4] = {};
      mma_abt<HD, BQ>(st, Ks, Qs, LD, w * 16);   // Sᵀ
      mma_abt<HD, BQ>(dpt, Vs, Gs, LD, w * 16);  // dPᵀ
      const bool full = tile_full(sg, i0, qn, BQ, j0, kn, BN, window);
#pragma unroll
      for (int n = 0; n < BQ / 8; n++) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
          int il = n * 8 + 2 * t4 + (e & 1);
          float p = exp2f(st[n][e] * scale_log2 - Ls[il]);
          if (!full && !allowed(i0 + il, e < 2 ? ka : kb, segq[il], e < 2 ? sa : sb, window)) p = 0.0f;
          st[n][e] = p;
          dpt[n][e] = p * (dpt[n][e] - Dsh[il]) * scale;
        }
      }
      if constexpr (ATOMIC_DQ) {
        // warps split dQ's (BQ, HD) tile into BQ/16 row tiles x 4/(BQ/16) column slices; the product runs over the
        // block's 64 keys, dS read back transposed from shared memory
        constexpr int LDS = BQ + 8, RT = BQ / 16, HDW = HD / (4 / RT);
#pragma unroll
        for (int n = 0; n < BQ / 8; n++) {
          int c = n * 8 + 2 * t4;
          *reinterpret_cast<uint32_t*>(dSs + (w * 16 + g) * LDS + c) = pack_bf16(dpt[n][0], dpt[n][1]);
          *reinterpret_cast<uint32_t*>(dSs + (w * 16 + g + 8) * LDS + c) = pack_bf16(dpt[n][2], dpt[n][3]);
        }
        __syncthreads();
        const int rt = w % RT, c0 = (w / RT) * HDW;
        float aq[HDW / 8][4] = {};
#pragma unroll
        for (int kk = 0; kk < BN / 16; kk++) {
          uint32_t a[4];
          load_a_t(a, dSs, LDS, rt * 16, kk * 16);
#pragma unroll
          for (int dp = 0; dp < HDW / 16; dp++) {
            uint32_t bb[4];
            load_b_kn(bb, Ks, LD, kk * 16, c0 + dp * 16);
            mma(aq[2 * dp], a, bb[0], bb[1]);
            mma(aq[2 * dp + 1], a, bb[2], bb[3]);
          }
        }
        const int qa = i0 + rt * 16 + g, qb = qa + 8;
#pragma unroll
        for (int d = 0; d < HDW / 8; d++) {
          int c = c0 + d * 8 + 2 * t4;
          if (qa < T) {
            float* p = dq + (((int64_t)b * T + qa) * H + h) * HD + c;
            atomicAdd(p, aq[d][0]);
            atomicAdd(p + 1, aq[d][1]);
          }
          if (qb < T) {
            float* p = dq + (((int64_t)b * T + qb) * H + h) * HD + c;
            atomicAdd(p, aq[d][2]);
            atomicAdd(p + 1, aq[d][3]);
          }
        }
      }
      mma_pb<BQ, HD>(adv, st, Gs, LD);   // dV += Pᵀ dO
      mma_pb<BQ, HD>(adk, dpt, Qs, LD);  // dK += dSᵀ Q
    }
  }
#pragma unroll
  for (int d = 0; d < HD / 8; d++) {
    int c = d * 8 + 2 * t4;
    if (ka < T) {
      int64_t off = (((int64_t)b * T + ka) * KVH + kh) * HD + c;
      dk[off] += adk[d][0];
      dk[off + 1] += adk[d][1];
      dv[off] += adv[d][0];
      dv[off + 1] += adv[d][1];
    }
    if (kb < T) {
      int64_t off = (((int64_t)b * T + kb) * KVH + kh) * HD + c;
      dk[off] += adk[d][2];
      dk[off + 1] += adk[d][3];
      dv[off] += adv[d][2];
      dv[off + 1] += adv[d][3];
    }
  }
}

// ---- backward dQ: grid (ceil(T/64), H, B), 128 threads, a second pass over the key tiles of the forward (S and dP
// recomputed: two products more than an atomic dQ in the dK/dV kernel, in exchange for a deterministic dQ written by
// one block, and no (B,T,H,hd) fp32 atomics traffic). dQ += dS K per warp's 16 rows, in registers.
template <int HD>
static __global__ void __launch_bounds__(THREADS) flash_bwd_dq_kernel(float* dq, const bf16* dob, const float* lse, const float* D,
                                                                      const bf16* q, const bf16* k, const bf16* v, const int32_t* seg,
                                                                      int T, int H, int KVH, int window, float scale,
                                                                      float scale_log2) {
  // dq (B,T,H,HD) +=
  constexpr int BM = 64, BN = 64, LD = HD + 8;
  extern __shared__ __align__(16) unsigned char smem[];
  bf16* Qs = reinterpret_cast<bf16*>(smem);
  bf16* Gs = Qs + BM * LD;
  bf16* Ks = Gs + BM * LD;
  bf16* Vs = Ks + BN * LD;
  int* segk = reinterpret_cast<int*>(Vs + BN * LD);
  const int w = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t4 = lane & 3;
  const int b = blockIdx.z, h = blockIdx.y, kh = h / (H / KVH);
  const int i0 = (gridDim.x - 1 - blockIdx.x) * BM;
  const int32_t* sg = seg + (int64_t)b * T;
  load_tile<HD>(Qs, LD, q + ((int64_t)b * T * H + h) * HD, (int64_t)H * HD, i0, BM, T);
  load_tile<HD>(Gs, LD, dob + ((int64_t)b * T * H + h) * HD, (int64_t)H * HD, i0, BM, T);
  const int ra = i0 + w * 16 + g, rb = ra + 8;
  const int sa = ra < T ? sg[ra] : SEG_NO_QUERY, sb = rb < T ? sg[rb] : SEG_NO_QUERY;
  const float* lh = lse + ((int64_t)b * H + h) * T;
  const float* dh = D + ((int64_t)b * H + h) * T;
  const float La = ra < T ? lh[ra] * LOG2E : 0.0f, Lb = rb < T ? lh[rb] * LOG2E : 0.0f;
  const float Da = ra < T ? dh[ra] : 0.0f, Db = rb < T ? dh[rb] : 0.0f;
  const int qn = min(BM, T - i0), ilast = i0 + qn - 1;
  const int tlo = (window > 0 ? max(0, i0 - window + 1) : 0) / BN;
  const int seg0 = sg[i0];

  float adq[HD / 8][4] = {};
  for (int tj = ilast / BN; tj >= tlo; tj--) {
    const int j0 = tj * BN, kn = min(BN, T - j0);
    if (j0 + kn - 1 < i0 && sg[j0 + kn - 1] != seg0) break;
    __syncthreads();
    load_tile<HD>(Ks, LD, k + ((int64_t)b * T * KVH + kh) * HD, (int64_t)KVH * HD, j0, BN, T);
    load_tile<HD>(Vs, LD, v + ((int64_t)b * T * KVH + kh) * HD, (int64_t)KVH * HD, j0, BN, T);
    for (int r = threadIdx.x; r < BN; r += THREADS) segk[r] = j0 + r < T ? sg[j0 + r] : SEG_NO_KEY;
    __syncthreads();

    float s[BN / 8][4] = {}, dp[BN / 8][4] = {};
    mma_abt<HD, BN>(s, Qs, Ks, LD, w * 16);   // S
    mma_abt<HD, BN>(dp, Gs, Vs, LD, w * 16);  // dP
    const bool full = tile_full(sg, i0, qn, BM, j0, kn, BN, window);
#pragma unroll
    for (int n = 0; n < BN / 8; n++) {
#pragma unroll
      for (int e = 0; e < 4; e++) {
        int jl = n * 8 + 2 * t4 + (e & 1);
        float p = exp2f(s[n][e] * scale_log2 - (e < 2 ? La : Lb));
        if (!full && !allowed(e < 2 ? ra : rb, j0 + jl, e < 2 ? sa : sb, segk[jl], window)) p = 0.0f;
        s[n][e] = p * (dp[n][e] - (e < 2 ? Da : Db)) * scale;  // dS
      }
    }
    mma_pb<BN, HD>(adq, s, Ks, LD);  // dQ += dS K
  }
#pragma unroll
  for (int d = 0; d < HD / 8; d++) {
    int c = d * 8 + 2 * t4;
    if (ra < T) {
      float* p = dq + (((int64_t)b * T + ra) * H + h) * HD + c;
      p[0] += adq[d][0];
      p[1] += adq[d][1];
    }
    if (rb < T) {
      float* p = dq + (((int64_t)b * T + rb) * H + h) * HD + c;
      p[0] += adq[d][2];
      p[1] += adq[d][3];
    }
  }
}

#ifndef FA_HOST_EMULATION
template <int HD, int BQ, bool ATOMIC_DQ>
inline void launch_dkv(cudaStream_t st, dim3 grid, float* dq, float* dk, float* dv, const bf16* dob, const float* lse, const float* D,
                       const bf16* q, const bf16* k, const bf16* v, const int32_t* seg, int T, int H, int KVH, int window, float scale,
                       float sl2) {
  size_t sm = dkv_smem(HD, BQ, ATOMIC_DQ);
  allow_smem(flash_bwd_dkv_kernel<HD, BQ, ATOMIC_DQ>, sm);
  flash_bwd_dkv_kernel<HD, BQ, ATOMIC_DQ><<<grid, THREADS, sm, st>>>(dq, dk, dv, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
}

// atomic_dq: variant v2 (dQ by atomics inside the dK/dV kernel); else v1 (the deterministic dQ pass)
inline bool flash_attention_backward(cudaStream_t st, float* dq, float* dk, float* dv, float* D, bf16* dob, const float* dout,
                                     const float* out, const float* lse, const bf16* q, const bf16* k, const bf16* v,
                                     const int32_t* seg, int B, int T, int H, int KVH, int hd, int window, bool atomic_dq) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=; scratch D (B,H,T) fp32 and dob (B,T,H,hd) bf16; dout/out fp32
  if ((hd != 64 && hd != 128) || H % KVH != 0) return false;
  float scale = 1.0f / sqrtf((float)hd), sl2 = scale * LOG2E;
  int64_t rows = (int64_t)B * T * H;
  flash_bwd_prep_kernel<<<(unsigned)((rows + 7) / 8), 256, 0, st>>>(D, dob, dout, out, B, T, H, hd);
  dim3 gk((T + 63) / 64, KVH, B), gq((T + 63) / 64, H, B);
  if (hd == 64) {
    if (atomic_dq) {
      launch_dkv<64, 64, true>(st, gk, dq, dk, dv, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
    } else {
      launch_dkv<64, 64, false>(st, gk, nullptr, dk, dv, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
      allow_smem(flash_bwd_dq_kernel<64>, dq_smem(64));
      flash_bwd_dq_kernel<64><<<gq, THREADS, dq_smem(64), st>>>(dq, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
    }
  } else {
    if (atomic_dq) {
      launch_dkv<128, 32, true>(st, gk, dq, dk, dv, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
    } else {
      launch_dkv<128, 32, false>(st, gk, nullptr, dk, dv, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
      allow_smem(flash_bwd_dq_kernel<128>, dq_smem(128));
      flash_bwd_dq_kernel<128><<<gq, THREADS, dq_smem(128), st>>>(dq, dob, lse, D, q, k, v, seg, T, H, KVH, window, scale, sl2);
    }
  }
  return true;
}
#endif

}  // namespace fa

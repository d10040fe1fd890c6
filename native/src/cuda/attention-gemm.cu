// Attention through cuBLAS in query chunks (the default training path): per (batch, kv head, chunk of <= 512
// queries) the rep query heads of the group are one strided-batched GEMM against the shared K/V (stride 0), so GQA
// costs nothing extra; causal chunks only multiply keys [window start, chunk end). Scores live in a reused
// (rep, chunk, keys) scratch, never (T, T) per head: memory grows with chunk x T, not T^2. Same masks and saved
// log-sum-exp as attention.cu (the simple kernels, kept as fallback: LATHE_CUDA_ATTENTION=simple).
// fp32 GEMMs; TF32 tensor cores when the backend runs in its default (bf16-weights) mode.
#include <algorithm>
#include <cmath>
#include "core/status.h"
#include "cuda/ops.cuh"

namespace {

constexpr int QCHUNK = 512;

struct chunk {
  int b, kh, i0, qn, k0, nk;
};

void gemm_sb(cuda_ctx& x, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const float* A, int lda, long long sA,
             const float* B, int ldb, long long sB, float beta, float* C, int ldc, long long sC, int batch) {
  float alpha = 1.0f;
  CUBLAS_CHECK(cublasGemmStridedBatchedEx(x.blas, ta, tb, m, n, k, &alpha, A, CUDA_R_32F, lda, sA, B, CUDA_R_32F, ldb, sB, &beta, C,
                                          CUDA_R_32F, ldc, sC, batch, x.tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F,
                                          CUBLAS_GEMM_DEFAULT));
}

// S_r (qn, nk) = X_r (qn rows of head kh*rep+r, stride H*hd) · Y^T (nk rows of kv head kh, stride KVH*hd), r < rep
void scores(cuda_ctx& x, float* S, const float* X, const float* Y, const chunk& c, int T, int H, int KVH, int hd, int rep) {
  const float* y = Y + (((int64_t)c.b * T + c.k0) * KVH + c.kh) * hd;
  const float* xq = X + (((int64_t)c.b * T + c.i0) * H + (int64_t)c.kh * rep) * hd;
  gemm_sb(x, CUBLAS_OP_T, CUBLAS_OP_N, c.nk, c.qn, hd, y, KVH * hd, 0, xq, H * hd, hd, 0.0f, S, c.nk, (long long)c.qn * c.nk, rep);
}

// Out_r (qn rows of head kh*rep+r) (+)= P_r (qn, nk) · Y (nk rows of kv head kh)
void apply(cuda_ctx& x, float* Out, const float* P, const float* Y, const chunk& c, int T, int H, int KVH, int hd, int rep, float beta) {
  const float* y = Y + (((int64_t)c.b * T + c.k0) * KVH + c.kh) * hd;
  float* o = Out + (((int64_t)c.b * T + c.i0) * H + (int64_t)c.kh * rep) * hd;
  gemm_sb(x, CUBLAS_OP_N, CUBLAS_OP_N, hd, c.qn, c.nk, y, KVH * hd, 0, P, c.nk, (long long)c.qn * c.nk, beta, o, H * hd, hd, rep);
}

// dY (nk rows of kv head kh) += sum_r P_r^T (nk, qn) · X_r (qn rows of head kh*rep+r); one GEMM per r (same output)
void gather(cuda_ctx& x, float* dY, const float* P, const float* X, const chunk& c, int T, int H, int KVH, int hd, int rep) {
  float* dy = dY + (((int64_t)c.b * T + c.k0) * KVH + c.kh) * hd;
  for (int r = 0; r < rep; r++) {
    const float* xr = X + (((int64_t)c.b * T + c.i0) * H + (int64_t)c.kh * rep + r) * hd;
    float alpha = 1.0f, beta = 1.0f;
    CUBLAS_CHECK(cublasGemmEx(x.blas, CUBLAS_OP_N, CUBLAS_OP_T, hd, c.nk, c.qn, &alpha, xr, CUDA_R_32F, H * hd,
                              P + (int64_t)r * c.qn * c.nk, CUDA_R_32F, c.nk, &beta, dy, CUDA_R_32F, KVH * hd,
                              x.tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }
}

__device__ __forceinline__ bool allowed(const int32_t* sg, int qi, int kj, int window) {
  if (kj > qi || sg[kj] != sg[qi]) return false;
  return window <= 0 || qi - kj < window;
}

// One block per (query row q, head r of the group). mode 0: scores -> probabilities, writes lse.
// mode 1: scores -> probabilities from the saved lse. Masked entries become 0.
__global__ void softmax_rows_kernel(float* S, float* lse, const int32_t* seg, int b, int kh, int i0, int qn, int k0, int nk, int T, int H,
                                    int rep, int window, float scale, int mode) {
  __shared__ float sh[32];
  int q = blockIdx.x, r = blockIdx.y, i = i0 + q, h = kh * rep + r;
  const int32_t* sg = seg + (int64_t)b * T;
  float* row = S + ((int64_t)r * qn + q) * nk;
  float* L = lse + ((int64_t)b * H + h) * T + i;
  if (mode == 0) {
    float mx = -INFINITY;
    for (int jj = threadIdx.x; jj < nk; jj += blockDim.x)
      if (allowed(sg, i, k0 + jj, window)) mx = fmaxf(mx, row[jj] * scale);
    mx = block_max(mx, sh);
    float s = 0.0f;
    for (int jj = threadIdx.x; jj < nk; jj += blockDim.x)
      if (allowed(sg, i, k0 + jj, window)) s += expf(row[jj] * scale - mx);
    s = block_sum(s, sh);
    float l = mx + logf(s);
    if (threadIdx.x == 0) *L = l;
    for (int jj = threadIdx.x; jj < nk; jj += blockDim.x)
      row[jj] = allowed(sg, i, k0 + jj, window) ? expf(row[jj] * scale - l) : 0.0f;
  } else {
    float l = *L;
    for (int jj = threadIdx.x; jj < nk; jj += blockDim.x)
      row[jj] = allowed(sg, i, k0 + jj, window) ? expf(row[jj] * scale - l) : 0.0f;
  }
}

// dS = P * (dP - D_i) * scale, in place over dP
__global__ void dscores_kernel(float* dP, const float* P, const float* D, int b, int kh, int i0, int qn, int nk, int T, int H, int rep,
                               float scale) {
  int q = blockIdx.x, r = blockIdx.y, i = i0 + q, h = kh * rep + r;
  float Di = D[((int64_t)b * H + h) * T + i];
  int64_t off = ((int64_t)r * qn + q) * nk;
  for (int jj = threadIdx.x; jj < nk; jj += blockDim.x) dP[off + jj] = P[off + jj] * (dP[off + jj] - Di) * scale;
}

__global__ void rowdot_kernel(float* D, const float* dout, const float* out, int B, int T, int H, int hd) {
  int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);  // (b, t, h)
  int lane = threadIdx.x & 31;
  if (row >= (int64_t)B * T * H) return;
  float s = 0.0f;
  for (int d = lane; d < hd; d += 32) s += dout[row * hd + d] * out[row * hd + d];
  s = warp_sum(s);
  int h = (int)(row % H);
  int64_t bt = row / H;
  if (lane == 0) D[((bt / T) * H + h) * T + bt % T] = s;
}

template <typename F>
void for_chunks(int B, int T, int KVH, int window, F f) {
  for (int b = 0; b < B; b++)
    for (int kh = 0; kh < KVH; kh++)
      for (int i0 = 0; i0 < T; i0 += QCHUNK) {
        chunk c;
        c.b = b; c.kh = kh; c.i0 = i0; c.qn = std::min(QCHUNK, T - i0);
        c.k0 = window > 0 ? std::max(0, i0 - window + 1) : 0;
        c.nk = i0 + c.qn - c.k0;
        f(c);
      }
}

}  // namespace

void attention_forward_gemm_cuda(cuda_ctx& x, float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                                 int B, int T, int H, int KVH, int hd, int window) {
  // out (B,T,H,hd), lse (B,H,T), q (B,T,H,hd), k/v (B,T,KVH,hd), seg (B,T)
  LATHE_ASSERT(H % KVH == 0);
  int rep = H / KVH;
  float scale = 1.0f / std::sqrt((float)hd);
  float* S = x.f32_scratch((int64_t)rep * QCHUNK * T);
  for_chunks(B, T, KVH, window, [&](const chunk& c) {
    scores(x, S, q, k, c, T, H, KVH, hd, rep);
    softmax_rows_kernel<<<dim3(c.qn, rep), 256, 0, x.stream>>>(S, lse, seg, c.b, c.kh, c.i0, c.qn, c.k0, c.nk, T, H, rep, window, scale, 0);
    CUDA_LAUNCH_CHECK();
    apply(x, out, S, v, c, T, H, KVH, hd, rep, 0.0f);
  });
}

void attention_backward_gemm_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                  const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                                  int hd, int window) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=; probabilities recomputed from lse per chunk
  LATHE_ASSERT(H % KVH == 0);
  int rep = H / KVH;
  float scale = 1.0f / std::sqrt((float)hd);
  int64_t sn = (int64_t)rep * QCHUNK * T;
  float* P = x.f32_scratch(2 * sn + (int64_t)B * H * T);
  float* dP = P + sn;
  float* D = dP + sn;
  int64_t rows = (int64_t)B * T * H;
  rowdot_kernel<<<(unsigned)((rows + 7) / 8), 256, 0, x.stream>>>(D, dout, out, B, T, H, hd);
  CUDA_LAUNCH_CHECK();
  for_chunks(B, T, KVH, window, [&](const chunk& c) {
    scores(x, P, q, k, c, T, H, KVH, hd, rep);
    softmax_rows_kernel<<<dim3(c.qn, rep), 256, 0, x.stream>>>(P, const_cast<float*>(lse), seg, c.b, c.kh, c.i0, c.qn, c.k0, c.nk, T, H,
                                                               rep, window, scale, 1);
    CUDA_LAUNCH_CHECK();
    gather(x, dv, P, dout, c, T, H, KVH, hd, rep);         // dV += P^T dO
    scores(x, dP, dout, v, c, T, H, KVH, hd, rep);         // dP = dO V^T
    dscores_kernel<<<dim3(c.qn, rep), 256, 0, x.stream>>>(dP, P, D, c.b, c.kh, c.i0, c.qn, c.nk, T, H, rep, scale);
    CUDA_LAUNCH_CHECK();
    apply(x, dq, dP, k, c, T, H, KVH, hd, rep, 1.0f);      // dQ += dS K
    gather(x, dk, dP, q, c, T, H, KVH, hd, rep);           // dK += dS^T Q
  });
}

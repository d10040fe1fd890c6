// Attention through cuBLAS in query chunks (the default training path): per chunk of <= 512 queries, the scores of
// every (batch, head) are strided-batched GEMMs (batched over the batch, or over the heads of a kv group against
// the shared K/V with stride 0, whichever launches less); causal chunks only multiply keys [window start, chunk
// end). Scores live in a reused (B, H, chunk, keys) scratch bounded to 640 MiB, never (T, T) per head. Same masks and saved
// log-sum-exp as attention.cu (the simple kernels, kept as fallback: LATHE_CUDA_ATTENTION=simple).
// fp32 GEMMs; TF32 tensor cores when the backend runs in its default (bf16-weights) mode.
#include <algorithm>
#include <cmath>
#include "core/status.h"
#include "cuda/ops.cuh"

namespace {

constexpr int QCHUNK_MAX = 512;
constexpr int64_t SCRATCH_FLOATS = 160ll << 20;  // per score buffer (640 MiB): bounds the chunk at long sequences

// One chunk of queries [i0, i0+qn) for every (batch, head), keys [k0, k0+nk). Scores S laid out (B, H, qn, nk).
struct chunk {
  int i0, qn, k0, nk;
};
struct dims {
  int B, T, H, KVH, hd, rep;
};

cublasComputeType_t compute(const cuda_ctx& x) { return x.tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F; }

void gemm_sb(cuda_ctx& x, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const float* A, int lda, long long sA,
             const float* B, int ldb, long long sB, float beta, float* C, int ldc, long long sC, int batch) {
  float alpha = 1.0f;
  CUBLAS_CHECK(cublasGemmStridedBatchedEx(x.blas, ta, tb, m, n, k, &alpha, A, CUDA_R_32F, lda, sA, B, CUDA_R_32F, ldb, sB, &beta, C,
                                          CUDA_R_32F, ldc, sC, batch, compute(x), CUBLAS_GEMM_DEFAULT));
}

// Batches are linear in either the batch index b (stride T*rows) or the head r within a kv group (K/V stride 0);
// whichever gives fewer launches is used.
bool by_batch(const dims& d) { return d.H <= d.B * d.KVH; }

// S[b,h] (qn, nk) = X[b, i0.., h] · Y[b, k0.., h/rep]^T
void scores(cuda_ctx& x, float* S, const float* X, const float* Y, const chunk& c, const dims& d) {
  long long sS = (long long)c.qn * c.nk;
  if (by_batch(d)) {
    for (int h = 0; h < d.H; h++)
      gemm_sb(x, CUBLAS_OP_T, CUBLAS_OP_N, c.nk, c.qn, d.hd, Y + ((int64_t)c.k0 * d.KVH + h / d.rep) * d.hd, d.KVH * d.hd,
              (long long)d.T * d.KVH * d.hd, X + ((int64_t)c.i0 * d.H + h) * d.hd, d.H * d.hd, (long long)d.T * d.H * d.hd, 0.0f,
              S + h * sS, c.nk, d.H * sS, d.B);
  } else {
    for (int b = 0; b < d.B; b++)
      for (int kh = 0; kh < d.KVH; kh++)
        gemm_sb(x, CUBLAS_OP_T, CUBLAS_OP_N, c.nk, c.qn, d.hd, Y + (((int64_t)b * d.T + c.k0) * d.KVH + kh) * d.hd, d.KVH * d.hd, 0,
                X + (((int64_t)b * d.T + c.i0) * d.H + (int64_t)kh * d.rep) * d.hd, d.H * d.hd, d.hd, 0.0f,
                S + ((int64_t)b * d.H + (int64_t)kh * d.rep) * sS, c.nk, sS, d.rep);
  }
}

// Out[b, i0.., h] (+)= P[b,h] (qn, nk) · Y[b, k0.., h/rep]
void apply(cuda_ctx& x, float* Out, const float* P, const float* Y, const chunk& c, const dims& d, float beta) {
  long long sS = (long long)c.qn * c.nk;
  if (by_batch(d)) {
    for (int h = 0; h < d.H; h++)
      gemm_sb(x, CUBLAS_OP_N, CUBLAS_OP_N, d.hd, c.qn, c.nk, Y + ((int64_t)c.k0 * d.KVH + h / d.rep) * d.hd, d.KVH * d.hd,
              (long long)d.T * d.KVH * d.hd, P + h * sS, c.nk, d.H * sS, beta, Out + ((int64_t)c.i0 * d.H + h) * d.hd, d.H * d.hd,
              (long long)d.T * d.H * d.hd, d.B);
  } else {
    for (int b = 0; b < d.B; b++)
      for (int kh = 0; kh < d.KVH; kh++)
        gemm_sb(x, CUBLAS_OP_N, CUBLAS_OP_N, d.hd, c.qn, c.nk, Y + (((int64_t)b * d.T + c.k0) * d.KVH + kh) * d.hd, d.KVH * d.hd, 0,
                P + ((int64_t)b * d.H + (int64_t)kh * d.rep) * sS, c.nk, sS, beta,
                Out + (((int64_t)b * d.T + c.i0) * d.H + (int64_t)kh * d.rep) * d.hd, d.H * d.hd, d.hd, d.rep);
  }
}

// dY[b, k0.., kh] += sum_r P[b, kh*rep+r]^T (nk, qn) · X[b, i0.., kh*rep+r]; heads of a group share the output, so
// the batch runs over b and the heads are summed by successive launches.
void gather(cuda_ctx& x, float* dY, const float* P, const float* X, const chunk& c, const dims& d) {
  long long sS = (long long)c.qn * c.nk;
  for (int h = 0; h < d.H; h++)
    gemm_sb(x, CUBLAS_OP_N, CUBLAS_OP_T, d.hd, c.nk, c.qn, X + ((int64_t)c.i0 * d.H + h) * d.hd, d.H * d.hd, (long long)d.T * d.H * d.hd,
            P + h * sS, c.nk, d.H * sS, 1.0f, dY + ((int64_t)c.k0 * d.KVH + h / d.rep) * d.hd, d.KVH * d.hd,
            (long long)d.T * d.KVH * d.hd, d.B);
}

__device__ __forceinline__ bool allowed(const int32_t* sg, int qi, int kj, int window) {
  if (kj > qi || sg[kj] != sg[qi]) return false;
  return window <= 0 || qi - kj < window;
}

// One block per (query row q, batch*head z). mode 0: scores -> probabilities, writes lse.
// mode 1: scores -> probabilities from the saved lse. Masked entries become 0.
__global__ void softmax_rows_kernel(float* S, float* lse, const int32_t* seg, int i0, int qn, int k0, int nk, int T, int H, int window,
                                    float scale, int mode) {
  __shared__ float sh[32];
  int q = blockIdx.x, z = blockIdx.y, b = z / H, i = i0 + q;
  const int32_t* sg = seg + (int64_t)b * T;
  float* row = S + ((int64_t)z * qn + q) * nk;
  float* L = lse + (int64_t)z * T + i;
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
__global__ void dscores_kernel(float* dP, const float* P, const float* D, int i0, int qn, int nk, int T, float scale) {
  int q = blockIdx.x, z = blockIdx.y;
  float Di = D[(int64_t)z * T + i0 + q];
  int64_t off = ((int64_t)z * qn + q) * nk;
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

int chunk_rows(const dims& d) {
  int64_t q = SCRATCH_FLOATS / ((int64_t)d.B * d.H * d.T);
  q = std::min<int64_t>(q, QCHUNK_MAX);
  q = std::max<int64_t>(16, q / 16 * 16);
  return (int)std::min<int64_t>(q, d.T);
}

template <typename F>
void for_chunks(const dims& d, int qc, int window, F f) {
  for (int i0 = 0; i0 < d.T; i0 += qc) {
    chunk c;
    c.i0 = i0;
    c.qn = std::min(qc, d.T - i0);
    c.k0 = window > 0 ? std::max(0, i0 - window + 1) : 0;
    c.nk = i0 + c.qn - c.k0;
    f(c);
  }
}

}  // namespace

int64_t attention_gemm_scratch_floats(int B, int T, int H) {  // attention_backward_gemm_cuda's P | dP | D (> forward's S)
  dims d{B, T, H, 1, 1, H};
  int64_t sn = (int64_t)B * H * chunk_rows(d) * T;
  return 2 * sn + (int64_t)B * H * T;
}

void attention_forward_gemm_cuda(cuda_ctx& x, float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                                 int B, int T, int H, int KVH, int hd, int window) {
  // out (B,T,H,hd), lse (B,H,T), q (B,T,H,hd), k/v (B,T,KVH,hd), seg (B,T)
  LATHE_ASSERT(H % KVH == 0);
  dims d{B, T, H, KVH, hd, H / KVH};
  float scale = 1.0f / std::sqrt((float)hd);
  int qc = chunk_rows(d);
  float* S = x.f32_scratch((int64_t)B * H * qc * T);
  for_chunks(d, qc, window, [&](const chunk& c) {
    scores(x, S, q, k, c, d);
    softmax_rows_kernel<<<dim3(c.qn, B * H), 256, 0, x.stream>>>(S, lse, seg, c.i0, c.qn, c.k0, c.nk, T, H, window, scale, 0);
    CUDA_LAUNCH_CHECK();
    apply(x, out, S, v, c, d, 0.0f);
  });
}

void attention_backward_gemm_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                  const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                                  int hd, int window) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=; probabilities recomputed from lse per chunk
  LATHE_ASSERT(H % KVH == 0);
  dims d{B, T, H, KVH, hd, H / KVH};
  float scale = 1.0f / std::sqrt((float)hd);
  int qc = chunk_rows(d);
  int64_t sn = (int64_t)B * H * qc * T;
  float* P = x.f32_scratch(2 * sn + (int64_t)B * H * T);
  float* dP = P + sn;
  float* D = dP + sn;
  int64_t rows = (int64_t)B * T * H;
  rowdot_kernel<<<(unsigned)((rows + 7) / 8), 256, 0, x.stream>>>(D, dout, out, B, T, H, hd);
  CUDA_LAUNCH_CHECK();
  for_chunks(d, qc, window, [&](const chunk& c) {
    scores(x, P, q, k, c, d);
    softmax_rows_kernel<<<dim3(c.qn, B * H), 256, 0, x.stream>>>(P, const_cast<float*>(lse), seg, c.i0, c.qn, c.k0, c.nk, T, H, window,
                                                                 scale, 1);
    CUDA_LAUNCH_CHECK();
    gather(x, dv, P, dout, c, d);   // dV += P^T dO
    scores(x, dP, dout, v, c, d);   // dP = dO V^T
    dscores_kernel<<<dim3(c.qn, B * H), 256, 0, x.stream>>>(dP, P, D, c.i0, c.qn, c.nk, T, scale);
    CUDA_LAUNCH_CHECK();
    apply(x, dq, dP, k, c, d, 1.0f);  // dQ += dS K
    gather(x, dk, dP, q, c, d);     // dK += dS^T Q
  });
}

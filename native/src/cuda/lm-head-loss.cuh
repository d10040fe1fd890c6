// The row kernel of lm_head_loss (lm-head-loss.cu): per logits row the loss and softmax − onehot, fp32 or bf16.
// In a header so that the dev harness (dev/cuda/lm-ce.cu) times this very kernel; no launcher, no GEMM here.
#pragma once
#include <cuda_bf16.h>
#include "cuda/reduce.cuh"

static __device__ __forceinline__ void store_grad(float* p, float v) { *p = v; }
static __device__ __forceinline__ void store_grad(__nv_bfloat16* p, float v) { *p = __float2bfloat16_rn(v); }

// One block per row. losses[row] = logsumexp(x) − x[t]; grad row (if not null) = softmax(x) − onehot(t), 0 for
// target −100. grad may alias logits (fp32, in place): every element is read and written by the same thread, and x[t]
// is read before the reductions' barriers, so no thread reads a value another has overwritten.
template <typename G>
static __global__ void lm_ce_kernel(float* losses, G* grad, const float* logits, const int32_t* targets, int V) {
  __shared__ float sh[32];
  int64_t row = blockIdx.x;
  int t = targets[row];
  G* g = grad ? grad + row * V : nullptr;
  if (t < 0) {
    if (threadIdx.x == 0) losses[row] = 0.0f;
    if (g)
      for (int j = threadIdx.x; j < V; j += blockDim.x) store_grad(g + j, 0.0f);
    return;
  }
  const float* xr = logits + row * V;
  float xt = xr[t];
  // online max and sum of exponentials in one read of the row (Milakov & Gimelshein 2018, "Online normalizer
  // calculation for softmax"); the two-pass form of cross-entropy.cu reads it twice.
  float m = -INFINITY, s = 0.0f;
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    float v = xr[j];
    if (v > m) {
      s = s * expf(m - v) + 1.0f;
      m = v;
    } else {
      s += expf(v - m);
    }
  }
  float mx = block_max(m, sh);
  s = block_sum(m == -INFINITY ? 0.0f : s * expf(m - mx), sh);
  if (threadIdx.x == 0) losses[row] = logf(s) + mx - xt;
  if (!g) return;
  float inv = 1.0f / s;
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    float p = expf(xr[j] - mx) * inv;
    store_grad(g + j, j == t ? p - 1.0f : p);
  }
}

// Dev harness for the row kernel of lm_head_loss (src/cuda/lm-head-loss.cu): per logits row, the loss and
// softmax − onehot written as the bf16 operand of the d(inp) GEMM. Numbered variants, each checked against the CPU
// reference (src/cpu/cross-entropy.cpp: loss, and the gradient via cross_entropy_backward with dloss 1) on one
// Qwen-vocabulary chunk (832 × 151,936, the plan's chunk) and timed with events. Not part of the engine build.
// Build and run: native/dev/cuda/run.sh lm-ce [variant]
//   v1: two passes for max and sum of exp, then the gradient pass (3 reads + 1 write of the row)
//   v2: online max + sum in one pass (Milakov & Gimelshein 2018), then the gradient pass (2 reads + 1 write) —
//       the engine's own kernel (lm_ce_kernel of src/cuda/lm-head-loss.cuh, promoted before this harness had run on a GPU)
//   v3: v2 with float4 loads and 4 bf16 per 8-byte store (needs V % 4 == 0, true for every vocabulary here)
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "core/half.h"
#include "core/rng.h"
#include "cpu/ops.h"
#include "cuda/lm-head-loss.cuh"  // v2: the engine's kernel itself
#include "harness.cuh"

static __global__ void ce_v1(float* losses, __nv_bfloat16* grad, const float* logits, const int32_t* targets, int V) {
  __shared__ float sh[32];
  int64_t row = blockIdx.x;
  int t = targets[row];
  __nv_bfloat16* g = grad + row * V;
  if (t < 0) {
    if (threadIdx.x == 0) losses[row] = 0.0f;
    for (int j = threadIdx.x; j < V; j += blockDim.x) g[j] = __float2bfloat16_rn(0.0f);
    return;
  }
  const float* xr = logits + row * V;
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, xr[j]);
  mx = block_max(mx, sh);
  float s = 0.0f;
  for (int j = threadIdx.x; j < V; j += blockDim.x) s += expf(xr[j] - mx);
  s = block_sum(s, sh);
  if (threadIdx.x == 0) losses[row] = logf(s) + mx - xr[t];
  float inv = 1.0f / s;
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    float p = expf(xr[j] - mx) * inv;
    g[j] = __float2bfloat16_rn(j == t ? p - 1.0f : p);
  }
}

static __device__ __forceinline__ void online_add(float& m, float& s, float v) {
  if (v > m) {
    s = s * expf(m - v) + 1.0f;
    m = v;
  } else {
    s += expf(v - m);
  }
}

static __global__ void ce_v3(float* losses, __nv_bfloat16* grad, const float* logits, const int32_t* targets, int V) {
  __shared__ float sh[32];
  int64_t row = blockIdx.x;
  int t = targets[row], V4 = V / 4;
  __nv_bfloat16* g = grad + row * V;
  uint2* g4 = reinterpret_cast<uint2*>(g);
  if (t < 0) {
    if (threadIdx.x == 0) losses[row] = 0.0f;
    for (int j = threadIdx.x; j < V4; j += blockDim.x) g4[j] = make_uint2(0u, 0u);
    return;
  }
  const float* xr = logits + row * V;
  const float4* x4 = reinterpret_cast<const float4*>(xr);
  float xt = xr[t];
  float m = -INFINITY, s = 0.0f;
  for (int j = threadIdx.x; j < V4; j += blockDim.x) {
    float4 v = x4[j];
    online_add(m, s, v.x);
    online_add(m, s, v.y);
    online_add(m, s, v.z);
    online_add(m, s, v.w);
  }
  float mx = block_max(m, sh);
  s = block_sum(m == -INFINITY ? 0.0f : s * expf(m - mx), sh);
  if (threadIdx.x == 0) losses[row] = logf(s) + mx - xt;
  float inv = 1.0f / s;
  for (int j = threadIdx.x; j < V4; j += blockDim.x) {
    float4 v = x4[j];
    float p[4] = {expf(v.x - mx) * inv, expf(v.y - mx) * inv, expf(v.z - mx) * inv, expf(v.w - mx) * inv};
    if (t / 4 == j) p[t % 4] -= 1.0f;
    __align__(8) __nv_bfloat16 o[4] = {__float2bfloat16_rn(p[0]), __float2bfloat16_rn(p[1]), __float2bfloat16_rn(p[2]),
                                      __float2bfloat16_rn(p[3])};
    g4[j] = *reinterpret_cast<uint2*>(o);
  }
}

int main(int argc, char** argv) {
  int variant = argc > 1 ? std::atoi(argv[1]) : 0;  // 0 = all
  if (harness_no_device()) return 77;
  const int N = 832, V = 151936;  // one lm_head chunk of the plan at Qwen's vocabulary
  const int64_t n = (int64_t)N * V;
  std::vector<float> x((size_t)n), ref_loss((size_t)N), ref_grad((size_t)n, 0.0f);
  for (int64_t i = 0; i < n; i++) x[(size_t)i] = (rng_uniform(2, 0, (uint64_t)i) * 2.0f - 1.0f) * 6.0f;
  std::vector<int32_t> tg((size_t)N);
  for (int i = 0; i < N; i++) tg[(size_t)i] = i % 9 == 4 ? -100 : (int32_t)rng_below(3, 0, (uint64_t)i, (uint64_t)V);
  cross_entropy_forward(ref_loss.data(), x.data(), tg.data(), N, V);
  cross_entropy_backward(ref_grad.data(), x.data(), tg.data(), 1.0f, N, V);
  float *d_x, *d_loss;
  int32_t* d_t;
  __nv_bfloat16* d_g;
  CK(cudaMalloc(&d_x, (size_t)n * 4));
  CK(cudaMalloc(&d_loss, (size_t)N * 4));
  CK(cudaMalloc(&d_t, (size_t)N * 4));
  CK(cudaMalloc(&d_g, (size_t)n * 2));
  CK(cudaMemcpy(d_x, x.data(), (size_t)n * 4, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(d_t, tg.data(), (size_t)N * 4, cudaMemcpyHostToDevice));
  double bytes_min = (double)n * 4 + (double)n * 2;  // one read + the bf16 write: what a fully fused row costs
  std::printf("chunk %d x %d: reference bytes (1 read fp32 + 1 write bf16) %.1f MB\n", N, V, bytes_min / 1e6);
  for (int v = 1; v <= 3; v++) {
    if (variant && v != variant) continue;
    CK(cudaMemset(d_g, 0xff, (size_t)n * 2));  // poison (bf16 NaN)
    CK(cudaMemset(d_loss, 0xff, (size_t)N * 4));
    auto launch = [&] {
      if (v == 1) ce_v1<<<N, 1024>>>(d_loss, d_g, d_x, d_t, V);
      else if (v == 2) lm_ce_kernel<__nv_bfloat16><<<N, 1024>>>(d_loss, d_g, d_x, d_t, V);
      else ce_v3<<<N, 1024>>>(d_loss, d_g, d_x, d_t, V);
    };
    launch();
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    std::vector<float> loss((size_t)N);
    std::vector<uint16_t> g((size_t)n);
    CK(cudaMemcpy(loss.data(), d_loss, (size_t)N * 4, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(g.data(), d_g, (size_t)n * 2, cudaMemcpyDeviceToHost));
    // loss: relative to the reference; gradient: |gpu - bf16(cpu)| / max|cpu| (bf16 rounding of the stored value)
    double el = 0, eg = 0, gmax = 1e-30;
    for (int i = 0; i < N; i++) {
      double d = std::fabs((double)loss[(size_t)i] - ref_loss[(size_t)i]) / std::max(1e-6, (double)std::fabs(ref_loss[(size_t)i]));
      el = (d == d) ? std::max(el, d) : 1e30;
    }
    for (int64_t i = 0; i < n; i++) gmax = std::max(gmax, (double)std::fabs(ref_grad[(size_t)i]));
    for (int64_t i = 0; i < n; i++) {
      double d = std::fabs((double)bf16_to_f32(g[(size_t)i]) - bf16_to_f32(f32_to_bf16(ref_grad[(size_t)i])));
      eg = (d == d) ? std::max(eg, d) : 1e30;
    }
    eg /= gmax;
    float med = median_ms(0, launch);
    bool ok = el <= 1e-5 && eg <= 1e-2;
    std::printf("v%d: %s (loss rel err %.2e, grad err %.2e of max), median %.3f ms, %.0f GB/s of the 1-read+1-write minimum\n", v,
                ok ? "ok" : "FAIL", el, eg, med, bytes_min / (med * 1e-3) / 1e9);
  }
  return 0;
}

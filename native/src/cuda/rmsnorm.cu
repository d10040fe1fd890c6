// RMSNorm (LlamaRMSNorm / Qwen3 q/k norm) on the GPU, one warp per row, fp32. out may alias inp (each lane reads
// its element before writing it). Does not fuse the residual add yet (planned: dev/ variant).
#include "cuda/ops.cuh"

static __global__ void rmsnorm_forward_kernel(float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C) {
  int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (row >= N) return;
  const float* x = inp + (int64_t)row * C;
  float ss = 0.0f;
  for (int c = lane; c < C; c += 32) ss += x[c] * x[c];
  ss = warp_sum(ss);
  float r = rsqrtf(ss / (float)C + eps);
  if (lane == 0) rstd[row] = r;
  float* y = out + (int64_t)row * C;
  for (int c = lane; c < C; c += 32) y[c] = weight[c] * (x[c] * r);
}

static __global__ void rmsnorm_backward_kernel(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                                               const float* rstd, int N, int C) {
  int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (row >= N) return;
  const float* x = inp + (int64_t)row * C;
  const float* dy = dout + (int64_t)row * C;
  float r = rstd[row];
  float dot = 0.0f;
  for (int c = lane; c < C; c += 32) dot += dy[c] * weight[c] * x[c];
  dot = warp_sum(dot);
  float k = r * r * r * dot / (float)C;
  float* dx = dinp + (int64_t)row * C;
  for (int c = lane; c < C; c += 32) dx[c] += r * dy[c] * weight[c] - k * x[c];
  if (dweight)
    for (int c = lane; c < C; c += 32) atomicAdd(dweight + c, dy[c] * x[c] * r);
}

void rmsnorm_forward_cuda(cuda_ctx& x, float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C) {
  // out (N, C), rstd (N), inp (N, C), weight (C)
  rmsnorm_forward_kernel<<<(N + 7) / 8, 256, 0, x.stream>>>(out, rstd, inp, weight, eps, N, C);
  CUDA_LAUNCH_CHECK();
}

void rmsnorm_backward_cuda(cuda_ctx& x, float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                           const float* rstd, int N, int C) {
  rmsnorm_backward_kernel<<<(N + 7) / 8, 256, 0, x.stream>>>(dinp, dweight, dout, inp, weight, rstd, N, C);
  CUDA_LAUNCH_CHECK();
}

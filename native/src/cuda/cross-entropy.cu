// Per-row cross-entropy with ignore_index -100 on the GPU, one block per row (max, sum of exp, then the loss or
// the softmax gradient) over given (N, V) logits. The model no longer uses it: lm-head-loss.cu fuses lm_head and the
// loss in row chunks; this op stays in the backend interface, tested against the CPU.
#include "cuda/ops.cuh"

static __global__ void ce_kernel(float* losses, float* dlogits, const float* logits, const int32_t* targets, float dloss, int V) {
  __shared__ float sh[32];
  int64_t row = blockIdx.x;
  int t = targets[row];
  if (t < 0) {
    if (losses && threadIdx.x == 0) losses[row] = 0.0f;
    return;
  }
  const float* xr = logits + row * V;
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, xr[j]);
  mx = block_max(mx, sh);
  float s = 0.0f;
  for (int j = threadIdx.x; j < V; j += blockDim.x) s += expf(xr[j] - mx);
  s = block_sum(s, sh);
  if (losses) {
    if (threadIdx.x == 0) losses[row] = logf(s) + mx - xr[t];
    return;
  }
  float inv = 1.0f / s;
  float* dx = dlogits + row * V;
  for (int j = threadIdx.x; j < V; j += blockDim.x) dx[j] += dloss * (expf(xr[j] - mx) * inv - (j == t ? 1.0f : 0.0f));
}

void cross_entropy_forward_cuda(cuda_ctx& x, float* losses, const float* logits, const int32_t* targets, int N, int V) {
  // losses (N), logits (N, V), targets (N)
  ce_kernel<<<N, 1024, 0, x.stream>>>(losses, nullptr, logits, targets, 0.0f, V);
  CUDA_LAUNCH_CHECK();
}

void cross_entropy_backward_cuda(cuda_ctx& x, float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V) {
  // dlogits (N, V) += dloss * (softmax - onehot)
  ce_kernel<<<N, 1024, 0, x.stream>>>(nullptr, dlogits, logits, targets, dloss, V);
  CUDA_LAUNCH_CHECK();
}

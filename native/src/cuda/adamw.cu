// torch.optim.AdamW (single-tensor path) on the GPU; scalars computed on the host in double as cpu/adamw.cpp does.
// Does not fuse several tensors into one launch yet (one launch per LoRA matrix).
#include <cmath>
#include "cuda/ops.cuh"

static __global__ void adamw_kernel(float* param, const float* grad, float* m, float* v, int64_t n, float step_size, float bc2_sqrt,
                                    float decay, float w1, float b2, float w2, float e) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    float g = grad[i];
    float p = param[i] * decay;
    float mi = m[i] + (g - m[i]) * w1;
    float vi = v[i] * b2 + w2 * g * g;
    float denom = sqrtf(vi) / bc2_sqrt + e;
    param[i] = p - step_size * (mi / denom);
    m[i] = mi;
    v[i] = vi;
  }
}

void adamw_update_cuda(cuda_ctx& x, float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1,
                       double beta2, double eps, double weight_decay, int64_t t) {
  double bc1 = 1.0 - std::pow(beta1, (double)t), bc2 = 1.0 - std::pow(beta2, (double)t);
  adamw_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(param, grad, m, v, n, (float)(lr / bc1), (float)std::sqrt(bc2),
                                                        (float)(1.0 - lr * weight_decay), (float)(1.0 - beta1), (float)beta2,
                                                        (float)(1.0 - beta2), (float)eps);
  CUDA_LAUNCH_CHECK();
}

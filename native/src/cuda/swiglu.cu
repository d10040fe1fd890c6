// SwiGLU (silu(gate) * up) forward/backward on the GPU, elementwise fp32. Does not fuse with the GEMMs around it.
#include "cuda/ops.cuh"

static __global__ void swiglu_forward_kernel(float* out, const float* gate, const float* up, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    float g = gate[i];
    float sg = 1.0f / (1.0f + expf(-g));
    out[i] = g * sg * up[i];
  }
}

static __global__ void swiglu_backward_kernel(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    float g = gate[i];
    float sg = 1.0f / (1.0f + expf(-g));
    dgate[i] += dout[i] * up[i] * (sg + g * sg * (1.0f - sg));
    dup[i] += dout[i] * g * sg;
  }
}

void swiglu_forward_cuda(cuda_ctx& x, float* out, const float* gate, const float* up, int64_t n) {
  swiglu_forward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, gate, up, n);
  CUDA_LAUNCH_CHECK();
}

void swiglu_backward_cuda(cuda_ctx& x, float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) {
  swiglu_backward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(dgate, dup, dout, gate, up, n);
  CUDA_LAUNCH_CHECK();
}

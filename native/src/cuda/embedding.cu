// embedding op (nn.Embedding) on the GPU: rows of a bf16 or fp32 table (never NF4: QLoRA leaves the embedding
// unquantised, as transformers + bitsandbytes do). Does not bounds-check tokens (the model validated them before
// upload).
#include "cuda/ops.cuh"

template <typename W>
static __global__ void embedding_forward_kernel(float* out, const int32_t* tokens, const W* wte, int64_t n, int C) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    int64_t row = i / C, c = i % C;
    out[i] = (float)wte[(int64_t)tokens[row] * C + c];
  }
}

static __global__ void embedding_backward_kernel(float* dwte, const float* dout, const int32_t* tokens, int64_t n, int C) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    atomicAdd(dwte + (int64_t)tokens[i / C] * C + i % C, dout[i]);
}

void embedding_forward_cuda(cuda_ctx& x, float* out, const int32_t* tokens, const void* wte, bool w_bf16, int N, int C) {
  // out (N, C), tokens (N), wte (V, C)
  int64_t n = (int64_t)N * C;
  if (w_bf16)
    embedding_forward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, tokens, (const __nv_bfloat16*)wte, n, C);
  else
    embedding_forward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, tokens, (const float*)wte, n, C);
  CUDA_LAUNCH_CHECK();
}

void embedding_backward_cuda(cuda_ctx& x, float* dwte, const float* dout, const int32_t* tokens, int N, int C) {
  // dwte (V, C) += ; atomics: order of additions differs from the CPU (rounding only)
  int64_t n = (int64_t)N * C;
  embedding_backward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(dwte, dout, tokens, n, C);
  CUDA_LAUNCH_CHECK();
}

// lm_head + cross-entropy in row chunks on the GPU (cpu/lm-head-loss.cpp is the reference): per chunk one logits GEMM,
// one fused kernel (online log-sum-exp, loss, softmax − onehot written as the next GEMM's operand) and one GEMM into
// d(inp). The (N, V) logits and their gradient are never materialised. Does not compute the weight gradient (frozen).
#include "core/status.h"
#include "cuda/ops.cuh"
#include "cuda/lm-head-loss.cuh"

void lm_head_loss_cuda(cuda_ctx& x, float* losses, float* dinp, float* logits, const float* inp, const void* weight, bool w_bf16,
                       const int32_t* targets, int N, int C, int V, int chunk) {
  // losses (N), dinp (N, C) += or null, logits (chunk, V) scratch, inp (N, C), weight (V, C) fp32 or bf16, targets (N)
  LATHE_ASSERT(N >= 0 && C > 0 && V > 0);
  if (chunk < 1) chunk = 1;
  if (chunk > N) chunk = N > 0 ? N : 1;
  // bf16 path: the chunk's inp rows and its gradient (the second GEMM's operand, written by the kernel directly, so
  // the fp32 gradient never goes through a conversion pass) share one scratch: [inp (chunk, C) | pad | grad (chunk, V)].
  __nv_bfloat16* xb = nullptr;
  __nv_bfloat16* gb = nullptr;
  if (w_bf16) {
    int64_t goff = ((int64_t)chunk * C + 63) / 64 * 64;  // 128-byte aligned operand for the tensor-core GEMM
    xb = x.bf16_scratch(goff + (dinp ? (int64_t)chunk * V : 0));
    gb = xb + goff;
  }
  for (int r0 = 0; r0 < N; r0 += chunk) {
    int n = N - r0 < chunk ? N - r0 : chunk;
    const float* in = inp + (int64_t)r0 * C;
    if (w_bf16) {
      convert_f32_to_bf16_cuda(x, xb, in, (int64_t)n * C);
      gemm_bf16_cuda(x, CUBLAS_OP_T, CUBLAS_OP_N, V, n, C, (const __nv_bfloat16*)weight, C, xb, C, 0.0f, logits, V);
    } else {
      gemm_nt_cuda(x, logits, in, (const float*)weight, n, V, C, 1.0f, 0.0f);
    }
    if (!dinp) {
      lm_ce_kernel<float><<<n, 1024, 0, x.stream>>>(losses + r0, nullptr, logits, targets + r0, V);
      CUDA_LAUNCH_CHECK();
      continue;
    }
    float* d = dinp + (int64_t)r0 * C;
    if (w_bf16) {
      lm_ce_kernel<__nv_bfloat16><<<n, 1024, 0, x.stream>>>(losses + r0, gb, logits, targets + r0, V);
      CUDA_LAUNCH_CHECK();
      gemm_bf16_cuda(x, CUBLAS_OP_N, CUBLAS_OP_N, C, n, V, (const __nv_bfloat16*)weight, C, gb, V, 1.0f, d, C);
    } else {
      lm_ce_kernel<float><<<n, 1024, 0, x.stream>>>(losses + r0, logits, logits, targets + r0, V);
      CUDA_LAUNCH_CHECK();
      gemm_nn_cuda(x, d, logits, (const float*)weight, n, C, V, 1.0f, 1.0f);
    }
  }
}

// PEFT LoRA branch on cuBLAS (fp32: the adapter is small and trained in fp32, as peft keeps it under autocast
// master weights): out += s (x A^T) B^T and its backward. Does not merge into the base weight.
#include "cuda/ops.cuh"

void lora_forward_cuda(cuda_ctx& x, float* out, float* xa, const float* inp, const float* A, const float* B, float scaling, int N,
                       int C, int OC, int r) {
  // out (N,OC) +=, xa (N,r) = inp · A^T, inp (N,C), A (r,C), B (OC,r)
  gemm_nt_cuda(x, xa, inp, A, N, r, C, 1.0f, 0.0f);
  gemm_nt_cuda(x, out, xa, B, N, OC, r, scaling, 1.0f);
}

void lora_backward_cuda(cuda_ctx& x, float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* inp, const float* xa,
                        const float* A, const float* B, float scaling, int N, int C, int OC, int r) {
  // dxa = s dout B ; dB += s dout^T xa ; dA += dxa^T inp ; dx += dxa A
  gemm_nn_cuda(x, dxa, dout, B, N, r, OC, scaling, 0.0f);
  if (dB) gemm_tn_cuda(x, dB, dout, xa, OC, r, N, scaling, 1.0f);
  if (dA) gemm_tn_cuda(x, dA, dxa, inp, r, C, N, 1.0f, 1.0f);
  if (dx) gemm_nn_cuda(x, dx, dxa, A, N, C, r, 1.0f, 1.0f);
}

// LoRA branch as PEFT's lora.Linear: result += lora_B(lora_A(dropout(x))) * scaling (dropout applied by the
// caller, one mask per adapted module). Does not merge weights into the base layer.
#include <cstring>
#include "cpu/gemm.h"
#include "cpu/ops.h"

void lora_forward(float* out, float* xa, const float* x, const float* A, const float* B, float scaling, int N, int C, int OC, int r) {
  // out (N,OC) +=, xa (N,r) = x · A^T, x (N,C), A (r,C), B (OC,r)
  std::memset(xa, 0, sizeof(float) * (size_t)N * r);
  cpu_gemm_nt(xa, x, A, N, r, C, 1.0f);
  cpu_gemm_nt(out, xa, B, N, OC, r, scaling);
}

void lora_backward(float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* x, const float* xa,
                   const float* A, const float* B, float scaling, int N, int C, int OC, int r) {
  // dxa (N,r) = s · dout · B ; dB (OC,r) += s · dout^T · xa ; dA (r,C) += dxa^T · x ; dx (N,C) += dxa · A
  std::memset(dxa, 0, sizeof(float) * (size_t)N * r);
  cpu_gemm_nn(dxa, dout, B, N, r, OC, scaling);
  if (dB) cpu_gemm_tn(dB, dout, xa, OC, r, N, scaling);
  if (dA) cpu_gemm_tn(dA, dxa, x, r, C, N, 1.0f);
  if (dx) cpu_gemm_nn(dx, dxa, A, N, C, r, 1.0f);
}

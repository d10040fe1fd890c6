// nn.Linear on cuBLAS: out = inp · W^T + b with fp32 activations; a bf16 (frozen) W takes the bf16 tensor-core path
// (inp converted to bf16 in reused scratch, in row chunks; fp32 accumulate and output), as torch autocast does. Row-major helpers
// map onto column-major cuBLAS by swapping operands. Does not compute dW for bf16 weights (they are frozen).
#include "core/status.h"
#include "cuda/ops.cuh"

static const float* fp(const void* p) { return (const float*)p; }

// fp32 GEMM; TF32 tensor cores in the default (bf16-weights) mode — the LoRA products, which peft runs in bf16
// under autocast — and pure fp32 in the exact mode.
static void sgemm(cuda_ctx& x, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, float alpha, const float* A, int lda,
                  const float* B, int ldb, float beta, float* C, int ldc) {
  CUBLAS_CHECK(cublasGemmEx(x.blas, ta, tb, m, n, k, &alpha, A, CUDA_R_32F, lda, B, CUDA_R_32F, ldb, &beta, C, CUDA_R_32F, ldc,
                            x.tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

void gemm_nt_cuda(cuda_ctx& x, float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha, float beta) {
  // C^T (N,M) = B (N,K) · A^T: col-major op(B as K×N)=T, A as K×M op N
  sgemm(x, CUBLAS_OP_T, CUBLAS_OP_N, (int)N, (int)M, (int)K, alpha, B, (int)K, A, (int)K, beta, C, (int)N);
}
void gemm_nn_cuda(cuda_ctx& x, float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha, float beta) {
  sgemm(x, CUBLAS_OP_N, CUBLAS_OP_N, (int)N, (int)M, (int)K, alpha, B, (int)N, A, (int)K, beta, C, (int)N);
}
void gemm_tn_cuda(cuda_ctx& x, float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha, float beta) {
  sgemm(x, CUBLAS_OP_N, CUBLAS_OP_T, (int)N, (int)M, (int)K, alpha, B, (int)N, A, (int)M, beta, C, (int)N);
}

void gemm_bf16_cuda(cuda_ctx& x, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const __nv_bfloat16* A, int lda,
                    const __nv_bfloat16* B, int ldb, float beta, float* C, int ldc) {
  float alpha = 1.0f;
  CUBLAS_CHECK(cublasGemmEx(x.blas, ta, tb, m, n, k, &alpha, A, CUDA_R_16BF, lda, B, CUDA_R_16BF, ldb, &beta, C, CUDA_R_32F, ldc,
                            CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

// Rows per conversion chunk: the bf16 operand scratch stays <= 256 MiB (the lm_head gradient alone would be N x V).
static int chunk_rows(int N, int width) {
  int64_t r = (128ll << 20) / (width > 0 ? width : 1);
  if (r < 1) r = 1;
  return r < N ? (int)r : N;
}

int64_t matmul_bf16_scratch_elems(int64_t N, int64_t width) {
  return (int64_t)chunk_rows((int)(N < (1ll << 30) ? N : (1ll << 30)), (int)width) * width;
}

static __global__ void convert_kernel(__nv_bfloat16* out, const float* inp, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    out[i] = __float2bfloat16_rn(inp[i]);
}

void convert_f32_to_bf16_cuda(cuda_ctx& x, __nv_bfloat16* out, const float* inp, int64_t n) {
  convert_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, inp, n);
  CUDA_LAUNCH_CHECK();
}

static __global__ void bias_add_kernel(float* out, const float* bias, int64_t n, int OC) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    out[i] += bias[i % OC];
}

static __global__ void bias_grad_kernel(float* dbias, const float* dout, int N, int OC) {
  int o = blockIdx.x * blockDim.x + threadIdx.x;
  if (o >= OC) return;
  float s = 0.0f;
  for (int i = 0; i < N; i++) s += dout[(int64_t)i * OC + o];
  dbias[o] += s;
}

void matmul_forward_cuda(cuda_ctx& x, float* out, const float* inp, const void* weight, bool w_bf16, const float* bias, int N, int C, int OC) {
  // out (N, OC), inp (N, C), weight (OC, C) fp32 or bf16, bias (OC) or null
  if (w_bf16) {
    int rows = chunk_rows(N, C);
    __nv_bfloat16* xb = x.bf16_scratch((int64_t)rows * C);
    for (int i0 = 0; i0 < N; i0 += rows) {
      int n = N - i0 < rows ? N - i0 : rows;
      convert_f32_to_bf16_cuda(x, xb, inp + (int64_t)i0 * C, (int64_t)n * C);
      gemm_bf16_cuda(x, CUBLAS_OP_T, CUBLAS_OP_N, OC, n, C, (const __nv_bfloat16*)weight, C, xb, C, 0.0f, out + (int64_t)i0 * OC, OC);
    }
  } else {
    gemm_nt_cuda(x, out, inp, fp(weight), N, OC, C, 1.0f, 0.0f);
  }
  if (bias) {
    bias_add_kernel<<<cuda_grid((int64_t)N * OC, 256), 256, 0, x.stream>>>(out, bias, (int64_t)N * OC, OC);
    CUDA_LAUNCH_CHECK();
  }
}

void matmul_backward_cuda(cuda_ctx& x, float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                          const void* weight, bool w_bf16, int N, int C, int OC) {
  // dinp (N, C) += dout · W; dweight (OC, C) += dout^T · inp (fp32 weights only); dbias (OC) +=
  if (dinp) {
    if (w_bf16) {
      int rows = chunk_rows(N, OC);
      __nv_bfloat16* db = x.bf16_scratch((int64_t)rows * OC);
      for (int i0 = 0; i0 < N; i0 += rows) {
        int n = N - i0 < rows ? N - i0 : rows;
        convert_f32_to_bf16_cuda(x, db, dout + (int64_t)i0 * OC, (int64_t)n * OC);
        gemm_bf16_cuda(x, CUBLAS_OP_N, CUBLAS_OP_N, C, n, OC, (const __nv_bfloat16*)weight, C, db, OC, 1.0f, dinp + (int64_t)i0 * C, C);
      }
    } else {
      gemm_nn_cuda(x, dinp, dout, fp(weight), N, C, OC, 1.0f, 1.0f);
    }
  }
  if (dweight) {
    LATHE_ASSERT(!w_bf16);
    gemm_tn_cuda(x, dweight, dout, inp, OC, C, N, 1.0f, 1.0f);
  }
  if (dbias) {
    bias_grad_kernel<<<(OC + 255) / 256, 256, 0, x.stream>>>(dbias, dout, N, OC);
    CUDA_LAUNCH_CHECK();
  }
}

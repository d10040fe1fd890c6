// CUDA op launchers (suffix _cuda), one .cu per op; same argument order and shapes as cpu/ops.h, fp32 activations
// with fp32 accumulation. Frozen matrices may be bf16 (`w_bf16`): their GEMMs take bf16 operands with fp32 output.
// Backward launchers ACCUMULATE (+=) like the CPU reference. Does not allocate except through cuda_ctx scratch.
#pragma once
#include "cuda/common.cuh"

// matmul.cu — row-major GEMMs on cuBLAS (C(M,N) = alpha * op + beta * C) and nn.Linear
void gemm_nt_cuda(cuda_ctx& x, float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha, float beta);  // A(M,K) B(N,K)^T
void gemm_nn_cuda(cuda_ctx& x, float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha, float beta);  // A(M,K) B(K,N)
void gemm_tn_cuda(cuda_ctx& x, float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha, float beta);  // A(K,M)^T B(K,N)
// column-major cuBLAS GEMM on bf16 operands with fp32 accumulation and fp32 output C = op(A)·op(B) + beta·C
void gemm_bf16_cuda(cuda_ctx& x, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const __nv_bfloat16* A, int lda,
                    const __nv_bfloat16* B, int ldb, float beta, float* C, int ldc);
void convert_f32_to_bf16_cuda(cuda_ctx& x, __nv_bfloat16* out, const float* inp, int64_t n);
void matmul_forward_cuda(cuda_ctx& x, float* out, const float* inp, const void* weight, bool w_bf16, const float* bias, int N, int C, int OC);
void matmul_backward_cuda(cuda_ctx& x, float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                          const void* weight, bool w_bf16, int N, int C, int OC);

// embedding.cu
void embedding_forward_cuda(cuda_ctx& x, float* out, const int32_t* tokens, const void* wte, bool w_bf16, int N, int C);
void embedding_backward_cuda(cuda_ctx& x, float* dwte, const float* dout, const int32_t* tokens, int N, int C);

// nf4-dequant.cu — an NF4 matrix (QLoRA: a decoder projection) into a bf16 or fp32 buffer of n elements, before a
// GEMM reads it
struct nf4_view;  // nf4-dequant.cuh
void nf4_dequantize_cuda(cuda_ctx& x, void* out, bool out_bf16, const nf4_view& v);

// rmsnorm.cu
void rmsnorm_forward_cuda(cuda_ctx& x, float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C);
void rmsnorm_backward_cuda(cuda_ctx& x, float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                           const float* rstd, int N, int C);

// rope.cu
void rope_forward_cuda(cuda_ctx& x, float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd);
void rope_backward_cuda(cuda_ctx& x, float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd);

// attention.cu
void attention_forward_cuda(cuda_ctx& x, float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                            int B, int T, int H, int KVH, int hd, int window);
void attention_backward_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                             const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                             int hd, int window);
// attention-gemm.cu — the default training path (cuBLAS in query chunks), same contract as above
// Scratch the launchers take for a run's sizes (the memory plan reserves it up front): the attention backward's fp32
// score buffers, and the bf16 operand conversions of one matmul of `width` columns.
int64_t attention_gemm_scratch_floats(int B, int T, int H);
int64_t matmul_bf16_scratch_elems(int64_t N, int64_t width);
void attention_forward_gemm_cuda(cuda_ctx& x, float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                                 int B, int T, int H, int KVH, int hd, int window);
void attention_backward_gemm_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                  const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                                  int hd, int window);
void attention_decode_forward_cuda(cuda_ctx& x, float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH,
                                   int hd, int window, int q_pos);
// attention-flash.cu — the fused bf16 kernels (flash-attn-{fwd,bwd}.cuh), same contract on bf16 q/k/v (the default
// mode's saved operands). Only where attention_flash_supported; the backward's scratch (fp32 floats, reserved by the
// plan): attention_flash_scratch_floats.
bool attention_flash_supported(int H, int KVH, int hd);
int64_t attention_flash_scratch_floats(int B, int T, int H, int hd);
void attention_forward_flash_cuda(cuda_ctx& x, float* out, float* lse, const __nv_bfloat16* q, const __nv_bfloat16* k,
                                  const __nv_bfloat16* v, const int32_t* seg, int B, int T, int H, int KVH, int hd, int window);
void attention_backward_flash_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                   const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v, const int32_t* seg, int B,
                                   int T, int H, int KVH, int hd, int window);

// swiglu.cu
void swiglu_forward_cuda(cuda_ctx& x, float* out, const float* gate, const float* up, int64_t n);
void swiglu_backward_cuda(cuda_ctx& x, float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n);

// cross-entropy.cu
void cross_entropy_forward_cuda(cuda_ctx& x, float* losses, const float* logits, const int32_t* targets, int N, int V);
void cross_entropy_backward_cuda(cuda_ctx& x, float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V);

// lm-head-loss.cu — lm_head + cross-entropy in row chunks with the gradient w.r.t. inp (dinp null: loss only)
void lm_head_loss_cuda(cuda_ctx& x, float* losses, float* dinp, float* logits, const float* inp, const void* weight, bool w_bf16,
                       const int32_t* targets, int N, int C, int V, int chunk);

// lora.cu
void lora_forward_cuda(cuda_ctx& x, float* out, float* xa, const float* inp, const float* A, const float* B, float scaling, int N, int C, int OC, int r);
void lora_backward_cuda(cuda_ctx& x, float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* inp, const float* xa,
                        const float* A, const float* B, float scaling, int N, int C, int OC, int r);

// elementwise.cu
void residual_forward_cuda(cuda_ctx& x, float* out, const float* a, const float* b, int64_t n);
void residual_backward_cuda(cuda_ctx& x, float* da, float* db, const float* dout, int64_t n);
void dropout_forward_cuda(cuda_ctx& x, float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n);
void dropout_backward_cuda(cuda_ctx& x, float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n);
double sum_squares_cuda(cuda_ctx& x, const float* a, int64_t n);  // synchronises (the host needs the value)
void scale_inplace_cuda(cuda_ctx& x, float* a, float s, int64_t n);
void convert_bf16_to_f32_cuda(cuda_ctx& x, float* out, const __nv_bfloat16* inp, int64_t n);  // saved activations

// adamw.cu
void adamw_update_cuda(cuda_ctx& x, float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1,
                       double beta2, double eps, double weight_decay, int64_t t);

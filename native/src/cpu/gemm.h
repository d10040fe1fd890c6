// Internal fp32 matrix products for the CPU backend (row-major, accumulate into C).
// Blocked loops parallelised over output rows, deterministic summation order; cblas_sgemm when built with LATHE_BLAS.
#pragma once
#include <cstdint>

// C(M,N) += alpha * A(M,K) · B(N,K)^T
void cpu_gemm_nt(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha);
// C(M,N) += alpha * A(M,K) · B(K,N)
void cpu_gemm_nn(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha);
// C(M,N) += alpha * A(K,M)^T · B(K,N)
void cpu_gemm_tn(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha);

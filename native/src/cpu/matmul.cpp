// matmul op (nn.Linear): out = inp · weight^T + bias, and its backward; plus the gemm kernels it rests on.
// Does not transpose weights in memory: HF stores Linear weights (out_features, in_features), as used here.
// With -DLATHE_BLAS=ON the three gemm shapes go to cblas_sgemm instead of the loops below.
#include "cpu/ops.h"
#include <vector>
#include "cpu/gemm.h"
#include "cpu/parallel.h"
#if defined(LATHE_USE_BLAS)
#include <cblas.h>

void cpu_gemm_nt(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)N, (int)K, alpha, A, (int)K, B, (int)K, 1.0f, C, (int)N);
}
void cpu_gemm_nn(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)N, (int)K, alpha, A, (int)K, B, (int)N, 1.0f, C, (int)N);
}
void cpu_gemm_tn(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)N, (int)K, alpha, A, (int)M, B, (int)N, 1.0f, C, (int)N);
}
#else

void cpu_gemm_nt(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha) {
  cpu_parallel_for(M, (double)M * N * K, [&](int64_t m0, int64_t m1) {
    const int64_t RB = 4, NB = 64;  // 4 rows of A share each row of B while it is in cache
    for (int64_t n0 = 0; n0 < N; n0 += NB) {
      int64_t n1 = n0 + NB < N ? n0 + NB : N;
      int64_t m = m0;
      for (; m + RB <= m1; m += RB) {
        const float* a0 = A + m * K; const float* a1 = a0 + K; const float* a2 = a1 + K; const float* a3 = a2 + K;
        for (int64_t n = n0; n < n1; n++) {
          const float* b = B + n * K;
          float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (int64_t k = 0; k < K; k++) {
            float bk = b[k];
            s0 += a0[k] * bk; s1 += a1[k] * bk; s2 += a2[k] * bk; s3 += a3[k] * bk;
          }
          C[m * N + n] += alpha * s0; C[(m + 1) * N + n] += alpha * s1;
          C[(m + 2) * N + n] += alpha * s2; C[(m + 3) * N + n] += alpha * s3;
        }
      }
      for (; m < m1; m++) {
        const float* a = A + m * K;
        for (int64_t n = n0; n < n1; n++) {
          const float* b = B + n * K;
          float s = 0;
          for (int64_t k = 0; k < K; k++) s += a[k] * b[k];
          C[m * N + n] += alpha * s;
        }
      }
    }
  });
}

void cpu_gemm_nn(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha) {
  cpu_parallel_for(M, (double)M * N * K, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; m++) {
      float* c = C + m * N;
      const float* a = A + m * K;
      for (int64_t k = 0; k < K; k++) {
        float ak = alpha * a[k];
        const float* b = B + k * N;
        for (int64_t n = 0; n < N; n++) c[n] += ak * b[n];
      }
    }
  });
}

void cpu_gemm_tn(float* C, const float* A, const float* B, int64_t M, int64_t N, int64_t K, float alpha) {
  cpu_parallel_for(M, (double)M * N * K, [&](int64_t m0, int64_t m1) {
    for (int64_t k = 0; k < K; k++) {
      const float* a = A + k * M;
      const float* b = B + k * N;
      for (int64_t m = m0; m < m1; m++) {
        float am = alpha * a[m];
        if (am == 0.0f) continue;
        float* c = C + m * N;
        for (int64_t n = 0; n < N; n++) c[n] += am * b[n];
      }
    }
  });
}

#endif  // LATHE_USE_BLAS

void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC) {
  // out (N, OC), inp (N, C), weight (OC, C), bias (OC) or null
  for (int64_t i = 0; i < (int64_t)N; i++)
    for (int o = 0; o < OC; o++) out[i * OC + o] = bias ? bias[o] : 0.0f;
  cpu_gemm_nt(out, inp, weight, N, OC, C, 1.0f);
}

void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                     int N, int C, int OC) {
  // dinp (N, C) +=, dweight (OC, C) +=, dbias (OC) +=; any may be null (frozen base weights skip dweight)
  if (dinp) cpu_gemm_nn(dinp, dout, weight, N, C, OC, 1.0f);
  if (dweight) cpu_gemm_tn(dweight, dout, inp, OC, C, N, 1.0f);
  if (dbias)
    for (int64_t i = 0; i < (int64_t)N; i++)
      for (int o = 0; o < OC; o++) dbias[o] += dout[i * OC + o];
}

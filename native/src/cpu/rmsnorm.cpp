// RMSNorm as transformers' LlamaRMSNorm / Qwen3RMSNorm: variance = mean(x^2) in fp32, x * rsqrt(var + eps), * w.
// Does not implement Gemma's (1 + w) variant.
#include <cmath>
#include "cpu/ops.h"
#include "cpu/parallel.h"

void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C) {
  // out (N, C), rstd (N), inp (N, C), weight (C)
  cpu_parallel_for(N, (double)N * C * 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float* x = inp + i * C;
      float ss = 0.0f;
      for (int c = 0; c < C; c++) ss += x[c] * x[c];
      float r = 1.0f / std::sqrt(ss / (float)C + eps);
      rstd[i] = r;
      float* y = out + i * C;
      for (int c = 0; c < C; c++) y[c] = weight[c] * (x[c] * r);
    }
  });
}

void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                      const float* rstd, int N, int C) {
  // y = w * x * r, r = (mean(x^2)+eps)^-1/2  =>  dx = r * (g - x * r^2 * mean(g * x)), g = dout * w
  cpu_parallel_for(N, (double)N * C * 6, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float* x = inp + i * C;
      const float* dy = dout + i * C;
      float r = rstd[i];
      float dot = 0.0f;
      for (int c = 0; c < C; c++) dot += dy[c] * weight[c] * x[c];
      float k = r * r * r * dot / (float)C;
      float* dx = dinp + i * C;
      for (int c = 0; c < C; c++) dx[c] += r * dy[c] * weight[c] - k * x[c];
    }
  });
  if (dweight)
    for (int64_t i = 0; i < N; i++)
      for (int c = 0; c < C; c++) dweight[c] += dout[i * C + c] * inp[i * C + c] * rstd[i];
}

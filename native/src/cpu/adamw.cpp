// AdamW exactly as torch.optim.AdamW's single-tensor path (amsgrad off, maximize off):
// p *= 1 - lr*wd; m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
// Does not fuse several tensors; the trainer calls it per LoRA tensor.
#include <cmath>
#include "cpu/ops.h"

void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                  double eps, double weight_decay, int64_t t) {
  // Scalars in double, tensors in float: torch computes bias corrections as Python floats.
  double bc1 = 1.0 - std::pow(beta1, (double)t);
  double bc2 = 1.0 - std::pow(beta2, (double)t);
  float step_size = (float)(lr / bc1);
  float bc2_sqrt = (float)std::sqrt(bc2);
  float decay = (float)(1.0 - lr * weight_decay);
  float w1 = (float)(1.0 - beta1), b2 = (float)beta2, w2 = (float)(1.0 - beta2), e = (float)eps;
  for (int64_t i = 0; i < n; i++) {
    float g = grad[i];
    param[i] *= decay;
    m[i] += (g - m[i]) * w1;
    v[i] = v[i] * b2 + w2 * g * g;
    float denom = std::sqrt(v[i]) / bc2_sqrt + e;
    param[i] -= step_size * (m[i] / denom);
  }
}

// Small elementwise ops: residual add, inverted dropout with a counter-RNG mask, sum of squares, scaling.
// Does not keep dropout masks: backward regenerates them from (seed, stream, index).
#include "core/rng.h"
#include "cpu/ops.h"

void residual_forward(float* out, const float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void residual_backward(float* da, float* db, const float* dout, int64_t n) {
  for (int64_t i = 0; i < n; i++) { da[i] += dout[i]; db[i] += dout[i]; }
}

// torch.nn.Dropout (training): zero with probability p, scale kept values by 1 / (1 - p).
void dropout_forward(float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n) {
  float keep = 1.0f / (1.0f - p);
  for (int64_t i = 0; i < n; i++) out[i] = rng_uniform(seed, stream, (uint64_t)i) < p ? 0.0f : inp[i] * keep;
}

void dropout_backward(float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n) {
  float keep = 1.0f / (1.0f - p);
  for (int64_t i = 0; i < n; i++)
    if (!(rng_uniform(seed, stream, (uint64_t)i) < p)) dinp[i] += dout[i] * keep;
}

double sum_squares(const float* x, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; i++) s += (double)x[i] * x[i];
  return s;
}

void scale_inplace(float* x, float s, int64_t n) {
  for (int64_t i = 0; i < n; i++) x[i] *= s;
}

// SwiGLU gate of LlamaMLP: act_fn(gate_proj(x)) * up_proj(x) with act_fn = SiLU (hidden_act "silu").
// Does not implement other activations (the model loader refuses hidden_act other than silu).
#include <cmath>
#include "cpu/ops.h"

void swiglu_forward(float* out, const float* gate, const float* up, int64_t n) {
  // out, gate, up (N, I) flattened to n
  for (int64_t i = 0; i < n; i++) {
    float g = gate[i];
    float sg = 1.0f / (1.0f + std::exp(-g));
    out[i] = g * sg * up[i];
  }
}

void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) {
  // d silu(g)/dg = s + g s (1 - s)
  for (int64_t i = 0; i < n; i++) {
    float g = gate[i];
    float sg = 1.0f / (1.0f + std::exp(-g));
    float silu = g * sg;
    dgate[i] += dout[i] * up[i] * (sg + g * sg * (1.0f - sg));
    dup[i] += dout[i] * silu;
  }
}

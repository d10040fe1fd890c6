// Rotary position embedding as transformers' apply_rotary_pos_emb (rotate_half convention, not interleaved),
// with inverse frequencies as _compute_default_rope_parameters / _compute_llama3_parameters.
// Implements default, linear and llama3; does not implement yarn / dynamic / longrope scaling (the model loader refuses them).
#include <cmath>
#include "cpu/ops.h"

void rope_table(float* cos_t, float* sin_t, const rope_params& p, int max_pos, int hd) {
  // cos_t, sin_t (max_pos, hd/2). fp32 throughout, like transformers: inv_freq = 1 / theta^(2i/hd)
  int half = hd / 2;
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < half; i++) {
    float inv = 1.0f / std::pow(p.theta, (float)(2 * i) / (float)hd);
    if (p.linear) inv /= p.factor;
    if (p.llama3) {
      float low_wavelen = p.original_max_position / p.low_freq_factor;
      float high_wavelen = p.original_max_position / p.high_freq_factor;
      float wavelen = (float)(2.0 * pi) / inv;
      float scaled = wavelen > low_wavelen ? inv / p.factor : inv;
      float smooth = (p.original_max_position / wavelen - p.low_freq_factor) / (p.high_freq_factor - p.low_freq_factor);
      float smoothed = (1.0f - smooth) * scaled / p.factor + smooth * scaled;
      bool medium = !(wavelen < high_wavelen) && !(wavelen > low_wavelen);
      inv = medium ? smoothed : scaled;
    }
    for (int pos = 0; pos < max_pos; pos++) {
      float f = (float)pos * inv;
      cos_t[(int64_t)pos * half + i] = std::cos(f) * p.attention_scaling;
      sin_t[(int64_t)pos * half + i] = std::sin(f) * p.attention_scaling;
    }
  }
}

void rope_forward(float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd) {
  // out, inp (N, H, hd) (may alias); x1 = x[:hd/2], x2 = x[hd/2:]: out1 = x1 c - x2 s, out2 = x2 c + x1 s
  int half = hd / 2;
  for (int64_t i = 0; i < N; i++) {
    const float* c = cos_t + (int64_t)pos[i] * half;
    const float* s = sin_t + (int64_t)pos[i] * half;
    for (int h = 0; h < H; h++) {
      const float* x = inp + (i * H + h) * hd;
      float* y = out + (i * H + h) * hd;
      for (int j = 0; j < half; j++) {
        float x1 = x[j], x2 = x[j + half];
        y[j] = x1 * c[j] - x2 * s[j];
        y[j + half] = x2 * c[j] + x1 * s[j];
      }
    }
  }
}

void rope_backward(float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd) {
  // transpose of the rotation: dx1 = d1 c + d2 s, dx2 = d2 c - d1 s
  int half = hd / 2;
  for (int64_t i = 0; i < N; i++) {
    const float* c = cos_t + (int64_t)pos[i] * half;
    const float* s = sin_t + (int64_t)pos[i] * half;
    for (int h = 0; h < H; h++) {
      const float* d = dout + (i * H + h) * hd;
      float* dx = dinp + (i * H + h) * hd;
      for (int j = 0; j < half; j++) {
        float d1 = d[j], d2 = d[j + half];
        dx[j] += d1 * c[j] + d2 * s[j];
        dx[j + half] += d2 * c[j] - d1 * s[j];
      }
    }
  }
}

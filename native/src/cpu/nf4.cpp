// NF4 quantisation with double quantisation, written to be read (see nf4.h). Levels from the QLoRA paper's
// appendix / bitsandbytes' NF4 table; the 8-bit dynamic map as bitsandbytes.functional.create_dynamic_map.
// Does not reproduce bitsandbytes bit for bit in the second level (its map is built with torch.linspace in fp32;
// ours in double then rounded): the format and the rounding rules are the same, the levels may differ in the last bit.
#include "cpu/nf4.h"
#include "cpu/parallel.h"
#include <algorithm>
#include <cmath>

const float nf4_code[16] = {-1.0f,
                            -0.6961928009986877f,
                            -0.5250730514526367f,
                            -0.39491748809814453f,
                            -0.28444138169288635f,
                            -0.18477343022823334f,
                            -0.09105003625154495f,
                            0.0f,
                            0.07958029955625534f,
                            0.16093020141124725f,
                            0.24611230194568634f,
                            0.33791524171829224f,
                            0.44070982933044434f,
                            0.5626170039176941f,
                            0.7229568362236023f,
                            1.0f};

void nf4_dynamic_map(float map[256]) {
  // signed, 7 exponent bits: for decade i = 0..6, 2^i fractions (midpoints of linspace(0.1, 1, 2^i + 1)) times
  // 10^(i-6), both signs; plus 0 and 1.
  std::vector<float> v;
  for (int i = 0; i < 7; i++) {
    int items = (1 << i) + 1;
    float scale = (float)std::pow(10.0, (double)(i - 6));
    for (int j = 0; j + 1 < items; j++) {
      double b0 = 0.1 + 0.9 * j / (items - 1), b1 = 0.1 + 0.9 * (j + 1) / (items - 1);
      float mean = (float)((b0 + b1) / 2.0);
      v.push_back(scale * mean);
      v.push_back(-(scale * mean));
    }
  }
  v.push_back(0.0f);
  v.push_back(1.0f);
  std::sort(v.begin(), v.end());
  for (int i = 0; i < 256; i++) map[i] = v[(size_t)i];
}

int nf4_nearest(const float* code, int n, float x) {
  // first level above x (or n), then the nearer of it and the one below; exact midpoint -> lower
  int hi = (int)(std::upper_bound(code, code + n, x) - code);
  if (hi == 0) return 0;
  if (hi == n) return n - 1;
  float mid = (code[hi - 1] + code[hi]) * 0.5f;
  return x > mid ? hi : hi - 1;
}

int nf4_nearest_code(float x) {
  // midpoints as nf4_nearest computes them, (lower + upper) * 0.5f; x equal to one stays below (ties go lower)
  static const struct midpoints {
    float m[15];
    midpoints() {
      for (int i = 0; i < 15; i++) m[i] = (nf4_code[i] + nf4_code[i + 1]) * 0.5f;
    }
  } mids;
  if (x != x) return 15;  // NaN: where the search ends (no level compares above it)
  int q = 0;
  for (int i = 0; i < 15; i++) q += x > mids.m[i] ? 1 : 0;
  return q;
}

void nf4_quantize(nf4_tensor& t, const float* x, int64_t n) {
  t.n = n;
  int64_t nb = t.n_blocks();
  t.packed.assign((size_t)nb * (NF4_BLOCK / 2), 0);
  std::vector<float> absmax((size_t)nb, 0.0f);
  // Blocks are independent and own whole bytes (NF4_BLOCK is even), so they go to the thread pool: loading an 8B
  // model under QLoRA quantises 7e9 values, 200 s on one core of the GPU machine. Same codes in any thread count.
  cpu_parallel_for(nb, (double)nb * NF4_BLOCK * 16.0, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      int64_t i0 = b * NF4_BLOCK, i1 = std::min(n, i0 + NF4_BLOCK);
      float m = 0.0f;
      for (int64_t i = i0; i < i1; i++) m = std::max(m, std::fabs(x[i]));
      absmax[(size_t)b] = m;
      float inv = m > 0.0f ? 1.0f / m : 0.0f;
      for (int64_t i = i0; i < i1; i++) {
        uint8_t q = (uint8_t)nf4_nearest_code(x[i] * inv);
        uint8_t& byte = t.packed[(size_t)(i / 2)];
        byte |= (i % 2 == 0) ? (uint8_t)(q << 4) : q;
      }
      for (int64_t i = i1; i < i0 + NF4_BLOCK; i++) {  // padding of the last block encodes 0.0 (level 7)
        uint8_t& byte = t.packed[(size_t)(i / 2)];
        byte |= (i % 2 == 0) ? (uint8_t)(7 << 4) : (uint8_t)7;
      }
    }
  });
  // second level: absmax - mean, blockwise absmax-scaled onto the dynamic map (the mean summed in order, serially)
  double mean = 0.0;
  for (float m : absmax) mean += m;
  t.offset = nb > 0 ? (float)(mean / (double)nb) : 0.0f;
  float map[256];
  nf4_dynamic_map(map);
  int64_t nb2 = (nb + NF4_BLOCK2 - 1) / NF4_BLOCK2;
  t.qabsmax.assign((size_t)nb, 0);
  t.absmax2.assign((size_t)nb2, 0.0f);
  cpu_parallel_for(nb2, (double)nb * 16.0, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      int64_t j0 = c * NF4_BLOCK2, j1 = std::min(nb, j0 + NF4_BLOCK2);
      float m = 0.0f;
      for (int64_t j = j0; j < j1; j++) m = std::max(m, std::fabs(absmax[(size_t)j] - t.offset));
      t.absmax2[(size_t)c] = m;
      float inv = m > 0.0f ? 1.0f / m : 0.0f;
      for (int64_t j = j0; j < j1; j++) t.qabsmax[(size_t)j] = (uint8_t)nf4_nearest(map, 256, (absmax[(size_t)j] - t.offset) * inv);
    }
  });
}

void nf4_absmax(const nf4_tensor& t, std::vector<float>& absmax) {
  float map[256];
  nf4_dynamic_map(map);
  int64_t nb = t.n_blocks();
  absmax.resize((size_t)nb);
  for (int64_t j = 0; j < nb; j++) absmax[(size_t)j] = map[t.qabsmax[(size_t)j]] * t.absmax2[(size_t)(j / NF4_BLOCK2)] + t.offset;
}

void nf4_dequantize(float* out, const nf4_tensor& t) {
  std::vector<float> absmax;
  nf4_absmax(t, absmax);
  for (int64_t i = 0; i < t.n; i++) {
    uint8_t byte = t.packed[(size_t)(i / 2)];
    int q = (i % 2 == 0) ? byte >> 4 : byte & 15;
    out[i] = nf4_code[q] * absmax[(size_t)(i / NF4_BLOCK)];
  }
}

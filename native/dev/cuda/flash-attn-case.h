// Host side shared by the flash-attn harness (flash-attn.cu) and its host emulation (flash-attn-emu.cpp): the case
// shape, packed segment ids and the normalised error. Plain C++ (no CUDA); no kernels, no timing.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#include "core/rng.h"

struct shape {
  const char* name;
  int B, T, H, KVH, hd, window, pack;  // pack: mean record length (0 = one record per row); padding tails when pack > 0
};

// Segment ids as data/batch.cpp builds them: records 0, 1, … as contiguous runs, then padding (-1) to the end.
inline std::vector<int32_t> make_segments(const shape& s, uint64_t seed) {
  std::vector<int32_t> seg((size_t)s.B * s.T, 0);
  if (s.pack <= 0) return seg;
  for (int b = 0; b < s.B; b++) {
    int t = 0, id = 0, pad = (int)rng_below(seed, 1, (uint64_t)b, (uint64_t)(s.T / 8 + 1));
    while (t < s.T - pad) {
      int len = 1 + (int)rng_below(seed, 2, (uint64_t)(b * 100000 + id), (uint64_t)(2 * s.pack));
      for (int k = 0; k < len && t < s.T - pad; k++, t++) seg[(size_t)b * s.T + t] = id;
      id++;
    }
    for (; t < s.T; t++) seg[(size_t)b * s.T + t] = -1;
  }
  return seg;
}

// max |a - b| / max |b - base| (base: what an accumulating output held before; empty = 0); NaN counts as failure.
// The divisor is at least max |base|: where the reference adds exactly nothing (dq, dk at window 1, where each row's
// softmax has one entry and so no gradient) max |b - base| is 0 and the quotient would be rounding noise / 1e-30;
// then the error is measured against what the output holds.
inline double norm_err(const std::vector<float>& a, const std::vector<float>& b, const std::vector<float>& base = {}) {
  double e = 0.0, m = 1e-30;
  for (size_t i = 0; i < a.size(); i++) {
    double d = std::fabs((double)a[i] - b[i]);
    e = d == d ? std::max(e, d) : 1e30;
    m = std::max(m, std::fabs((double)b[i] - (base.empty() ? 0.0 : base[i])));
    if (!base.empty()) m = std::max(m, std::fabs((double)base[i]));
  }
  return e / m;
}

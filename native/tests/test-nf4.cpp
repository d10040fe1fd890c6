// NF4 + double quantisation reference (cpu/nf4.cpp): level tables, bitsandbytes' nibble order, exact levels survive a
// round trip, per-element error bounds, the second level's error, zeros stay zero, sizes (bytes per parameter),
// and NF4 beats a uniform 4-bit absmax code on normal weights (what the NF4 levels are for).
#include <cmath>
#include <cstdio>
#include <vector>
#include "core/rng.h"
#include "cpu/nf4.h"
#include "test-util.h"

static std::vector<float> normal(int64_t n, uint64_t seed, float sd) {
  std::vector<float> x((size_t)n);
  for (int64_t i = 0; i < n; i++) {  // Box-Muller on the counter RNG
    float u1 = std::max(rng_uniform(seed, 1, (uint64_t)i), 1e-7f), u2 = rng_uniform(seed, 2, (uint64_t)i);
    x[(size_t)i] = sd * std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
  }
  return x;
}

static void test_tables() {
  for (int i = 1; i < 16; i++) CHECK(nf4_code[i] > nf4_code[i - 1]);
  CHECK(nf4_code[0] == -1.0f && nf4_code[7] == 0.0f && nf4_code[15] == 1.0f);
  float map[256];
  nf4_dynamic_map(map);
  int neg = 0, zero = 0, pos = 0;
  for (int i = 0; i < 256; i++) {
    if (i > 0) CHECK(map[i] > map[i - 1]);
    (map[i] < 0 ? neg : map[i] == 0 ? zero : pos)++;
  }
  CHECK(neg == 127 && zero == 1 && pos == 128);
  CHECK(map[255] == 1.0f && std::fabs(map[0] + 0.99296875f) < 1e-6f && std::fabs(map[128] - 1e-6f * 0.55f) < 1e-12f);
  CHECK(nf4_nearest(nf4_code, 16, 0.03979014977812767f) == 7);   // exact midpoint -> lower level
  CHECK(nf4_nearest(nf4_code, 16, 0.0397902f) == 8);
  CHECK(nf4_nearest(nf4_code, 16, -5.0f) == 0 && nf4_nearest(nf4_code, 16, 5.0f) == 15);
  std::printf("tables: 16 NF4 levels, 256 dynamic-map levels (127 negative, zero, 128 positive)\n");
}

static void test_layout() {
  std::vector<float> x(70, 0.0f);
  x[0] = -1.0f;
  x[1] = 1.0f;
  x[2] = 0.5626170039176941f;
  nf4_tensor t;
  nf4_quantize(t, x.data(), (int64_t)x.size());
  CHECK(t.n_blocks() == 2 && t.packed.size() == 64 && t.qabsmax.size() == 2 && t.absmax2.size() == 1);
  CHECK(t.packed[0] == 0x0F);             // element 0 in the high nibble (bitsandbytes)
  CHECK((t.packed[1] >> 4) == 13);        // 0.5626 is level 13
  CHECK(t.packed[63] == 0x77);            // padding of the last block encodes 0
  std::vector<float> y(x.size(), 1.0f);
  nf4_dequantize(y.data(), t);
  bool zeros = true;
  for (size_t i = 3; i < x.size(); i++) zeros = zeros && y[i] == 0.0f;  // level 7 is exactly 0 whatever the scale
  CHECK(zeros);
}

static void test_round_trip() {
  // every block holds +-s (so its absmax is s) and otherwise exact levels times s: codes come back unchanged
  int64_t n = 64 * 300 + 17;
  std::vector<float> x((size_t)n);
  std::vector<int> k((size_t)n);
  for (int64_t i = 0; i < n; i++) {
    float s = 0.01f + 0.05f * rng_uniform(5, 0, (uint64_t)(i / 64));
    k[(size_t)i] = i % 64 == 0 ? 15 : (int)rng_below(5, 1, (uint64_t)i, 16);
    x[(size_t)i] = nf4_code[k[(size_t)i]] * s;
  }
  nf4_tensor t;
  nf4_quantize(t, x.data(), n);
  bool same = true;
  for (int64_t i = 0; i < n; i++) same = same && ((i % 2 == 0 ? t.packed[(size_t)(i / 2)] >> 4 : t.packed[(size_t)(i / 2)] & 15) == k[(size_t)i]);
  CHECK(same);
}

static void test_errors() {
  int64_t n = 64 * 4096 + 37;
  std::vector<float> x = normal(n, 9, 0.02f);
  nf4_tensor t;
  nf4_quantize(t, x.data(), n);
  std::vector<float> y((size_t)n), absmax;
  nf4_dequantize(y.data(), t);
  nf4_absmax(t, absmax);
  // second level: |absmax' - absmax| <= half the widest top-decade gap of the dynamic map (0.9/64/2) * absmax2
  double worst2 = 0.0, worst1 = 0.0, se = 0.0, sx = 0.0, se4 = 0.0;
  for (int64_t b = 0; b < t.n_blocks(); b++) {
    float m = 0.0f;
    for (int64_t i = b * 64; i < std::min(n, b * 64 + 64); i++) m = std::max(m, std::fabs(x[(size_t)i]));
    double e2 = std::fabs(absmax[(size_t)b] - m) / t.absmax2[(size_t)(b / NF4_BLOCK2)];
    worst2 = std::max(worst2, e2);
    for (int64_t i = b * 64; i < std::min(n, b * 64 + 64); i++) {
      // first level: half the widest NF4 gap (between -1 and -0.696) of the true scale, plus the scale's own error
      double bound = (0.5 * (1.0 - 0.6961928) * m + std::fabs(absmax[(size_t)b] - m)) * (1.0 + 1e-5) + 1e-7;
      double e = std::fabs((double)y[(size_t)i] - x[(size_t)i]);
      worst1 = std::max(worst1, e / bound);
      se += e * e;
      sx += (double)x[(size_t)i] * x[(size_t)i];
      float q4 = std::round(x[(size_t)i] / m * 7.0f) / 7.0f * m;  // uniform 4-bit absmax code (15 levels)
      se4 += ((double)q4 - x[(size_t)i]) * ((double)q4 - x[(size_t)i]);
    }
  }
  double rel = std::sqrt(se / sx), rel4 = std::sqrt(se4 / sx);
  double bytes = (double)(t.packed.size() + t.qabsmax.size() + 4 * t.absmax2.size() + 4) / (double)n;
  std::printf("normal(0, 0.02), n=%lld: relative RMS error NF4 %.4f vs uniform int4 %.4f; worst element / bound %.3f; "
              "second level error / absmax2 %.4f; %.4f bytes per parameter\n",
              (long long)n, rel, rel4, worst1, worst2, bytes);
  CHECK(worst1 <= 1.0);
  CHECK(worst2 <= 0.9 / 64 / 2 + 1e-6);
  CHECK(rel < rel4);
  CHECK(rel < 0.12);
  CHECK(bytes < 0.517);
}

int main() {
  test_tables();
  test_layout();
  test_round_trip();
  test_errors();
  return test_finish("test-nf4");
}

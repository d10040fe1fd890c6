// The CUDA NF4 dequantisation's arithmetic on the CPU: src/cuda/nf4-dequant.cuh (what nf4_dequant_kernel runs per
// thread) driven by host loops over every thread index, bit-exact against cpu/nf4.cpp's
// nf4_dequantize on random matrices of sizes that are not multiples of 64 or 256. Runs in the CPU build; does not
// see what the GPU does beyond the source (launch bounds, memory, the real __fmul_rn): test-cuda-ops does that there.
#include <cstring>
#include <vector>
#include "core/half.h"
#include "core/rng.h"
#include "cpu/nf4.h"
#include "cuda/nf4-dequant.cuh"
#include "test-util.h"

static float g_tables[16 + 256];  // nf4_code | nf4_dynamic_map, as cuda-backend.cu uploads them

static nf4_view view_of(const nf4_tensor& t) {
  nf4_view v;
  v.packed = t.packed.data();
  v.qabsmax = t.qabsmax.data();
  v.absmax2 = t.absmax2.data();
  v.code = g_tables;
  v.map = g_tables + 16;
  v.offset = t.offset;
  v.n = t.n;
  return v;
}

// nf4_dequant_kernel's grid-stride loop with one host "thread" per packed byte; out has a guard element past n.
static void dequant_emulated(std::vector<float>& out, const nf4_view& v) {
  out.assign((size_t)v.n + 1, std::nanf(""));
  for (int64_t i = 0; i < (v.n + 1) / 2; i++) {
    float hi, lo;
    int k = nf4_dequant_byte(v, i, &hi, &lo);
    out[(size_t)(2 * i)] = hi;
    if (k == 2) out[(size_t)(2 * i + 1)] = lo;
  }
}

static bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Weights of a matrix: normal-ish values at `scale`, some all-zero 64-blocks and a few outliers, so absmax codes
// span the dynamic map and the offset is not near any block's absmax.
static std::vector<float> matrix(int64_t n, uint64_t seed, float scale) {
  std::vector<float> x((size_t)n);
  for (int64_t i = 0; i < n; i++) {
    float u = rng_uniform(seed, 1, (uint64_t)i) + rng_uniform(seed, 2, (uint64_t)i) - 1.0f;
    x[(size_t)i] = u * scale;
    if ((i / 64) % 29 == 3) x[(size_t)i] = 0.0f;
    if (rng_uniform(seed, 3, (uint64_t)i) < 0.001f) x[(size_t)i] *= 40.0f;
  }
  return x;
}

static void test_sizes() {
  // rows x cols: 1 element, one byte short of a block, a block and a half, a 256-block of blocks plus one element,
  // odd rows and columns, and a matrix with several second-level blocks and a partial last one.
  const int64_t shapes[][2] = {{1, 1}, {1, 63}, {3, 31}, {7, 13}, {37, 41}, {1, 16385}, {129, 257}, {333, 517}, {1001, 97}};
  int cases = 0;
  for (const auto& s : shapes) {
    int64_t n = s[0] * s[1];
    for (float scale : {0.02f, 1.5f}) {
      std::vector<float> x = matrix(n, 11 + (uint64_t)n, scale);
      nf4_tensor t;
      nf4_quantize(t, x.data(), n);
      std::vector<float> ref((size_t)n), got;
      nf4_dequantize(ref.data(), t);
      nf4_view v = view_of(t);
      dequant_emulated(got, v);
      int64_t bad = 0, bad_bf16 = 0;
      for (int64_t i = 0; i < n; i++) {
        bad += !same_bits(got[(size_t)i], ref[(size_t)i]);
        bad_bf16 += f32_to_bf16(got[(size_t)i]) != f32_to_bf16(ref[(size_t)i]);  // what the bf16 buffer holds
      }
      CHECK(bad == 0 && bad_bf16 == 0);
      CHECK(std::isnan(got[(size_t)n]));  // nothing written past n (the padding nibble of an odd n)
      if (bad) std::fprintf(stderr, "  %lld x %lld: %lld elements differ\n", (long long)s[0], (long long)s[1], (long long)bad);
      cases++;
    }
  }
  std::printf("dequantisation kernel body == nf4_dequantize bit for bit: %d matrices (1 to 172,161 elements)\n", cases);
}

static void test_can_fail() {
  // The comparison sees layout errors: with the nibbles of each byte swapped (the opposite of bitsandbytes' order)
  // or the second-level scales of two groups exchanged, the emulated kernel disagrees with the reference.
  int64_t n = 64 * 600 + 5;
  std::vector<float> x = matrix(n, 3, 0.02f);
  nf4_tensor t;
  nf4_quantize(t, x.data(), n);
  std::vector<float> ref((size_t)n), got;
  nf4_dequantize(ref.data(), t);
  nf4_tensor swapped = t;
  for (uint8_t& b : swapped.packed) b = (uint8_t)((b << 4) | (b >> 4));
  dequant_emulated(got, view_of(swapped));
  int64_t bad = 0;
  for (int64_t i = 0; i < n; i++) bad += !same_bits(got[(size_t)i], ref[(size_t)i]);
  CHECK(bad > n / 2);
  nf4_tensor scales = t;
  std::swap(scales.absmax2[0], scales.absmax2[1]);
  dequant_emulated(got, view_of(scales));
  bad = 0;
  for (int64_t i = 0; i < n; i++) bad += !same_bits(got[(size_t)i], ref[(size_t)i]);
  CHECK(bad > 0);
  std::printf("swapped nibbles / exchanged second-level scales are detected\n");
}

int main() {
  std::memcpy(g_tables, nf4_code, sizeof(float) * 16);
  nf4_dynamic_map(g_tables + 16);
  test_sizes();
  test_can_fail();
  return test_finish("test-nf4-dequant");
}

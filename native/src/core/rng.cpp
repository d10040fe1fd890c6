// splitmix64-based counter RNG (Steele, Lea, Flood 2014). Platform independent by construction.
// Does not use <random> distributions, whose output differs between standard libraries.
#include "core/rng.h"

uint64_t rng_mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rng_u64(uint64_t seed, uint64_t stream, uint64_t counter) {
  return rng_mix(rng_mix(rng_mix(seed) ^ stream) ^ counter);
}

float rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter) {
  return (float)(rng_u64(seed, stream, counter) >> 40) * (1.0f / 16777216.0f);
}

uint64_t rng_below(uint64_t seed, uint64_t stream, uint64_t counter, uint64_t n) {
  // Lemire's multiply-shift without rejection; bias < n / 2^64, irrelevant for dataset sizes.
  uint64_t x = rng_u64(seed, stream, counter);
  uint64_t hi = 0;
#if defined(__SIZEOF_INT128__)
  hi = (uint64_t)(((unsigned __int128)x * n) >> 64);
#else
  uint64_t a = x >> 32, b = x & 0xffffffffULL, c = n >> 32, d = n & 0xffffffffULL;
  uint64_t ac = a * c, ad = a * d, bc = b * c, bd = b * d;
  uint64_t mid = (bd >> 32) + (ad & 0xffffffffULL) + (bc & 0xffffffffULL);
  hi = ac + (ad >> 32) + (bc >> 32) + (mid >> 32);
#endif
  return hi;
}

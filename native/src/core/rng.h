// Counter-based random numbers: every draw is a pure function of (seed, stream, counter), so a resumed run
// reproduces the dropout masks and data order of an uninterrupted one without saving generator state.
// Does not reproduce PyTorch's RNG stream (the parity fixture loads PEFT's initial A matrices instead).
#pragma once
#include <cstdint>

uint64_t rng_mix(uint64_t x);                                   // splitmix64 finaliser
uint64_t rng_u64(uint64_t seed, uint64_t stream, uint64_t counter);
float rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter);  // [0, 1) with 24 bits
uint64_t rng_below(uint64_t seed, uint64_t stream, uint64_t counter, uint64_t n);  // [0, n), unbiased enough (128-bit mult)

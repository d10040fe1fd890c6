// The index math of NF4 dequantisation (cpu/nf4.h's layout) as __host__ __device__ functions: the CUDA kernel
// (nf4-dequant.cu) runs them per thread and tests/test-nf4-dequant.cpp runs the same source on the CPU
// against nf4_dequantize, so CI checks the kernels' arithmetic without a GPU. Plain C++ outside nvcc; no launches here.
#pragma once
#include <cstdint>
#include "cpu/nf4.h"

#if defined(__CUDACC__)
#define NF4_HD __host__ __device__ __forceinline__
#else
#define NF4_HD inline
#endif

// One NF4 matrix as stored on the device (or, in the CPU test, on the host): nf4_tensor's arrays plus the level and
// dynamic-map tables (16 + 256 floats, uploaded once per backend).
struct nf4_view {
  const uint8_t* packed = nullptr;   // (ceil(n/64)*32) two codes per byte, element 2i in the high nibble
  const uint8_t* qabsmax = nullptr;  // (n_blocks) 8-bit codes of absmax - offset
  const float* absmax2 = nullptr;    // (ceil(n_blocks/256)) second-level scales
  const float* code = nullptr;       // (16) nf4_code
  const float* map = nullptr;        // (256) nf4_dynamic_map
  float offset = 0.0f;
  int64_t n = 0;                     // elements
};

// Products and sums without FMA contraction, so that the device rounds each step as nf4.cpp does on the host
// (nvcc contracts a*b+c into an FMA by default; __fmul_rn/__fadd_rn are never contracted).
NF4_HD float nf4_mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
NF4_HD float nf4_add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

// First-level absmax of block `blk` (64 elements) from the double quantisation: map[q] * absmax2 + offset (nf4_absmax).
NF4_HD float nf4_block_scale(const nf4_view& v, int64_t blk) {
  return nf4_add(nf4_mul(v.map[v.qabsmax[blk]], v.absmax2[blk / NF4_BLOCK2]), v.offset);
}

// The dequantisation kernel's per-thread body: packed byte i gives elements 2i (high nibble) and 2i+1 (low nibble)
// of one 64-block (32 bytes per block, so both share one scale). Returns how many of the two are inside n (the last
// byte of an odd n carries one element and a padding code).
NF4_HD int nf4_dequant_byte(const nf4_view& v, int64_t i, float* hi, float* lo) {
  uint8_t b = v.packed[i];
  float s = nf4_block_scale(v, i / (NF4_BLOCK / 2));
  *hi = nf4_mul(v.code[b >> 4], s);
  *lo = nf4_mul(v.code[b & 15], s);
  return 2 * i + 1 < v.n ? 2 : 1;
}

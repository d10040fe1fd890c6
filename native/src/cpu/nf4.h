// NF4 with double quantization (QLoRA, Dettmers et al. 2023, arXiv:2305.14314; bitsandbytes' layout): the CPU
// reference that the CUDA dequantisation kernels are tested against. Does not compute with quantised values:
// weights are dequantised to fp32 (CPU) or into a reused bf16 buffer (CUDA) before each GEMM.
#pragma once
#include <cstdint>
#include <vector>

constexpr int NF4_BLOCK = 64;        // elements per first-level absmax
constexpr int NF4_BLOCK2 = 256;      // first-level absmax values per second-level scale
// Bytes per element of an NF4 tensor as stored: a 4-bit code, an 8-bit absmax code per 64, a float per 64 x 256
// (0.5159; bitsandbytes' 4.127 bits per parameter). What the memory plan counts for frozen matrices under QLoRA.
constexpr double NF4_BYTES_PER_VALUE = 0.5 + 1.0 / NF4_BLOCK + 4.0 / ((double)NF4_BLOCK * NF4_BLOCK2);

// The 16 NF4 levels of the QLoRA paper (quantiles of N(0,1) normalised to [-1, 1], exact zero), ascending.
extern const float nf4_code[16];

struct nf4_tensor {
  int64_t n = 0;                 // elements
  std::vector<uint8_t> packed;   // (ceil(n/64)*32) two codes per byte, element 2i in the high nibble (bitsandbytes)
  std::vector<uint8_t> qabsmax;  // (n_blocks) 8-bit dynamic-map codes of (absmax - offset)
  std::vector<float> absmax2;    // (ceil(n_blocks/256)) second-level scales of those codes
  float offset = 0.0f;           // mean of the first-level absmax (subtracted before the 8-bit quantisation)
  int64_t n_blocks() const { return (n + NF4_BLOCK - 1) / NF4_BLOCK; }
};

// bitsandbytes' signed dynamic 8-bit map (create_dynamic_map(signed=True)): 256 ascending values in [-1, 1].
void nf4_dynamic_map(float map[256]);
// Index of the nearest level of `code` (n levels, ascending); ties go to the lower level as bitsandbytes' decision tree.
int nf4_nearest(const float* code, int n, float x);
// nf4_nearest(nf4_code, 16, x) without its branches: the count of level midpoints below x (what the quantiser runs
// 7e9 times for an 8B model; the search's mispredicted branches made it 4x slower on normally distributed weights).
int nf4_nearest_code(float x);
// x (n) -> t. Blocks of 64 scaled by their absmax; the absmax themselves 8-bit quantised in blocks of 256.
void nf4_quantize(nf4_tensor& t, const float* x, int64_t n);
// First-level scales reconstructed from the double quantisation: (n_blocks)
void nf4_absmax(const nf4_tensor& t, std::vector<float>& absmax);
// out (n) = code[q] * absmax of its block
void nf4_dequantize(float* out, const nf4_tensor& t);

// Shared pieces of the CUDA backend: error checks with file and line, launch sizes, warp/block reductions (from
// reduce.cuh), the per-backend context (cuBLAS handle, stream, reusable scratch). Does not implement any op (one .cu
// per op).
#pragma once
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <cstdint>
#include "cuda/reduce.cuh"

[[noreturn]] void cuda_fail(const char* expr, const char* msg, const char* file, int line);
#define CUDA_CHECK(x)                                                               \
  do {                                                                              \
    cudaError_t e_ = (x);                                                           \
    if (e_ != cudaSuccess) cuda_fail(#x, cudaGetErrorString(e_), __FILE__, __LINE__); \
  } while (0)
#define CUBLAS_CHECK(x)                                                                       \
  do {                                                                                        \
    cublasStatus_t e_ = (x);                                                                  \
    if (e_ != CUBLAS_STATUS_SUCCESS) cuda_fail(#x, cublasGetStatusString(e_), __FILE__, __LINE__); \
  } while (0)
#define CUDA_LAUNCH_CHECK() CUDA_CHECK(cudaGetLastError())

// Everything an op launcher needs. Scratch grows on first use (the first step) and is then reused:
// nothing is allocated once the shapes of a run have been seen.
struct cuda_ctx {
  cublasHandle_t blas = nullptr;
  cudaStream_t stream = nullptr;
  bool tf32 = false;              // default (bf16-weights) mode: fp32 GEMMs of attention may use TF32 tensor cores
  bool simple_attention = false;  // LATHE_CUDA_ATTENTION=simple: the plain kernels of attention.cu
  __nv_bfloat16* bf16_buf = nullptr;  // GEMM operand conversions
  int64_t bf16_cap = 0;
  float* f32_buf = nullptr;  // attention row terms, partial reductions
  int64_t f32_cap = 0;
  void* nf4_buf = nullptr;  // QLoRA: the frozen matrix a GEMM reads, dequantised from NF4 (bytes)
  int64_t nf4_cap = 0;
  double* dev_double = nullptr;  // one double for reductions read back by the host
  uint64_t scratch_bytes = 0;
  // config max_vram_gb: scratch growth past it (with the counted allocations) throws lathe_device_oom, as does a failed
  // cudaMalloc; 0 = no cap. counted points at the backend's allocation total.
  uint64_t cap = 0;
  const uint64_t* counted = nullptr;
  __nv_bfloat16* bf16_scratch(int64_t n);
  float* f32_scratch(int64_t n);
  void* nf4_scratch(int64_t bytes);
};

inline unsigned cuda_grid(int64_t n, int threads) {
  int64_t g = (n + threads - 1) / threads;
  if (g > 132 * 32) g = 132 * 32;  // grid-stride loops beyond this
  return (unsigned)(g < 1 ? 1 : g);
}

// splitmix64 counter RNG, bit-identical to core/rng.cpp (dropout masks match the CPU backend exactly).
static __device__ __forceinline__ uint64_t cuda_rng_mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static __device__ __forceinline__ float cuda_rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter) {
  uint64_t x = cuda_rng_mix(cuda_rng_mix(cuda_rng_mix(seed) ^ stream) ^ counter);
  return (float)(x >> 40) * (1.0f / 16777216.0f);
}

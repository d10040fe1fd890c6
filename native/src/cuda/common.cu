// Context helpers of the CUDA backend: fatal CUDA errors (with file and line) and the reusable scratch buffers.
// Does not launch kernels.
#include <string>
#include "core/status.h"
#include "cuda/common.cuh"

void cuda_fail(const char* expr, const char* msg, const char* file, int line) {
  std::string m = std::string("CUDA: ") + msg + " in " + expr;
  lathe_assert_fail(m.c_str(), file, line);
}

__nv_bfloat16* cuda_ctx::bf16_scratch(int64_t n) {
  if (n > bf16_cap) {
    if (bf16_buf) CUDA_CHECK(cudaFree(bf16_buf));
    scratch_bytes -= (uint64_t)bf16_cap * 2;
    CUDA_CHECK(cudaMalloc(&bf16_buf, (size_t)n * 2));
    bf16_cap = n;
    scratch_bytes += (uint64_t)n * 2;
  }
  return bf16_buf;
}

float* cuda_ctx::f32_scratch(int64_t n) {
  if (n > f32_cap) {
    if (f32_buf) CUDA_CHECK(cudaFree(f32_buf));
    scratch_bytes -= (uint64_t)f32_cap * 4;
    CUDA_CHECK(cudaMalloc(&f32_buf, (size_t)n * 4));
    f32_cap = n;
    scratch_bytes += (uint64_t)n * 4;
  }
  return f32_buf;
}

// Context helpers of the CUDA backend: fatal CUDA errors (with file and line) and the reusable scratch buffers.
// Does not launch kernels.
#include <string>
#include "core/status.h"
#include "cuda/common.cuh"

void cuda_fail(const char* expr, const char* msg, const char* file, int line) {
  std::string m = std::string("CUDA: ") + msg + " in " + expr;
  lathe_assert_fail(m.c_str(), file, line);
}

// Replaces *buf (cap_elems of `width` bytes) with one of n elements; past the cap or when cudaMalloc fails, throws
// lathe_device_oom (the buffer is then gone: the run ends with an out_of_memory error).
static void grow(cuda_ctx& x, void** buf, int64_t* cap_elems, int64_t n, int width) {
  if (*buf) CUDA_CHECK(cudaFree(*buf));
  *buf = nullptr;
  x.scratch_bytes -= (uint64_t)*cap_elems * width;
  *cap_elems = 0;
  uint64_t want = (uint64_t)n * width;
  uint64_t in_use = (x.counted ? *x.counted : 0) + x.scratch_bytes;
  std::string what = std::to_string(want >> 20) + " MiB of scratch with " + std::to_string(in_use >> 20) + " MiB in use";
  if (x.cap && in_use + want > x.cap) throw lathe_device_oom(what + " would pass the max_vram_gb cap");
  if (cudaMalloc(buf, (size_t)want) != cudaSuccess) {
    cudaGetLastError();
    *buf = nullptr;
    throw lathe_device_oom(what + ": cudaMalloc failed");
  }
  *cap_elems = n;
  x.scratch_bytes += want;
}

__nv_bfloat16* cuda_ctx::bf16_scratch(int64_t n) {
  if (n > bf16_cap) grow(*this, (void**)&bf16_buf, &bf16_cap, n, 2);
  return bf16_buf;
}

float* cuda_ctx::f32_scratch(int64_t n) {
  if (n > f32_cap) grow(*this, (void**)&f32_buf, &f32_cap, n, 4);
  return f32_buf;
}

void* cuda_ctx::nf4_scratch(int64_t bytes) {
  if (bytes > nf4_cap) grow(*this, &nf4_buf, &nf4_cap, bytes, 1);
  return nf4_buf;
}

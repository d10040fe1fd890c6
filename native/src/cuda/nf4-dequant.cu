// NF4 dequantisation on the GPU (QLoRA storage of frozen matrices): one launch writes a whole matrix into the
// backend's reused buffer right before a GEMM reads it. The per-thread arithmetic is nf4-dequant.cuh's, which
// tests/test-nf4-dequant.cpp checks bit-exact against cpu/nf4.cpp. Does not quantise (the host does, at upload).
#include "cuda/nf4-dequant.cuh"
#include "cuda/ops.cuh"

static __device__ __forceinline__ void nf4_store(float* p, float x) { *p = x; }
static __device__ __forceinline__ void nf4_store(__nv_bfloat16* p, float x) { *p = __float2bfloat16_rn(x); }

// native/dev/cuda/nf4-dequant.cu's v1 (one thread per packed byte, two outputs): the simplest variant that is correct
// for every n — v2's 16-output vector stores need n a multiple of 16 and were never timed against v1 on a GPU, so
// there was no measurement to pay for its tail handling. Both are a few percent of a GEMM's time by bytes moved.
template <typename T>
static __global__ void nf4_dequant_kernel(T* out, nf4_view v) {
  int64_t nbytes = (v.n + 1) / 2;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < nbytes; i += (int64_t)gridDim.x * blockDim.x) {
    float hi, lo;
    int k = nf4_dequant_byte(v, i, &hi, &lo);
    nf4_store(out + 2 * i, hi);
    if (k == 2) nf4_store(out + 2 * i + 1, lo);
  }
}

void nf4_dequantize_cuda(cuda_ctx& x, void* out, bool out_bf16, const nf4_view& v) {
  // out (n) bf16 or fp32, v: an NF4 matrix of n elements in device memory
  int64_t nbytes = (v.n + 1) / 2;
  if (out_bf16) nf4_dequant_kernel<<<cuda_grid(nbytes, 256), 256, 0, x.stream>>>((__nv_bfloat16*)out, v);
  else nf4_dequant_kernel<<<cuda_grid(nbytes, 256), 256, 0, x.stream>>>((float*)out, v);
  CUDA_LAUNCH_CHECK();
}

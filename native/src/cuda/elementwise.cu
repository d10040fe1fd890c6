// Small elementwise ops on the GPU: residual add, inverted dropout with the engine's counter RNG (masks identical
// to the CPU backend's), sum of squares (double accumulation, read back by the host), scaling, bf16 -> fp32 for
// saved activations. Does not keep masks.
#include "cuda/ops.cuh"

#define GRID_LOOP(i, n) for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

static __global__ void residual_forward_kernel(float* out, const float* a, const float* b, int64_t n) {
  GRID_LOOP(i, n) out[i] = a[i] + b[i];
}
static __global__ void residual_backward_kernel(float* da, float* db, const float* dout, int64_t n) {
  GRID_LOOP(i, n) { da[i] += dout[i]; db[i] += dout[i]; }
}
static __global__ void dropout_kernel(float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n, int backward) {
  float keep = 1.0f / (1.0f - p);
  GRID_LOOP(i, n) {
    bool drop = cuda_rng_uniform(seed, stream, (uint64_t)i) < p;
    if (!backward) out[i] = drop ? 0.0f : inp[i] * keep;
    else if (!drop) out[i] += inp[i] * keep;
  }
}
static __global__ void sum_squares_kernel(double* out, const float* a, int64_t n) {
  __shared__ double sh[32];
  double s = 0.0;
  GRID_LOOP(i, n) s += (double)a[i] * a[i];
  for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
  if ((threadIdx.x & 31) == 0) sh[threadIdx.x >> 5] = s;
  __syncthreads();
  if (threadIdx.x == 0) {
    double t = 0.0;
    for (int w = 0; w < (int)(blockDim.x >> 5); w++) t += sh[w];
    atomicAdd(out, t);
  }
}
static __global__ void scale_kernel(float* a, float s, int64_t n) {
  GRID_LOOP(i, n) a[i] *= s;
}

void residual_forward_cuda(cuda_ctx& x, float* out, const float* a, const float* b, int64_t n) {
  residual_forward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, a, b, n);
  CUDA_LAUNCH_CHECK();
}
void residual_backward_cuda(cuda_ctx& x, float* da, float* db, const float* dout, int64_t n) {
  residual_backward_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(da, db, dout, n);
  CUDA_LAUNCH_CHECK();
}
void dropout_forward_cuda(cuda_ctx& x, float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n) {
  dropout_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, inp, p, seed, stream, n, 0);
  CUDA_LAUNCH_CHECK();
}
void dropout_backward_cuda(cuda_ctx& x, float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n) {
  dropout_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(dinp, dout, p, seed, stream, n, 1);
  CUDA_LAUNCH_CHECK();
}
double sum_squares_cuda(cuda_ctx& x, const float* a, int64_t n) {
  CUDA_CHECK(cudaMemsetAsync(x.dev_double, 0, sizeof(double), x.stream));
  sum_squares_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(x.dev_double, a, n);
  CUDA_LAUNCH_CHECK();
  double h = 0.0;
  CUDA_CHECK(cudaMemcpyAsync(&h, x.dev_double, sizeof(double), cudaMemcpyDeviceToHost, x.stream));
  CUDA_CHECK(cudaStreamSynchronize(x.stream));
  return h;
}
void scale_inplace_cuda(cuda_ctx& x, float* a, float s, int64_t n) {
  scale_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(a, s, n);
  CUDA_LAUNCH_CHECK();
}

static __global__ void bf16_to_f32_kernel(float* out, const __nv_bfloat16* inp, int64_t n) {
  GRID_LOOP(i, n) out[i] = __bfloat162float(inp[i]);
}
void convert_bf16_to_f32_cuda(cuda_ctx& x, float* out, const __nv_bfloat16* inp, int64_t n) {
  bf16_to_f32_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, inp, n);
  CUDA_LAUNCH_CHECK();
}

// Rotary embedding (rotate_half convention) on the GPU from the model's fp32 cos/sin table, one thread per
// (token, head, pair). out may alias inp. Does not build the table (cpu/rope.cpp's rope_table does, once).
#include "cuda/ops.cuh"

static __global__ void rope_kernel(float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos,
                                   int64_t n, int H, int hd, int backward) {
  int half = hd / 2;
  for (int64_t t = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; t < n; t += (int64_t)gridDim.x * blockDim.x) {
    int j = (int)(t % half);
    int64_t ih = t / half;  // token * H + head
    int64_t i = ih / H;
    float c = cos_t[(int64_t)pos[i] * half + j], s = sin_t[(int64_t)pos[i] * half + j];
    const float* xr = inp + ih * hd;
    float* yr = out + ih * hd;
    float x1 = xr[j], x2 = xr[j + half];
    if (!backward) {
      yr[j] = x1 * c - x2 * s;
      yr[j + half] = x2 * c + x1 * s;
    } else {  // transpose of the rotation, accumulated
      yr[j] += x1 * c + x2 * s;
      yr[j + half] += x2 * c - x1 * s;
    }
  }
}

void rope_forward_cuda(cuda_ctx& x, float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd) {
  // out, inp (N, H, hd); cos_t/sin_t (P, hd/2); pos (N)
  int64_t n = (int64_t)N * H * (hd / 2);
  rope_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(out, inp, cos_t, sin_t, pos, n, H, hd, 0);
  CUDA_LAUNCH_CHECK();
}

void rope_backward_cuda(cuda_ctx& x, float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd) {
  int64_t n = (int64_t)N * H * (hd / 2);
  rope_kernel<<<cuda_grid(n, 256), 256, 0, x.stream>>>(dinp, dout, cos_t, sin_t, pos, n, H, hd, 1);
  CUDA_LAUNCH_CHECK();
}

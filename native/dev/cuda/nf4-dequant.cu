// Dev harness for NF4 dequantisation kernels (llm.c dev/cuda style): numbered variants, each checked against the
// CPU reference (src/cpu/nf4.cpp) and timed with events on a Llama-3-8B MLP matrix. Not part of the engine build;
// a variant that wins is promoted into src/cuda/. Build and run: native/dev/cuda/run.sh nf4-dequant [variant]
//   v1: one thread per packed byte (2 outputs), absmax rebuilt from the 8-bit code per element
//   v2: one thread per 8 packed bytes (16 outputs, 32-byte store), absmax rebuilt once per thread
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "core/half.h"
#include "core/rng.h"
#include "cpu/nf4.h"
#include "harness.cuh"

__constant__ float c_nf4[16];
__constant__ float c_map[256];

static __device__ __forceinline__ float block_scale(const uint8_t* qabsmax, const float* absmax2, float offset, int64_t blk) {
  return __fadd_rn(__fmul_rn(c_map[qabsmax[blk]], absmax2[blk / 256]), offset);  // no FMA: same rounding as the CPU
}

static __global__ void dequant_v1(__nv_bfloat16* out, const uint8_t* packed, const uint8_t* qabsmax, const float* absmax2, float offset,
                                  int64_t nbytes) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < nbytes; i += (int64_t)gridDim.x * blockDim.x) {
    uint8_t b = packed[i];
    float s = block_scale(qabsmax, absmax2, offset, i / 32);
    out[2 * i] = __float2bfloat16_rn(__fmul_rn(c_nf4[b >> 4], s));
    out[2 * i + 1] = __float2bfloat16_rn(__fmul_rn(c_nf4[b & 15], s));
  }
}

static __global__ void dequant_v2(__nv_bfloat16* out, const uint8_t* packed, const uint8_t* qabsmax, const float* absmax2, float offset,
                                  int64_t nbytes) {
  int64_t n8 = nbytes / 8;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n8; i += (int64_t)gridDim.x * blockDim.x) {
    uint2 v = reinterpret_cast<const uint2*>(packed)[i];
    float s = block_scale(qabsmax, absmax2, offset, (i * 8) / 32);
    __align__(16) __nv_bfloat16 o[16];
    uint32_t w[2] = {v.x, v.y};
#pragma unroll
    for (int k = 0; k < 8; k++) {
      uint8_t b = (uint8_t)(w[k / 4] >> (8 * (k % 4)));
      o[2 * k] = __float2bfloat16_rn(__fmul_rn(c_nf4[b >> 4], s));
      o[2 * k + 1] = __float2bfloat16_rn(__fmul_rn(c_nf4[b & 15], s));
    }
    uint4* dst = reinterpret_cast<uint4*>(out + 16 * i);
    dst[0] = reinterpret_cast<uint4*>(o)[0];
    dst[1] = reinterpret_cast<uint4*>(o)[1];
  }
}

int main(int argc, char** argv) {
  int variant = argc > 1 ? std::atoi(argv[1]) : 0;  // 0 = all
  if (harness_no_device()) return 77;
  const int64_t rows = 14336, cols = 4096, n = rows * cols;  // Llama-3-8B up_proj
  std::vector<float> w((size_t)n);
  for (int64_t i = 0; i < n; i++) w[(size_t)i] = (rng_uniform(1, 0, (uint64_t)i) * 2.0f - 1.0f) * 0.03f;
  nf4_tensor t;
  nf4_quantize(t, w.data(), n);
  std::vector<float> ref((size_t)n);
  nf4_dequantize(ref.data(), t);
  float map[256];
  nf4_dynamic_map(map);
  CK(cudaMemcpyToSymbol(c_nf4, nf4_code, sizeof(float) * 16));
  CK(cudaMemcpyToSymbol(c_map, map, sizeof(float) * 256));
  uint8_t *d_packed, *d_q;
  float* d_a2;
  __nv_bfloat16* d_out;
  CK(cudaMalloc(&d_packed, t.packed.size()));
  CK(cudaMalloc(&d_q, t.qabsmax.size()));
  CK(cudaMalloc(&d_a2, t.absmax2.size() * 4));
  CK(cudaMalloc(&d_out, (size_t)n * 2));
  CK(cudaMemcpy(d_packed, t.packed.data(), t.packed.size(), cudaMemcpyHostToDevice));
  CK(cudaMemcpy(d_q, t.qabsmax.data(), t.qabsmax.size(), cudaMemcpyHostToDevice));
  CK(cudaMemcpy(d_a2, t.absmax2.data(), t.absmax2.size() * 4, cudaMemcpyHostToDevice));
  int64_t nbytes = (int64_t)t.packed.size();
  double bytes_moved = (double)nbytes + (double)t.qabsmax.size() + (double)n * 2;
  std::printf("n = %lld (%lld x %lld), bytes moved per dequantisation %.1f MB\n", (long long)n, (long long)rows, (long long)cols,
              bytes_moved / 1e6);
  for (int v = 1; v <= 2; v++) {
    if (variant && v != variant) continue;
    CK(cudaMemset(d_out, 0xff, (size_t)n * 2));  // poison (bf16 NaN)
    auto launch = [&] {
      if (v == 1) dequant_v1<<<132 * 16, 256>>>(d_out, d_packed, d_q, d_a2, t.offset, nbytes);
      else dequant_v2<<<132 * 16, 256>>>(d_out, d_packed, d_q, d_a2, t.offset, nbytes);
    };
    launch();
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    std::vector<uint16_t> h((size_t)n);
    CK(cudaMemcpy(h.data(), d_out, (size_t)n * 2, cudaMemcpyDeviceToHost));
    double worst = 0.0;
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
      float g = bf16_to_f32(h[(size_t)i]), r = bf16_to_f32(f32_to_bf16(ref[(size_t)i]));
      if (!(g == r)) { bad++; worst = std::max(worst, (double)std::fabs(g - r)); }
    }
    float med = median_ms(0, launch);
    std::printf("v%d: %s (%lld elements differ from bf16(cpu), worst %.3g), median %.3f ms, %.0f GB/s\n", v, bad ? "FAIL" : "exact",
                (long long)bad, worst, med, bytes_moved / (med * 1e-3) / 1e9);
  }
  return 0;
}

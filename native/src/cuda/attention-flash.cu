// Attention on the fused flash kernels (flash-attn-{fwd,bwd}.cuh: FlashAttention-2 on bf16 mma.sync), the default
// training path in the bf16 mode where they apply (attention_flash_supported); the backend keeps attention-gemm.cu
// for everything else. Does not decide the path (cuda-backend.cu does) and does not change the kernels.
//
// q, k, v are the bf16 saved activations themselves (backend::attention_forward_saved: the model's a.qr, a.kr, a.v),
// read with no fp32 round trip. Variants: forward v1 (synchronous K/V tiles) and backward v1 (atomics-free dK/dV pass
// + a separate dQ pass), both deterministic, so runs stay bitwise reproducible; v2 (cp.async forward, atomic dQ) are
// not used.
#include "core/status.h"
#include "cuda/flash-attn-bwd.cuh"
#include "cuda/flash-attn-fwd.cuh"
#include "cuda/ops.cuh"

namespace {

// The backward's scratch, carved from the backend's fp32 scratch: D (B,H,T) fp32, then dO (B,T,H,hd) as the bf16
// operand, starting on 256 bytes (the kernels read 16-byte vectors).
int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }
int64_t dout_at(int B, int T, int H) { return round_up((int64_t)B * H * T, 64); }

}  // namespace

bool attention_flash_supported(int H, int KVH, int hd) {  // every window, masks and tile skipping included
  return (hd == 64 || hd == 128) && KVH > 0 && H % KVH == 0;
}

int64_t attention_flash_scratch_floats(int B, int T, int H, int hd) {
  return dout_at(B, T, H) + round_up((int64_t)B * T * H * hd, 128) / 2;  // a bf16 element is half a float
}

void attention_forward_flash_cuda(cuda_ctx& x, float* out, float* lse, const __nv_bfloat16* q, const __nv_bfloat16* k,
                                  const __nv_bfloat16* v, const int32_t* seg, int B, int T, int H, int KVH, int hd, int window) {
  // out (B,T,H,hd) fp32, lse (B,H,T), q (B,T,H,hd), k/v (B,T,KVH,hd) bf16, seg (B,T)
  LATHE_ASSERT(attention_flash_supported(H, KVH, hd));
  bool ran = fa::flash_attention_forward(x.stream, out, lse, q, k, v, seg, B, T, H, KVH, hd, window, /*pipelined=*/false);
  LATHE_ASSERT(ran);
  CUDA_LAUNCH_CHECK();
}

void attention_backward_flash_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                   const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v, const int32_t* seg, int B,
                                   int T, int H, int KVH, int hd, int window) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=; P recomputed from lse; dout/out fp32, dout rounded to bf16 as the
  // kernels' operand
  LATHE_ASSERT(attention_flash_supported(H, KVH, hd));
  float* D = x.f32_scratch(attention_flash_scratch_floats(B, T, H, hd));
  auto* dob = reinterpret_cast<__nv_bfloat16*>(D + dout_at(B, T, H));
  bool ran = fa::flash_attention_backward(x.stream, dq, dk, dv, D, dob, dout, out, lse, q, k, v, seg, B, T, H, KVH, hd, window,
                                          /*atomic_dq=*/false);
  LATHE_ASSERT(ran);
  CUDA_LAUNCH_CHECK();
}

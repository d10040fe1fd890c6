// Attention on the fused flash kernels (flash-attn-{fwd,bwd}.cuh: FlashAttention-2 on bf16 mma.sync), the default
// training path in the bf16 mode where they apply (attention_flash_supported); the backend keeps attention-gemm.cu
// for everything else. Does not decide the path (cuda-backend.cu does) and does not change the kernels.
//
// The op layer passes q, k, v as fp32. In the bf16 mode they hold bf16-rounded values (model.cpp's keep_rounded /
// load_saved of the alloc_saved copies), so the conversion into the bf16 operands below is exact: the kernels read
// bit for bit the saved activations. Variants: forward v1 (synchronous K/V tiles) and backward v1 (atomics-free dK/dV
// pass + a separate dQ pass), both deterministic, so runs stay bitwise reproducible; v2 (cp.async forward, atomic dQ)
// are not used.
#include "core/status.h"
#include "cuda/flash-attn-bwd.cuh"
#include "cuda/flash-attn-fwd.cuh"
#include "cuda/ops.cuh"

namespace {

// The flash path's scratch, carved from the backend's fp32 scratch: D (B,H,T) fp32, then the bf16 operands q (B,T,H,hd),
// k, v (B,T,KVH,hd) and dO (B,T,H,hd). Every part starts on 256 bytes (the kernels read 16-byte vectors).
struct flash_scratch {
  float* D;
  __nv_bfloat16 *q, *k, *v, *dout;
};

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// base null: only the size. Returns the floats the layout takes.
int64_t flash_layout(float* base, int B, int T, int H, int KVH, int hd, flash_scratch* s) {
  int64_t nq = (int64_t)B * T * H * hd, nk = (int64_t)B * T * KVH * hd;
  int64_t at = round_up((int64_t)B * H * T, 64);  // in floats; a bf16 part of n elements takes n/2 floats
  int64_t q_at = at, k_at = q_at + round_up(nq, 128) / 2, v_at = k_at + round_up(nk, 128) / 2, g_at = v_at + round_up(nk, 128) / 2;
  int64_t total = g_at + round_up(nq, 128) / 2;
  if (base) {
    s->D = base;
    s->q = reinterpret_cast<__nv_bfloat16*>(base + q_at);
    s->k = reinterpret_cast<__nv_bfloat16*>(base + k_at);
    s->v = reinterpret_cast<__nv_bfloat16*>(base + v_at);
    s->dout = reinterpret_cast<__nv_bfloat16*>(base + g_at);
  }
  return total;
}

// q, k, v into the bf16 operands (exact: the values are bf16 already, see the header)
flash_scratch operands_to_bf16(cuda_ctx& x, const float* q, const float* k, const float* v, int B, int T, int H, int KVH, int hd) {
  flash_scratch s;
  float* base = x.f32_scratch(flash_layout(nullptr, B, T, H, KVH, hd, nullptr));
  flash_layout(base, B, T, H, KVH, hd, &s);
  int64_t nq = (int64_t)B * T * H * hd, nk = (int64_t)B * T * KVH * hd;
  convert_f32_to_bf16_cuda(x, s.q, q, nq);
  convert_f32_to_bf16_cuda(x, s.k, k, nk);
  convert_f32_to_bf16_cuda(x, s.v, v, nk);
  return s;
}

}  // namespace

bool attention_flash_supported(int H, int KVH, int hd, int window) {
  // window == 1 (every query sees only its own key): the backward's dq/dk come out wrong on the H200
  // (scripts/bench/results/flash-attn-2026-11-29.txt, case "window = 1"); the cuBLAS path until the kernels are fixed.
  return (hd == 64 || hd == 128) && KVH > 0 && H % KVH == 0 && window != 1;
}

int64_t attention_flash_scratch_floats(int B, int T, int H, int KVH, int hd) {
  return flash_layout(nullptr, B, T, H, KVH, hd, nullptr);
}

void attention_forward_flash_cuda(cuda_ctx& x, float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                                  int B, int T, int H, int KVH, int hd, int window) {
  // out (B,T,H,hd), lse (B,H,T), q (B,T,H,hd), k/v (B,T,KVH,hd) bf16-valued fp32, seg (B,T)
  LATHE_ASSERT(attention_flash_supported(H, KVH, hd, window));
  flash_scratch s = operands_to_bf16(x, q, k, v, B, T, H, KVH, hd);
  bool ran = fa::flash_attention_forward(x.stream, out, lse, s.q, s.k, s.v, seg, B, T, H, KVH, hd, window, /*pipelined=*/false);
  LATHE_ASSERT(ran);
  CUDA_LAUNCH_CHECK();
}

void attention_backward_flash_cuda(cuda_ctx& x, float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                   const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                                   int hd, int window) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=; P recomputed from lse; dout rounded to bf16 as the kernels' operand
  LATHE_ASSERT(attention_flash_supported(H, KVH, hd, window));
  flash_scratch s = operands_to_bf16(x, q, k, v, B, T, H, KVH, hd);
  bool ran = fa::flash_attention_backward(x.stream, dq, dk, dv, s.D, s.dout, dout, out, lse, s.q, s.k, s.v, seg, B, T, H, KVH, hd,
                                          window, /*atomic_dq=*/false);
  LATHE_ASSERT(ran);
  CUDA_LAUNCH_CHECK();
}

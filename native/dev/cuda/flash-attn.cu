// Dev harness for fused flash-style attention (issue 6; kernels in flash-attn-{tile,fwd,bwd}.cuh): checks the forward (out,
// lse) and backward (dq, dk, dv, accumulated) against the CPU reference (src/cpu/attention.cpp) on random packed /
// GQA / sliding-window / padded cases, then times it against the engine's path (attention-gemm.cu's cuBLAS launchers,
// TF32 as in the default mode) at the benchmark shapes and compares the two there. Not part of the engine build.
// Build and run: native/dev/cuda/run.sh flash-attn [check|bench]   (default: both)
//   forward v1: FlashAttention-2 (64x64 tiles, 4 warps, mma.sync bf16), K/V tiles loaded between two barriers;
//   forward v2: the same with K/V double-buffered through cp.async (next tile in flight during this one's products).
//   backward v1: a dK/dV pass (keys per block, atomics-free) + a dQ pass (queries per block), D = rowsum(dO * O) and
//                bf16 dO in a prologue kernel; backward v2: no dQ pass, the dK/dV kernel adds dS K to dq by atomics.
//   engine: attention_forward_gemm_cuda / attention_backward_gemm_cuda (fp32 q/k/v, chunked score scratch).
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "core/half.h"
#include "core/rng.h"
#include "cpu/ops.h"
#include "cpu/parallel.h"
#include "cuda/ops.cuh"
#include "cuda/flash-attn-fwd.cuh"
#include "cuda/flash-attn-bwd.cuh"
#include "flash-attn-case.h"
#include "harness.cuh"

namespace {

template <typename V>
V* dev_copy(const std::vector<V>& h) {
  V* d = nullptr;
  CK(cudaMalloc(&d, h.size() * sizeof(V)));
  CK(cudaMemcpy(d, h.data(), h.size() * sizeof(V), cudaMemcpyHostToDevice));
  return d;
}
template <typename V>
std::vector<V> host_copy(const V* d, size_t n) {
  std::vector<V> h(n);
  CK(cudaMemcpy(h.data(), d, n * sizeof(V), cudaMemcpyDeviceToHost));
  return h;
}

// bf16 bits and their fp32 values (what both paths compute on), uniform in (-amp, amp)
void make_bf16(std::vector<uint16_t>& bits, std::vector<float>& vals, size_t n, uint64_t seed, float amp) {
  bits.resize(n);
  vals.resize(n);
  for (size_t i = 0; i < n; i++) {
    bits[i] = f32_to_bf16((rng_uniform(seed, 0, i) * 2.0f - 1.0f) * amp);
    vals[i] = bf16_to_f32(bits[i]);
  }
}

struct inputs {
  std::vector<uint16_t> qb, kb, vb;
  std::vector<float> q, k, v, dout, g0;  // g0: what dq/dk/dv hold before the backward (checks +=)
  std::vector<int32_t> seg;
};

inputs make_inputs(const shape& s, uint64_t seed) {
  inputs in;
  size_t nq = (size_t)s.B * s.T * s.H * s.hd, nk = (size_t)s.B * s.T * s.KVH * s.hd;
  make_bf16(in.qb, in.q, nq, seed + 1, 2.5f);  // scores of a few units: peaked but not one-hot softmax rows
  make_bf16(in.kb, in.k, nk, seed + 2, 2.5f);
  make_bf16(in.vb, in.v, nk, seed + 3, 1.0f);
  in.dout.resize(nq);
  in.g0.resize(nq);
  for (size_t i = 0; i < nq; i++) {
    in.dout[i] = rng_uniform(seed + 4, 0, i) * 2.0f - 1.0f;
    in.g0[i] = (rng_uniform(seed + 5, 0, i) * 2.0f - 1.0f) * 0.1f;
  }
  in.seg = make_segments(s, seed);
  return in;
}

// the flash path on the device: forward, then the backward from the given out/lse (so its error is its own)
struct flash_run {
  std::vector<float> out, lse, dq, dk, dv;
};

flash_run run_flash(const shape& s, const inputs& in, const std::vector<float>& out_for_bwd, const std::vector<float>& lse_for_bwd,
                    bool fwd_pipelined, bool atomic_dq) {
  size_t nq = (size_t)s.B * s.T * s.H * s.hd, nk = (size_t)s.B * s.T * s.KVH * s.hd, nl = (size_t)s.B * s.H * s.T;
  auto* q = reinterpret_cast<fa::bf16*>(dev_copy(in.qb));
  auto* k = reinterpret_cast<fa::bf16*>(dev_copy(in.kb));
  auto* v = reinterpret_cast<fa::bf16*>(dev_copy(in.vb));
  int32_t* seg = dev_copy(in.seg);
  float *out, *lse, *D;
  fa::bf16* dob;
  CK(cudaMalloc(&out, nq * 4));
  CK(cudaMalloc(&lse, nl * 4));
  CK(cudaMalloc(&D, nl * 4));
  CK(cudaMalloc(&dob, nq * 2));
  CK(cudaMemset(out, 0xff, nq * 4));  // poison: unwritten elements read as NaN
  CK(cudaMemset(lse, 0xff, nl * 4));
  flash_run r;
  if (!fa::flash_attention_forward(0, out, lse, q, k, v, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window, fwd_pipelined)) {
    std::printf("  head dim %d: no flash instantiation\n", s.hd);
    std::exit(1);
  }
  CK(cudaGetLastError());
  CK(cudaDeviceSynchronize());
  r.out = host_copy(out, nq);
  r.lse = host_copy(lse, nl);
  float* o2 = dev_copy(out_for_bwd);
  float* l2 = dev_copy(lse_for_bwd);
  float* dout = dev_copy(in.dout);
  std::vector<float> g0k(in.g0.begin(), in.g0.begin() + (std::ptrdiff_t)nk);
  float* dq = dev_copy(in.g0);
  float* dk = dev_copy(g0k);
  float* dv = dev_copy(g0k);
  fa::flash_attention_backward(0, dq, dk, dv, D, dob, dout, o2, l2, q, k, v, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window, atomic_dq);
  CK(cudaGetLastError());
  CK(cudaDeviceSynchronize());
  r.dq = host_copy(dq, nq);
  r.dk = host_copy(dk, nk);
  r.dv = host_copy(dv, nk);
  for (void* p : {(void*)q, (void*)k, (void*)v, (void*)seg, (void*)out, (void*)lse, (void*)D, (void*)dob, (void*)o2, (void*)l2,
                  (void*)dout, (void*)dq, (void*)dk, (void*)dv})
    CK(cudaFree(p));
  return r;
}

const double TOL_OUT = 1e-2, TOL_LSE = 1e-3, TOL_GRAD = 2e-2;  // bf16 P / dS / dO operands; fp32 everywhere else

bool report(const char* what, double eo, double el, double eq, double ek, double ev) {
  bool ok = eo <= TOL_OUT && el <= TOL_LSE && eq <= TOL_GRAD && ek <= TOL_GRAD && ev <= TOL_GRAD;
  std::printf("  %-8s %s  out %.2e  lse %.2e  dq %.2e  dk %.2e  dv %.2e\n", what, ok ? "ok  " : "FAIL", eo, el, eq, ek, ev);
  return ok;
}

bool check_case(const shape& s, uint64_t seed) {
  std::printf("%s: B %d T %d H %d KVH %d hd %d window %d pack %d\n", s.name, s.B, s.T, s.H, s.KVH, s.hd, s.window, s.pack);
  inputs in = make_inputs(s, seed);
  size_t nq = (size_t)s.B * s.T * s.H * s.hd, nk = (size_t)s.B * s.T * s.KVH * s.hd, nl = (size_t)s.B * s.H * s.T;
  std::vector<float> out(nq), lse(nl), dq = in.g0, dk(in.g0.begin(), in.g0.begin() + (std::ptrdiff_t)nk), dv = dk;
  std::vector<float> g0k = dk;
  attention_forward(out.data(), lse.data(), in.q.data(), in.k.data(), in.v.data(), in.seg.data(), s.B, s.T, s.H, s.KVH, s.hd, s.window);
  attention_backward(dq.data(), dk.data(), dv.data(), in.dout.data(), out.data(), lse.data(), in.q.data(), in.k.data(), in.v.data(),
                     in.seg.data(), s.B, s.T, s.H, s.KVH, s.hd, s.window);
  bool ok = true;
  for (int variant = 1; variant <= 2; variant++) {
    flash_run r = run_flash(s, in, out, lse, variant == 2, variant == 2);
    ok &= report(variant == 1 ? "fwd/bwd v1" : "fwd/bwd v2", norm_err(r.out, out), norm_err(r.lse, lse), norm_err(r.dq, dq, in.g0),
                 norm_err(r.dk, dk, g0k), norm_err(r.dv, dv, g0k));
  }
  return ok;
}

// Benchmark shape: both paths on the same values (the engine's takes them as fp32), timed, and compared to each other.
void bench_case(const shape& s, cuda_ctx& x) {
  inputs in = make_inputs(s, 77);
  size_t nq = (size_t)s.B * s.T * s.H * s.hd, nk = (size_t)s.B * s.T * s.KVH * s.hd, nl = (size_t)s.B * s.H * s.T;
  auto* qb = reinterpret_cast<fa::bf16*>(dev_copy(in.qb));
  auto* kb = reinterpret_cast<fa::bf16*>(dev_copy(in.kb));
  auto* vb = reinterpret_cast<fa::bf16*>(dev_copy(in.vb));
  float *q = dev_copy(in.q), *k = dev_copy(in.k), *v = dev_copy(in.v), *dout = dev_copy(in.dout);
  int32_t* seg = dev_copy(in.seg);
  float *out_f, *lse_f, *out_e, *lse_e, *D, *dq, *dk, *dv;
  fa::bf16* dob;
  for (float** p : {&out_f, &out_e, &dq}) CK(cudaMalloc(p, nq * 4));
  for (float** p : {&lse_f, &lse_e, &D}) CK(cudaMalloc(p, nl * 4));
  for (float** p : {&dk, &dv}) CK(cudaMalloc(p, nk * 4));
  CK(cudaMalloc(&dob, nq * 2));
  auto grads = [&] {
    std::vector<float> g(nq + 2 * nk);
    CK(cudaMemcpy(g.data(), dq, nq * 4, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(g.data() + nq, dk, nk * 4, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(g.data() + nq + nk, dv, nk * 4, cudaMemcpyDeviceToHost));
    return g;
  };
  auto zero = [&] {
    CK(cudaMemsetAsync(dq, 0, nq * 4, x.stream));
    CK(cudaMemsetAsync(dk, 0, nk * 4, x.stream));
    CK(cudaMemsetAsync(dv, 0, nk * 4, x.stream));
  };
  // correctness between the two at this size (one call each, from zeroed gradients; backward from the engine's out/lse;
  // out/lse errors are forward v2's)
  attention_forward_gemm_cuda(x, out_e, lse_e, q, k, v, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window);
  fa::flash_attention_forward(x.stream, out_f, lse_f, qb, kb, vb, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window, true);
  zero();
  attention_backward_gemm_cuda(x, dq, dk, dv, dout, out_e, lse_e, q, k, v, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window);
  CK(cudaStreamSynchronize(x.stream));
  std::vector<float> ge = grads();
  std::printf("%s: B %d T %d H %d KVH %d hd %d window %d pack %d\n", s.name, s.B, s.T, s.H, s.KVH, s.hd, s.window, s.pack);
  auto part = [&](const std::vector<float>& g, size_t off, size_t n) {
    return std::vector<float>(g.begin() + (std::ptrdiff_t)off, g.begin() + (std::ptrdiff_t)(off + n));
  };
  double eo = norm_err(host_copy(out_f, nq), host_copy(out_e, nq)), el = norm_err(host_copy(lse_f, nl), host_copy(lse_e, nl));
  for (int variant = 1; variant <= 2; variant++) {
    zero();
    fa::flash_attention_backward(x.stream, dq, dk, dv, D, dob, dout, out_e, lse_e, qb, kb, vb, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window,
                                 variant == 2);
    CK(cudaStreamSynchronize(x.stream));
    CK(cudaGetLastError());
    std::vector<float> gf = grads();
    report(variant == 1 ? "bwd v1 vs engine (TF32)" : "bwd v2 vs engine (TF32)", eo, el, norm_err(part(gf, 0, nq), part(ge, 0, nq)),
           norm_err(part(gf, nq, nk), part(ge, nq, nk)), norm_err(part(gf, nq + nk, nk), part(ge, nq + nk, nk)));
  }

  // useful FLOPs: 4 hd per visible (query, key) pair forward (QK^T, PV), 2.5 x that backward (the floor table's rule)
  double pairs = 0.0;
  for (int b = 0; b < s.B; b++)
    for (int i = 0; i < s.T; i++) {
      int j = i, si = in.seg[(size_t)b * s.T + i];
      while (j >= 0 && in.seg[(size_t)b * s.T + j] == si && (s.window <= 0 || i - j < s.window)) j--;
      pairs += i - j;
    }
  double fwd_flop = 4.0 * s.hd * s.H * pairs, bwd_flop = 2.5 * fwd_flop;
  float fe = median_ms(x.stream, [&] { attention_forward_gemm_cuda(x, out_e, lse_e, q, k, v, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window); });
  float be = median_ms(x.stream, [&] {
    attention_backward_gemm_cuda(x, dq, dk, dv, dout, out_e, lse_e, q, k, v, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window);
  });
  float ff[2], bf[2];
  for (int variant = 1; variant <= 2; variant++)
    ff[variant - 1] = median_ms(x.stream, [&] {
      fa::flash_attention_forward(x.stream, out_f, lse_f, qb, kb, vb, seg, s.B, s.T, s.H, s.KVH, s.hd, s.window, variant == 2);
    });
  for (int variant = 1; variant <= 2; variant++)
    bf[variant - 1] = median_ms(x.stream, [&] {
      fa::flash_attention_backward(x.stream, dq, dk, dv, D, dob, dout, out_e, lse_e, qb, kb, vb, seg, s.B, s.T, s.H, s.KVH, s.hd,
                                   s.window, variant == 2);
    });
  auto tf = [](double flop, float ms) { return flop / (ms * 1e-3) / 1e12; };
  std::printf("  engine  fwd %8.3f ms (%5.1f TFLOP/s)  bwd %8.3f ms (%5.1f TFLOP/s)\n", fe, tf(fwd_flop, fe), be, tf(bwd_flop, be));
  for (int variant = 1; variant <= 2; variant++)
    std::printf("  v%d      fwd %8.3f ms (%5.1f TFLOP/s)  bwd %8.3f ms (%5.1f TFLOP/s)  speed-up fwd %.2fx bwd %.2fx\n", variant,
                ff[variant - 1], tf(fwd_flop, ff[variant - 1]), bf[variant - 1], tf(bwd_flop, bf[variant - 1]), fe / ff[variant - 1],
                be / bf[variant - 1]);
  for (void* p : {(void*)qb, (void*)kb, (void*)vb, (void*)q, (void*)k, (void*)v, (void*)dout, (void*)seg, (void*)out_f, (void*)lse_f,
                  (void*)out_e, (void*)lse_e, (void*)D, (void*)dq, (void*)dk, (void*)dv, (void*)dob})
    CK(cudaFree(p));
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "all";
  if (harness_no_device()) return 77;
  cpu_set_threads(0);
  int fails = 0;
  if (mode == "all" || mode == "check") {
    // small enough for the CPU reference; T not a multiple of 64 (partial tiles), T = 64k + 1 (one-row last tile)
    const shape cases[] = {
        {"packed gqa", 2, 300, 4, 2, 64, 0, 60},
        {"packed mqa hd128", 2, 300, 4, 1, 128, 0, 80},
        {"window < record", 1, 513, 6, 2, 64, 100, 300},
        {"window hd128 pad", 1, 260, 2, 2, 128, 37, 1000},
        {"T=129 mha", 2, 129, 8, 8, 64, 0, 0},
        {"short records", 1, 200, 4, 2, 64, 0, 3},
        {"window = 1", 1, 150, 2, 1, 64, 1, 0},
        {"qwen row", 1, 2048, 14, 2, 64, 0, 400},
        {"llama-8b row hd128", 1, 1024, 32, 8, 128, 0, 0},
    };
    uint64_t seed = 100;
    for (const shape& s : cases) fails += check_case(s, seed += 10) ? 0 : 1;
  }
  if (mode == "all" || mode == "bench") {
    cuda_ctx x;
    CK(cudaStreamCreateWithFlags(&x.stream, cudaStreamNonBlocking));
    if (cublasCreate(&x.blas) != CUBLAS_STATUS_SUCCESS || cublasSetStream(x.blas, x.stream) != CUBLAS_STATUS_SUCCESS) {
      std::printf("cuBLAS init failed\n");
      return 1;
    }
    x.tf32 = true;  // the engine's default (bf16-weights) mode
    // the engine benchmark's shapes (one record per row), and the 0.5B one packed with ~500-token records
    const shape shapes[] = {
        {"qwen2.5-0.5b", 8, 2048, 14, 2, 64, 0, 0},
        {"qwen2.5-0.5b packed", 8, 2048, 14, 2, 64, 0, 500},
        {"llama3.2-1b", 8, 2048, 32, 8, 64, 0, 0},
        {"llama3-8b", 4, 2048, 32, 8, 128, 0, 0},
        {"mistral-like window 512", 4, 2048, 32, 8, 128, 512, 0},
    };
    for (const shape& s : shapes) bench_case(s, x);
  }
  std::printf(fails ? "%d check case(s) FAILED\n" : "all checks passed\n", fails);
  return fails ? 1 : 0;
}

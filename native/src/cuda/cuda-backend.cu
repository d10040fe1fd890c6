// The CUDA backend: device memory (cudaMalloc, counted), frozen weights in bf16 (the decoder's projections NF4 under
// QLoRA), one stream and one cuBLAS handle, and the op launchers of this folder behind the backend interface. Does not
// pool or free inside a step: the model allocates its plan once; scratch grows only while the first step's shapes are
// seen.
#include "cuda/cuda-backend.h"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include "core/half.h"
#include "cpu/nf4.h"
#include "cpu/parallel.h"
#include "cuda/nf4-dequant.cuh"
#include "cuda/ops.cuh"

namespace {

// LATHE_CUDA_PROFILE=1: every op synchronises and its wall time is summed per op (printed to stderr at exit).
// For finding where a step goes, not for measuring throughput (the syncs cost time themselves).
struct op_profile {
  std::map<std::string, std::pair<double, long>> t;
};
struct op_timer {
  op_profile* p;
  cudaStream_t s;
  const char* name;
  std::chrono::steady_clock::time_point t0;
  op_timer(op_profile* p_, cudaStream_t s_, const char* n) : p(p_), s(s_), name(n) {
    if (p) {
      cudaStreamSynchronize(s);
      t0 = std::chrono::steady_clock::now();
    }
  }
  ~op_timer() {
    if (!p) return;
    cudaStreamSynchronize(s);
    auto& e = p->t[name];
    e.first += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    e.second++;
  }
};
#define OP_TIMER op_timer op_timer_(prof_, x_.stream, __func__)

class cuda_backend final : public backend {
 public:
  cuda_backend(int index, bool bf16) : index_(index), bf16_(bf16) {}
  lathe_status init() {
    if (cudaSetDevice(index_) != cudaSuccess)
      return LATHE_ERR(LATHE_STATUS_CONFIG, "cannot use CUDA device " + std::to_string(index_), "check device and the NVIDIA driver");
    CUDA_CHECK(cudaGetDeviceProperties(&prop_, index_));
    CUDA_CHECK(cudaStreamCreateWithFlags(&x_.stream, cudaStreamNonBlocking));
    CUBLAS_CHECK(cublasCreate(&x_.blas));
    CUBLAS_CHECK(cublasSetStream(x_.blas, x_.stream));
    CUBLAS_CHECK(cublasSetMathMode(x_.blas, CUBLAS_DEFAULT_MATH));  // fp32 GEMMs stay fp32 unless a call asks for TF32
    x_.tf32 = bf16_;
    const char* att = std::getenv("LATHE_CUDA_ATTENTION");
    x_.simple_attention = att && std::string(att) == "simple";
    // the fused bf16 kernels (attention_*_saved): the default mode only (the exact mode keeps fp32 cuBLAS);
    // LATHE_CUDA_ATTENTION=gemm keeps the cuBLAS path everywhere (A/B timing, or if a GPU misbehaves on them)
    flash_ = bf16_ && !x_.simple_attention && !(att && std::string(att) == "gemm");
    const char* pr = std::getenv("LATHE_CUDA_PROFILE");
    if (pr && pr[0] == '1') prof_ = new op_profile();
    CUDA_CHECK(cudaMalloc(&x_.dev_double, sizeof(double)));
    x_.counted = &bytes_;
    return LATHE_OK();
  }
  ~cuda_backend() override {
    cudaStreamSynchronize(x_.stream);
    if (prof_) {
      double total = 0.0;
      std::vector<std::pair<double, std::string>> rows;
      for (auto& kv : prof_->t) { total += kv.second.first; rows.push_back({kv.second.first, kv.first}); }
      std::sort(rows.rbegin(), rows.rend());
      std::fprintf(stderr, "lathe cuda profile (synchronised per op): %.3f s in ops\n", total);
      for (auto& r : rows)
        std::fprintf(stderr, "  %-26s %6ld calls %9.3f s %5.1f%%\n", r.second.c_str(), prof_->t[r.second].second, r.first,
                     total > 0 ? 100.0 * r.first / total : 0.0);
      delete prof_;
    }
    for (auto& kv : sizes_) cudaFree(const_cast<void*>(kv.first));
    if (x_.bf16_buf) cudaFree(x_.bf16_buf);
    if (x_.f32_buf) cudaFree(x_.f32_buf);
    if (x_.nf4_buf) cudaFree(x_.nf4_buf);
    if (x_.dev_double) cudaFree(x_.dev_double);
    if (x_.blas) cublasDestroy(x_.blas);
    if (x_.stream) cudaStreamDestroy(x_.stream);
  }
  const char* name() const override { return "cuda"; }
  void device_info(std::string* name, uint64_t* total_bytes, int* major, int* minor) const override {
    *name = prop_.name;
    *total_bytes = (uint64_t)prop_.totalGlobalMem;
    *major = prop_.major;
    *minor = prop_.minor;
  }

  // Memory plan: bf16 saved activations and frozen matrices in the default mode (fp32 in the exact mode); under
  // QLoRA the decoder's projections are NF4 in both modes (the dequantisation buffer is in scratch_bytes_for), the
  // embedding and lm_head stay bf16 / fp32 (frozen_width(false)).
  int saved_width() const override { return bf16_ ? 2 : 4; }
  double frozen_width(bool nf4) const override { return nf4 ? NF4_BYTES_PER_VALUE : bf16_ ? 2.0 : 4.0; }
  uint64_t scratch_bytes_for(const scratch_shape& s) const override {
    int64_t bf16 = 0, f32 = 0;
    scratch_elems(s, &bf16, &f32);
    return (uint64_t)bf16 * 2 + (uint64_t)f32 * 4 + (uint64_t)nf4_scratch_bytes(s);
  }
  // Outside the counted allocations: the CUDA context (about 0.5 GiB with CUDA 13 on an H200), cuBLAS's workspace and
  // the allocator's granularity. A documented margin (docs/cuda.md), not a measurement.
  uint64_t overhead_bytes() const override { return 1ull << 30; }
  uint64_t device_free_bytes() const override {
    size_t free_b = 0, total_b = 0;
    if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess) {
      cudaGetLastError();
      return UINT64_MAX;
    }
    // What this process holds counts as available to its own plan, and the plan's overhead (the context) is paid
    // already: plan + overhead <= this  <=>  the counted allocations fit in what is free now.
    return (uint64_t)free_b + bytes_in_use() + overhead_bytes();
  }
  void set_memory_cap(uint64_t bytes) override {
    cap_ = bytes;
    x_.cap = bytes > overhead_bytes() ? bytes - overhead_bytes() : (bytes ? 1 : 0);
  }
  lathe_status reserve_scratch(const scratch_shape& s) override {
    int64_t bf16 = 0, f32 = 0;
    scratch_elems(s, &bf16, &f32);
    try {
      x_.bf16_scratch(bf16);
      if (!x_.simple_attention) x_.f32_scratch(f32);
      if (s.nf4) x_.nf4_scratch(nf4_scratch_bytes(s));
    } catch (const lathe_device_oom& e) {
      return LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, std::string("out of device memory reserving scratch: ") + e.what(),
                       "turn on gradient_checkpointing, or lower per_device_train_batch_size or cutoff_len");
    }
    return LATHE_OK();
  }

  float* alloc_f32(int64_t n) override { return (float*)alloc_bytes((size_t)n * 4); }
  int32_t* alloc_i32(int64_t n) override { return (int32_t*)alloc_bytes((size_t)n * 4); }
  // Frozen matrices: bf16 in the default mode, fp32 in the exact mode; under QLoRA (frozen_nf4) the decoder's
  // projections (FROZEN_KIND_LINEAR) are NF4 in both — one allocation per matrix holding nf4_tensor's arrays,
  // [packed | qabsmax | pad to 4 | absmax2], its offset kept here —, the embedding and lm_head as without QLoRA.
  float* alloc_frozen(int64_t n, frozen_kind kind) override {
    if (frozen_nf4() && kind == FROZEN_KIND_LINEAR) return alloc_nf4(n);
    return alloc_narrow(n);
  }
  void upload_frozen(float* dst, const float* src, int64_t n, frozen_kind kind) override {
    auto it = nf4_.find(dst);
    if (it != nf4_.end()) {  // the CPU's quantiser (cpu/nf4.cpp), so both backends train on the same NF4 codes
      LATHE_ASSERT(it->second.n == n);
      nf4_tensor t;
      nf4_quantize(t, src, n);
      uint8_t* p = (uint8_t*)dst;
      CUDA_CHECK(cudaMemcpy(p, t.packed.data(), t.packed.size(), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(p + it->second.qabsmax_at, t.qabsmax.data(), t.qabsmax.size(), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(p + it->second.absmax2_at, t.absmax2.data(), t.absmax2.size() * 4, cudaMemcpyHostToDevice));
      it->second.offset = t.offset;
      return;
    }
    LATHE_ASSERT(!frozen_nf4() || kind != FROZEN_KIND_LINEAR);  // allocated as NF4 above
    if (!is_bf16(dst)) return upload_f32(dst, src, n);
    std::vector<uint16_t> h((size_t)n);
    cpu_parallel_for(n, (double)n * 4.0, [&](int64_t i0, int64_t i1) {  // 8e9 values for an 8B model
      for (int64_t i = i0; i < i1; i++) h[(size_t)i] = f32_to_bf16(src[i]);
    });
    CUDA_CHECK(cudaMemcpy(dst, h.data(), (size_t)n * 2, cudaMemcpyHostToDevice));
  }
  // Saved activations: bf16 in the default mode (tracked with the bf16 weights, so download_f32 refuses them too),
  // fp32 in the exact mode.
  float* alloc_saved(int64_t n) override { return alloc_narrow(n); }
  void store_saved(float* saved, const float* src, int64_t n) override {
    OP_TIMER;
    if (is_bf16(saved)) convert_f32_to_bf16_cuda(x_, (__nv_bfloat16*)saved, src, n);
    else CUDA_CHECK(cudaMemcpyAsync(saved, src, (size_t)n * 4, cudaMemcpyDeviceToDevice, x_.stream));
  }
  void load_saved(float* dst, const float* saved, int64_t n) override {
    OP_TIMER;
    if (is_bf16(saved)) convert_bf16_to_f32_cuda(x_, dst, (const __nv_bfloat16*)saved, n);
    else CUDA_CHECK(cudaMemcpyAsync(dst, saved, (size_t)n * 4, cudaMemcpyDeviceToDevice, x_.stream));
  }
  void free_buf(void* p) override {
    if (!p) return;
    auto it = sizes_.find(p);
    if (it == sizes_.end()) return;
    CUDA_CHECK(cudaStreamSynchronize(x_.stream));
    CUDA_CHECK(cudaFree(p));
    bytes_ -= it->second;
    sizes_.erase(it);
    bf16set_.erase(p);
    nf4_.erase(p);
  }
  void upload_f32(float* dst, const float* src, int64_t n) override {
    CUDA_CHECK(cudaMemcpyAsync(dst, src, (size_t)n * 4, cudaMemcpyHostToDevice, x_.stream));
    CUDA_CHECK(cudaStreamSynchronize(x_.stream));
  }
  void download_f32(float* dst, const float* src, int64_t n) override {
    LATHE_ASSERT(!is_bf16(src) && !nf4_.count(src));
    CUDA_CHECK(cudaMemcpyAsync(dst, src, (size_t)n * 4, cudaMemcpyDeviceToHost, x_.stream));
    CUDA_CHECK(cudaStreamSynchronize(x_.stream));
  }
  void upload_i32(int32_t* dst, const int32_t* src, int64_t n) override {
    OP_TIMER;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, (size_t)n * 4, cudaMemcpyHostToDevice, x_.stream));
    CUDA_CHECK(cudaStreamSynchronize(x_.stream));
  }
  void zero_f32(float* p, int64_t n) override { OP_TIMER; CUDA_CHECK(cudaMemsetAsync(p, 0, (size_t)n * 4, x_.stream)); }
  void copy_f32(float* dst, const float* src, int64_t n) override {
    OP_TIMER;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, (size_t)n * 4, cudaMemcpyDeviceToDevice, x_.stream));
  }
  uint64_t bytes_in_use() const override { return bytes_ + x_.scratch_bytes; }

  void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC) override {
    OP_TIMER;
    bool wb = false;
    const void* w = gemm_weight(weight, &wb);
    matmul_forward_cuda(x_, out, inp, w, wb, bias, N, C, OC);
  }
  void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                       int N, int C, int OC) override {
    OP_TIMER;
    bool wb = is_bf16(weight);
    const void* w = weight;
    if (dinp) w = gemm_weight(weight, &wb);  // only d(inp) reads the weight
    LATHE_ASSERT(!dweight || !nf4_.count(weight));  // NF4 matrices are frozen
    matmul_backward_cuda(x_, dinp, dweight, dbias, dout, inp, w, wb, N, C, OC);
  }
  void embedding_forward(float* out, const int32_t* tokens, const float* wte, int N, int C) override {
    OP_TIMER;
    LATHE_ASSERT(!nf4_.count(wte));  // the embedding is never NF4 (FROZEN_KIND_EMBEDDING)
    embedding_forward_cuda(x_, out, tokens, wte, is_bf16(wte), N, C);
  }
  void embedding_backward(float* dwte, const float* dout, const int32_t* tokens, int N, int C) override {
    OP_TIMER;
    embedding_backward_cuda(x_, dwte, dout, tokens, N, C);
  }
  void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C) override {
    OP_TIMER;
    rmsnorm_forward_cuda(x_, out, rstd, inp, weight, eps, N, C);
  }
  void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight, const float* rstd,
                        int N, int C) override {
    OP_TIMER;
    rmsnorm_backward_cuda(x_, dinp, dweight, dout, inp, weight, rstd, N, C);
  }
  void rope_forward(float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd) override {
    OP_TIMER;
    rope_forward_cuda(x_, out, inp, cos_t, sin_t, pos, N, H, hd);
  }
  void rope_backward(float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H,
                     int hd) override {
    OP_TIMER;
    rope_backward_cuda(x_, dinp, dout, cos_t, sin_t, pos, N, H, hd);
  }
  void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg, int B, int T,
                         int H, int KVH, int hd, int window) override {
    OP_TIMER;
    if (x_.simple_attention) attention_forward_cuda(x_, out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
    else attention_forward_gemm_cuda(x_, out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
  }
  void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse, const float* q,
                          const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH, int hd, int window) override {
    OP_TIMER;
    if (x_.simple_attention) attention_backward_cuda(x_, dq, dk, dv, dout, out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
    else attention_backward_gemm_cuda(x_, dq, dk, dv, dout, out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
  }
  // The fused kernels read the bf16 saved copies directly (no fp32 round trip). The fp32 entry points above stay on
  // cuBLAS in every mode: their operands need not be bf16 values. Called only where attention_reads_saved, or on fp32
  // saved buffers (the exact mode), which the fp32 ops take as they are.
  bool attention_reads_saved(int H, int KVH, int hd, int /*window*/) const override { return use_flash(H, KVH, hd); }
  void attention_forward_saved(float* out, float* lse, const float* qs, const float* ks, const float* vs, const int32_t* seg, int B,
                               int T, int H, int KVH, int hd, int window) override {
    if (!is_bf16(qs)) return attention_forward(out, lse, qs, ks, vs, seg, B, T, H, KVH, hd, window);
    OP_TIMER;
    LATHE_ASSERT(use_flash(H, KVH, hd) && is_bf16(ks) && is_bf16(vs));
    attention_forward_flash_cuda(x_, out, lse, (const __nv_bfloat16*)qs, (const __nv_bfloat16*)ks, (const __nv_bfloat16*)vs, seg, B, T,
                                 H, KVH, hd, window);
  }
  void attention_backward_saved(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse, const float* qs,
                                const float* ks, const float* vs, const int32_t* seg, int B, int T, int H, int KVH, int hd,
                                int window) override {
    if (!is_bf16(qs)) return attention_backward(dq, dk, dv, dout, out, lse, qs, ks, vs, seg, B, T, H, KVH, hd, window);
    OP_TIMER;
    LATHE_ASSERT(use_flash(H, KVH, hd) && is_bf16(ks) && is_bf16(vs));
    attention_backward_flash_cuda(x_, dq, dk, dv, dout, out, lse, (const __nv_bfloat16*)qs, (const __nv_bfloat16*)ks,
                                  (const __nv_bfloat16*)vs, seg, B, T, H, KVH, hd, window);
  }
  void attention_decode_forward(float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH, int hd, int window,
                                int q_pos) override {
    OP_TIMER;
    attention_decode_forward_cuda(x_, out, q, kc, vc, L, H, KVH, hd, window, q_pos);
  }
  void swiglu_forward(float* out, const float* gate, const float* up, int64_t n) override { OP_TIMER; swiglu_forward_cuda(x_, out, gate, up, n); }
  void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) override {
    OP_TIMER;
    swiglu_backward_cuda(x_, dgate, dup, dout, gate, up, n);
  }
  void cross_entropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V) override {
    OP_TIMER;
    cross_entropy_forward_cuda(x_, losses, logits, targets, N, V);
  }
  void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V) override {
    OP_TIMER;
    cross_entropy_backward_cuda(x_, dlogits, logits, targets, dloss, N, V);
  }
  void lm_head_loss(float* losses, float* dinp, float* logits, const float* inp, const float* weight, const int32_t* targets,
                    int N, int C, int V, int chunk) override {
    OP_TIMER;
    bool wb = false;
    const void* w = gemm_weight(weight, &wb);
    lm_head_loss_cuda(x_, losses, dinp, logits, inp, w, wb, targets, N, C, V, chunk);
  }
  void lora_forward(float* out, float* xa, const float* xin, const float* A, const float* B, float scaling, int N, int C, int OC,
                    int r) override {
    OP_TIMER;
    lora_forward_cuda(x_, out, xa, xin, A, B, scaling, N, C, OC, r);
  }
  void lora_backward(float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* xin, const float* xa, const float* A,
                     const float* B, float scaling, int N, int C, int OC, int r) override {
    OP_TIMER;
    lora_backward_cuda(x_, dx, dA, dB, dxa, dout, xin, xa, A, B, scaling, N, C, OC, r);
  }
  void residual_forward(float* out, const float* a, const float* b, int64_t n) override { OP_TIMER; residual_forward_cuda(x_, out, a, b, n); }
  void residual_backward(float* da, float* db, const float* dout, int64_t n) override { OP_TIMER; residual_backward_cuda(x_, da, db, dout, n); }
  void dropout_forward(float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n) override {
    OP_TIMER;
    dropout_forward_cuda(x_, out, inp, p, seed, stream, n);
  }
  void dropout_backward(float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n) override {
    OP_TIMER;
    dropout_backward_cuda(x_, dinp, dout, p, seed, stream, n);
  }
  double sum_squares(const float* a, int64_t n) override { OP_TIMER; return sum_squares_cuda(x_, a, n); }
  void scale_inplace(float* a, float s, int64_t n) override { OP_TIMER; scale_inplace_cuda(x_, a, s, n); }
  void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2, double eps,
                    double weight_decay, int64_t t) override {
    OP_TIMER;
    adamw_update_cuda(x_, param, grad, m, v, n, lr, beta1, beta2, eps, weight_decay, t);
  }

 private:
  struct nf4_buf {
    int64_t n = 0;
    size_t qabsmax_at = 0, absmax2_at = 0;  // byte offsets in the allocation
    float offset = 0.0f;
  };
  float* alloc_narrow(int64_t n) {
    if (!bf16_) return alloc_f32(n);
    void* p = alloc_bytes((size_t)n * 2);
    if (p) bf16set_.insert(p);
    return (float*)p;
  }
  float* alloc_nf4(int64_t n) {
    if (!nf4_tables_) {  // the 16 levels and the 256-entry dynamic map, read by every dequantisation
      float h[16 + 256];
      std::memcpy(h, nf4_code, sizeof(float) * 16);
      nf4_dynamic_map(h + 16);
      nf4_tables_ = (float*)alloc_bytes(sizeof h);
      if (!nf4_tables_) return nullptr;
      CUDA_CHECK(cudaMemcpy(nf4_tables_, h, sizeof h, cudaMemcpyHostToDevice));
    }
    int64_t nb = (n + NF4_BLOCK - 1) / NF4_BLOCK, nb2 = (nb + NF4_BLOCK2 - 1) / NF4_BLOCK2;
    nf4_buf b;
    b.n = n;
    b.qabsmax_at = (size_t)nb * (NF4_BLOCK / 2);
    b.absmax2_at = (b.qabsmax_at + (size_t)nb + 3) / 4 * 4;
    void* p = alloc_bytes(b.absmax2_at + (size_t)nb2 * 4);
    if (p) nf4_[p] = b;
    return (float*)p;
  }
  nf4_view view_of(std::unordered_map<const void*, nf4_buf>::const_iterator it) const {
    const uint8_t* p = (const uint8_t*)it->first;
    nf4_view v;
    v.packed = p;
    v.qabsmax = p + it->second.qabsmax_at;
    v.absmax2 = (const float*)(p + it->second.absmax2_at);
    v.code = nf4_tables_;
    v.map = nf4_tables_ + 16;
    v.offset = it->second.offset;
    v.n = it->second.n;
    return v;
  }
  // A frozen matrix as a GEMM operand: an NF4 one dequantised into the reused buffer (bf16, fp32 in the exact mode)
  // right before the GEMM — the stream orders it after the previous reader —, any other the buffer itself.
  const void* gemm_weight(const float* w, bool* w_bf16) {
    auto it = nf4_.empty() ? nf4_.end() : nf4_.find(w);
    if (it == nf4_.end()) {
      *w_bf16 = is_bf16(w);
      return w;
    }
    void* buf = x_.nf4_scratch(it->second.n * (bf16_ ? 2 : 4));
    nf4_dequantize_cuda(x_, buf, bf16_, view_of(it));
    *w_bf16 = bf16_;
    return buf;
  }
  // The dequantisation buffer: the largest NF4 matrix, at most widest x C (every projection has C on one side and its
  // other side <= widest; the embedding and lm_head, V x C, are never NF4).
  int64_t nf4_scratch_bytes(const scratch_shape& s) const {
    return s.nf4 ? s.widest * s.C * (bf16_ ? 2 : 4) : 0;
  }
  // Attention on the saved operands through the fused kernels (attention-flash.cu) where they apply.
  bool use_flash(int H, int KVH, int hd) const { return flash_ && attention_flash_supported(H, KVH, hd); }
  // bf16: GEMM operand conversions (the widest matmul, the lm_head chunk's input + gradient); f32: the cuBLAS path's
  // attention scores, and where the fused kernels apply the larger of those and their backward's D + bf16 dO (an
  // over-estimate there: the memory plan's figures were checked against peaks measured with the cuBLAS path's buffer,
  // and stay until they are measured again without it).
  void scratch_elems(const scratch_shape& s, int64_t* bf16, int64_t* f32) const {
    int64_t N = (int64_t)s.B * s.T;
    int64_t mm = matmul_bf16_scratch_elems(N, s.widest);
    int64_t lm = ((int64_t)s.lm_chunk * s.C + 63) / 64 * 64 + (int64_t)s.lm_chunk * s.V;
    *bf16 = bf16_ ? std::max(mm, lm) : 0;
    *f32 = x_.simple_attention ? (int64_t)s.B * s.H * s.T : attention_gemm_scratch_floats(s.B, s.T, s.H);
    if (use_flash(s.H, s.KVH, s.hd)) *f32 = std::max(*f32, attention_flash_scratch_floats(s.B, s.T, s.H, s.hd));
  }
  void* alloc_bytes(size_t bytes) {
    if (cap_ && bytes_ + x_.scratch_bytes + bytes > x_.cap) return nullptr;  // max_vram_gb: as if the card were that small
    void* p = nullptr;
    if (cudaMalloc(&p, bytes < 4 ? 4 : bytes) != cudaSuccess) {
      cudaGetLastError();  // clear the sticky-free OOM error so the caller can report it
      return nullptr;
    }
    CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, x_.stream));
    sizes_[p] = bytes;
    bytes_ += bytes;
    return p;
  }
  bool is_bf16(const void* p) const { return !bf16set_.empty() && bf16set_.count(p) > 0; }

  int index_;
  bool bf16_;
  bool flash_ = false;  // attention on the fused bf16 kernels where attention_flash_supported (init)
  cudaDeviceProp prop_{};
  cuda_ctx x_;
  op_profile* prof_ = nullptr;
  std::unordered_map<const void*, size_t> sizes_;
  std::unordered_set<const void*> bf16set_;
  std::unordered_map<const void*, nf4_buf> nf4_;  // NF4 frozen matrices (QLoRA)
  float* nf4_tables_ = nullptr;                   // (16 + 256) nf4_code | nf4_dynamic_map
  uint64_t bytes_ = 0;
  uint64_t cap_ = 0;  // max_vram_gb in bytes (x_.cap: what the counted allocations may reach)
};

}  // namespace

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

lathe_status cuda_backend_create(int index, bool bf16_frozen, backend** out) {
  *out = nullptr;
  int n = cuda_device_count();
  if (index < 0 || index >= n)
    return LATHE_ERR(LATHE_STATUS_CONFIG,
                     "CUDA device " + std::to_string(index) + " not found (" + std::to_string(n) + " CUDA device(s) visible)",
                     "use device \"auto\" or \"cpu\", or check the NVIDIA driver");
  auto* be = new cuda_backend(index, bf16_frozen);
  lathe_status s = be->init();
  if (!s.ok()) {
    delete be;
    return s;
  }
  *out = be;
  return LATHE_OK();
}

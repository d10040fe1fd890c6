// The CPU backend: host memory plus the reference ops of this folder. Counts bytes for the allocation report.
// Does not pool or reuse allocations; the model allocates everything once per run.
#include <cstring>
#include <new>
#include "backend/backend.h"
#include "cpu/parallel.h"

namespace {

class cpu_backend final : public backend {
 public:
  explicit cpu_backend(int threads) { cpu_set_threads(threads); }
  const char* name() const override { return "cpu"; }

  float* alloc_f32(int64_t n) override { return (float*)alloc_bytes((size_t)n * 4); }
  int32_t* alloc_i32(int64_t n) override { return (int32_t*)alloc_bytes((size_t)n * 4); }
  void free_buf(void* p) override {
    if (!p) return;
    size_t* h = (size_t*)p - 2;
    bytes_ -= h[0];
    ::operator delete(h);
  }
  void upload_f32(float* dst, const float* src, int64_t n) override { std::memcpy(dst, src, (size_t)n * 4); }
  void download_f32(float* dst, const float* src, int64_t n) override { std::memcpy(dst, src, (size_t)n * 4); }
  void upload_i32(int32_t* dst, const int32_t* src, int64_t n) override { std::memcpy(dst, src, (size_t)n * 4); }
  void zero_f32(float* p, int64_t n) override { std::memset(p, 0, (size_t)n * 4); }
  void copy_f32(float* dst, const float* src, int64_t n) override { std::memmove(dst, src, (size_t)n * 4); }
  uint64_t bytes_in_use() const override { return bytes_; }

  void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC) override {
    ::matmul_forward(out, inp, weight, bias, N, C, OC);
  }
  void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                       int N, int C, int OC) override {
    ::matmul_backward(dinp, dweight, dbias, dout, inp, weight, N, C, OC);
  }
  void embedding_forward(float* out, const int32_t* tokens, const float* wte, int N, int C) override {
    ::embedding_forward(out, tokens, wte, N, C);
  }
  void embedding_backward(float* dwte, const float* dout, const int32_t* tokens, int N, int C) override {
    ::embedding_backward(dwte, dout, tokens, N, C);
  }
  void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C) override {
    ::rmsnorm_forward(out, rstd, inp, weight, eps, N, C);
  }
  void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                        const float* rstd, int N, int C) override {
    ::rmsnorm_backward(dinp, dweight, dout, inp, weight, rstd, N, C);
  }
  void rope_forward(float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H,
                    int hd) override {
    ::rope_forward(out, inp, cos_t, sin_t, pos, N, H, hd);
  }
  void rope_backward(float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos, int N,
                     int H, int hd) override {
    ::rope_backward(dinp, dout, cos_t, sin_t, pos, N, H, hd);
  }
  void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg, int B,
                         int T, int H, int KVH, int hd, int window) override {
    ::attention_forward(out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
  }
  void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                          const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                          int hd, int window) override {
    ::attention_backward(dq, dk, dv, dout, out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
  }
  void attention_decode_forward(float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH, int hd,
                                int window, int q_pos) override {
    ::attention_decode_forward(out, q, kc, vc, L, H, KVH, hd, window, q_pos);
  }
  void swiglu_forward(float* out, const float* gate, const float* up, int64_t n) override { ::swiglu_forward(out, gate, up, n); }
  void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) override {
    ::swiglu_backward(dgate, dup, dout, gate, up, n);
  }
  void cross_entropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V) override {
    ::cross_entropy_forward(losses, logits, targets, N, V);
  }
  void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V) override {
    ::cross_entropy_backward(dlogits, logits, targets, dloss, N, V);
  }
  void lm_head_loss(float* losses, float* dinp, float* logits, const float* inp, const float* weight, const int32_t* targets,
                    int N, int C, int V, int chunk) override {
    ::lm_head_loss(losses, dinp, logits, inp, weight, targets, N, C, V, chunk);
  }
  void lora_forward(float* out, float* xa, const float* x, const float* A, const float* B, float scaling, int N, int C,
                    int OC, int r) override {
    ::lora_forward(out, xa, x, A, B, scaling, N, C, OC, r);
  }
  void lora_backward(float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* x, const float* xa,
                     const float* A, const float* B, float scaling, int N, int C, int OC, int r) override {
    ::lora_backward(dx, dA, dB, dxa, dout, x, xa, A, B, scaling, N, C, OC, r);
  }
  void residual_forward(float* out, const float* a, const float* b, int64_t n) override { ::residual_forward(out, a, b, n); }
  void residual_backward(float* da, float* db, const float* dout, int64_t n) override { ::residual_backward(da, db, dout, n); }
  void dropout_forward(float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n) override {
    ::dropout_forward(out, inp, p, seed, stream, n);
  }
  void dropout_backward(float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n) override {
    ::dropout_backward(dinp, dout, p, seed, stream, n);
  }
  double sum_squares(const float* x, int64_t n) override { return ::sum_squares(x, n); }
  void scale_inplace(float* x, float s, int64_t n) override { ::scale_inplace(x, s, n); }
  void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                    double eps, double weight_decay, int64_t t) override {
    ::adamw_update(param, grad, m, v, n, lr, beta1, beta2, eps, weight_decay, t);
  }

 private:
  void* alloc_bytes(size_t bytes) {
    size_t* h = (size_t*)::operator new(bytes + 2 * sizeof(size_t), std::nothrow);
    if (!h) return nullptr;
    h[0] = bytes;
    bytes_ += bytes;
    std::memset(h + 2, 0, bytes);
    return h + 2;
  }
  uint64_t bytes_ = 0;
};

}  // namespace

backend* cpu_backend_create(int threads) { return new cpu_backend(threads); }

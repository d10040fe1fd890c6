// Model-level tests: finite-difference check of every LoRA gradient through the whole decoder (all targets,
// dropout off/on, packed rows, each architecture variant), packing equivalence, chunked lm_head == one chunk, saved
// activations read only through load_saved, loader errors.
#include <cmath>
#include <algorithm>
#include <filesystem>
#include "backend/backend.h"
#include "core/json.h"
#include "data/batch.h"
#include "model/model.h"
#include "platform/platform.h"
#include "test-util.h"

static ltok_dataset make_ds(uint64_t seed, int vocab, const std::vector<int>& lens) {
  ltok_dataset ds;
  ds.vocab_size = (uint32_t)vocab;
  ds.offsets.push_back(0);
  uint64_t k = 0;
  for (int len : lens) {
    for (int i = 0; i < len; i++, k++) {
      ds.tokens.push_back((uint32_t)((k * 2654435761ULL + seed * 97) % (uint64_t)vocab));
      ds.mask.push_back(i >= len / 3 ? 1 : 0);
    }
    ds.offsets.push_back(ds.tokens.size());
  }
  return ds;
}

static double loss_of(model& m, lora_adapter& ad, const micro_batch& mb, bool train, uint64_t seed) {
  double s = 0;
  lathe_status st = model_forward(m, &ad, mb, train, seed, &s);
  if (!st.ok()) std::fprintf(stderr, "%s\n", st.message.c_str());
  return s / (double)mb.n_targets;
}

// Central differences on a sample of entries of every LoRA A and B (float model, h chosen for fp32).
static void fd_check(const std::string& arch, float dropout, int head_dim = 0) {
  std::string dir = test_temp_dir("fd-" + arch + std::to_string(head_dim));
  test_write_tiny_model(dir, arch, 11, 40, 16, 2, 4, 2, 24, arch == "qwen2", head_dim);
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 1, &be));
  model m;
  CHECK_OK(model_load(m, be, dir));
  lora_config lc;
  lc.r = 3; lc.alpha = 6; lc.dropout = dropout;
  for (bool& t : lc.targets) t = true;
  lora_adapter ad;
  CHECK_OK(lora_adapter_init(ad, be, m.cfg, lc, 5, true));
  // non-zero B so that A gets gradient too
  test_set_lora_b(be, ad, lc.r, [](size_t i, const lora_module& mod) { return 0.3f * std::sin(1.7f * (float)i + (float)mod.in); });
  ltok_dataset ds = make_ds(3, 40, {7, 5, 9});
  micro_batch mb = data_make_batch_rows(ds, {{0, 1}, {2}}, 32);
  CHECK_OK(model_alloc_train(m, 2, mb.T, lc.r, dropout));
  lora_adapter_zero_grad(ad);
  double s = 0;
  CHECK_OK(model_forward(m, &ad, mb, true, 99, &s));
  CHECK_OK(model_backward(m, ad, 1.0f / (float)mb.n_targets));
  double worst = 0;
  int checked = 0;
  for (size_t l = 0; l < ad.layers.size(); l++)
    for (auto& mod : ad.layers[l]) {
      for (int which = 0; which < 2; which++) {
        float* p = which ? mod.B : mod.A;
        float* g = which ? mod.dB : mod.dA;
        int64_t n = which ? (int64_t)mod.out * lc.r : (int64_t)lc.r * mod.in;
        for (int64_t i = 0; i < n; i += std::max<int64_t>(1, n / 5)) {
          const float h = 1e-2f;
          float orig = p[i];
          p[i] = orig + h;
          double lp = loss_of(m, ad, mb, true, 99);
          p[i] = orig - h;
          double lm = loss_of(m, ad, mb, true, 99);
          p[i] = orig;
          double fd = (lp - lm) / (2 * h);
          double err = std::fabs(fd - g[i]) / std::max(1e-3, std::fabs(fd));
          worst = std::max(worst, err);
          checked++;
        }
      }
    }
  std::printf("fd %s dropout=%.1f head_dim=%d: %d entries, worst rel err %.2e\n", arch.c_str(), dropout, m.cfg.head_dim, checked, worst);
  CHECK(worst < 2e-2);
  lora_adapter_free(ad);
  model_free(m);
  delete be;
}

// A packed row must give the same loss and gradients as its records in separate rows.
static void packing_equivalence() {
  std::string dir = test_temp_dir("pack");
  test_write_tiny_model(dir, "llama", 4);
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 2, &be));
  model m;
  CHECK_OK(model_load(m, be, dir));
  lora_config lc;
  lc.r = 2; lc.alpha = 4;
  for (bool& t : lc.targets) t = true;
  lora_adapter ad;
  CHECK_OK(lora_adapter_init(ad, be, m.cfg, lc, 1, true));
  test_set_lora_b(be, ad, lc.r, [](size_t, const lora_module&) { return 0.05f; });
  ltok_dataset ds = make_ds(8, 64, {9, 6, 11});
  micro_batch packed = data_make_batch_rows(ds, {{0, 1, 2}}, 64);
  micro_batch sep = data_make_batch_rows(ds, {{0}, {1}, {2}}, 64);
  CHECK(packed.n_targets == sep.n_targets);
  CHECK(packed.positions[9] == 0 && packed.segments[9] == 1 && packed.labels[9] == -100);
  CHECK_OK(model_alloc_train(m, 3, packed.T, lc.r, 0.0f));
  auto grads = [&](const micro_batch& mb, double* loss) {
    lora_adapter_zero_grad(ad);
    double s = 0;
    model_forward(m, &ad, mb, true, 0, &s);
    model_backward(m, ad, 1.0f / (float)mb.n_targets);
    *loss = s / (double)mb.n_targets;
    std::vector<float> all;
    test_append_lora_grads(all, ad, lc.r);
    return all;
  };
  double lp, ls;
  std::vector<float> gp = grads(packed, &lp), gs = grads(sep, &ls);
  std::printf("packing: packed loss %.8f separate %.8f grad rel err %.2e\n", lp, ls, test_rel_err(gp, gs));
  CHECK_NEAR(lp, ls, 1e-5 * std::fabs(ls));
  CHECK(test_rel_err(gp, gs) < 1e-5);
  lora_adapter_free(ad);
  model_free(m);
  delete be;
}

// lm_head + loss in chunks of 7 rows (partial last chunk) == one chunk of the whole micro-batch: loss, every LoRA
// gradient, the kept last-row logits; on a tied-embedding Qwen2 model (lm_head is the embedding, frozen).
static void chunked_lm_head() {
  std::string dir = test_temp_dir("chunked-lm-head");
  test_write_tiny_model(dir, "qwen2", 6, 50, 16, 2, 4, 2, 24, true);
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 2, &be));
  model whole, chunked;
  CHECK_OK(model_load(whole, be, dir));
  CHECK_OK(model_load(chunked, be, dir));
  CHECK(whole.tied && whole.lm_head == whole.wte);
  lora_config lc;
  lc.r = 2; lc.alpha = 4;
  for (bool& t : lc.targets) t = true;
  lora_adapter ad;
  CHECK_OK(lora_adapter_init(ad, be, whole.cfg, lc, 3, true));
  test_set_lora_b(be, ad, lc.r, [](size_t i, const lora_module& mod) { return 0.2f * std::cos(0.9f * (float)i + (float)mod.out); });
  ltok_dataset ds = make_ds(5, 50, {9, 6, 11});
  micro_batch mb = data_make_batch_rows(ds, {{0, 1}, {2}}, 32);
  chunked.logits_chunk_rows = 7;
  CHECK_OK(model_alloc_train(whole, 2, mb.T, lc.r, 0.0f));
  CHECK_OK(model_alloc_train(chunked, 2, mb.T, lc.r, 0.0f));
  int N = mb.B * mb.T, V = whole.cfg.vocab_size;
  std::printf("chunked lm_head: N %d, chunk %d\n", N, chunked.logits_rows);
  CHECK(whole.logits_rows == N && chunked.logits_rows == 7 && N % 7 != 0);
  auto grads = [&](model& m, double* loss) {
    lora_adapter_zero_grad(ad);
    double s = 0;
    CHECK_OK(model_forward(m, &ad, mb, true, 0, &s));
    CHECK_OK(model_backward(m, ad, 1.0f / (float)mb.n_targets));
    *loss = s / (double)mb.n_targets;
    std::vector<float> all;
    test_append_lora_grads(all, ad, lc.r);
    return all;
  };
  double lw, lch;
  std::vector<float> gw = grads(whole, &lw), gc = grads(chunked, &lch);
  double eg = test_rel_err(gc, gw);
  std::printf("chunked lm_head: loss %.8f vs %.8f, grad rel err %.2e\n", lch, lw, eg);
  CHECK_NEAR(lch, lw, 1e-6 * std::fabs(lw));
  CHECK(eg <= 1e-6);
  // inference forward: the last row's logits are kept in both, earlier rows only where they share the last chunk
  double s;
  CHECK_OK(model_forward(whole, &ad, mb, false, 0, &s));
  CHECK_OK(model_forward(chunked, &ad, mb, false, 0, &s));
  CHECK(model_logits_row(whole, 0) != nullptr && model_logits_row(chunked, 0) == nullptr);
  CHECK(model_logits_row(chunked, N - 1) != nullptr && model_logits_row(chunked, N) == nullptr);
  std::vector<float> a((size_t)V), b((size_t)V);
  be->download_f32(a.data(), model_logits_row(whole, N - 1), V);
  be->download_f32(b.data(), model_logits_row(chunked, N - 1), V);
  CHECK(test_rel_err(b, a) <= 1e-6);
  // the backward needs the gradient a training forward took
  CHECK(model_backward(chunked, ad, 1.0f).code == LATHE_STATUS_INTERNAL);
  lora_adapter_free(ad);
  model_free(whole);
  model_free(chunked);
  delete be;
}

// A CPU backend whose saved activations are opaque (stored times -4, exact in floating point, and not a symmetry of any
// op: RMSNorm's backward, for one, is invariant under negation alone): the model must read them only through
// load_saved, since on CUDA they are bf16 bits that no fp32 op can read. Everything else is the CPU reference.
// saved_attention: its attention reads the saved q/k/v itself (attention_reads_saved, as CUDA's fused kernels), and
// the fp32 attention ops count as misuse (fp32_attention).
class opaque_saved_backend final : public backend {
 public:
  explicit opaque_saved_backend(backend* in) : in_(in) {}
  ~opaque_saved_backend() override { delete in_; }
  const char* name() const override { return "cpu-opaque-saved"; }
  float* alloc_f32(int64_t n) override { return in_->alloc_f32(n); }
  int32_t* alloc_i32(int64_t n) override { return in_->alloc_i32(n); }
  void free_buf(void* p) override { in_->free_buf(p); }
  void upload_f32(float* d, const float* s, int64_t n) override { in_->upload_f32(d, s, n); }
  void download_f32(float* d, const float* s, int64_t n) override { in_->download_f32(d, s, n); }
  void upload_i32(int32_t* d, const int32_t* s, int64_t n) override { in_->upload_i32(d, s, n); }
  void zero_f32(float* p, int64_t n) override { in_->zero_f32(p, n); }
  void copy_f32(float* d, const float* s, int64_t n) override { in_->copy_f32(d, s, n); }
  uint64_t bytes_in_use() const override { return in_->bytes_in_use(); }
  float* alloc_saved(int64_t n) override { return in_->alloc_f32(n); }
  void store_saved(float* saved, const float* src, int64_t n) override {
    stores++;
    for (int64_t i = 0; i < n; i++) saved[i] = -4.0f * src[i];
  }
  void load_saved(float* dst, const float* saved, int64_t n) override {
    loads++;
    for (int64_t i = 0; i < n; i++) dst[i] = saved[i] * -0.25f;
  }
  void matmul_forward(float* out, const float* inp, const float* w, const float* b, int N, int C, int OC) override {
    in_->matmul_forward(out, inp, w, b, N, C, OC);
  }
  void matmul_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int N, int C,
                       int OC) override {
    in_->matmul_backward(dinp, dw, db, dout, inp, w, N, C, OC);
  }
  void embedding_forward(float* out, const int32_t* t, const float* wte, int N, int C) override { in_->embedding_forward(out, t, wte, N, C); }
  void embedding_backward(float* dwte, const float* dout, const int32_t* t, int N, int C) override {
    in_->embedding_backward(dwte, dout, t, N, C);
  }
  void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* w, float eps, int N, int C) override {
    in_->rmsnorm_forward(out, rstd, inp, w, eps, N, C);
  }
  void rmsnorm_backward(float* dinp, float* dw, const float* dout, const float* inp, const float* w, const float* rstd, int N,
                        int C) override {
    in_->rmsnorm_backward(dinp, dw, dout, inp, w, rstd, N, C);
  }
  void rope_forward(float* out, const float* inp, const float* c, const float* s, const int32_t* pos, int N, int H, int hd) override {
    in_->rope_forward(out, inp, c, s, pos, N, H, hd);
  }
  void rope_backward(float* dinp, const float* dout, const float* c, const float* s, const int32_t* pos, int N, int H, int hd) override {
    in_->rope_backward(dinp, dout, c, s, pos, N, H, hd);
  }
  void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg, int B, int T,
                         int H, int KVH, int hd, int window) override {
    fp32_attention++;
    in_->attention_forward(out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
  }
  void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse, const float* q,
                          const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH, int hd, int window) override {
    fp32_attention++;
    in_->attention_backward(dq, dk, dv, dout, out, lse, q, k, v, seg, B, T, H, KVH, hd, window);
  }
  bool attention_reads_saved(int H, int KVH, int hd, int window) const override { return saved_attention; }
  void attention_forward_saved(float* out, float* lse, const float* qs, const float* ks, const float* vs, const int32_t* seg, int B,
                               int T, int H, int KVH, int hd, int window) override {
    std::vector<float> q = decoded(qs, (int64_t)B * T * H * hd), k = decoded(ks, (int64_t)B * T * KVH * hd),
                       v = decoded(vs, (int64_t)B * T * KVH * hd);
    in_->attention_forward(out, lse, q.data(), k.data(), v.data(), seg, B, T, H, KVH, hd, window);
  }
  void attention_backward_saved(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse, const float* qs,
                                const float* ks, const float* vs, const int32_t* seg, int B, int T, int H, int KVH, int hd,
                                int window) override {
    std::vector<float> q = decoded(qs, (int64_t)B * T * H * hd), k = decoded(ks, (int64_t)B * T * KVH * hd),
                       v = decoded(vs, (int64_t)B * T * KVH * hd);
    in_->attention_backward(dq, dk, dv, dout, out, lse, q.data(), k.data(), v.data(), seg, B, T, H, KVH, hd, window);
  }
  void attention_decode_forward(float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH, int hd,
                                int window, int q_pos) override {
    in_->attention_decode_forward(out, q, kc, vc, L, H, KVH, hd, window, q_pos);
  }
  void swiglu_forward(float* out, const float* g, const float* u, int64_t n) override { in_->swiglu_forward(out, g, u, n); }
  void swiglu_backward(float* dg, float* du, const float* dout, const float* g, const float* u, int64_t n) override {
    in_->swiglu_backward(dg, du, dout, g, u, n);
  }
  void cross_entropy_forward(float* l, const float* x, const int32_t* t, int N, int V) override { in_->cross_entropy_forward(l, x, t, N, V); }
  void cross_entropy_backward(float* d, const float* x, const int32_t* t, float dl, int N, int V) override {
    in_->cross_entropy_backward(d, x, t, dl, N, V);
  }
  void lm_head_loss(float* l, float* dinp, float* logits, const float* inp, const float* w, const int32_t* t, int N, int C, int V,
                    int chunk) override {
    in_->lm_head_loss(l, dinp, logits, inp, w, t, N, C, V, chunk);
  }
  void lora_forward(float* out, float* xa, const float* x, const float* A, const float* B, float sc, int N, int C, int OC, int r) override {
    in_->lora_forward(out, xa, x, A, B, sc, N, C, OC, r);
  }
  void lora_backward(float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* x, const float* xa, const float* A,
                     const float* B, float sc, int N, int C, int OC, int r) override {
    in_->lora_backward(dx, dA, dB, dxa, dout, x, xa, A, B, sc, N, C, OC, r);
  }
  void residual_forward(float* out, const float* a, const float* b, int64_t n) override { in_->residual_forward(out, a, b, n); }
  void residual_backward(float* da, float* db, const float* dout, int64_t n) override { in_->residual_backward(da, db, dout, n); }
  void dropout_forward(float* out, const float* inp, float p, uint64_t seed, uint64_t st, int64_t n) override {
    in_->dropout_forward(out, inp, p, seed, st, n);
  }
  void dropout_backward(float* dinp, const float* dout, float p, uint64_t seed, uint64_t st, int64_t n) override {
    in_->dropout_backward(dinp, dout, p, seed, st, n);
  }
  double sum_squares(const float* x, int64_t n) override { return in_->sum_squares(x, n); }
  void scale_inplace(float* x, float s, int64_t n) override { in_->scale_inplace(x, s, n); }
  void adamw_update(float* p, const float* g, float* m, float* v, int64_t n, double lr, double b1, double b2, double eps, double wd,
                    int64_t t) override {
    in_->adamw_update(p, g, m, v, n, lr, b1, b2, eps, wd, t);
  }
  int stores = 0, loads = 0, fp32_attention = 0;
  bool saved_attention = false;

 private:
  std::vector<float> decoded(const float* saved, int64_t n) {  // what load_saved gives, without counting a load
    std::vector<float> x((size_t)n);
    for (int64_t i = 0; i < n; i++) x[(size_t)i] = saved[i] * -0.25f;
    return x;
  }
  backend* in_;
};

// The same training micro-batch on the CPU backend and on opaque_saved_backend, with fp32 attention and with its
// attention on the saved operands (the model's other branch, CUDA's fused kernels): bitwise the same loss and LoRA
// gradients (Qwen3 with q/k norm and dropout; Llama with LoRA on q and v only, so some recomputations are skipped).
// A CPU backend (wrapped in opaque_saved_backend when `opaque`), the tiny model in `dir` loaded on it and a LoRA
// adapter with nonzero B (so the adapter's gradients are all exercised); the caller frees all three.
static backend* load_trainable(const std::string& dir, const lora_config& lc, bool opaque, model& m, lora_adapter& ad) {
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 2, &be));
  if (opaque) be = new opaque_saved_backend(be);
  CHECK_OK(model_load(m, be, dir));
  CHECK_OK(lora_adapter_init(ad, be, m.cfg, lc, 4, true));
  test_set_lora_b(be, ad, lc.r, [](size_t i, const lora_module& mod) { return 0.25f * std::sin(0.7f * (float)i + (float)mod.in); },
                  true);
  return be;
}

static void saved_activations_opaque() {
  for (int variant = 0; variant < 2; variant++) {
    std::string arch = variant == 0 ? "qwen3" : "llama";
    std::string dir = test_temp_dir("opaque-" + arch);
    test_write_tiny_model(dir, arch, 12, 40, 16, 2, 4, 2, 24);
    lora_config lc;
    lc.r = 2; lc.alpha = 4; lc.dropout = variant == 0 ? 0.2f : 0.0f;
    for (int t = 0; t < LORA_TARGET_COUNT; t++) lc.targets[t] = variant == 0 || t == LORA_TARGET_Q || t == LORA_TARGET_V;
    ltok_dataset ds = make_ds(4, 40, {8, 5, 10});
    micro_batch mb = data_make_batch_rows(ds, {{0, 1}, {2}}, 32);
    double loss[3];
    std::vector<float> grads[3];
    int stores[3] = {0, 0, 0}, loads[3] = {0, 0, 0}, fp32_attention[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
      model m;
      lora_adapter ad;
      backend* be = load_trainable(dir, lc, k > 0, m, ad);
      opaque_saved_backend* ob = k ? static_cast<opaque_saved_backend*>(be) : nullptr;
      if (ob) ob->saved_attention = k == 2;
      CHECK_OK(model_alloc_train(m, 2, mb.T, lc.r, lc.dropout));
      lora_adapter_zero_grad(ad);
      CHECK_OK(model_forward(m, &ad, mb, true, 17, &loss[k]));
      CHECK_OK(model_backward(m, ad, 1.0f / (float)mb.n_targets));
      test_append_lora_grads(grads[k], ad, lc.r, true);
      if (ob) { stores[k] = ob->stores; loads[k] = ob->loads; fp32_attention[k] = ob->fp32_attention; }
      lora_adapter_free(ad);
      model_free(m);
      delete be;
    }
    for (int k = 1; k < 3; k++) {
      std::printf("opaque saved activations (%s, %s attention): loss %.8f vs %.8f, %zu gradient values, %d stores, %d loads, "
                  "identical: %s\n", arch.c_str(), k == 2 ? "saved-operand" : "fp32", loss[k], loss[0], grads[0].size(), stores[k],
                  loads[k], loss[0] == loss[k] && grads[0] == grads[k] ? "yes" : "no");
      CHECK(loss[0] == loss[k] && !grads[0].empty() && grads[0] == grads[k]);
      CHECK(stores[k] > 0 && loads[k] > 0);
    }
    // the saved-operand branch skips the read-backs of q, k, v: 3 per layer in the forward (keep_rounded), 3 in the backward
    CHECK(fp32_attention[1] > 0 && fp32_attention[2] == 0);
    CHECK(loads[1] - loads[2] == 6 * 2 && stores[1] == stores[2]);
  }
}

// Gradient checkpointing changes memory, not numbers: on the CPU the recomputation runs the same ops on the same
// inputs with the same dropout masks, so the losses and LoRA gradients are bitwise those without it — every test
// architecture, LoRA dropout, packed rows, two accumulated micro-batches, a tied model, and (Llama) LoRA on q/v only
// with the opaque saved-activation backend (the kept layer inputs go through alloc_saved/store_saved/load_saved).
static void checkpointing_bitwise() {
  const char* archs[] = {"llama", "qwen2", "qwen3", "mistral", "llama-qv"};
  for (const char* name : archs) {
    std::string a = name;
    bool qv = a == "llama-qv";
    std::string arch = qv ? "llama" : a;
    std::string dir = test_temp_dir("ckpt-" + a);
    test_write_tiny_model(dir, arch, 13, 40, 16, 3, 4, 2, 24, arch == "qwen2");
    lora_config lc;
    lc.r = 2; lc.alpha = 4; lc.dropout = qv ? 0.0f : 0.15f;
    for (int t = 0; t < LORA_TARGET_COUNT; t++) lc.targets[t] = !qv || t == LORA_TARGET_Q || t == LORA_TARGET_V;
    ltok_dataset ds = make_ds(5, 40, {8, 5, 10, 3, 7});
    std::vector<micro_batch> mbs = {data_make_batch_rows(ds, {{0, 1}, {2}}, 32), data_make_batch_rows(ds, {{3, 4}}, 32)};
    int64_t n_targets = mbs[0].n_targets + mbs[1].n_targets;
    std::vector<double> losses[2];
    std::vector<float> grads[2];
    uint64_t act_bytes[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
      model m;
      lora_adapter ad;
      backend* be = load_trainable(dir, lc, qv, m, ad);
      CHECK_OK(model_alloc_train(m, 2, 32, lc.r, lc.dropout, k == 1));
      CHECK(m.checkpointing == (k == 1));
      act_bytes[k] = m.act_bytes;
      CHECK(m.act_bytes == model_activation_bytes(m.cfg, 2, 32, lc.r, lc.dropout, k == 1, 4));
      lora_adapter_zero_grad(ad);
      for (size_t j = 0; j < mbs.size(); j++) {
        double loss = 0.0;
        CHECK_OK(model_forward(m, &ad, mbs[j], true, 17 + j, &loss));
        CHECK_OK(model_backward(m, ad, 1.0f / (float)n_targets));
        losses[k].push_back(loss);
      }
      double eval_loss = 0.0;  // an eval forward through the shared set, then training again
      CHECK_OK(model_forward(m, &ad, mbs[1], false, 0, &eval_loss));
      losses[k].push_back(eval_loss);
      test_append_lora_grads(grads[k], ad, lc.r, true);
      lora_adapter_free(ad);
      model_free(m);
      delete be;
    }
    bool same = losses[0] == losses[1] && !grads[0].empty() && grads[0] == grads[1];
    std::printf("checkpointing (%s): losses %.8f %.8f vs %.8f %.8f, %zu gradient values identical: %s, activations %llu -> %llu bytes\n",
                a.c_str(), losses[1][0], losses[1][1], losses[0][0], losses[0][1], grads[0].size(), same ? "yes" : "no",
                (unsigned long long)act_bytes[0], (unsigned long long)act_bytes[1]);
    CHECK(same);
    CHECK(act_bytes[1] < act_bytes[0]);
  }
}

static void loader_errors() {
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 1, &be));
  model m;
  CHECK(model_load(m, be, "/nonexistent/model").code == LATHE_STATUS_IO);
  std::string dir = test_temp_dir("gpt2");
  std::string cfg = R"({"architectures":["GPT2LMHeadModel"],"vocab_size":10})";
  platform_write_file_atomic(dir + "/config.json", cfg.data(), cfg.size());
  lathe_status s = model_load(m, be, dir);
  CHECK(s.code == LATHE_STATUS_UNSUPPORTED_MODEL && s.message.find("GPT2LMHeadModel") != std::string::npos);
  std::string d2 = test_temp_dir("noweights");
  test_write_tiny_model(d2, "llama", 1);
  std::filesystem::remove(d2 + "/model.safetensors");
  CHECK(model_load(m, be, d2).code == LATHE_STATUS_IO);
  model_free(m);
  delete be;
}

int main() {
  fd_check("llama", 0.0f);
  fd_check("qwen2", 0.0f);
  fd_check("qwen3", 0.0f);
  fd_check("mistral", 0.3f);
  fd_check("qwen3", 0.0f, 6);  // heads * head_dim (24) != hidden (16), as in Qwen3-4B
  packing_equivalence();
  chunked_lm_head();
  saved_activations_opaque();
  checkpointing_bitwise();
  loader_errors();
  return test_finish("test-model");
}

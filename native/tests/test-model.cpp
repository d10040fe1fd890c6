// Model-level tests: finite-difference check of every LoRA gradient through the whole decoder (all targets,
// dropout off/on, packed rows, each architecture variant), packing equivalence, loader errors.
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
  for (auto& layer : ad.layers)
    for (auto& mod : layer) {
      std::vector<float> b((size_t)mod.out * lc.r);
      for (size_t i = 0; i < b.size(); i++) b[i] = 0.3f * std::sin(1.7f * (float)i + (float)mod.in);
      be->upload_f32(mod.B, b.data(), (int64_t)b.size());
    }
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
  for (auto& layer : ad.layers)
    for (auto& mod : layer) {
      std::vector<float> b((size_t)mod.out * lc.r, 0.05f);
      be->upload_f32(mod.B, b.data(), (int64_t)b.size());
    }
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
    for (auto& layer : ad.layers)
      for (auto& mod : layer) {
        all.insert(all.end(), mod.dA, mod.dA + (size_t)lc.r * mod.in);
        all.insert(all.end(), mod.dB, mod.dB + (size_t)mod.out * lc.r);
      }
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
  for (auto& layer : ad.layers)
    for (auto& mod : layer) {
      std::vector<float> b((size_t)mod.out * lc.r);
      for (size_t i = 0; i < b.size(); i++) b[i] = 0.2f * std::cos(0.9f * (float)i + (float)mod.out);
      be->upload_f32(mod.B, b.data(), (int64_t)b.size());
    }
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
    for (auto& layer : ad.layers)
      for (auto& mod : layer) {
        all.insert(all.end(), mod.dA, mod.dA + (size_t)lc.r * mod.in);
        all.insert(all.end(), mod.dB, mod.dB + (size_t)mod.out * lc.r);
      }
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
  loader_errors();
  return test_finish("test-model");
}

// Parity with Hugging Face transformers + peft (fp32), against the fixture written by
// test/reference/make_engine_fixture.py on the GPU machine: logits, loss and every LoRA gradient at step 0
// (relative error <= 1e-4), then 20 AdamW steps with warmup + cosine/linear schedule and grad clipping
// (losses and final adapter <= 1e-3). Variants: llama (llama3 rope, GQA, bf16 shards), qwen2 (bias, tied, f16),
// qwen3 (q/k norm, rsLoRA, target subset, f32), mistral (sliding window, linear rope, constant_with_warmup).
#include <cmath>
#include <filesystem>
#include "backend/backend.h"
#include "core/json.h"
#include "cpu/parallel.h"
#include "data/batch.h"
#include "io/safetensors.h"
#include "model/model.h"
#include "platform/platform.h"
#include "test-util.h"
#include "train/optimizer.h"
#include "train/scheduler.h"

namespace fs = std::filesystem;

static double rel(double a, double b) { return std::fabs(a - b) / std::max(1e-12, std::fabs(b)); }

static void run_variant(const std::string& name) {
  fs::path dir = fs::path(LATHE_FIXTURE_DIR) / name;
  std::string text;
  CHECK_OK(platform_read_file((dir / "fixture.json").string(), text));
  json_value fx;
  std::string err;
  CHECK(json_parse(text, fx, err));
  if (!fx.is_object()) return;
  st_archive ref;
  CHECK_OK(st_open_file((dir / "reference.safetensors").string(), ref));

  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 0, &be));
  model m;
  CHECK_OK(model_load(m, be, (dir / "model").string()));
  lora_config lc;
  CHECK_OK(lora_adapter_read_config((dir / "adapter_init").string(), lc));
  lora_adapter ad;
  CHECK_OK(lora_adapter_init(ad, be, m.cfg, lc, 0, true));
  CHECK_OK(lora_adapter_load_weights(ad, (dir / "adapter_init").string()));

  ltok_dataset ds;
  ds.vocab_size = (uint32_t)m.cfg.vocab_size;
  ds.offsets.push_back(0);
  for (const auto& r : fx.get("records")->items()) {
    for (const auto& t : r.get("tokens")->items()) ds.tokens.push_back((uint32_t)t.as_int());
    for (const auto& k : r.get("mask")->items()) ds.mask.push_back((uint8_t)k.as_int());
    ds.offsets.push_back(ds.tokens.size());
  }
  std::vector<micro_batch> mbs;
  int max_B = 1, max_T = 1;
  for (const auto& mbj : fx.get("micro_batches")->items()) {
    std::vector<std::vector<uint64_t>> rows;
    for (const auto& row : mbj.items()) {
      rows.emplace_back();
      for (const auto& r : row.items()) rows.back().push_back((uint64_t)r.as_int());
    }
    mbs.push_back(data_make_batch_rows(ds, rows, 64));
    max_B = std::max(max_B, mbs.back().B);
    max_T = std::max(max_T, mbs.back().T);
  }
  CHECK_OK(model_alloc_train(m, max_B, max_T, lc.r, 0.0f));

  // logits of record 0 alone
  {
    micro_batch one = data_make_batch_rows(ds, {{0}}, 64);
    double s;
    CHECK_OK(model_forward(m, &ad, one, false, 0, &s));
    std::vector<float> got((size_t)one.T * m.cfg.vocab_size), want;
    const float* rows = model_logits_row(m, 0);  // all rows are in the one lm_head chunk at these sizes
    CHECK(rows != nullptr && model_logits_row(m, one.T - 1) != nullptr);
    if (rows) be->download_f32(got.data(), rows, (int64_t)got.size());
    CHECK_OK(st_read_f32(ref, "logits.record0", want));
    double e = test_rel_err(got, want);
    std::printf("[%s] logits rel err %.2e\n", name.c_str(), e);
    CHECK(e <= 1e-4);
  }

  int accum = (int)fx.get("gradient_accumulation_steps")->as_int();
  int steps = (int)fx.get("steps")->as_int();
  lr_schedule sched;
  CHECK(lr_schedule_parse(fx.get("lr_scheduler_type")->as_string(), &sched));
  adamw_hparams h;
  h.beta1 = fx.get("adam_beta1")->as_number();
  h.beta2 = fx.get("adam_beta2")->as_number();
  h.eps = fx.get("adam_epsilon")->as_number();
  h.weight_decay = fx.get("weight_decay")->as_number();
  double lr0 = fx.get("learning_rate")->as_number(), max_norm = fx.get("max_grad_norm")->as_number();
  int64_t warmup = fx.get("warmup_steps")->as_int();
  const auto& losses = fx.get("losses")->items();
  const auto& norms = fx.get("grad_norms")->items();
  const auto& lrs = fx.get("lrs")->items();
  double worst_loss = 0, worst_norm = 0, worst_lr = 0;
  for (int s = 0; s < steps; s++) {
    int64_t n_total = 0;
    std::vector<const micro_batch*> cur;
    for (int j = 0; j < accum; j++) {
      cur.push_back(&mbs[(size_t)(accum * s + j) % mbs.size()]);
      n_total += cur.back()->n_targets;
    }
    lora_adapter_zero_grad(ad);
    double sum = 0;
    for (const micro_batch* mb : cur) {
      double ls = 0;
      CHECK_OK(model_forward(m, &ad, *mb, true, 0, &ls));
      CHECK_OK(model_backward(m, ad, 1.0f / (float)n_total));
      sum += ls;
    }
    double loss = sum / (double)n_total;
    worst_loss = std::max(worst_loss, rel(loss, losses[(size_t)s].as_number()));
    if (s == 0) {
      std::printf("[%s] loss0 engine %.8f reference %.8f rel %.2e\n", name.c_str(), loss, losses[0].as_number(), rel(loss, losses[0].as_number()));
      CHECK(rel(loss, losses[0].as_number()) <= 1e-4);
      double worst_grad = 0;
      int n_grads = 0;
      for (size_t l = 0; l < ad.layers.size(); l++)
        for (int t = 0; t < LORA_TARGET_COUNT; t++) {
          const lora_module& mod = ad.layers[l][(size_t)t];
          if (!mod.on) continue;
          for (int b = 0; b < 2; b++) {
            std::vector<float> want, got((size_t)(b ? mod.out * lc.r : lc.r * mod.in));
            CHECK_OK(st_read_f32(ref, lora_tensor_name((int)l, t, b), want));
            be->download_f32(got.data(), b ? mod.dB : mod.dA, (int64_t)got.size());
            double e = test_rel_err(got, want, 1e-12);
            worst_grad = std::max(worst_grad, e);
            n_grads++;
            if (e > 1e-4) std::printf("  grad %s rel err %.2e\n", lora_tensor_name((int)l, t, b).c_str(), e);
          }
        }
      std::printf("[%s] %d LoRA gradients, worst rel err %.2e\n", name.c_str(), n_grads, worst_grad);
      CHECK(worst_grad <= 1e-4);
      CHECK(n_grads == (int)fx.get("lora")->get("target_modules")->size() * 2 * m.cfg.n_layers);
    }
    double gn = lora_clip_grad_norm(ad, max_norm);
    worst_norm = std::max(worst_norm, rel(gn, norms[(size_t)s].as_number()));
    double lr = lr_schedule_at(sched, lr0, s, warmup, steps);
    worst_lr = std::max(worst_lr, std::fabs(lr - lrs[(size_t)s].as_number()));
    lora_adamw_step(ad, h, lr, s + 1);
  }
  std::printf("[%s] %d steps: worst loss rel err %.2e, grad-norm rel err %.2e, lr abs err %.2e\n", name.c_str(), steps,
              worst_loss, worst_norm, worst_lr);
  CHECK(worst_loss <= 1e-3);
  CHECK(worst_norm <= 1e-3);
  CHECK(worst_lr <= 1e-12);
  double worst_final = 0;
  for (size_t l = 0; l < ad.layers.size(); l++)
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      const lora_module& mod = ad.layers[l][(size_t)t];
      if (!mod.on) continue;
      for (int b = 0; b < 2; b++) {
        std::vector<float> want, got((size_t)(b ? mod.out * lc.r : lc.r * mod.in));
        CHECK_OK(st_read_f32(ref, "final." + lora_tensor_name((int)l, t, b), want));
        be->download_f32(got.data(), b ? mod.B : mod.A, (int64_t)got.size());
        worst_final = std::max(worst_final, test_rel_err(got, want, 1e-12));
      }
    }
  std::printf("[%s] final adapter worst rel err %.2e\n", name.c_str(), worst_final);
  CHECK(worst_final <= 1e-3);
  lora_adapter_free(ad);
  model_free(m);
  delete be;
}

int main() {
  cpu_set_min_parallel_cost(0.0);  // parity through the threaded paths too
  run_variant("llama");
  run_variant("qwen2");
  run_variant("qwen3");
  if (fs::exists(fs::path(LATHE_FIXTURE_DIR) / "mistral" / "fixture.json")) run_variant("mistral");
  else std::printf("[mistral] fixture absent, skipped\n");
  return test_finish("test-parity");
}

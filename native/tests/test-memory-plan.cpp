// Memory plan tests on the CPU: the plan's sums (activations equal model_alloc_train's, checkpointing keeps less),
// the checkpointing decision under a fake cap, and the out_of_memory status: needed vs available, and every setting
// it offers fits the cap while the next larger one does not. Shapes of the benchmark models (docs/cuda.md), CUDA's
// widths (bf16 weights and saved activations), no device needed.
#include <cstdio>
#include "core/json.h"
#include "cpu/nf4.h"
#include "model/model.h"
#include "test-util.h"
#include "train/memory-plan.h"

static model_config shape(const char* name) {
  model_config c;
  std::string n = name;
  if (n == "qwen2.5-0.5b") {
    c.vocab_size = 151936; c.hidden = 896; c.intermediate = 4864; c.n_layers = 24; c.n_heads = 14; c.n_kv_heads = 2;
    c.head_dim = 64; c.tie_embeddings = true; c.qkv_bias = true;
  } else if (n == "llama3.2-1b") {
    c.vocab_size = 128256; c.hidden = 2048; c.intermediate = 8192; c.n_layers = 16; c.n_heads = 32; c.n_kv_heads = 8;
    c.head_dim = 64; c.tie_embeddings = true;
  } else {  // llama3-8b
    c.vocab_size = 128256; c.hidden = 4096; c.intermediate = 14336; c.n_layers = 32; c.n_heads = 32; c.n_kv_heads = 8;
    c.head_dim = 128;
  }
  return c;
}

static memory_env env_for(const char* name) {
  memory_env e;
  e.mc = shape(name);
  e.lora.r = 16;
  e.lora.alpha = 32;
  for (bool& t : e.lora.targets) t = true;
  e.untied_lm_head = !e.mc.tie_embeddings;
  e.saved_width = 2;
  e.frozen_width = 2.0;
  e.frozen_width_nf4 = NF4_BYTES_PER_VALUE;  // CUDA under QLoRA: NF4 codes + double-quantised absmax
  e.overhead = 1ull << 30;
  e.row_len = [](int cutoff) { return cutoff; };  // every record at least as long as the cutoff
  return e;
}

static double gib(uint64_t b) { return (double)b / (1ull << 30); }

static void plan_sums() {
  const char* names[] = {"qwen2.5-0.5b", "llama3.2-1b", "llama3-8b"};
  int batches[] = {8, 8, 4};
  for (int i = 0; i < 3; i++) {
    memory_env e = env_for(names[i]);
    memory_settings s;
    s.batch = s.eval_batch = batches[i];
    s.cutoff_len = 2048;
    memory_plan off = memory_plan_compute(e, s);
    s.checkpointing = true;
    memory_plan on = memory_plan_compute(e, s);
    std::printf("%-13s b%d x 2048: weights %.2f GiB, adapter %.2f, activations %.2f -> %.2f with checkpointing; total %.2f -> %.2f GiB\n",
                names[i], batches[i], gib(off.weights), gib(off.adapter), gib(off.activations), gib(on.activations), gib(off.total()),
                gib(on.total()));
    CHECK(on.activations * 2 < off.activations);  // one layer's set + every layer's input vs every layer's set
    CHECK(on.weights == off.weights && on.adapter == off.adapter);
    CHECK(off.activations == model_activation_bytes(e.mc, batches[i], 2048, 16, 0.0f, false, 2));
  }
  // 8B bf16: 7.5 G frozen parameters of 2 bytes (embedding and lm_head untied)
  memory_env e = env_for("llama3-8b");
  memory_settings s;
  memory_plan p = memory_plan_compute(e, s);
  CHECK(gib(p.weights) > 14.8 && gib(p.weights) < 15.1);
  // QLoRA: the 7.0 G projection parameters at 0.516 bytes (4.13 bits); the embedding and lm_head (2 x 128256 x 4096)
  // stay bf16 as transformers + bitsandbytes leave them, the norms fp32
  s.quantization_bit = 4;
  memory_plan q = memory_plan_compute(e, s);
  std::printf("llama3-8b weights: bf16 %.2f GiB, QLoRA (projections NF4) %.2f GiB\n", gib(p.weights), gib(q.weights));
  double embed = 2.0 * 128256 * 4096 * 2;
  CHECK((double)q.weights - embed > 0.25 * ((double)p.weights - embed) && (double)q.weights - embed < 0.27 * ((double)p.weights - embed));
  CHECK(gib(q.weights) > 5.2 && gib(q.weights) < 5.4);
  CHECK(q.activations == p.activations && q.adapter == p.adapter);
}

static void decide() {
  memory_env e = env_for("llama3-8b");
  memory_settings base;
  base.batch = base.eval_batch = 4;
  base.cutoff_len = 2048;
  memory_settings s = base;
  memory_plan off = memory_plan_compute(e, s);
  s.checkpointing = true;
  memory_plan on = memory_plan_compute(e, s);
  memory_plan p;
  // auto: off when it fits, on when only that fits
  s = base;
  CHECK_OK(memory_plan_decide(e, &s, -1, off.total(), "max_vram_gb test", &p));
  CHECK(!s.checkpointing && p.total() == off.total());
  s = base;
  CHECK_OK(memory_plan_decide(e, &s, -1, (on.total() + off.total()) / 2, "max_vram_gb test", &p));
  CHECK(s.checkpointing && p.total() == on.total());
  // configured on even when off would fit
  s = base;
  CHECK_OK(memory_plan_decide(e, &s, 1, UINT64_MAX, "none", &p));
  CHECK(s.checkpointing);
  // configured off under a cap between the two: out_of_memory offering checkpointing, a smaller batch, a shorter cutoff,
  // NF4 weights
  uint64_t cap = (on.total() + off.total()) / 2;
  s = base;
  lathe_status st = memory_plan_decide(e, &s, 0, cap, "max_vram_gb 30", &p);
  std::printf("off under %.1f GiB: %s\n  hint: %s\n", gib(cap), st.message.c_str(), st.hint.c_str());
  CHECK(st.code == LATHE_STATUS_OUT_OF_MEMORY);
  CHECK(st.message.find("max_vram_gb 30") != std::string::npos);
  CHECK(st.hint.find("gradient_checkpointing: true") != std::string::npos);
  CHECK(st.hint.find("per_device_train_batch_size") != std::string::npos);
  CHECK(st.hint.find("cutoff_len") != std::string::npos);
  json_value d;
  std::string err;
  CHECK(json_parse(st.details, d, err));
  CHECK(d.get("needed_mib") && d.get("needed_mib")->as_number() > d.get("available_mib")->as_number());
  const json_value* fits = d.get("fits");
  CHECK(fits && fits->items().size() == 4);  // and quantization_bit: 4 (NF4 is stored smaller)
  CHECK(st.hint.find("quantization_bit: 4") != std::string::npos);
  for (const auto& f : fits ? fits->items() : std::vector<json_value>{}) {
    memory_settings t = base;
    if (f.get("gradient_checkpointing")) t.checkpointing = true;
    if (f.get("per_device_train_batch_size")) t.batch = t.eval_batch = (int)f.get("per_device_train_batch_size")->as_number();
    if (f.get("cutoff_len")) t.cutoff_len = (int)f.get("cutoff_len")->as_number();
    if (f.get("quantization_bit")) t.quantization_bit = (int)f.get("quantization_bit")->as_number();
    memory_plan q = memory_plan_compute(e, t);
    CHECK(q.total() <= cap);
    CHECK(f.get("needed_mib")->as_number() == (double)q.total() / 1048576.0);
    if (f.get("per_device_train_batch_size")) {  // the largest batch that fits
      memory_settings u = t;
      u.batch = u.eval_batch = t.batch + 1;
      CHECK(memory_plan_compute(e, u).total() > cap);
    }
    if (f.get("cutoff_len")) {
      memory_settings u = t;
      u.cutoff_len = t.cutoff_len + 64;
      CHECK(memory_plan_compute(e, u).total() > cap);
    }
  }
  // a 12 GB card cannot hold the 8B's bf16 weights: nothing fits, the hint says why
  s = base;
  st = memory_plan_decide(e, &s, -1, 12ull << 30, "max_vram_gb 12", &p);
  std::printf("8B under 12 GiB: %s\n  hint: %s\n", st.message.c_str(), st.hint.c_str());
  CHECK(st.code == LATHE_STATUS_OUT_OF_MEMORY && s.checkpointing);
  CHECK(st.hint.find("the weights, the adapter and the CUDA context alone need") != std::string::npos);
  // the 1B at batch 8 under 24 GiB: checkpointing decided on
  memory_env e1 = env_for("llama3.2-1b");
  s = base;
  s.batch = s.eval_batch = 8;
  st = memory_plan_decide(e1, &s, -1, 24ull << 30, "max_vram_gb 24", &p);
  std::printf("1B b8 under 24 GiB: %s, checkpointing %s, %.2f GiB\n", st.ok() ? "fits" : st.message.c_str(), s.checkpointing ? "on" : "off",
              gib(p.total()));
  CHECK(st.ok());
  // NF4 is offered only where the backend stores it smaller
  s = base;
  st = memory_plan_decide(e, &s, 0, 16ull << 30, "max_vram_gb 16", &p);
  std::printf("8B with NF4 storage under 16 GiB: hint: %s\n", st.hint.c_str());
  CHECK(st.hint.find("quantization_bit: 4") != std::string::npos);
  e.frozen_width_nf4 = e.frozen_width;  // a backend that keeps NF4 dequantised (the CPU): not offered
  s = base;
  st = memory_plan_decide(e, &s, 0, 16ull << 30, "max_vram_gb 16", &p);
  CHECK(st.hint.find("quantization_bit") == std::string::npos);
}

int main() {
  plan_sums();
  decide();
  return test_finish("test-memory-plan");
}

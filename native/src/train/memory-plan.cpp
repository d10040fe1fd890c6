// Memory plan of a training run (see memory-plan.h): the same sums model_load, lora_adapter_init and
// model_alloc_train allocate, made before any of them runs, and the search for settings that fit a limit.
// Does not measure anything: widths, scratch and overhead come from the backend through memory_env.
#include "train/memory-plan.h"
#include <algorithm>
#include <cstdio>
#include "core/json.h"
#include "model/model.h"

namespace {

uint64_t weight_bytes(const memory_env& env, int quantization_bit) {
  const model_config& c = env.mc;
  // QLoRA quantises the decoder's projections only (backend.h frozen_kind, as transformers + bitsandbytes): the
  // embedding and lm_head keep the backend's width without QLoRA.
  double fw = quantization_bit == 4 ? env.frozen_width_nf4 : env.frozen_width;
  double embed = (double)c.vocab_size * c.hidden * (env.untied_lm_head ? 2 : 1);  // embedding (+ lm_head)
  double proj = 0.0;
  uint64_t f32 = (uint64_t)c.hidden * 4;                                          // final norm
  for (int t = 0; t < LORA_TARGET_COUNT; t++) {
    int in, out;
    lora_target_dims(c, t, &in, &out);
    proj += (double)in * out * c.n_layers;
    bool bias = (t <= LORA_TARGET_V && c.qkv_bias) || (t == LORA_TARGET_O && c.o_bias) || (t >= LORA_TARGET_GATE && c.mlp_bias);
    if (bias) f32 += (uint64_t)out * 4 * c.n_layers;
  }
  f32 += (uint64_t)c.hidden * 2 * 4 * c.n_layers;                    // ln1, ln2
  if (c.qk_norm) f32 += (uint64_t)c.head_dim * 2 * 4 * c.n_layers;  // q_norm, k_norm
  return (uint64_t)(embed * env.frozen_width) + (uint64_t)(proj * fw) + f32;
}

// A, B, their gradients and AdamW's two moments, fp32 (lora_adapter_init with train = true)
uint64_t adapter_bytes(const memory_env& env) {
  uint64_t n = 0;
  for (int t = 0; t < LORA_TARGET_COUNT; t++) {
    if (!env.lora.targets[t]) continue;
    int in, out;
    lora_target_dims(env.mc, t, &in, &out);
    n += (uint64_t)env.lora.r * ((uint64_t)in + (uint64_t)out);
  }
  return n * env.mc.n_layers * 6 * 4;
}

std::string gib(uint64_t b) {  // GiB for GPU-sized figures, MiB below (tiny test models)
  char buf[32];
  if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", (double)b / (1ull << 30));
  else std::snprintf(buf, sizeof buf, "%.2f MiB", (double)b / (1ull << 20));
  return buf;
}
double mib(uint64_t b) { return (double)b / 1048576.0; }

bool fits(const memory_env& env, const memory_settings& s, uint64_t available, memory_plan* p = nullptr) {
  memory_plan q = memory_plan_compute(env, s);
  if (p) *p = q;
  return q.total() <= available;
}

// Largest value in [lo, hi] for which ok() holds, ok monotone (true below some point); lo - 1 when none.
template <typename F>
int largest(int lo, int hi, F ok) {
  int best = lo - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    if (ok(mid)) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

}  // namespace

memory_plan memory_plan_compute(const memory_env& env, const memory_settings& s) {
  memory_plan p;
  p.B = std::max(s.batch, s.eval_batch);
  p.T = env.row_len ? env.row_len(s.cutoff_len) : s.cutoff_len;
  p.weights = weight_bytes(env, s.quantization_bit);
  p.adapter = adapter_bytes(env);
  p.activations = model_activation_bytes(env.mc, p.B, p.T, env.lora.r, env.lora.dropout, s.checkpointing, env.saved_width);
  int64_t N = (int64_t)p.B * p.T;
  int lm_chunk = (int)model_logits_chunk_rows(N, env.mc.vocab_size);
  p.scratch = (uint64_t)p.T * env.mc.head_dim * 4;  // the rope tables (cos, sin), (T, hd/2) each
  if (env.scratch) p.scratch += env.scratch(p.B, p.T, lm_chunk, s.quantization_bit == 4);
  p.overhead = env.overhead;
  return p;
}

lathe_status memory_plan_decide(const memory_env& env, memory_settings* s, int checkpointing, uint64_t available,
                                const std::string& available_what, memory_plan* plan) {
  if (checkpointing < 0) {
    s->checkpointing = false;
    if (!fits(env, *s, available)) s->checkpointing = true;  // on only when the run does not fit without it
  } else {
    s->checkpointing = checkpointing != 0;
  }
  if (fits(env, *s, available, plan)) return LATHE_OK();

  // Settings that fit, each found with this plan: checkpointing alone; the largest micro-batch; the longest cutoff_len
  // (each with checkpointing as configured, else with it on); NF4 weights where the backend stores them smaller.
  json_value found = json_value::array();
  std::string hint;
  auto add = [&](const memory_settings& t, json_value settings, const std::string& words) {
    memory_plan q = memory_plan_compute(env, t);
    settings.set("needed_mib", mib(q.total()));
    found.push(settings);
    hint += (hint.empty() ? "" : "; or ") + words + " (needs " + gib(q.total()) + ")";
  };
  std::vector<bool> ckpt_options = {s->checkpointing};
  if (!s->checkpointing) ckpt_options.push_back(true);
  if (!s->checkpointing) {
    memory_settings t = *s;
    t.checkpointing = true;
    if (fits(env, t, available)) {
      json_value o = json_value::object();
      o.set("gradient_checkpointing", true);
      add(t, o, "gradient_checkpointing: true");
    }
  }
  auto with_ckpt = [&](const memory_settings& t, json_value& o, std::string& words) {
    if (t.checkpointing && !s->checkpointing) {
      o.set("gradient_checkpointing", true);
      words = "gradient_checkpointing: true with " + words;
    }
  };
  for (bool ck : ckpt_options) {
    memory_settings t = *s;
    t.checkpointing = ck;
    int b = largest(1, s->batch - 1, [&](int v) {
      memory_settings u = t;
      u.batch = v;
      u.eval_batch = std::min(s->eval_batch, v);
      return fits(env, u, available);
    });
    if (b < 1) continue;
    t.batch = b;
    t.eval_batch = std::min(s->eval_batch, b);
    json_value o = json_value::object();
    std::string words = "per_device_train_batch_size: " + std::to_string(b);
    o.set("per_device_train_batch_size", b);
    if (s->eval_batch > b) {
      o.set("per_device_eval_batch_size", b);
      words += ", per_device_eval_batch_size: " + std::to_string(b);
    }
    with_ckpt(t, o, words);
    add(t, o, words);
    break;
  }
  for (bool ck : ckpt_options) {
    memory_settings t = *s;
    t.checkpointing = ck;
    int c = largest(2, s->cutoff_len - 1, [&](int v) {
      memory_settings u = t;
      u.cutoff_len = v;
      return fits(env, u, available);
    });
    if (c < 2) continue;
    if (c >= 128) c = c / 64 * 64;  // a round figure; smaller, so it still fits
    t.cutoff_len = c;
    json_value o = json_value::object();
    std::string words = "cutoff_len: " + std::to_string(c);
    o.set("cutoff_len", c);
    with_ckpt(t, o, words);
    add(t, o, words);
    break;
  }
  if (s->quantization_bit == 0 && env.frozen_width_nf4 < env.frozen_width) {
    for (bool ck : ckpt_options) {
      memory_settings t = *s;
      t.checkpointing = ck;
      t.quantization_bit = 4;
      if (!fits(env, t, available)) continue;
      json_value o = json_value::object();
      std::string words = "quantization_bit: 4";
      o.set("quantization_bit", 4);
      with_ckpt(t, o, words);
      add(t, o, words);
      break;
    }
  }
  const memory_plan& p = *plan;
  std::string msg = "the run needs about " + gib(p.total()) + " of GPU memory (weights " + gib(p.weights) + ", LoRA + optimizer " +
                    gib(p.adapter) + ", activations " + gib(p.activations) + " for batch " + std::to_string(p.B) + " x " +
                    std::to_string(p.T) + " tokens" + (s->checkpointing ? " with gradient checkpointing" : "") +
                    ", scratch " + gib(p.scratch) + ", CUDA context and workspace " + gib(p.overhead) + ") but " +
                    gib(available) + " are available (" + available_what + ")";
  if (hint.empty() && p.weights + p.adapter + p.overhead > available)
    hint = "no setting of gradient_checkpointing, micro-batch or cutoff_len fits: the weights, the adapter and the CUDA "
           "context alone need " + gib(p.weights + p.adapter + p.overhead) + "; use a smaller model or a GPU with more memory";
  else if (hint.empty())
    hint = "even a micro-batch of 1 with gradient checkpointing and the shortest cutoff_len does not fit; use a smaller model "
           "or a GPU with more memory";
  else
    hint = "settings that fit: " + hint;
  lathe_status st = LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, msg, hint);
  json_value d = json_value::object();
  d.set("needed_mib", mib(p.total()));
  d.set("available_mib", mib(available));
  d.set("limit", available_what);
  json_value parts = json_value::object();
  parts.set("weights_mib", mib(p.weights));
  parts.set("adapter_mib", mib(p.adapter));
  parts.set("activations_mib", mib(p.activations));
  parts.set("scratch_mib", mib(p.scratch));
  parts.set("overhead_mib", mib(p.overhead));
  d.set("plan", parts);
  d.set("gradient_checkpointing", s->checkpointing);
  d.set("fits", found);
  st.details = d.dump();
  return st;
}

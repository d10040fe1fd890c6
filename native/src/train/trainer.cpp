// Training loop (see trainer.h). Loss of a step = sum of token losses over all its micro-batches / number of
// targets in the step, like HF Trainer with num_items_in_batch; gradients are those of that loss.
// Does not shuffle with torch's RNG: the order is the engine's own seeded shuffle (platform independent).
#include "train/trainer.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include "core/rng.h"
#include "engine/protocol.h"
#include "platform/platform.h"
#include "train/checkpoint.h"
#include "train/memory-plan.h"

const data_plan& trainer_plan(trainer& tr, uint64_t epoch) {
  if (tr.plan_epoch != epoch) {
    tr.plan = data_plan_epoch(tr.train_ds, tr.cfg.cutoff_len, tr.cfg.packing, tr.cfg.shuffle, tr.cfg.seed, epoch);
    tr.plan_epoch = epoch;
  }
  return tr.plan;
}

static int longest_row(const ltok_dataset& ds, int cutoff, bool packing) {
  uint64_t mx = 0, total = 0;
  for (uint64_t i = 0; i < ds.n_records(); i++) {
    uint64_t len = std::min<uint64_t>(ds.record_len(i), (uint64_t)cutoff);
    mx = std::max(mx, len);
    total += len;
  }
  if (packing) mx = std::min<uint64_t>(total, (uint64_t)cutoff);
  return (int)std::max<uint64_t>(mx, 1);
}

static lathe_status load_dataset(const std::string& path, const model& m, ltok_dataset& ds, const char* which) {
  if (!platform_exists(path))
    return LATHE_ERR(LATHE_STATUS_IO, std::string(which) + " file not found: " + path, "prepare the dataset again");
  LATHE_TRY(ltok_read(path, ds));
  if (ds.vocab_size > (uint32_t)m.cfg.vocab_size)
    return LATHE_ERR(LATHE_STATUS_DATA,
                     std::string(which) + " was tokenized with a vocabulary of " + std::to_string(ds.vocab_size) +
                         " but the model has " + std::to_string(m.cfg.vocab_size),
                     "re-tokenize the dataset with this model's tokenizer");
  for (uint32_t t : ds.tokens)
    if (t >= (uint32_t)m.cfg.vocab_size)
      return LATHE_ERR(LATHE_STATUS_DATA, std::string(which) + " holds token id " + std::to_string(t) + " outside the model vocabulary",
                       "re-tokenize the dataset with this model's tokenizer");
  return LATHE_OK();
}

static memory_env plan_env(const trainer& tr, const lora_config& lc);

lathe_status trainer_plan_memory(trainer& tr) {
  const engine_config& cfg = tr.cfg;
  memory_env env = plan_env(tr, cfg.lora);
  memory_settings s;
  s.batch = cfg.per_device_train_batch_size;
  s.eval_batch = cfg.per_device_eval_batch_size > 0 ? cfg.per_device_eval_batch_size : cfg.per_device_train_batch_size;
  s.cutoff_len = cfg.cutoff_len;
  s.quantization_bit = cfg.quantization_bit;
  uint64_t cap = cfg.max_vram_gb > 0 ? (uint64_t)(cfg.max_vram_gb * (double)(1ull << 30)) : UINT64_MAX;
  uint64_t free_b = tr.be->device_free_bytes();
  tr.mem_available = std::min(cap, free_b);
  std::string what;
  if (cap <= free_b) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "max_vram_gb %g", cfg.max_vram_gb);
    what = buf;
  } else {
    std::string gpu;
    uint64_t total = 0;
    int ma = 0, mi = 0;
    tr.be->device_info(&gpu, &total, &ma, &mi);
    what = "free on " + (gpu.empty() ? std::string(tr.be->name()) : gpu);
  }
  if (cfg.max_vram_gb > 0) tr.be->set_memory_cap(cap);
  LATHE_TRY(memory_plan_decide(env, &s, cfg.gradient_checkpointing, tr.mem_available, what, &tr.mem));
  tr.checkpointing = s.checkpointing;
  return LATHE_OK();
}

// The memory plan's fixed part for this run: the model's shapes, the adapter, the backend's widths and scratch, and
// the row length the datasets give at a cutoff_len.
static memory_env plan_env(const trainer& tr, const lora_config& lc) {
  memory_env env;
  env.mc = tr.m.cfg;
  env.lora = lc;
  env.untied_lm_head = !tr.m.cfg.tie_embeddings;
  backend* be = tr.be;
  env.saved_width = be->saved_width();
  env.frozen_width = be->frozen_width(false);
  env.frozen_width_nf4 = be->frozen_width(true);
  env.overhead = be->overhead_bytes();
  const model_config& c = tr.m.cfg;
  env.scratch = [be, c](int B, int T, int lm_chunk, bool nf4) {
    scratch_shape sh;
    sh.B = B; sh.T = T; sh.H = c.n_heads; sh.KVH = c.n_kv_heads; sh.hd = c.head_dim;
    sh.widest = std::max({(int64_t)c.hidden, (int64_t)c.intermediate, (int64_t)c.n_heads * c.head_dim});
    sh.C = c.hidden; sh.V = c.vocab_size; sh.lm_chunk = lm_chunk; sh.nf4 = nf4;
    return be->scratch_bytes_for(sh);
  };
  const trainer* t = &tr;
  bool packing = tr.cfg.packing;
  env.row_len = [t, packing](int cutoff) {
    int T = longest_row(t->train_ds, cutoff, packing);
    if (t->has_eval) T = std::max(T, longest_row(t->eval_ds, cutoff, packing));
    return T;
  };
  return env;
}

lathe_status trainer_setup(trainer& tr, const engine_config& cfg) {
  tr.cfg = cfg;
  LATHE_TRY(backend_create(cfg.device, cfg.threads, &tr.be));
  tr.be->set_frozen_nf4(cfg.quantization_bit == 4);
  // The model's config and the datasets first: the memory plan is made before any weight is allocated.
  LATHE_TRY(model_config_load(cfg.model_dir, tr.m.cfg));
  LATHE_TRY(load_dataset(cfg.train_file, tr.m, tr.train_ds, "train_file"));
  if (tr.train_ds.n_records() == 0) return LATHE_ERR(LATHE_STATUS_DATA, "train_file holds no records", "the dataset is empty");
  if (!cfg.eval_file.empty()) {
    LATHE_TRY(load_dataset(cfg.eval_file, tr.m, tr.eval_ds, "eval_file"));
    tr.has_eval = tr.eval_ds.n_records() > 0;
  }
  lora_config lc = cfg.lora;
  if (!cfg.adapter_dir.empty() && cfg.resume_from.empty()) {
    // Start from an existing adapter: its rank/alpha/targets win over the config's.
    LATHE_TRY(lora_adapter_read_config(cfg.adapter_dir, lc));
    lc.dropout = cfg.lora.dropout;
  }
  tr.cfg.lora = lc;
  LATHE_TRY(trainer_plan_memory(tr));
  LATHE_TRY(model_load(tr.m, tr.be, cfg.model_dir));
  LATHE_TRY(lora_adapter_init(tr.ad, tr.be, tr.m.cfg, lc, cfg.seed, true));
  if (!cfg.adapter_dir.empty() && cfg.resume_from.empty()) LATHE_TRY(lora_adapter_load_weights(tr.ad, cfg.adapter_dir));
  LATHE_TRY(model_alloc_train(tr.m, tr.mem.B, tr.mem.T, lc.r, lc.dropout, tr.checkpointing));
  {
    const model_config& c = tr.m.cfg;
    scratch_shape sh;
    sh.B = tr.mem.B; sh.T = tr.mem.T; sh.H = c.n_heads; sh.KVH = c.n_kv_heads; sh.hd = c.head_dim;
    sh.widest = std::max({(int64_t)c.hidden, (int64_t)c.intermediate, (int64_t)c.n_heads * c.head_dim});
    sh.C = c.hidden; sh.V = c.vocab_size; sh.lm_chunk = tr.m.logits_rows; sh.nf4 = tr.be->frozen_nf4();
    LATHE_TRY(tr.be->reserve_scratch(sh));  // nothing grows inside a step
  }
  tr.adam.beta1 = cfg.adam_beta1;
  tr.adam.beta2 = cfg.adam_beta2;
  tr.adam.eps = cfg.adam_epsilon;
  tr.adam.weight_decay = cfg.weight_decay;
  uint64_t n_micro = data_plan_micro_batches(trainer_plan(tr, 0), cfg.per_device_train_batch_size);
  if (n_micro == 0) return LATHE_ERR(LATHE_STATUS_DATA, "train_file holds only empty records", "prepare the dataset again");
  tr.steps_per_epoch = (int64_t)((n_micro + (uint64_t)cfg.gradient_accumulation_steps - 1) / (uint64_t)cfg.gradient_accumulation_steps);
  tr.total_steps = cfg.max_steps > 0 ? cfg.max_steps : (int64_t)std::ceil(cfg.num_train_epochs * (double)tr.steps_per_epoch);
  if (tr.total_steps <= 0) return LATHE_ERR(LATHE_STATUS_CONFIG, "the run has zero steps", "raise num_train_epochs or max_steps");
  tr.warmup = lr_warmup_steps(cfg.warmup_steps, cfg.warmup_ratio, tr.total_steps);
  if (!cfg.resume_from.empty()) LATHE_TRY(checkpoint_load(tr, cfg.resume_from));
  return LATHE_OK();
}

lathe_status trainer_step(trainer& tr) {
  const engine_config& c = tr.cfg;
  std::vector<micro_batch> mbs;
  for (int j = 0; j < c.gradient_accumulation_steps; j++) {
    const data_plan& p = trainer_plan(tr, tr.epoch);
    uint64_t n_micro = data_plan_micro_batches(p, c.per_device_train_batch_size);
    mbs.push_back(data_make_batch(tr.train_ds, p, tr.micro, c.per_device_train_batch_size, c.cutoff_len));
    tr.micro++;
    if (tr.micro >= n_micro) {  // epoch boundary ends the step early, as HF's last accumulation of an epoch
      tr.epoch++;
      tr.micro = 0;
      break;
    }
  }
  int64_t n_targets = 0, tokens = 0;
  for (const auto& mb : mbs) {
    n_targets += mb.n_targets;
    for (int32_t s : mb.segments) tokens += s >= 0;
  }
  lora_adapter_zero_grad(tr.ad);
  double loss_sum = 0.0;
  float dloss = n_targets > 0 ? 1.0f / (float)n_targets : 0.0f;
  for (size_t j = 0; j < mbs.size(); j++) {
    double s = 0.0;
    uint64_t dseed = rng_u64(c.seed, 0x44524f50ULL, (uint64_t)tr.step * 4096 + j);
    LATHE_TRY(model_forward(tr.m, &tr.ad, mbs[j], true, dseed, &s));
    loss_sum += s;
    if (n_targets > 0) LATHE_TRY(model_backward(tr.m, tr.ad, dloss));
  }
  double loss = n_targets > 0 ? loss_sum / (double)n_targets : 0.0;
  if (tr.step == c.debug_nan_at_step) loss = std::nan("");
  if (!std::isfinite(loss))
    return LATHE_ERR(LATHE_STATUS_NUMERIC, "loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " + std::to_string(tr.step + 1),
                     "lower learning_rate, check the dataset, or use a model in a wider dtype");
  double gnorm = lora_clip_grad_norm(tr.ad, c.max_grad_norm);
  if (!std::isfinite(gnorm))
    return LATHE_ERR(LATHE_STATUS_NUMERIC, "gradient norm is not finite at step " + std::to_string(tr.step + 1), "lower learning_rate");
  double lr = lr_schedule_at(c.scheduler, c.learning_rate, tr.step, tr.warmup, tr.total_steps);
  lora_adamw_step(tr.ad, tr.adam, lr, tr.step + 1);
  tr.step++;
  tr.last_loss = loss;
  tr.last_grad_norm = gnorm;
  tr.last_lr = lr;
  tr.last_tokens = tokens;
  return LATHE_OK();
}

lathe_status trainer_eval(trainer& tr, double* loss, int64_t* n_targets) {
  data_plan p = data_plan_epoch(tr.eval_ds, tr.cfg.cutoff_len, tr.cfg.packing, false, tr.cfg.seed, 0);
  uint64_t n = data_plan_micro_batches(p, tr.cfg.per_device_eval_batch_size);
  double sum = 0.0;
  int64_t count = 0;
  for (uint64_t i = 0; i < n; i++) {
    micro_batch mb = data_make_batch(tr.eval_ds, p, i, tr.cfg.per_device_eval_batch_size, tr.cfg.cutoff_len);
    double s = 0.0;
    LATHE_TRY(model_forward(tr.m, &tr.ad, mb, false, 0, &s));
    sum += s;
    count += mb.n_targets;
  }
  *loss = count > 0 ? sum / (double)count : 0.0;
  *n_targets = count;
  return LATHE_OK();
}

static lathe_status emit_checkpoint(trainer& tr, const char* reason) {
  std::string path;
  LATHE_TRY(checkpoint_save(tr, &path));
  json_value f = json_value::object();
  f.set("step", tr.step);
  f.set("path", path);
  f.set("reason", reason);
  protocol_emit("checkpoint", f);
  return LATHE_OK();
}

static lathe_status emit_eval(trainer& tr) {
  double loss;
  int64_t n;
  LATHE_TRY(trainer_eval(tr, &loss, &n));
  if (!std::isfinite(loss)) return LATHE_ERR(LATHE_STATUS_NUMERIC, "evaluation loss is not finite", "lower learning_rate");
  json_value f = json_value::object();
  f.set("step", tr.step);
  f.set("eval_loss", loss);
  f.set("eval_tokens", n);
  protocol_emit("eval", f);
  return LATHE_OK();
}

static lathe_status finish(trainer& tr, const char* reason) {
  const std::string& out = tr.cfg.output_dir;
  LATHE_TRY(lora_adapter_save(tr.ad, tr.m.cfg, out, tr.cfg.model_dir));
  json_value f = json_value::object();
  f.set("step", tr.step);
  f.set("total_steps", tr.total_steps);
  f.set("reason", reason);
  f.set("adapter_dir", out);
  f.set("final_loss", tr.last_loss);
  protocol_emit("done", f);
  return LATHE_OK();
}

lathe_status trainer_run(trainer& tr) {
  const engine_config& c = tr.cfg;
  LATHE_TRY(platform_make_dirs(c.output_dir));
  {
    json_value f = json_value::object();
    f.set("mode", "train");
    f.set("protocol", LATHE_PROTOCOL_VERSION);
    f.set("engine_version", LATHE_ENGINE_VERSION);
    f.set("backend", tr.be->name());
    f.set("quantization", tr.be->frozen_nf4() ? "nf4" : "none");
    f.set("architecture", tr.m.cfg.arch_name);
    f.set("total_steps", tr.total_steps);
    f.set("start_step", tr.step);
    f.set("steps_per_epoch", tr.steps_per_epoch);
    f.set("warmup_steps", tr.warmup);
    f.set("train_records", (int64_t)tr.train_ds.n_records());
    f.set("eval_records", (int64_t)tr.eval_ds.n_records());
    f.set("weights_mib", (double)tr.m.weight_bytes / 1048576.0);
    f.set("activations_mib", (double)tr.m.act_bytes / 1048576.0);
    f.set("device_mib", (double)tr.be->bytes_in_use() / 1048576.0);
    f.set("gradient_checkpointing", tr.checkpointing);
    f.set("plan_mib", (double)tr.mem.total() / 1048576.0);
    if (tr.mem_available != UINT64_MAX) f.set("memory_limit_mib", (double)tr.mem_available / 1048576.0);
    std::string gpu;
    uint64_t gpu_bytes = 0;
    int cc_major = 0, cc_minor = 0;
    tr.be->device_info(&gpu, &gpu_bytes, &cc_major, &cc_minor);
    if (!gpu.empty()) {  // GPU backends: which card, its memory and compute capability
      f.set("gpu", gpu);
      f.set("gpu_memory_mib", (double)gpu_bytes / 1048576.0);
      f.set("compute_capability", std::to_string(cc_major) + "." + std::to_string(cc_minor));
    }
    protocol_emit("ready", f);
  }
  int64_t steps_this_run = 0;
  while (tr.step < tr.total_steps) {
    if (g_commands.pause && !g_commands.stop) {
      json_value f = json_value::object();
      f.set("step", tr.step);
      protocol_emit("paused", f);
      while (g_commands.pause && !g_commands.stop) {
        if (g_commands.eof) g_commands.stop = true;  // nobody is left to send resume: stop with a checkpoint
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!g_commands.stop) protocol_emit("resumed", f);
    }
    if (c.stop_on_stdin_eof && g_commands.eof) g_commands.stop = true;
    if (g_commands.stop || (c.stop_after_steps >= 0 && steps_this_run >= c.stop_after_steps)) {
      LATHE_TRY(emit_checkpoint(tr, "stop"));
      return finish(tr, "stopped");
    }
    auto t0 = std::chrono::steady_clock::now();
    LATHE_TRY(trainer_step(tr));
    steps_this_run++;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (tr.step % c.logging_steps == 0 || tr.step == tr.total_steps) {
      const data_plan& p = trainer_plan(tr, tr.epoch);
      uint64_t n_micro = std::max<uint64_t>(1, data_plan_micro_batches(p, c.per_device_train_batch_size));
      json_value f = json_value::object();
      f.set("step", tr.step);
      f.set("total_steps", tr.total_steps);
      f.set("epoch", (double)tr.epoch + (double)tr.micro / (double)n_micro);
      f.set("loss", tr.last_loss);
      f.set("lr", tr.last_lr);
      f.set("grad_norm", tr.last_grad_norm);
      f.set("tokens", tr.last_tokens);
      f.set("tokens_per_s", secs > 0 ? (double)tr.last_tokens / secs : 0.0);
      f.set("step_seconds", secs);
      f.set("memory_mib", (double)platform_peak_rss_bytes() / 1048576.0);
      f.set("device_mib", (double)tr.be->bytes_in_use() / 1048576.0);
      protocol_emit("step", f);
    }
    if (tr.has_eval && c.eval_steps > 0 && tr.step % c.eval_steps == 0 && tr.step < tr.total_steps) LATHE_TRY(emit_eval(tr));
    bool want_ckpt = g_commands.checkpoint.exchange(false);
    if ((c.save_steps > 0 && tr.step % c.save_steps == 0 && tr.step < tr.total_steps) || want_ckpt)
      LATHE_TRY(emit_checkpoint(tr, want_ckpt ? "command" : "save_steps"));
  }
  if (tr.has_eval) LATHE_TRY(emit_eval(tr));
  return finish(tr, "completed");
}

void trainer_free(trainer& tr) {
  lora_adapter_free(tr.ad);
  model_free(tr.m);
  delete tr.be;
  tr.be = nullptr;
}

// Config parsing with type checks and clear messages naming the key. Unknown keys are reported (not fatal)
// so that newer front-ends can pass extra keys. Does not check file existence (the trainer does, with context).
#include "engine/config.h"
#include <cmath>
#include "platform/platform.h"

namespace {

struct reader {
  const json_value& j;
  std::vector<std::string> used;
  lathe_status err;

  const json_value* get(const char* k) {
    used.push_back(k);
    return j.get(k);
  }
  void fail(const std::string& key, const std::string& what) {
    if (err.ok()) err = LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"" + key + "\" " + what, "fix the run configuration");
  }
  void str(const char* k, std::string& out) {
    const json_value* v = get(k);
    if (!v || v->is_null()) return;
    if (!v->is_string()) return fail(k, "must be a string");
    out = v->as_string();
  }
  void num(const char* k, double& out, double lo, double hi) {
    const json_value* v = get(k);
    if (!v || v->is_null()) return;
    if (!v->is_number() || !std::isfinite(v->as_number())) return fail(k, "must be a number");
    if (v->as_number() < lo || v->as_number() > hi)
      return fail(k, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    out = v->as_number();
  }
  template <typename T>
  void integer(const char* k, T& out, double lo, double hi) {
    double d = (double)out;
    const json_value* v = get(k);
    if (!v || v->is_null()) return;
    if (!v->is_number() || v->as_number() != std::floor(v->as_number())) return fail(k, "must be an integer");
    used.pop_back();
    num(k, d, lo, hi);
    out = (T)d;
  }
  void boolean(const char* k, bool& out) {
    const json_value* v = get(k);
    if (!v || v->is_null()) return;
    if (!v->is_bool()) return fail(k, "must be true or false");
    out = v->as_bool();
  }
  void ints(const char* k, std::vector<int32_t>& out, bool* present) {
    const json_value* v = get(k);
    if (!v || v->is_null()) return;
    if (!v->is_array()) return fail(k, "must be an array of token ids");
    out.clear();
    for (const auto& x : v->items()) {
      if (!x.is_number() || x.as_number() < 0) return fail(k, "must hold non-negative integers");
      out.push_back((int32_t)x.as_number());
    }
    if (present) *present = true;
  }
};

void parse_generation(reader& r, engine_config& c) {
  r.ints("prompt_tokens", c.prompt_tokens, &c.has_prompt);
  r.integer("max_new_tokens", c.max_new_tokens, 0, 1 << 20);
  r.boolean("do_sample", c.do_sample);
  r.num("temperature", c.temperature, 0.0, 100.0);
  r.num("top_p", c.top_p, 0.0, 1.0);
  r.integer("top_k", c.top_k, 0, 1 << 30);
  r.num("repetition_penalty", c.repetition_penalty, 0.01, 100.0);
  r.ints("stop_tokens", c.stop_tokens, nullptr);
  r.boolean("use_cache", c.use_cache);
  r.boolean("use_adapter", c.use_adapter);
  r.integer("logprobs", c.logprobs, -1, 1 << 20);
  r.integer("prompt_logits", c.prompt_logits, -1, 1 << 30);
  r.integer("seed", c.seed, 0, 9.007199254740991e15);
}

}  // namespace

lathe_status engine_config_parse(const json_value& j, engine_config& c) {
  if (!j.is_object()) return LATHE_ERR(LATHE_STATUS_CONFIG, "the config must be a JSON object", "");
  reader r{j, {}, {}};
  r.str("mode", c.mode);
  r.str("model_dir", c.model_dir);
  r.str("train_file", c.train_file);
  r.str("eval_file", c.eval_file);
  r.str("output_dir", c.output_dir);
  r.str("device", c.device);
  r.str("resume_from", c.resume_from);
  r.str("adapter_dir", c.adapter_dir);
  r.integer("threads", c.threads, 0, 1024);
  r.integer("lora_rank", c.lora.r, 1, 4096);
  double alpha = c.lora.alpha, dropout = c.lora.dropout;
  r.num("lora_alpha", alpha, 1e-6, 1e6);
  r.num("lora_dropout", dropout, 0.0, 0.99);
  c.lora.alpha = (float)alpha;
  c.lora.dropout = (float)dropout;
  r.boolean("use_rslora", c.lora.rslora);
  r.integer("quantization_bit", c.quantization_bit, 0, 4);
  if (c.quantization_bit != 0 && c.quantization_bit != 4) r.fail("quantization_bit", "must be 4 (NF4, QLoRA) or 0 (none)");
  std::vector<std::string> targets = {"all"};
  if (const json_value* t = r.get("lora_target")) {
    targets.clear();
    if (t->is_string()) {
      std::string s = t->as_string(), cur;
      for (char ch : s) {
        if (ch == ',') { targets.push_back(cur); cur.clear(); } else cur += ch;
      }
      targets.push_back(cur);
    } else if (t->is_array()) {
      for (const auto& x : t->items()) targets.push_back(x.is_string() ? x.as_string() : "?");
    } else {
      r.fail("lora_target", "must be a string or an array of strings");
    }
  }
  r.num("learning_rate", c.learning_rate, 0.0, 10.0);
  r.num("num_train_epochs", c.num_train_epochs, 0.0, 1e6);
  r.integer("max_steps", c.max_steps, -1, 1e12);
  r.integer("per_device_train_batch_size", c.per_device_train_batch_size, 1, 65536);
  r.integer("per_device_eval_batch_size", c.per_device_eval_batch_size, 0, 65536);
  r.integer("gradient_accumulation_steps", c.gradient_accumulation_steps, 1, 1 << 20);
  r.integer("cutoff_len", c.cutoff_len, 2, 1 << 20);
  r.str("lr_scheduler_type", c.scheduler_name);
  r.num("warmup_ratio", c.warmup_ratio, 0.0, 1.0);
  r.integer("warmup_steps", c.warmup_steps, 0, 1e12);
  r.integer("save_steps", c.save_steps, 0, 1e12);
  r.integer("eval_steps", c.eval_steps, 0, 1e12);
  r.integer("logging_steps", c.logging_steps, 1, 1e12);
  r.num("max_grad_norm", c.max_grad_norm, 0.0, 1e9);
  r.num("weight_decay", c.weight_decay, 0.0, 10.0);
  r.num("adam_beta1", c.adam_beta1, 0.0, 0.999999);
  r.num("adam_beta2", c.adam_beta2, 0.0, 0.999999999);
  r.num("adam_epsilon", c.adam_epsilon, 0.0, 1.0);
  r.boolean("packing", c.packing);
  {  // absent or null: the memory plan decides (trainer_setup)
    bool gc = false;
    const json_value* v = j.get("gradient_checkpointing");
    r.boolean("gradient_checkpointing", gc);
    if (v && v->is_bool()) c.gradient_checkpointing = gc ? 1 : 0;
  }
  r.num("max_vram_gb", c.max_vram_gb, 0.0, 1e6);
  r.str("plan_for", c.plan_for);
  r.num("gpu_memory_gb", c.gpu_memory_gb, 0.0, 1e6);
  r.boolean("shuffle", c.shuffle);
  r.boolean("stop_on_stdin_eof", c.stop_on_stdin_eof);
  r.integer("stop_after_steps", c.stop_after_steps, -1, 1e12);
  r.integer("debug_nan_at_step", c.debug_nan_at_step, -1, 1e12);
  parse_generation(r, c);
  if (!r.err.ok()) return r.err;
  for (const auto& kv : j.members()) {
    bool known = false;
    for (const auto& u : r.used) known = known || u == kv.first;
    if (!known) c.ignored_keys.push_back(kv.first);
  }
  if (c.mode != "train" && c.mode != "generate" && c.mode != "plan")
    return LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"mode\" must be \"train\", \"generate\" or \"plan\", got \"" + c.mode + "\"", "");
  if (!c.plan_for.empty() && c.plan_for != "cpu" && c.plan_for != "cuda")
    return LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"plan_for\" must be \"cpu\" or \"cuda\", got \"" + c.plan_for + "\"", "");
  if (c.model_dir.empty()) return LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"model_dir\" is required", "choose a base model");
  if (!lr_schedule_parse(c.scheduler_name, &c.scheduler))
    return LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"lr_scheduler_type\" must be constant, constant_with_warmup, linear or cosine", "");
  LATHE_TRY(lora_config_parse_targets(targets, c.lora));
  if (c.mode == "train") {
    if (c.train_file.empty()) return LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"train_file\" is required in train mode", "prepare a dataset first");
    if (c.output_dir.empty()) return LATHE_ERR(LATHE_STATUS_CONFIG, "config key \"output_dir\" is required in train mode", "");
  }
  if (c.per_device_eval_batch_size == 0) c.per_device_eval_batch_size = c.per_device_train_batch_size;
  return LATHE_OK();
}

lathe_status engine_config_load(const std::string& path, engine_config& c) {
  std::string text;
  lathe_status s = platform_read_file(path, text);
  if (!s.ok()) return LATHE_ERR(LATHE_STATUS_CONFIG, "cannot read config file " + path, "pass the path of a JSON config file");
  json_value j;
  std::string err;
  if (!json_parse(text, j, err)) return LATHE_ERR(LATHE_STATUS_CONFIG, "config " + path + " is not valid JSON: " + err, "");
  return engine_config_parse(j, c);
}

lathe_status engine_config_parse_generation(const json_value& j, engine_config& c) {
  reader r{j, {}, {}};
  c.has_prompt = false;
  parse_generation(r, c);
  return r.err;
}

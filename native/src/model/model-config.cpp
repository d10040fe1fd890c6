// Parses config.json of LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM, incl. both
// rope spellings (rope_theta + rope_scaling, and transformers 5's rope_parameters). Refuses what the engine cannot
// compute exactly (other activations, yarn/dynamic rope, per-layer sliding-window mixes) with a clear message.
#include "model/model-config.h"
#include "core/json.h"
#include "platform/platform.h"

static double num_or(const json_value& j, const char* key, double dflt) {
  const json_value* v = j.get(key);
  return v && v->is_number() ? v->as_number() : dflt;
}

lathe_status model_config_load(const std::string& model_dir, model_config& c) {
  if (!platform_is_dir(model_dir))
    return LATHE_ERR(LATHE_STATUS_IO, "model folder not found: " + model_dir, "download the model again or pick another one");
  std::string path = platform_join(model_dir, "config.json");
  std::string text;
  lathe_status s = platform_read_file(path, text);
  if (!s.ok()) return LATHE_ERR(LATHE_STATUS_IO, "no config.json in " + model_dir, "the model folder must be a Hugging Face model download");
  json_value j;
  std::string err;
  if (!json_parse(text, j, err) || !j.is_object()) return LATHE_ERR(LATHE_STATUS_DATA, path + ": " + err, "");
  const json_value* archs = j.get("architectures");
  std::string arch = archs && archs->is_array() && archs->size() ? archs->items()[0].as_string() : "";
  if (arch.empty()) {
    const json_value* mt = j.get("model_type");
    std::string t = mt && mt->is_string() ? mt->as_string() : "";
    if (t == "llama") arch = "LlamaForCausalLM";
    else if (t == "mistral") arch = "MistralForCausalLM";
    else if (t == "qwen2") arch = "Qwen2ForCausalLM";
    else if (t == "qwen3") arch = "Qwen3ForCausalLM";
  }
  c = model_config{};
  c.arch_name = arch;
  if (arch == "LlamaForCausalLM") c.arch = MODEL_ARCH_LLAMA;
  else if (arch == "MistralForCausalLM") c.arch = MODEL_ARCH_MISTRAL;
  else if (arch == "Qwen2ForCausalLM") c.arch = MODEL_ARCH_QWEN2;
  else if (arch == "Qwen3ForCausalLM") c.arch = MODEL_ARCH_QWEN3;
  else
    return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, "unsupported architecture \"" + arch + "\"",
                     "Lathe trains LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM and Qwen3ForCausalLM models");
  c.vocab_size = (int)num_or(j, "vocab_size", 0);
  c.hidden = (int)num_or(j, "hidden_size", 0);
  c.intermediate = (int)num_or(j, "intermediate_size", 0);
  c.n_layers = (int)num_or(j, "num_hidden_layers", 0);
  c.n_heads = (int)num_or(j, "num_attention_heads", 0);
  c.n_kv_heads = (int)num_or(j, "num_key_value_heads", c.n_heads);
  const json_value* hdv = j.get("head_dim");
  c.head_dim = hdv && hdv->is_number() ? (int)hdv->as_number() : (c.n_heads ? c.hidden / c.n_heads : 0);
  c.rms_eps = (float)num_or(j, "rms_norm_eps", 1e-6);
  c.max_position = (int)num_or(j, "max_position_embeddings", 2048);
  const json_value* tie = j.get("tie_word_embeddings");
  c.tie_embeddings = tie && tie->is_bool() ? tie->as_bool() : false;  // PretrainedConfig default is true, but the
  // Llama/Mistral/Qwen configs written by transformers always carry the key; absent → decided by lm_head presence.
  if (c.vocab_size <= 0 || c.hidden <= 0 || c.intermediate <= 0 || c.n_layers <= 0 || c.n_heads <= 0 || c.n_kv_heads <= 0 ||
      c.head_dim <= 0 || c.head_dim % 2 || c.n_heads % c.n_kv_heads)
    return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, path + ": missing or inconsistent sizes (hidden_size, heads, head_dim)", "");
  const json_value* act = j.get("hidden_act");
  if (act && act->is_string() && act->as_string() != "silu")
    return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, "hidden_act \"" + act->as_string() + "\" is not supported", "only SiLU-gated MLPs are supported");
  const json_value* ab = j.get("attention_bias");
  bool attention_bias = ab && ab->is_bool() && ab->as_bool();
  const json_value* mb = j.get("mlp_bias");
  c.mlp_bias = mb && mb->is_bool() && mb->as_bool();
  if (c.arch == MODEL_ARCH_QWEN2) { c.qkv_bias = true; c.o_bias = false; c.mlp_bias = false; }
  else { c.qkv_bias = attention_bias; c.o_bias = attention_bias; }
  if (c.arch == MODEL_ARCH_QWEN3) { c.qk_norm = true; c.mlp_bias = false; }
  if (c.arch == MODEL_ARCH_MISTRAL) {
    const json_value* sw = j.get("sliding_window");
    c.sliding_window = sw && sw->is_number() ? (int)sw->as_number() : 0;
  }
  if (c.arch == MODEL_ARCH_QWEN2 || c.arch == MODEL_ARCH_QWEN3) {
    const json_value* use = j.get("use_sliding_window");
    if (use && use->is_bool() && use->as_bool())
      return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, "use_sliding_window=true (mixed sliding/full layers) is not supported", "");
  }
  // Rope: transformers <5 writes rope_theta + rope_scaling; transformers 5 writes rope_parameters.
  const json_value* rp = j.get("rope_parameters");
  const json_value* rs = j.get("rope_scaling");
  const json_value* scaling = rp && rp->is_object() ? rp : (rs && rs->is_object() ? rs : nullptr);
  c.rope.theta = (float)num_or(j, "rope_theta", 10000.0);
  if (rp && rp->is_object()) c.rope.theta = (float)num_or(*rp, "rope_theta", c.rope.theta);
  if (scaling) {
    const json_value* t = scaling->get("rope_type");
    if (!t) t = scaling->get("type");
    std::string type = t && t->is_string() ? t->as_string() : "default";
    if (type == "llama3") {
      c.rope.llama3 = true;
      c.rope.factor = (float)num_or(*scaling, "factor", 8.0);
      c.rope.low_freq_factor = (float)num_or(*scaling, "low_freq_factor", 1.0);
      c.rope.high_freq_factor = (float)num_or(*scaling, "high_freq_factor", 4.0);
      c.rope.original_max_position = (float)num_or(*scaling, "original_max_position_embeddings", 8192.0);
    } else if (type == "linear") {
      c.rope.linear = true;
      c.rope.factor = (float)num_or(*scaling, "factor", 1.0);
    } else if (type != "default") {
      return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, "rope scaling type \"" + type + "\" is not supported",
                       "supported: default, linear and llama3 rope");
    }
  }
  return LATHE_OK();
}

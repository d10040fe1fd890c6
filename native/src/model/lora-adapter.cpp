// LoRA adapter: allocation, PEFT-compatible init, save/load in PEFT's format (names checked against
// peft/utils/save_and_load.py: the adapter name is stripped from saved keys, "base_model.model." prefix kept).
// Does not write the optimizer state (checkpoint.cpp does).
#include "model/lora-adapter.h"
#include <cmath>
#include "core/json.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "platform/platform.h"

static const char* k_names[LORA_TARGET_COUNT] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
static const char* k_short[LORA_TARGET_COUNT] = {"q", "k", "v", "o", "gate", "up", "down"};

const char* lora_target_module_name(int t) { return k_names[t]; }
const char* lora_target_parent(int t) { return t <= LORA_TARGET_O ? "self_attn" : "mlp"; }

void lora_target_dims(const model_config& c, int t, int* in, int* out) {
  int q = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;
  switch (t) {
    case LORA_TARGET_Q: *in = c.hidden; *out = q; break;
    case LORA_TARGET_K: case LORA_TARGET_V: *in = c.hidden; *out = kv; break;
    case LORA_TARGET_O: *in = q; *out = c.hidden; break;
    case LORA_TARGET_GATE: case LORA_TARGET_UP: *in = c.hidden; *out = c.intermediate; break;
    default: *in = c.intermediate; *out = c.hidden; break;
  }
}

float lora_config::scaling() const { return rslora ? alpha / std::sqrt((float)r) : alpha / (float)r; }

lathe_status lora_config_parse_targets(const std::vector<std::string>& names, lora_config& cfg) {
  for (bool& b : cfg.targets) b = false;
  for (std::string n : names) {
    while (!n.empty() && n.front() == ' ') n.erase(n.begin());
    while (!n.empty() && n.back() == ' ') n.pop_back();
    if (n.empty()) continue;
    if (n == "all" || n == "all-linear") { for (bool& b : cfg.targets) b = true; continue; }
    bool found = false;
    for (int t = 0; t < LORA_TARGET_COUNT; t++)
      if (n == k_names[t] || n == k_short[t]) { cfg.targets[t] = true; found = true; }
    if (!found)
      return LATHE_ERR(LATHE_STATUS_CONFIG, "unknown lora_target \"" + n + "\"", "use all, or any of q,k,v,o,gate,up,down");
  }
  bool any = false;
  for (bool b : cfg.targets) any = any || b;
  if (!any) return LATHE_ERR(LATHE_STATUS_CONFIG, "lora_target selects no module", "use all, or any of q,k,v,o,gate,up,down");
  return LATHE_OK();
}

std::string lora_tensor_name(int layer, int t, bool is_b) {
  return "base_model.model.model.layers." + std::to_string(layer) + "." + lora_target_parent(t) + "." + k_names[t] +
         (is_b ? ".lora_B.weight" : ".lora_A.weight");
}

lathe_status lora_adapter_init(lora_adapter& ad, backend* be, const model_config& mc, const lora_config& cfg, uint64_t seed, bool train) {
  if (cfg.r <= 0) return LATHE_ERR(LATHE_STATUS_CONFIG, "lora_rank must be positive", "");
  ad.cfg = cfg;
  ad.be = be;
  ad.layers.assign((size_t)mc.n_layers, std::vector<lora_module>(LORA_TARGET_COUNT));
  for (int l = 0; l < mc.n_layers; l++) {
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      lora_module& m = ad.layers[l][t];
      if (!cfg.targets[t]) continue;
      m.on = true;
      lora_target_dims(mc, t, &m.in, &m.out);
      int64_t na = (int64_t)cfg.r * m.in, nb = (int64_t)m.out * cfg.r;
      m.A = be->alloc_f32(na);
      m.B = be->alloc_f32(nb);
      if (train) {
        m.dA = be->alloc_f32(na); m.dB = be->alloc_f32(nb);
        m.mA = be->alloc_f32(na); m.vA = be->alloc_f32(na);
        m.mB = be->alloc_f32(nb); m.vB = be->alloc_f32(nb);
      }
      if (!m.A || !m.B || (train && !m.vB))
        return LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, "out of memory allocating the LoRA adapter", "lower lora_rank");
      // kaiming_uniform_(a=sqrt(5)) on (r, in): gain = sqrt(2/(1+5)), bound = gain*sqrt(3/in) = 1/sqrt(in)
      float bound = 1.0f / std::sqrt((float)m.in);
      std::vector<float> host((size_t)na);
      uint64_t stream = 0x4c4f5241ULL + (uint64_t)l * 16 + (uint64_t)t;
      for (int64_t i = 0; i < na; i++) host[(size_t)i] = (2.0f * rng_uniform(seed, stream, (uint64_t)i) - 1.0f) * bound;
      be->upload_f32(m.A, host.data(), na);
      be->zero_f32(m.B, nb);
    }
  }
  return LATHE_OK();
}

void lora_adapter_free(lora_adapter& ad) {
  if (!ad.be) return;
  for (auto& layer : ad.layers)
    for (auto& m : layer)
      for (float* p : {m.A, m.B, m.dA, m.dB, m.mA, m.vA, m.mB, m.vB}) ad.be->free_buf(p);
  ad.layers.clear();
}

void lora_adapter_zero_grad(lora_adapter& ad) {
  for (auto& layer : ad.layers)
    for (auto& m : layer)
      if (m.on && m.dA) {
        ad.be->zero_f32(m.dA, (int64_t)ad.cfg.r * m.in);
        ad.be->zero_f32(m.dB, (int64_t)m.out * ad.cfg.r);
      }
}

lathe_status lora_adapter_read_config(const std::string& dir, lora_config& cfg) {
  std::string path = platform_join(dir, "adapter_config.json");
  std::string text;
  lathe_status s = platform_read_file(path, text);
  if (!s.ok()) return LATHE_ERR(LATHE_STATUS_IO, "no adapter_config.json in " + dir, "pick a folder holding a PEFT LoRA adapter");
  json_value j;
  std::string err;
  if (!json_parse(text, j, err)) return LATHE_ERR(LATHE_STATUS_DATA, path + ": " + err, "");
  const json_value* pt = j.get("peft_type");
  if (pt && pt->is_string() && pt->as_string() != "LORA")
    return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, "adapter type " + pt->as_string() + " is not LoRA", "");
  if (const json_value* v = j.get("r")) cfg.r = (int)v->as_number();
  if (const json_value* v = j.get("lora_alpha")) cfg.alpha = (float)v->as_number();
  if (const json_value* v = j.get("lora_dropout"); v && v->is_number()) cfg.dropout = (float)v->as_number();
  if (const json_value* v = j.get("use_rslora"); v && v->is_bool()) cfg.rslora = v->as_bool();
  const json_value* tm = j.get("target_modules");
  std::vector<std::string> names;
  if (tm && tm->is_array())
    for (const auto& x : tm->items()) names.push_back(x.as_string());
  else if (tm && tm->is_string())
    names.push_back(tm->as_string());
  return lora_config_parse_targets(names, cfg);
}

lathe_status lora_adapter_load_weights(lora_adapter& ad, const std::string& dir) {
  st_archive a;
  LATHE_TRY(st_open_file(platform_join(dir, "adapter_model.safetensors"), a));
  std::vector<float> buf;
  for (size_t l = 0; l < ad.layers.size(); l++) {
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      lora_module& m = ad.layers[l][t];
      if (!m.on) continue;
      std::vector<int64_t> sa = {ad.cfg.r, m.in}, sb = {m.out, ad.cfg.r};
      LATHE_TRY(st_read_f32(a, lora_tensor_name((int)l, t, false), buf, &sa));
      ad.be->upload_f32(m.A, buf.data(), (int64_t)buf.size());
      LATHE_TRY(st_read_f32(a, lora_tensor_name((int)l, t, true), buf, &sb));
      ad.be->upload_f32(m.B, buf.data(), (int64_t)buf.size());
    }
  }
  return LATHE_OK();
}

lathe_status lora_adapter_save(const lora_adapter& ad, const model_config& mc, const std::string& dir, const std::string& base_model) {
  LATHE_TRY(platform_make_dirs(dir));
  std::vector<std::vector<float>> host;
  std::vector<st_write_tensor> ts;
  host.reserve(ad.layers.size() * LORA_TARGET_COUNT * 2);
  for (size_t l = 0; l < ad.layers.size(); l++) {
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      const lora_module& m = ad.layers[l][t];
      if (!m.on) continue;
      host.emplace_back((size_t)ad.cfg.r * m.in);
      ad.be->download_f32(host.back().data(), m.A, (int64_t)host.back().size());
      ts.push_back({lora_tensor_name((int)l, t, false), {ad.cfg.r, m.in}, host.back().data()});
      host.emplace_back((size_t)m.out * ad.cfg.r);
      ad.be->download_f32(host.back().data(), m.B, (int64_t)host.back().size());
      ts.push_back({lora_tensor_name((int)l, t, true), {m.out, ad.cfg.r}, host.back().data()});
    }
  }
  LATHE_TRY(st_write_f32(platform_join(dir, "adapter_model.safetensors"), ts, {{"format", "pt"}}));
  json_value c = json_value::object();
  json_value targets = json_value::array();
  for (int t = 0; t < LORA_TARGET_COUNT; t++)
    if (ad.cfg.targets[t]) targets.push(k_names[t]);
  c.set("peft_type", "LORA");
  c.set("task_type", "CAUSAL_LM");
  c.set("base_model_name_or_path", base_model);
  c.set("r", ad.cfg.r);
  c.set("lora_alpha", (double)ad.cfg.alpha);
  c.set("lora_dropout", (double)ad.cfg.dropout);
  c.set("use_rslora", ad.cfg.rslora);
  c.set("target_modules", targets);
  c.set("bias", "none");
  c.set("fan_in_fan_out", false);
  c.set("init_lora_weights", true);
  c.set("inference_mode", true);
  c.set("modules_to_save", json_value());
  c.set("use_dora", false);
  c.set("revision", json_value());
  (void)mc;
  std::string text = c.dump() + "\n";
  return platform_write_file_atomic(platform_join(dir, "adapter_config.json"), text.data(), text.size());
}

// Test harness helpers (see test-util.h). Does not clean temp folders on failure, to allow inspection.
#include "test-util.h"
#include <algorithm>
#include <filesystem>
#include <map>
#include "core/json.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "model/lora-adapter.h"
#include "platform/platform.h"

int g_test_failures = 0;
int g_test_checks = 0;

int test_finish(const char* name) {
  std::printf("%s: %d checks, %d failed\n", name, g_test_checks, g_test_failures);
  return g_test_failures ? 1 : 0;
}

std::string test_temp_dir(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path p = fs::current_path() / "test-tmp" / name;
  std::error_code ec;
  fs::remove_all(p, ec);
  fs::create_directories(p);
  return p.string();
}

ltok_dataset test_pattern_dataset(int n, uint64_t seed, int min_len, int len_span, int prompt_den) {
  ltok_dataset ds;
  ds.vocab_size = 64;
  ds.offsets = {0};
  for (int r = 0; r < n; r++) {
    int len = min_len + (int)((r * 7 + seed) % len_span);
    for (int i = 0; i < len; i++) {
      ds.tokens.push_back((uint32_t)((r * 31 + i * 7 + seed) % 64));
      ds.mask.push_back(i >= len / prompt_den);
    }
    ds.offsets.push_back(ds.tokens.size());
  }
  return ds;
}

double test_rel_err(const std::vector<float>& a, const std::vector<float>& b, double floor) {
  double mx = floor, err = 0.0;
  for (float x : b) mx = std::max(mx, (double)std::fabs(x));
  size_t n = std::min(a.size(), b.size());
  if (a.size() != b.size()) return 1e30;
  for (size_t i = 0; i < n; i++) err = std::max(err, (double)std::fabs(a[i] - b[i]));
  return err / mx;
}

void test_write_tiny_model(const std::string& dir, const std::string& arch, uint64_t seed, int vocab, int hidden, int layers,
                           int heads, int kv_heads, int inter, bool tied, int head_dim) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  int hd = head_dim > 0 ? head_dim : hidden / heads;
  json_value c = json_value::object();
  json_value archs = json_value::array();
  std::string name = arch == "qwen2" ? "Qwen2ForCausalLM" : arch == "qwen3" ? "Qwen3ForCausalLM"
                     : arch == "mistral" ? "MistralForCausalLM" : "LlamaForCausalLM";
  archs.push(name);
  c.set("architectures", archs);
  c.set("model_type", arch);
  c.set("vocab_size", vocab);
  c.set("hidden_size", hidden);
  c.set("intermediate_size", inter);
  c.set("num_hidden_layers", layers);
  c.set("num_attention_heads", heads);
  c.set("num_key_value_heads", kv_heads);
  c.set("head_dim", hd);
  c.set("rms_norm_eps", 1e-6);
  c.set("rope_theta", 10000.0);
  c.set("max_position_embeddings", 256);
  c.set("hidden_act", "silu");
  c.set("tie_word_embeddings", tied);
  std::string text = c.dump();
  platform_write_file_atomic((fs::path(dir) / "config.json").string(), text.data(), text.size());
  std::map<std::string, std::vector<float>> w;
  std::map<std::string, std::vector<int64_t>> shapes;
  uint64_t stream = 1;
  auto add = [&](const std::string& n, std::vector<int64_t> shape, float scale, float offset) {
    int64_t numel = 1;
    for (auto d : shape) numel *= d;
    std::vector<float> v((size_t)numel);
    for (int64_t i = 0; i < numel; i++) v[(size_t)i] = offset + scale * (2.0f * rng_uniform(seed, stream, (uint64_t)i) - 1.0f);
    stream++;
    w[n] = v;
    shapes[n] = shape;
  };
  add("model.embed_tokens.weight", {vocab, hidden}, 1.0f, 0.0f);
  add("model.norm.weight", {hidden}, 0.1f, 1.0f);
  if (!tied) add("lm_head.weight", {vocab, hidden}, 0.2f, 0.0f);
  for (int l = 0; l < layers; l++) {
    std::string p = "model.layers." + std::to_string(l) + ".";
    add(p + "input_layernorm.weight", {hidden}, 0.1f, 1.0f);
    add(p + "post_attention_layernorm.weight", {hidden}, 0.1f, 1.0f);
    float s = 1.0f / std::sqrt((float)hidden);
    add(p + "self_attn.q_proj.weight", {heads * hd, hidden}, s, 0.0f);
    add(p + "self_attn.k_proj.weight", {kv_heads * hd, hidden}, s, 0.0f);
    add(p + "self_attn.v_proj.weight", {kv_heads * hd, hidden}, s, 0.0f);
    add(p + "self_attn.o_proj.weight", {hidden, heads * hd}, s, 0.0f);
    add(p + "mlp.gate_proj.weight", {inter, hidden}, s, 0.0f);
    add(p + "mlp.up_proj.weight", {inter, hidden}, s, 0.0f);
    add(p + "mlp.down_proj.weight", {hidden, inter}, 1.0f / std::sqrt((float)inter), 0.0f);
    if (arch == "qwen2") {
      add(p + "self_attn.q_proj.bias", {heads * hd}, 0.1f, 0.0f);
      add(p + "self_attn.k_proj.bias", {kv_heads * hd}, 0.1f, 0.0f);
      add(p + "self_attn.v_proj.bias", {kv_heads * hd}, 0.1f, 0.0f);
    }
    if (arch == "qwen3") {
      add(p + "self_attn.q_norm.weight", {hd}, 0.1f, 1.0f);
      add(p + "self_attn.k_norm.weight", {hd}, 0.1f, 1.0f);
    }
  }
  std::vector<st_write_tensor> ts;
  for (auto& kv : w) ts.push_back({kv.first, shapes[kv.first], kv.second.data()});
  st_write_f32((fs::path(dir) / "model.safetensors").string(), ts, {{"format", "pt"}});
}

void test_set_lora_b(backend* be, lora_adapter& ad, int r, const std::function<float(size_t, const lora_module&)>& f, bool only_on) {
  for (auto& layer : ad.layers)
    for (auto& mod : layer) {
      if (only_on && !mod.on) continue;
      std::vector<float> b((size_t)mod.out * r);
      for (size_t i = 0; i < b.size(); i++) b[i] = f(i, mod);
      be->upload_f32(mod.B, b.data(), (int64_t)b.size());
    }
}

void test_append_lora_grads(std::vector<float>& all, const lora_adapter& ad, int r, bool only_on) {
  for (auto& layer : ad.layers)
    for (auto& mod : layer) {
      if (only_on && !mod.on) continue;
      all.insert(all.end(), mod.dA, mod.dA + (size_t)r * mod.in);
      all.insert(all.end(), mod.dB, mod.dB + (size_t)mod.out * r);
    }
}

#include <chrono>
#include <sstream>
#include <thread>
#ifndef LATHE_ENGINE_PATH  // targets that never spawn the engine (e.g. the CUDA tests) do not define it
#define LATHE_ENGINE_PATH "lathe-engine"
#endif
#if defined(_WIN32)
#define popen _popen
#define pclose _pclose
#else
#include <sys/wait.h>
#endif

test_proc_result test_run_engine(const std::string& config_path, const std::vector<std::string>& stdin_lines, int delay_ms) {
  test_proc_result r;
  std::string out = config_path + ".stdout";
  std::string cmd = std::string("\"") + LATHE_ENGINE_PATH + "\" \"" + config_path + "\" > \"" + out + "\"";
#if defined(_WIN32)
  cmd = "\"" + cmd + "\"";
#endif
  FILE* p = popen(cmd.c_str(), "w");
  if (!p) return r;
  for (const auto& line : stdin_lines) {
    if (line.rfind("@wait:", 0) == 0) {
      std::string want = line.substr(6), seen;
      for (int i = 0; i < 6000; i++) {
        platform_read_file(out, seen);
        if (seen.find(want) != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      continue;
    }
    if (delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    std::fputs((line + "\n").c_str(), p);
    std::fflush(p);
  }
  int st = pclose(p);
#if defined(_WIN32)
  r.exit_code = st;
#else
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
#endif
  platform_read_file(out, r.stdout_text);
  std::istringstream in(r.stdout_text);
  std::string line, err;
  while (std::getline(in, line)) {
    json_value j;
    if (json_parse(line, j, err)) r.events.push_back(j);
  }
  return r;
}

const json_value* test_find_event(const test_proc_result& r, const std::string& name) {
  for (const auto& e : r.events)
    if (e.get("event") && e.get("event")->as_string() == name) return &e;
  return nullptr;
}

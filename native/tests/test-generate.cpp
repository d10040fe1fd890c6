// Generation tests: greedy decoding with the KV cache equals greedy decoding by full re-forward (every
// architecture variant, with an adapter, Mistral with a sliding window shorter than the sequence); sampling is
// seeded; top_k = 1 is greedy; stop tokens end generation.
#include <filesystem>
#include "core/json.h"
#include "model/generate.h"
#include "platform/platform.h"
#include "test-util.h"

static void cache_equals_no_cache(const std::string& arch, int window, int head_dim = 0) {
  std::string dir = test_temp_dir("gen-" + arch + std::to_string(head_dim));
  test_write_tiny_model(dir, arch, 31, 64, 32, 2, 4, 2, 48, arch == "qwen2", head_dim);
  if (window > 0) {  // add a sliding window to the config
    std::string text, err;
    platform_read_file(dir + "/config.json", text);
    json_value c;
    json_parse(text, c, err);
    c.set("sliding_window", window);
    text = c.dump();
    platform_write_file_atomic(dir + "/config.json", text.data(), text.size());
  }
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 2, &be));
  model m;
  CHECK_OK(model_load(m, be, dir));
  CHECK(m.cfg.sliding_window == window);
  lora_config lc;
  lc.r = 2; lc.alpha = 4;
  for (bool& t : lc.targets) t = true;
  lora_adapter ad;
  CHECK_OK(lora_adapter_init(ad, be, m.cfg, lc, 3, false));
  for (auto& layer : ad.layers)
    for (auto& mod : layer) {
      std::vector<float> b((size_t)mod.out * lc.r);
      for (size_t i = 0; i < b.size(); i++) b[i] = 0.2f * std::cos((float)i);
      be->upload_f32(mod.B, b.data(), (int64_t)b.size());
    }
  std::vector<int32_t> prompt = {5, 17, 33, 2, 60, 9};
  gen_params p;
  p.max_new_tokens = 12;
  std::vector<int32_t> with_cache, without;
  std::string f1, f2;
  CHECK_OK(generate(m, &ad, prompt, p, &with_cache, &f1, nullptr, nullptr));
  CHECK_OK(model_alloc_train(m, 1, (int)prompt.size() + p.max_new_tokens, lc.r, 0.0f));
  p.use_cache = false;
  CHECK_OK(generate(m, &ad, prompt, p, &without, &f2, nullptr, nullptr));
  std::printf("%-8s window %d: cached %zu tokens, uncached %zu, equal: %s\n", arch.c_str(), window, with_cache.size(), without.size(),
              with_cache == without ? "yes" : "no");
  CHECK(with_cache.size() == 12 && with_cache == without && f1 == "length");

  // sampling: same seed -> same tokens; top_k = 1 -> greedy; stop token ends early
  gen_params s;
  s.max_new_tokens = 10;
  s.do_sample = true;
  s.temperature = 1.3;
  s.top_p = 0.95;
  s.seed = 11;
  std::vector<int32_t> s1, s2, s3;
  CHECK_OK(generate(m, &ad, prompt, s, &s1, &f1, nullptr, nullptr));
  CHECK_OK(generate(m, &ad, prompt, s, &s2, &f1, nullptr, nullptr));
  CHECK(s1 == s2);
  s.top_k = 1;
  CHECK_OK(generate(m, &ad, prompt, s, &s3, &f1, nullptr, nullptr));
  CHECK(std::vector<int32_t>(s3.begin(), s3.end()) == std::vector<int32_t>(with_cache.begin(), with_cache.begin() + 10));
  gen_params st;
  st.max_new_tokens = 12;
  st.stop_tokens = {with_cache[3]};
  std::vector<int32_t> s4;
  std::string f4;
  CHECK_OK(generate(m, &ad, prompt, st, &s4, &f4, nullptr, nullptr));
  size_t first = 0;
  while (with_cache[first] != with_cache[3]) first++;
  CHECK(f4 == "stop" && s4.size() == first + 1);
  lora_adapter_free(ad);
  model_free(m);
  delete be;
}

static void sampling_warpers() {
  std::vector<float> logits = {2.0f, 1.0f, 0.5f, -1.0f, 3.0f};
  gen_params g;
  CHECK(generate_pick(logits.data(), 5, g, 0) == 4);
  g.do_sample = true;
  g.top_k = 2;
  int counts[5] = {0, 0, 0, 0, 0};
  for (uint64_t i = 0; i < 2000; i++) counts[generate_pick(logits.data(), 5, g, i)]++;
  CHECK(counts[1] == 0 && counts[2] == 0 && counts[3] == 0);
  // P(4) = e^3 / (e^3 + e^2) = 0.731
  CHECK(counts[4] > 1350 && counts[4] < 1570);
  g.top_k = 0;
  g.top_p = 0.5;  // the top token alone has 0.63 of the mass
  for (uint64_t i = 0; i < 200; i++) CHECK(generate_pick(logits.data(), 5, g, i) == 4);
}

// transformers' RepetitionPenaltyLogitsProcessor: seen ids divided (positive) or multiplied (negative), once each.
static void repetition_penalty() {
  std::vector<float> logits = {2.0f, 1.0f, 0.5f, -1.0f, 3.0f};
  generate_penalize(logits.data(), 5, {4, 3, 4, 99, -1}, 2.0);
  CHECK(logits[4] == 1.5f && logits[3] == -2.0f && logits[0] == 2.0f && logits[1] == 1.0f && logits[2] == 0.5f);
  gen_params g;
  CHECK(generate_pick(logits.data(), 5, g, 0) == 0);  // greedy moves off the penalised favourite
  std::vector<float> same = {2.0f, 1.0f};
  generate_penalize(same.data(), 2, {0, 1}, 1.0);
  CHECK(same[0] == 2.0f && same[1] == 1.0f);
}

int main() {
  repetition_penalty();
  cache_equals_no_cache("llama", 0);
  cache_equals_no_cache("qwen2", 0);
  cache_equals_no_cache("qwen3", 0);
  cache_equals_no_cache("mistral", 5);
  cache_equals_no_cache("qwen3", 0, 12);  // heads * head_dim (48) != hidden (32)
  sampling_warpers();
  return test_finish("test-generate");
}

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
  test_set_lora_b(be, ad, lc.r, [](size_t i, const lora_module&) { return 0.2f * std::cos((float)i); });
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

// logprobs: each generated token's logprob and top list equal a log-softmax (in double) of the logits of its
// position, taken separately as the prompt logits of the sequence so far; greedy tokens are their argmax; the
// uncached path gives the same scores; prompt_top_logits is the head of the full prompt logits.
static void logprobs_match_logits(const std::string& arch) {
  std::string dir = test_temp_dir("genlp-" + arch);
  test_write_tiny_model(dir, arch, 31, 64, 32, 2, 4, 2, 48, arch == "qwen2", 0);
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 2, &be));
  model m;
  CHECK_OK(model_load(m, be, dir));
  const int V = m.cfg.vocab_size;
  std::vector<int32_t> prompt = {5, 17, 33, 2, 60, 9};
  gen_params p;
  p.max_new_tokens = 8;
  p.logprobs = 5;
  p.prompt_logits = 7;
  std::vector<int32_t> out;
  std::string fin;
  gen_scores sc;
  CHECK_OK(generate(m, nullptr, prompt, p, &out, &fin, nullptr, nullptr, &sc));
  CHECK(out.size() == 8 && sc.tokens.size() == 8 && sc.prompt_top.size() == 7 && sc.prompt_logits.empty());
  double worst = 0.0;
  std::vector<int32_t> seq = prompt;
  for (size_t n = 0; n < out.size(); n++) {
    gen_params q;
    q.max_new_tokens = 0;
    q.prompt_logits = -1;
    std::vector<int32_t> none;
    gen_scores ref;
    CHECK_OK(generate(m, nullptr, seq, q, &none, &fin, nullptr, nullptr, &ref));
    CHECK(none.empty() && (int)ref.prompt_logits.size() == V);
    const std::vector<float>& l = ref.prompt_logits;
    int best = 0;
    for (int i = 1; i < V; i++)
      if (l[(size_t)i] > l[(size_t)best]) best = i;
    CHECK(out[n] == best && sc.tokens[n].id == best);
    double mx = l[(size_t)best], sum = 0.0;
    for (int i = 0; i < V; i++) sum += std::exp((double)l[(size_t)i] - mx);
    double lse = mx + std::log(sum);
    worst = std::max(worst, std::fabs(sc.tokens[n].logprob - ((double)l[(size_t)best] - lse)));
    CHECK(sc.tokens[n].top.size() == 5 && sc.tokens[n].top[0].first == best);
    for (size_t k = 0; k < sc.tokens[n].top.size(); k++) {
      auto [id, lp] = sc.tokens[n].top[k];
      worst = std::max(worst, std::fabs(lp - ((double)l[(size_t)id] - lse)));
      if (k > 0) CHECK(lp <= sc.tokens[n].top[k - 1].second);
      for (int i = 0; i < V; i++)  // nothing outside the list beats its last entry
        if (k + 1 == sc.tokens[n].top.size() && l[(size_t)i] > l[(size_t)id]) {
          bool listed = false;
          for (const auto& e : sc.tokens[n].top) listed = listed || e.first == i;
          CHECK(listed);
        }
    }
    if (n == 0)
      for (size_t k = 0; k < sc.prompt_top.size(); k++)
        CHECK(sc.prompt_top[k].second == l[(size_t)sc.prompt_top[k].first] && (k == 0 || sc.prompt_top[k].second <= sc.prompt_top[k - 1].second));
    seq.push_back(out[n]);
  }
  // the uncached path: same tokens, same scores
  CHECK_OK(model_alloc_train(m, 1, (int)prompt.size() + p.max_new_tokens, 1, 0.0f));
  gen_params u = p;
  u.use_cache = false;
  std::vector<int32_t> out2;
  gen_scores sc2;
  CHECK_OK(generate(m, nullptr, prompt, u, &out2, &fin, nullptr, nullptr, &sc2));
  double uncached = 0.0;
  CHECK(out2 == out && sc2.tokens.size() == sc.tokens.size() && sc2.prompt_top.size() == 7);
  for (size_t n = 0; n < sc2.tokens.size() && n < sc.tokens.size(); n++)
    uncached = std::max(uncached, (double)std::fabs(sc2.tokens[n].logprob - sc.tokens[n].logprob));
  std::printf("%-8s logprobs vs log-softmax of the logits: max |diff| %.3g; cached vs uncached logprob %.3g\n", arch.c_str(), worst, uncached);
  CHECK(worst < 1e-5 && uncached < 1e-4);
  // nothing asked, nothing returned; a repetition penalty changes the pick but not the (raw) logprobs
  gen_params r = p;
  r.repetition_penalty = 1e6;
  r.max_new_tokens = 1;
  std::vector<int32_t> out3;
  gen_scores sc3;
  CHECK_OK(generate(m, nullptr, out, r, &out3, &fin, nullptr, nullptr, &sc3));
  CHECK(sc3.tokens.size() == 1 && sc3.tokens[0].id == out3[0]);
  gen_params off;
  off.max_new_tokens = 2;
  gen_scores sc4;
  CHECK_OK(generate(m, nullptr, prompt, off, &out3, &fin, nullptr, nullptr, &sc4));
  CHECK(sc4.tokens.empty() && sc4.prompt_logits.empty() && sc4.prompt_top.empty());
  model_free(m);
  delete be;
}

int main() {
  logprobs_match_logits("llama");
  logprobs_match_logits("qwen3");
  repetition_penalty();
  cache_equals_no_cache("llama", 0);
  cache_equals_no_cache("qwen2", 0);
  cache_equals_no_cache("qwen3", 0);
  cache_equals_no_cache("mistral", 5);
  cache_equals_no_cache("qwen3", 0, 12);  // heads * head_dim (48) != hidden (32)
  sampling_warpers();
  return test_finish("test-generate");
}

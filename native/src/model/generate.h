// Text generation over token ids: KV-cache decoding (or full re-forward without cache, for testing), greedy or
// sampled (temperature, top-k, top-p like transformers' warpers, in that order), repetition penalty, stop tokens, seeded.
// Does not detokenize: the app turns ids into text.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>
#include "model/model.h"

struct gen_params {
  int max_new_tokens = 128;
  bool do_sample = false;
  double temperature = 1.0, top_p = 1.0;
  int top_k = 0;
  // transformers' RepetitionPenaltyLogitsProcessor: every id already in the sequence (prompt included) has its logit
  // divided by the penalty when positive, multiplied when negative. 1.0 = off. Applies to greedy too.
  double repetition_penalty = 1.0;
  uint64_t seed = 42;
  std::vector<int32_t> stop_tokens;
  bool use_cache = true;
  // Scores returned beside the tokens (gen_scores), of the model's own distribution: log-softmax of the raw logits at
  // temperature 1, before the repetition penalty and the warpers (vLLM's default "raw" logprobs). So with
  // repetition_penalty 1, a greedy token is the argmax of its step's logprobs.
  // -1: none; N >= 0: each generated token's logprob and the N most likely (id, logprob) of its step.
  int logprobs = -1;
  // 0: none; N > 0: the N largest (id, logit) after the prompt; -1: all V logits after the prompt, in id order.
  int prompt_logits = 0;
};

struct gen_token_score {
  int32_t id = 0;
  float logprob = 0.0f;
  std::vector<std::pair<int32_t, float>> top;  // (id, logprob), most likely first; ties by lower id
};

struct gen_scores {
  std::vector<float> prompt_logits;                   // (V) raw logits of the token after the prompt, when asked
  std::vector<std::pair<int32_t, float>> prompt_top;  // (id, logit), largest first, when prompt_logits > 0
  std::vector<gen_token_score> tokens;                // one per generated token, when logprobs >= 0
};

// on_token(index, id) is called for each new token. finish: "stop" (stop token), "length" (max_new_tokens or
// the model's max_position_embeddings), "cancelled" (cancel() returned true). scores (may be null) receives what
// p.logprobs / p.prompt_logits ask for; the prompt's logits are there even with max_new_tokens 0.
lathe_status generate(model& m, lora_adapter* ad, const std::vector<int32_t>& prompt, const gen_params& p,
                      std::vector<int32_t>* out, std::string* finish,
                      const std::function<void(int, int32_t)>& on_token, const std::function<bool()>& cancel,
                      gen_scores* scores = nullptr);
// log-softmax of logits (V) in double: out[i] = l[i] - max - log Σ exp(l[j] - max).
void generate_log_softmax(const float* logits, int V, std::vector<float>* out);
// The n largest values of x (V) as (id, value), largest first, ties by lower id.
std::vector<std::pair<int32_t, float>> generate_top_n(const float* x, int V, int n);
// Applies the repetition penalty in place to logits (V) for the ids in `seen` (each id once).
void generate_penalize(float* logits, int V, const std::vector<int32_t>& seen, double penalty);
// Picks the next token from logits (V) with the warpers above; step feeds the counter RNG.
int32_t generate_pick(const float* logits, int V, const gen_params& p, uint64_t step);

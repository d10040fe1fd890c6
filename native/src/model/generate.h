// Text generation over token ids: KV-cache decoding (or full re-forward without cache, for testing), greedy or
// sampled (temperature, top-k, top-p like transformers' warpers, in that order), repetition penalty, stop tokens, seeded.
// Does not detokenize: the app turns ids into text.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
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
};

// on_token(index, id) is called for each new token. finish: "stop" (stop token), "length" (max_new_tokens or
// the model's max_position_embeddings), "cancelled" (cancel() returned true).
lathe_status generate(model& m, lora_adapter* ad, const std::vector<int32_t>& prompt, const gen_params& p,
                      std::vector<int32_t>* out, std::string* finish,
                      const std::function<void(int, int32_t)>& on_token, const std::function<bool()>& cancel);
// Applies the repetition penalty in place to logits (V) for the ids in `seen` (each id once).
void generate_penalize(float* logits, int V, const std::vector<int32_t>& seen, double penalty);
// Picks the next token from logits (V) with the warpers above; step feeds the counter RNG.
int32_t generate_pick(const float* logits, int V, const gen_params& p, uint64_t step);

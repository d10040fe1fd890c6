// LoRA adapter state as PEFT defines it: per adapted Linear an A (r, in) and B (out, r), scaling alpha/r
// (rsLoRA: alpha/sqrt(r)); plus gradients and AdamW moments. Saves/loads PEFT's on-disk format.
// Does not touch base weights (frozen) and does not implement DoRA, bias training or modules_to_save.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "backend/backend.h"
#include "core/status.h"
#include "model/model-config.h"

enum lora_target { LORA_TARGET_Q, LORA_TARGET_K, LORA_TARGET_V, LORA_TARGET_O, LORA_TARGET_GATE, LORA_TARGET_UP,
                   LORA_TARGET_DOWN, LORA_TARGET_COUNT };
const char* lora_target_module_name(int t);  // "q_proj", ...
const char* lora_target_parent(int t);       // "self_attn" or "mlp"
void lora_target_dims(const model_config& c, int t, int* in, int* out);

struct lora_config {
  int r = 8;
  float alpha = 16.0f;
  float dropout = 0.0f;
  bool rslora = false;
  bool targets[LORA_TARGET_COUNT] = {false, false, false, false, false, false, false};
  float scaling() const;
};
// Parses lora_target: "all", or a comma list / array of q,k,v,o,gate,up,down or q_proj,... names.
lathe_status lora_config_parse_targets(const std::vector<std::string>& names, lora_config& cfg);

struct lora_module {
  bool on = false;
  int in = 0, out = 0;
  float *A = nullptr, *B = nullptr;    // (r, in), (out, r)
  float *dA = nullptr, *dB = nullptr;  // gradients, same shapes
  float *mA = nullptr, *vA = nullptr, *mB = nullptr, *vB = nullptr;  // AdamW moments
};

struct lora_adapter {
  lora_config cfg;
  backend* be = nullptr;
  std::vector<std::vector<lora_module>> layers;  // [n_layers][LORA_TARGET_COUNT]
};

// Allocates A/B (+ grads, moments when train) on the backend; A ~ kaiming_uniform(a=sqrt(5)) = U(±1/sqrt(in))
// drawn from the engine's counter RNG (PEFT's default init, different random stream), B = 0.
lathe_status lora_adapter_init(lora_adapter& ad, backend* be, const model_config& mc, const lora_config& cfg, uint64_t seed, bool train);
void lora_adapter_free(lora_adapter& ad);
void lora_adapter_zero_grad(lora_adapter& ad);
// PEFT tensor name, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight
std::string lora_tensor_name(int layer, int t, bool is_b);
// Reads adapter_config.json (r, lora_alpha, target_modules, use_rslora, lora_dropout) into cfg.
lathe_status lora_adapter_read_config(const std::string& dir, lora_config& cfg);
// Loads A/B from a PEFT adapter folder (adapter_model.safetensors); shapes and targets must match ad.
lathe_status lora_adapter_load_weights(lora_adapter& ad, const std::string& dir);
// Writes adapter_config.json + adapter_model.safetensors (atomic) loadable by PeftModel.from_pretrained.
lathe_status lora_adapter_save(const lora_adapter& ad, const model_config& mc, const std::string& dir, const std::string& base_model);

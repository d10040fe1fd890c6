// Hugging Face config.json → the engine's model description (Llama, Mistral, Qwen2, Qwen3 decoder-only LMs).
// Does not read tokenizer files; token ids arrive already tokenized.
#pragma once
#include <string>
#include "core/status.h"
#include "cpu/ops.h"

enum model_arch { MODEL_ARCH_LLAMA, MODEL_ARCH_MISTRAL, MODEL_ARCH_QWEN2, MODEL_ARCH_QWEN3 };

struct model_config {
  model_arch arch = MODEL_ARCH_LLAMA;
  std::string arch_name;
  int vocab_size = 0, hidden = 0, intermediate = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
  float rms_eps = 1e-6f;
  rope_params rope;
  int max_position = 2048;
  bool tie_embeddings = false;
  bool qkv_bias = false;  // Qwen2: always; Llama/Qwen3: attention_bias
  bool o_bias = false;    // Llama/Qwen3 attention_bias also biases o_proj
  bool mlp_bias = false;  // Llama mlp_bias
  bool qk_norm = false;   // Qwen3
  int sliding_window = 0; // 0 = full attention
};

lathe_status model_config_load(const std::string& model_dir, model_config& out);

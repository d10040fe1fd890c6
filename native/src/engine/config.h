// The engine's run configuration (the JSON file named on the command line), documented in docs/protocol.md.
// Does not read YAML: the TypeScript CLI turns the user's YAML into this JSON.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/json.h"
#include "core/status.h"
#include "model/lora-adapter.h"
#include "train/scheduler.h"

struct engine_config {
  std::string mode = "train";  // "train" | "generate" | "plan"
  std::string model_dir, train_file, eval_file, output_dir, device = "auto", resume_from, adapter_dir;
  int threads = 0;
  lora_config lora;
  double learning_rate = 5e-5;
  double num_train_epochs = 3.0;
  int64_t max_steps = -1;
  int per_device_train_batch_size = 1, per_device_eval_batch_size = 0, gradient_accumulation_steps = 1;
  int cutoff_len = 2048;
  lr_schedule scheduler = LR_SCHEDULE_LINEAR;
  std::string scheduler_name = "linear";
  double warmup_ratio = 0.0;
  int64_t warmup_steps = 0;
  int64_t save_steps = 0, eval_steps = 0, logging_steps = 1;
  uint64_t seed = 42;
  double max_grad_norm = 1.0, weight_decay = 0.0, adam_beta1 = 0.9, adam_beta2 = 0.999, adam_epsilon = 1e-8;
  bool packing = false, shuffle = true;
  // The app sets this: its engine's stdin closing means the app died, so stop with a checkpoint (resumable)
  // instead of training on with nobody recording the run.
  bool stop_on_stdin_eof = false;
  int quantization_bit = 0;  // 4: QLoRA (the decoder's projections NF4 + double quantisation; embedding, lm_head not); 0: none
  // -1 (key absent): decided by the memory plan (off when the run fits without it); 0 / 1 as configured
  int gradient_checkpointing = -1;
  // plan mode: whose storage rules to plan with ("cpu" | "cuda"; empty: the backend `device` resolves to) and an
  // assumed device memory in GiB (0: none, or the device's free memory when planning for the backend in use)
  std::string plan_for;
  double gpu_memory_gb = 0.0;
  double max_vram_gb = 0.0;  // cap on the device memory the run may use (plan + enforced by a GPU backend); 0: none
  // test hooks (documented): stop after this many steps as if "stop" arrived; inject NaN at a step
  int64_t stop_after_steps = -1, debug_nan_at_step = -1;
  // generation
  std::vector<int32_t> prompt_tokens;
  bool has_prompt = false;
  int max_new_tokens = 128;
  bool do_sample = false;
  double temperature = 1.0, top_p = 1.0, repetition_penalty = 1.0;
  int top_k = 0;
  std::vector<int32_t> stop_tokens;
  bool use_cache = true;
  bool use_adapter = true;  // generate: apply adapter_dir's adapter to this request
  int logprobs = -1;       // generate: -1 none, N >= 0 each token's logprob + top N (gen_params)
  int prompt_logits = 0;   // generate: 0 none, N > 0 top N logits after the prompt, -1 all of them
  std::vector<std::string> ignored_keys;
};

lathe_status engine_config_parse(const json_value& j, engine_config& c);
lathe_status engine_config_load(const std::string& path, engine_config& c);
// Generation parameters from a `generate` stdin command override the config's (same key names).
lathe_status engine_config_parse_generation(const json_value& j, engine_config& c);

// The memory plan of a training run, computed before anything is allocated (llm.c's one allocation plan, summed):
// frozen weights as the backend stores them, LoRA + its gradients and AdamW state, the activation plan of
// model_alloc_train, the ops' scratch, and the backend's fixed overhead. Decides gradient checkpointing when the
// config leaves it open, and turns a plan that does not fit into an out_of_memory status naming settings that would.
// Does not allocate or query a device itself: the caller passes the backend's widths and the memory available.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include "core/status.h"
#include "model/lora-adapter.h"
#include "model/model-config.h"

struct memory_settings {  // what the plan varies when it looks for settings that fit
  bool checkpointing = false;
  int batch = 1;        // per_device_train_batch_size
  int eval_batch = 1;   // per_device_eval_batch_size
  int cutoff_len = 2048;
  int quantization_bit = 0;
};

struct memory_env {  // what stays fixed
  model_config mc;
  lora_config lora;                        // r, targets, dropout
  bool untied_lm_head = false;             // a separate lm_head matrix (else the embedding is reused)
  int saved_width = 4;                     // backend::saved_width
  // backend::frozen_width(false / true): every frozen matrix without QLoRA / a decoder projection under QLoRA (the
  // embedding and lm_head keep frozen_width either way)
  double frozen_width = 4.0, frozen_width_nf4 = 4.0;
  uint64_t overhead = 0;                   // backend::overhead_bytes
  // backend::scratch_bytes_for; nf4: quantization_bit 4 (a backend's NF4 dequantisation buffer); null = none
  std::function<uint64_t(int B, int T, int lm_chunk, bool nf4)> scratch;
  std::function<int(int cutoff_len)> row_len;  // longest row of the datasets at that cutoff (the plan's T)
};

struct memory_plan {
  uint64_t weights = 0, adapter = 0, activations = 0, scratch = 0, overhead = 0;
  int B = 0, T = 0;
  uint64_t total() const { return weights + adapter + activations + scratch + overhead; }
};

memory_plan memory_plan_compute(const memory_env& env, const memory_settings& s);
// checkpointing: -1 = decide (off when the plan without it fits `available`, on otherwise), 0 / 1 = as configured.
// Sets s->checkpointing and *plan; when the plan does not fit, returns out_of_memory with the bytes needed and
// available, the settings that fit (each computed with this same plan) in the hint and as JSON in `details`.
// available_what names the limit in the message ("max_vram_gb 24", "free on NVIDIA H200").
lathe_status memory_plan_decide(const memory_env& env, memory_settings* s, int checkpointing, uint64_t available,
                                const std::string& available_what, memory_plan* plan);

// The training loop: data cursor, micro-batches with gradient accumulation, clipping, AdamW, schedule,
// periodic eval and checkpoints, and the protocol events of a run. Written once over the backend interface.
// Does not parse configs (engine/config) or write adapter files itself (model/lora-adapter, train/checkpoint).
#pragma once
#include <cstdint>
#include <string>
#include "backend/backend.h"
#include "data/batch.h"
#include "data/ltok.h"
#include "engine/config.h"
#include "model/model.h"
#include "train/memory-plan.h"
#include "train/optimizer.h"

struct trainer {
  engine_config cfg;
  backend* be = nullptr;
  model m;
  lora_adapter ad;
  ltok_dataset train_ds, eval_ds;
  bool has_eval = false;
  adamw_hparams adam;
  int64_t step = 0;            // optimizer steps done
  int64_t total_steps = 0, warmup = 0, steps_per_epoch = 0;
  uint64_t epoch = 0, micro = 0;  // data cursor: next micro-batch of this epoch
  data_plan plan;
  uint64_t plan_epoch = UINT64_MAX;
  double last_loss = 0.0, last_grad_norm = 0.0, last_lr = 0.0;
  int64_t last_tokens = 0;
  memory_plan mem;                       // the plan the run was started with (trainer_plan_memory)
  uint64_t mem_available = UINT64_MAX;   // min(max_vram_gb, the device's free memory); UINT64_MAX: no limit
  bool checkpointing = false;            // gradient checkpointing as decided by the plan or the config
};

// Loads model, datasets, adapter (fresh, from cfg.adapter_dir, or from cfg.resume_from) and plans memory.
lathe_status trainer_setup(trainer& tr, const engine_config& cfg);
// The memory plan from the model's config, the datasets and tr.cfg (before anything is allocated): decides
// gradient checkpointing, applies max_vram_gb to the backend; out_of_memory (with settings that fit) when over.
lathe_status trainer_plan_memory(trainer& tr);
// One optimizer step (up to gradient_accumulation_steps micro-batches).
lathe_status trainer_step(trainer& tr);
// Token-weighted mean loss over the eval set (no dropout).
lathe_status trainer_eval(trainer& tr, double* loss, int64_t* n_targets);
// Full run with events; returns the final status (stop requests end with OK).
lathe_status trainer_run(trainer& tr);
void trainer_free(trainer& tr);
// Epoch plan for the cursor's epoch (cached).
const data_plan& trainer_plan(trainer& tr, uint64_t epoch);

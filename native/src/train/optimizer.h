// Optimizer step over the LoRA adapter: torch.nn.utils.clip_grad_norm_ then torch.optim.AdamW per tensor.
// Does not hold state of its own: moments live in the adapter, the step count in the trainer.
#pragma once
#include "model/lora-adapter.h"

struct adamw_hparams {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
};

// L2 norm over all LoRA gradients (before clipping).
double lora_grad_norm(lora_adapter& ad);
// Scales grads by min(1, max_norm / (norm + 1e-6)) when max_norm > 0; returns the pre-clip norm.
double lora_clip_grad_norm(lora_adapter& ad, double max_norm);
// AdamW update of every LoRA tensor; t is the 1-based step count.
void lora_adamw_step(lora_adapter& ad, const adamw_hparams& h, double lr, int64_t t);

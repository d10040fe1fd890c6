// Learning-rate schedules as transformers.get_scheduler (LambdaLR multipliers): constant, constant_with_warmup,
// linear, cosine (num_cycles 0.5). Does not implement restarts or polynomial decay.
#pragma once
#include <cstdint>
#include <string>

enum lr_schedule { LR_SCHEDULE_CONSTANT, LR_SCHEDULE_CONSTANT_WITH_WARMUP, LR_SCHEDULE_LINEAR, LR_SCHEDULE_COSINE };

bool lr_schedule_parse(const std::string& name, lr_schedule* out);
// Learning rate of optimizer step `step` (0-based: the first update uses step 0, as LambdaLR does).
double lr_schedule_at(lr_schedule s, double base_lr, int64_t step, int64_t warmup, int64_t total);
// HF: warmup_steps if > 0 else ceil(warmup_ratio * total).
int64_t lr_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total);

// Multipliers copied in meaning (not code) from transformers/optimization.py _get_*_schedule_with_warmup_lr_lambda.
// Note: with warmup the very first update has lr 0, exactly like HF.
#include "train/scheduler.h"
#include <algorithm>
#include <cmath>

bool lr_schedule_parse(const std::string& n, lr_schedule* out) {
  if (n == "constant") *out = LR_SCHEDULE_CONSTANT;
  else if (n == "constant_with_warmup") *out = LR_SCHEDULE_CONSTANT_WITH_WARMUP;
  else if (n == "linear") *out = LR_SCHEDULE_LINEAR;
  else if (n == "cosine") *out = LR_SCHEDULE_COSINE;
  else return false;
  return true;
}

double lr_schedule_at(lr_schedule s, double base_lr, int64_t step, int64_t warmup, int64_t total) {
  double f = 1.0;
  double cur = (double)step;
  switch (s) {
    case LR_SCHEDULE_CONSTANT: f = 1.0; break;
    case LR_SCHEDULE_CONSTANT_WITH_WARMUP:
      f = step < warmup ? cur / (double)std::max<int64_t>(1, warmup) : 1.0;
      break;
    case LR_SCHEDULE_LINEAR:
      if (step < warmup) f = cur / (double)std::max<int64_t>(1, warmup);
      else f = std::max(0.0, (double)(total - step) / (double)std::max<int64_t>(1, total - warmup));
      break;
    case LR_SCHEDULE_COSINE:
      if (step < warmup) f = cur / (double)std::max<int64_t>(1, warmup);
      else {
        double progress = (double)(step - warmup) / (double)std::max<int64_t>(1, total - warmup);
        const double pi = 3.14159265358979323846;
        f = std::max(0.0, 0.5 * (1.0 + std::cos(pi * 0.5 * 2.0 * progress)));
      }
      break;
  }
  return base_lr * f;
}

int64_t lr_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total) {
  if (warmup_steps > 0) return warmup_steps;
  return (int64_t)std::ceil(warmup_ratio * (double)total);
}

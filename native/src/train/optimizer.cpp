// Gradient clipping (torch clip_grad_norm_: total = ||(||g_i||)_i||, coef = max/(total+1e-6) clamped to 1, always
// multiplied) and the AdamW sweep. Does not skip steps on non-finite norms: the trainer reports them as errors.
#include "train/optimizer.h"
#include <cmath>

double lora_grad_norm(lora_adapter& ad) {
  double s = 0.0;
  for (auto& layer : ad.layers)
    for (auto& m : layer)
      if (m.on) {
        s += ad.be->sum_squares(m.dA, (int64_t)ad.cfg.r * m.in);
        s += ad.be->sum_squares(m.dB, (int64_t)m.out * ad.cfg.r);
      }
  return std::sqrt(s);
}

double lora_clip_grad_norm(lora_adapter& ad, double max_norm) {
  double norm = lora_grad_norm(ad);
  if (max_norm <= 0.0 || !std::isfinite(norm)) return norm;
  double coef = max_norm / (norm + 1e-6);
  if (coef > 1.0) coef = 1.0;
  for (auto& layer : ad.layers)
    for (auto& m : layer)
      if (m.on) {
        ad.be->scale_inplace(m.dA, (float)coef, (int64_t)ad.cfg.r * m.in);
        ad.be->scale_inplace(m.dB, (float)coef, (int64_t)m.out * ad.cfg.r);
      }
  return norm;
}

void lora_adamw_step(lora_adapter& ad, const adamw_hparams& h, double lr, int64_t t) {
  for (auto& layer : ad.layers)
    for (auto& m : layer)
      if (m.on) {
        ad.be->adamw_update(m.A, m.dA, m.mA, m.vA, (int64_t)ad.cfg.r * m.in, lr, h.beta1, h.beta2, h.eps, h.weight_decay, t);
        ad.be->adamw_update(m.B, m.dB, m.mB, m.vB, (int64_t)m.out * ad.cfg.r, lr, h.beta1, h.beta2, h.eps, h.weight_decay, t);
      }
}

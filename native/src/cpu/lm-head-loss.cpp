// lm_head + cross-entropy in row chunks (llm.c's fused classifier, Liger-Kernel's fused linear cross-entropy): the
// (N, V) logits never exist at once, so the loss gradient w.r.t. the hidden state is computed here, in the forward.
// Does not compute a weight gradient: lm_head (or the tied embedding) is frozen under LoRA.
#include <cmath>
#include <cstring>
#include "cpu/ops.h"
#include "cpu/parallel.h"

// logits (N, V) -> softmax(logits) - onehot(target) in place, per row (d loss / d logits for dloss = 1, the same
// expression as cross_entropy_backward); rows with target -100 become 0.
static void cross_entropy_grad_inplace(float* logits, const int32_t* targets, int N, int V) {
  cpu_parallel_for(N, (double)N * V * 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      float* x = logits + i * V;
      if (targets[i] < 0) {
        std::memset(x, 0, (size_t)V * 4);
        continue;
      }
      float mx = x[0];
      for (int j = 1; j < V; j++) mx = x[j] > mx ? x[j] : mx;
      double s = 0.0;
      for (int j = 0; j < V; j++) s += std::exp((double)(x[j] - mx));
      float inv = (float)(1.0 / s);
      for (int j = 0; j < V; j++) x[j] = std::exp(x[j] - mx) * inv;
      x[targets[i]] -= 1.0f;
    }
  });
}

void lm_head_loss(float* losses, float* dinp, float* logits, const float* inp, const float* weight, const int32_t* targets,
                  int N, int C, int V, int chunk) {
  // losses (N), dinp (N, C) or null, logits (chunk, V) scratch, inp (N, C), weight (V, C), targets (N)
  if (chunk < 1) chunk = 1;
  for (int r0 = 0; r0 < N; r0 += chunk) {
    int n = N - r0 < chunk ? N - r0 : chunk;
    matmul_forward(logits, inp + (int64_t)r0 * C, weight, nullptr, n, C, V);
    cross_entropy_forward(losses + r0, logits, targets + r0, n, V);
    if (!dinp) continue;
    cross_entropy_grad_inplace(logits, targets + r0, n, V);
    matmul_backward(dinp + (int64_t)r0 * C, nullptr, nullptr, logits, inp + (int64_t)r0 * C, weight, n, C, V);
  }
}

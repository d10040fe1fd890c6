// Cross-entropy over logits rows (F.cross_entropy with ignore_index=-100, reduction left to the caller so that
// the trainer can divide by the number of targets of the whole accumulated step, as HF's num_items_in_batch).
// Does not shift labels: targets[i] is already the label of token i+1.
#include <cmath>
#include "cpu/ops.h"
#include "cpu/parallel.h"

void cross_entropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V) {
  // losses (N), logits (N, V), targets (N)
  cpu_parallel_for(N, (double)N * V * 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      if (targets[i] < 0) { losses[i] = 0.0f; continue; }
      const float* x = logits + i * V;
      float mx = x[0];
      for (int j = 1; j < V; j++) mx = x[j] > mx ? x[j] : mx;
      double s = 0.0;
      for (int j = 0; j < V; j++) s += std::exp((double)(x[j] - mx));
      losses[i] = (float)(std::log(s) + mx - x[targets[i]]);
    }
  });
}

void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V) {
  // dlogits (N, V) += dloss * (softmax(x) - onehot(target)); rows with target -100 get nothing
  cpu_parallel_for(N, (double)N * V * 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      if (targets[i] < 0) continue;
      const float* x = logits + i * V;
      float* dx = dlogits + i * V;
      float mx = x[0];
      for (int j = 1; j < V; j++) mx = x[j] > mx ? x[j] : mx;
      double s = 0.0;
      for (int j = 0; j < V; j++) s += std::exp((double)(x[j] - mx));
      float inv = (float)(1.0 / s);
      for (int j = 0; j < V; j++) dx[j] += dloss * std::exp(x[j] - mx) * inv;
      dx[targets[i]] -= dloss;
    }
  });
}

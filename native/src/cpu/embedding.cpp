// embedding op: rows of the token table. Does not bounds-check tokens (the trainer validated them against vocab).
#include <cstring>
#include "cpu/ops.h"

void embedding_forward(float* out, const int32_t* tokens, const float* wte, int N, int C) {
  // out (N, C), tokens (N), wte (V, C)
  for (int i = 0; i < N; i++) std::memcpy(out + (int64_t)i * C, wte + (int64_t)tokens[i] * C, sizeof(float) * C);
}

void embedding_backward(float* dwte, const float* dout, const int32_t* tokens, int N, int C) {
  // dwte (V, C) +=
  for (int i = 0; i < N; i++) {
    float* d = dwte + (int64_t)tokens[i] * C;
    const float* g = dout + (int64_t)i * C;
    for (int c = 0; c < C; c++) d[c] += g[c];
  }
}

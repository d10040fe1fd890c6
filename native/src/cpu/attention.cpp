// Scaled dot-product attention as torch SDPA with is_causal semantics per segment (block-diagonal causal mask
// for packed records), GQA via repeat_kv (query head h uses kv head h / (H / KVH)), scale 1/sqrt(hd).
// Saves only the per-row log-sum-exp (B,H,T) and recomputes probabilities in backward (FlashAttention's
// memory scheme, plain loops): no (T, T) buffer. Does not tile for cache; the CPU backend is the reference.
#include <cmath>
#include <limits>
#include <vector>
#include "cpu/ops.h"
#include "cpu/parallel.h"

static inline bool allowed(const int32_t* seg, int qi, int kj, int window) {
  if (kj > qi || seg[kj] != seg[qi]) return false;
  return window <= 0 || qi - kj < window;
}

void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                       int B, int T, int H, int KVH, int hd, int window) {
  // out (B,T,H,hd), lse (B,H,T) = log-sum-exp of each row's scaled scores, q (B,T,H,hd), k/v (B,T,KVH,hd), seg (B,T)
  const float scale = 1.0f / std::sqrt((float)hd);
  const int rep = H / KVH;
  cpu_parallel_for((int64_t)B * H, (double)B * H * T * T * hd * 2, [&](int64_t bh0, int64_t bh1) {
    std::vector<float> a((size_t)T);
    for (int64_t bh = bh0; bh < bh1; bh++) {
      int b = (int)(bh / H), h = (int)(bh % H), kh = h / rep;
      const int32_t* sg = seg + (int64_t)b * T;
      for (int i = 0; i < T; i++) {
        const float* qi = q + (((int64_t)b * T + i) * H + h) * hd;
        float mx = -std::numeric_limits<float>::infinity();
        for (int j = 0; j <= i; j++) {
          if (!allowed(sg, i, j, window)) continue;
          const float* kj = k + (((int64_t)b * T + j) * KVH + kh) * hd;
          float s = 0.0f;
          for (int d = 0; d < hd; d++) s += qi[d] * kj[d];
          a[(size_t)j] = s * scale;
          if (a[(size_t)j] > mx) mx = a[(size_t)j];
        }
        float sum = 0.0f;
        for (int j = 0; j <= i; j++) {
          a[(size_t)j] = allowed(sg, i, j, window) ? std::exp(a[(size_t)j] - mx) : 0.0f;
          sum += a[(size_t)j];
        }
        lse[((int64_t)b * H + h) * T + i] = mx + std::log(sum);
        float inv = 1.0f / sum;
        float* o = out + (((int64_t)b * T + i) * H + h) * hd;
        for (int d = 0; d < hd; d++) o[d] = 0.0f;
        for (int j = 0; j <= i; j++) {
          if (a[(size_t)j] == 0.0f) continue;
          float p = a[(size_t)j] * inv;
          const float* vj = v + (((int64_t)b * T + j) * KVH + kh) * hd;
          for (int d = 0; d < hd; d++) o[d] += p * vj[d];
        }
      }
    }
  });
}

void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                        const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                        int hd, int window) {
  // dq (B,T,H,hd) +=, dk/dv (B,T,KVH,hd) +=. Probabilities are recomputed from lse (no (T,T) buffer):
  // P_ij = exp(s_ij - lse_i); dS_ij = P_ij (dout_i . v_j - dout_i . out_i). Parallel over (b, kv head) so that
  // dk/dv rows have one writer.
  const float scale = 1.0f / std::sqrt((float)hd);
  const int rep = H / KVH;
  cpu_parallel_for((int64_t)B * KVH, (double)B * H * T * T * hd * 6, [&](int64_t bk0, int64_t bk1) {
    for (int64_t bk = bk0; bk < bk1; bk++) {
      int b = (int)(bk / KVH), kh = (int)(bk % KVH);
      const int32_t* sg = seg + (int64_t)b * T;
      for (int h = kh * rep; h < (kh + 1) * rep; h++) {
        for (int i = 0; i < T; i++) {
          const float* go = dout + (((int64_t)b * T + i) * H + h) * hd;
          const float* oi = out + (((int64_t)b * T + i) * H + h) * hd;
          const float* qi = q + (((int64_t)b * T + i) * H + h) * hd;
          float* dqi = dq + (((int64_t)b * T + i) * H + h) * hd;
          float L = lse[((int64_t)b * H + h) * T + i];
          float D = 0.0f;
          for (int d = 0; d < hd; d++) D += go[d] * oi[d];
          for (int j = 0; j <= i; j++) {
            if (!allowed(sg, i, j, window)) continue;
            const float* kj = k + (((int64_t)b * T + j) * KVH + kh) * hd;
            const float* vj = v + (((int64_t)b * T + j) * KVH + kh) * hd;
            float s = 0.0f, dp = 0.0f;
            for (int d = 0; d < hd; d++) { s += qi[d] * kj[d]; dp += go[d] * vj[d]; }
            float p = std::exp(s * scale - L);
            float ds = p * (dp - D) * scale;
            float* dkj = dk + (((int64_t)b * T + j) * KVH + kh) * hd;
            float* dvj = dv + (((int64_t)b * T + j) * KVH + kh) * hd;
            for (int d = 0; d < hd; d++) {
              dvj[d] += p * go[d];
              dqi[d] += ds * kj[d];
              dkj[d] += ds * qi[d];
            }
          }
        }
      }
    }
  });
}

void attention_decode_forward(float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH, int hd,
                              int window, int q_pos) {
  // out (H,hd), q (H,hd) for the token at cache index q_pos; kc/vc (L,KVH,hd), keys 0..q_pos visible
  const float scale = 1.0f / std::sqrt((float)hd);
  const int rep = H / KVH;
  std::vector<float> a((size_t)L);
  for (int h = 0; h < H; h++) {
    int kh = h / rep;
    const float* qh = q + (int64_t)h * hd;
    float mx = -std::numeric_limits<float>::infinity();
    int j0 = window > 0 && q_pos - window + 1 > 0 ? q_pos - window + 1 : 0;
    for (int j = j0; j <= q_pos; j++) {
      const float* kj = kc + ((int64_t)j * KVH + kh) * hd;
      float s = 0.0f;
      for (int d = 0; d < hd; d++) s += qh[d] * kj[d];
      a[j] = s * scale;
      if (a[j] > mx) mx = a[j];
    }
    float sum = 0.0f;
    for (int j = j0; j <= q_pos; j++) { a[j] = std::exp(a[j] - mx); sum += a[j]; }
    float inv = 1.0f / sum;  // same arithmetic as attention_forward, so cached and uncached decoding agree bitwise
    float* o = out + (int64_t)h * hd;
    for (int d = 0; d < hd; d++) o[d] = 0.0f;
    for (int j = j0; j <= q_pos; j++) {
      float p = a[j] * inv;
      const float* vj = vc + ((int64_t)j * KVH + kh) * hd;
      for (int d = 0; d < hd; d++) o[d] += p * vj[d];
    }
  }
}

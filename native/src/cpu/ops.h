// CPU reference ops: each an <op>_forward / <op>_backward pair (outputs, inputs, weights, sizes), fp32.
// Backward functions ACCUMULATE (+=) into every d* output; callers zero them. Shapes are in the comments.
// Does not allocate in hot paths beyond small per-row scratch; see one file per op in this folder.
#pragma once
#include <cstdint>

// matmul.cpp — nn.Linear
void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC);
// out (N,OC), inp (N,C), weight (OC,C), bias (OC)|null
void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                     int N, int C, int OC);

// embedding.cpp — nn.Embedding
void embedding_forward(float* out, const int32_t* tokens, const float* wte, int N, int C);  // out (N,C), wte (V,C)
void embedding_backward(float* dwte, const float* dout, const int32_t* tokens, int N, int C);

// rmsnorm.cpp — LlamaRMSNorm: y = w * x / sqrt(mean(x^2) + eps)
void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C);
// out (N,C), rstd (N), inp (N,C), weight (C)
void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                      const float* rstd, int N, int C);

// rope.cpp — rotate_half rotary embedding on (N, H, hd) with per-token positions and a (P, hd/2) cos/sin table
void rope_forward(float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd);
void rope_backward(float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos, int N, int H, int hd);
// Builds the inverse frequencies (hd/2) incl. llama3 scaling; see rope.cpp.
struct rope_params {
  float theta = 10000.0f;
  bool llama3 = false;
  bool linear = false;  // rope_type "linear": positions interpolated, inv_freq / factor
  float factor = 1.0f, low_freq_factor = 1.0f, high_freq_factor = 4.0f;
  float original_max_position = 8192.0f;
  float attention_scaling = 1.0f;
};
void rope_table(float* cos_t, float* sin_t, const rope_params& p, int max_pos, int hd);  // (max_pos, hd/2) each

// attention.cpp — SDPA, causal within a segment (packed records never see each other), GQA, optional window
void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                       int B, int T, int H, int KVH, int hd, int window);
// out (B,T,H,hd), lse (B,H,T) log-sum-exp of scaled scores, q (B,T,H,hd), k/v (B,T,KVH,hd), seg (B,T)
void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                        const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H, int KVH,
                        int hd, int window);
// One query row per (token, head) against a KV cache of length L (generation). q (H,hd), kc/vc (L,KVH,hd), out (H,hd)
void attention_decode_forward(float* out, const float* q, const float* kc, const float* vc, int L, int H, int KVH, int hd,
                              int window, int q_pos);

// swiglu.cpp — silu(gate) * up
void swiglu_forward(float* out, const float* gate, const float* up, int64_t n);
void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n);

// cross-entropy.cpp — per-row CE against integer targets; target -100 gives 0 loss and 0 gradient
void cross_entropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V);  // losses (N)
// dlogits (N,V) += dloss * (softmax - onehot)
void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V);

// lm-head-loss.cpp — lm_head + cross-entropy over row chunks of `chunk` rows: the (N, V) logits never exist at once,
// so the gradient is taken here: dinp (N,C) += d(sum of losses)/d(inp) (dloss = 1; the caller scales), or null for
// the loss alone. losses (N), logits (chunk, V) scratch: afterwards it holds the last chunk's logits (dinp null) or
// their gradient; inp (N,C), weight (V,C) frozen (no dweight), targets (N) with -100 ignored.
void lm_head_loss(float* losses, float* dinp, float* logits, const float* inp, const float* weight, const int32_t* targets,
                  int N, int C, int V, int chunk);

// lora.cpp — PEFT LoRA branch: out += scaling * (x · A^T) · B^T
void lora_forward(float* out, float* xa, const float* x, const float* A, const float* B, float scaling, int N, int C, int OC, int r);
// out (N,OC), xa (N,r) saved for backward, x (N,C) (already dropped out), A (r,C), B (OC,r)
void lora_backward(float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* x, const float* xa,
                   const float* A, const float* B, float scaling, int N, int C, int OC, int r);
// dxa (N,r) is scratch (overwritten)

// elementwise.cpp — residual add, dropout (counter RNG mask: regenerated in backward), reductions
void residual_forward(float* out, const float* a, const float* b, int64_t n);
void residual_backward(float* da, float* db, const float* dout, int64_t n);
void dropout_forward(float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n);
void dropout_backward(float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n);
double sum_squares(const float* x, int64_t n);
void scale_inplace(float* x, float s, int64_t n);

// adamw.cpp — torch.optim.AdamW (decoupled weight decay, bias correction), one tensor
void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                  double eps, double weight_decay, int64_t t);

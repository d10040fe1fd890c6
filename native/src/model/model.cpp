// Training forward/backward of the decoder over the op layer (see model.h). Per layer, as transformers'
// LlamaDecoderLayer: h = x + o_proj(attn(rope(norm_qk(q,k)), v)); out = h + down(silu(gate(n)) * up(n)).
// LoRA adds scaling * B(A(dropout(x))) to every targeted projection. Does not allocate inside forward/backward.
#include "model/model.h"
#include <algorithm>
#include <vector>

namespace {

// One allocation plan, summed for the MiB report. With be == nullptr it only counts (model_activation_bytes: the
// memory plan made before anything is allocated), saved activations at saved_width bytes per element.
struct planner {
  backend* be;
  int saved_width = 4;
  uint64_t bytes = 0;
  bool failed = false;
  float* f(int64_t n) {
    bytes += (uint64_t)n * 4;
    if (!be) return nullptr;
    float* p = be->alloc_f32(n);
    if (!p) failed = true;
    return p;
  }
  float* s(int64_t n) {  // a saved activation: the backend picks the width, so count what it took
    if (!be) {
      bytes += (uint64_t)n * (uint64_t)saved_width;
      return nullptr;
    }
    uint64_t before = be->bytes_in_use();
    float* p = be->alloc_saved(n);
    if (!p) failed = true;
    bytes += be->bytes_in_use() - before;
    return p;
  }
  int32_t* i(int64_t n) {
    bytes += (uint64_t)n * 4;
    if (!be) return nullptr;
    int32_t* p = be->alloc_i32(n);
    if (!p) failed = true;
    return p;
  }
};

// Rows per lm_head + cross-entropy chunk: the fp32 logits chunk stays <= 512 MiB (Qwen's 151,936-token vocabulary:
// 832 rows, where the whole batch-8 x 2048 logits and their gradient were 2 x 9.3 GiB), a multiple of 64 rows when
// that large so the GEMMs tile evenly.
int64_t logits_chunk_rows(int64_t N, int64_t V, int requested) {
  int64_t rows = requested > 0 ? requested : (512ll << 20) / (4 * std::max<int64_t>(V, 1));
  if (requested <= 0 && rows >= 128) rows = rows / 64 * 64;
  return std::max<int64_t>(1, std::min(rows, N));
}

// The whole activation plan of model_alloc_train, into m's pointers (all null when P only counts).
void plan_activations(model& m, planner& P, int max_B, int max_T, int lora_r, float lora_dropout, bool checkpointing) {
  const model_config& c = m.cfg;
  int64_t N = (int64_t)max_B * max_T, C = c.hidden, I = c.intermediate, V = c.vocab_size;
  int64_t Q = (int64_t)c.n_heads * c.head_dim, KV = (int64_t)c.n_kv_heads * c.head_dim;
  int64_t r = std::max(lora_r, 1);
  m.max_B = max_B;
  m.max_T = max_T;
  m.lora_r = lora_r;
  m.lora_dropout = lora_dropout;
  m.checkpointing = checkpointing;
  // Gradient checkpointing (per layer, as transformers' gradient_checkpointing_enable): the forward keeps only each
  // layer's input (ckpt_res, alloc_saved) and one activation set serves every layer; the backward recomputes a
  // layer's forward into that set right before the layer's backward (model_backward).
  m.acts.resize(checkpointing ? 1 : (size_t)c.n_layers);
  m.ckpt_res.assign(checkpointing ? (size_t)c.n_layers : 0, nullptr);
  for (auto& p : m.ckpt_res) p = P.s(N * C);
  // Kept per layer: only what the backward reads and cannot cheaply recompute. Not kept (about a third of the
  // activations): the RMSNorm outputs ln1/ln2 and the SwiGLU output act, recomputed in the backward by the same
  // kernels on the same inputs (bitwise the forward's values), and rope's inputs qlin/klin (rope_backward needs no
  // input; kept only as the q/k-norm input of Qwen3) and the q/k-norm outputs. Their forward values live in the
  // shared buffers below (norm_out) or in backward scratch that is free during the forward (dq, dk, dq2, dk2, dgate).
  // The residual stream (res, mid), the attention operands (qr, kr, v, ao) and the MLP's gate and up are kept through
  // backend::alloc_saved (bf16 on CUDA in the default mode); the forward runs on fp32 and the backward reads them
  // back into the fp32 buffers res32, mid32, q32, k32, v32, ao32, gate32, up32 (q, k, v not where the backend's
  // attention reads the saved copies itself: backend::attention_reads_saved).
  for (auto& a : m.acts) {
    a = model_layer_acts{};
    a.res = checkpointing ? nullptr : P.s(N * C);  // checkpointing: ckpt_res[l] instead (layer_acts)
    a.rstd1 = P.f(N);
    a.qr = P.s(N * Q); a.kr = P.s(N * KV); a.v = P.s(N * KV);
    if (c.qk_norm) {
      a.qlin = P.f(N * Q); a.klin = P.f(N * KV);
      a.qrstd = P.f(N * c.n_heads); a.krstd = P.f(N * c.n_kv_heads);
    }
    a.lse = P.f((int64_t)max_B * c.n_heads * max_T); a.ao = P.s(N * Q);
    a.mid = P.s(N * C); a.rstd2 = P.f(N);
    a.gate = P.s(N * I); a.up = P.s(N * I);
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      int in, out;
      lora_target_dims(c, t, &in, &out);
      a.xa[t] = P.f(N * r);
      a.xd[t] = lora_dropout > 0.0f ? P.f(N * in) : nullptr;
    }
  }
  int64_t widest = std::max({C, Q, I});
  m.logits_rows = (int)logits_chunk_rows(N, V, m.logits_chunk_rows);
  m.res_final = P.f(N * C); m.lnf = P.f(N * C); m.rstdf = P.f(N); m.logits = P.f(m.logits_rows * V); m.losses = P.f(N);
  m.tmp = P.f(N * C); m.norm_out = P.f(N * C); m.gate32 = P.f(N * I); m.up32 = P.f(N * I);
  m.res32 = P.f(N * C); m.mid32 = P.f(N * C);
  m.q32 = P.f(N * Q); m.k32 = P.f(N * KV); m.v32 = P.f(N * KV); m.ao32 = P.f(N * Q);
  m.tokens = P.i(N); m.positions = P.i(N); m.segments = P.i(N); m.targets = P.i(N);
  m.dres = P.f(N * C); m.dmid = P.f(N * C); m.dln = P.f(N * C);
  m.dq = P.f(N * Q); m.dq2 = P.f(N * Q); m.dk = P.f(N * KV); m.dk2 = P.f(N * KV); m.dv = P.f(N * KV);
  m.dao = P.f(N * Q); m.dgate = P.f(N * I); m.dup = P.f(N * I); m.dact = P.f(N * I);
  m.dxa = P.f(N * r); m.dxd = lora_dropout > 0.0f ? P.f(N * widest) : nullptr;  // dropout's LoRA input gradient only
  m.act_bytes = P.bytes;
}

}  // namespace

int64_t model_logits_chunk_rows(int64_t N, int64_t V) { return logits_chunk_rows(N, V, 0); }

uint64_t model_activation_bytes(const model_config& c, int max_B, int max_T, int lora_r, float lora_dropout, bool checkpointing,
                                int saved_width) {
  model dry;
  dry.cfg = c;
  planner P{nullptr, saved_width};
  plan_activations(dry, P, max_B, max_T, lora_r, lora_dropout, checkpointing);
  return P.bytes;
}

lathe_status model_alloc_train(model& m, int max_B, int max_T, int lora_r, float lora_dropout, bool checkpointing) {
  planner P{m.be};
  plan_activations(m, P, max_B, max_T, lora_r, lora_dropout, checkpointing);
  int64_t N = (int64_t)max_B * max_T;
  m.host_targets.assign((size_t)N, -100);
  m.host_losses.assign((size_t)N, 0.0f);
  if (P.failed)
    return LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, "out of memory allocating activations for batch " + std::to_string(max_B) + " x " + std::to_string(max_T),
                     "lower per_device_train_batch_size or cutoff_len");
  m.has_plan = true;
  return model_ensure_rope(m, std::max(max_T, 1));
}

void model_free(model& m) {
  if (!m.be) return;
  backend* be = m.be;
  std::vector<void*> ps = {m.wte, m.norm_f, m.rope_cos, m.rope_sin, m.res_final, m.lnf, m.rstdf, m.logits, m.losses, m.tmp,
                           m.norm_out, m.gate32, m.up32, m.res32, m.mid32, m.q32, m.k32, m.v32, m.ao32,
                           m.tokens, m.positions, m.segments, m.targets, m.dres, m.dmid, m.dln, m.dq, m.dq2,
                           m.dk, m.dk2, m.dv, m.dao, m.dgate, m.dup, m.dact, m.dxa, m.dxd};
  if (!m.tied) ps.push_back(m.lm_head);
  for (auto& L : m.layers) {
    for (void* p : {(void*)L.ln1, (void*)L.ln2, (void*)L.q_norm, (void*)L.k_norm}) ps.push_back(p);
    for (int t = 0; t < LORA_TARGET_COUNT; t++) { ps.push_back(L.w[t]); ps.push_back(L.b[t]); }
  }
  for (auto& a : m.acts) {
    for (void* p : {(void*)a.res, (void*)a.rstd1, (void*)a.qlin, (void*)a.qrstd, (void*)a.qr, (void*)a.klin, (void*)a.krstd,
                    (void*)a.kr, (void*)a.v, (void*)a.lse, (void*)a.ao, (void*)a.mid, (void*)a.rstd2, (void*)a.gate, (void*)a.up})
      ps.push_back(p);
    for (int t = 0; t < LORA_TARGET_COUNT; t++) { ps.push_back(a.xa[t]); ps.push_back(a.xd[t]); }
  }
  for (float* p : m.ckpt_res) ps.push_back(p);
  for (void* p : ps) be->free_buf(p);
  m = model{};
}

// y (N, out) = x W^T + b + LoRA(x); the LoRA input is dropped out per module when training.
static void linear_lora_forward(model& m, lora_adapter* ad, int l, const model_layer_acts& a, int t, float* y, const float* x, int N,
                                bool train) {
  model_layer& L = m.layers[(size_t)l];
  int in, out;
  lora_target_dims(m.cfg, t, &in, &out);
  m.be->matmul_forward(y, x, L.w[t], L.b[t], N, in, out);
  if (!ad || !ad->layers[(size_t)l][(size_t)t].on) return;
  const lora_module& lm = ad->layers[(size_t)l][(size_t)t];
  const float* xin = x;
  if (train && m.lora_dropout > 0.0f) {
    m.be->dropout_forward(a.xd[t], x, m.lora_dropout, m.dropout_seed, (uint64_t)l * 16 + (uint64_t)t, (int64_t)N * in);
    xin = a.xd[t];
  }
  m.be->lora_forward(y, a.xa[t], xin, lm.A, lm.B, ad->cfg.scaling(), N, in, out, ad->cfg.r);
}

// dx (N, in) += d/dx of linear_lora_forward given dy (N, out); LoRA grads accumulate into the adapter.
static void linear_lora_backward(model& m, lora_adapter& ad, int l, const model_layer_acts& a, int t, float* dx, const float* dy,
                                 const float* x, int N) {
  model_layer& L = m.layers[(size_t)l];
  int in, out;
  lora_target_dims(m.cfg, t, &in, &out);
  m.be->matmul_backward(dx, nullptr, nullptr, dy, x, L.w[t], N, in, out);
  const lora_module& lm = ad.layers[(size_t)l][(size_t)t];
  if (!lm.on) return;
  bool dropped = m.last_train && m.lora_dropout > 0.0f;
  const float* xin = dropped ? a.xd[t] : x;
  if (!dropped) {
    m.be->lora_backward(dx, lm.dA, lm.dB, m.dxa, dy, xin, a.xa[t], lm.A, lm.B, ad.cfg.scaling(), N, in, out, ad.cfg.r);
    return;
  }
  m.be->zero_f32(m.dxd, (int64_t)N * in);
  m.be->lora_backward(m.dxd, lm.dA, lm.dB, m.dxa, dy, xin, a.xa[t], lm.A, lm.B, ad.cfg.scaling(), N, in, out, ad.cfg.r);
  m.be->dropout_backward(dx, m.dxd, m.lora_dropout, m.dropout_seed, (uint64_t)l * 16 + (uint64_t)t, (int64_t)N * in);
}

// Whether linear_lora_backward reads x (the module's input) itself: LoRA on and not dropped out (dropout keeps its
// own copy xd). The frozen base product needs no x (no weight gradient).
static bool lora_reads_input(const model& m, const lora_adapter& ad, int l, int t) {
  return ad.layers[(size_t)l][(size_t)t].on && !(m.last_train && m.lora_dropout > 0.0f);
}

// saved <- x, then x <- saved: x continues as exactly the value the backward will read back (a no-op on fp32 storage).
static void keep_rounded(backend* be, float* saved, float* x, int64_t n) {
  be->store_saved(saved, x, n);
  be->load_saved(x, saved, n);
}

// Layer l's activation set: its own, or with checkpointing the one shared set with l's kept input.
static model_layer_acts layer_acts(const model& m, int l) {
  if (!m.checkpointing) return m.acts[(size_t)l];
  model_layer_acts a = m.acts[0];
  a.res = m.ckpt_res[(size_t)l];
  return a;
}

// One decoder layer from its input in m.res32 to out (m.res32 may be out: it is dead once mid32 is computed). Writes
// the layer's activation set a; keep: also store what only a backward reads (mid, gate, up). Runs the same ops in the
// same order whether it is the forward or a checkpointing recomputation, and LoRA dropout regenerates its masks from
// (m.dropout_seed, layer, target), so a recomputation reproduces the forward's values bitwise.
static void layer_forward(model& m, lora_adapter* ad, int l, const model_layer_acts& a, float* out, bool train, bool keep) {
  const model_config& c = m.cfg;
  model_layer& L = m.layers[(size_t)l];
  backend* be = m.be;
  int N = m.cur_B * m.cur_T, C = c.hidden, H = c.n_heads, KVH = c.n_kv_heads, hd = c.head_dim;
  int Q = H * hd, KV = KVH * hd, I = c.intermediate;
  // Not kept (model_alloc_train): ln1/ln2 in norm_out, act in dgate, rope's inputs in dq/dk (dq2/dk2 after q/k
  // norm); the backward scratch is free during the forward and before a layer's backward starts.
  float* ln = m.norm_out;
  float* qlin = c.qk_norm ? a.qlin : m.dq;
  float* klin = c.qk_norm ? a.klin : m.dk;
  float* act = m.dgate;
  be->rmsnorm_forward(ln, a.rstd1, m.res32, L.ln1, c.rms_eps, N, C);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_Q, qlin, ln, N, train);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_K, klin, ln, N, train);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_V, m.v32, ln, N, train);
  const float* qpre = qlin;
  const float* kpre = klin;
  if (c.qk_norm) {  // Qwen3: RMSNorm over head_dim of every head, before rope
    be->rmsnorm_forward(m.dq2, a.qrstd, qlin, L.q_norm, c.rms_eps, N * H, hd);
    be->rmsnorm_forward(m.dk2, a.krstd, klin, L.k_norm, c.rms_eps, N * KVH, hd);
    qpre = m.dq2;
    kpre = m.dk2;
  }
  be->rope_forward(m.q32, qpre, m.rope_cos, m.rope_sin, m.positions, N, H, hd);
  be->rope_forward(m.k32, kpre, m.rope_cos, m.rope_sin, m.positions, N, KVH, hd);
  // Attention runs on its operands as saved (bf16-rounded in CUDA's default mode, as in peft's bf16 model), so the
  // backward reads back exactly what the forward used and its recomputed scores match the saved log-sum-exp. A
  // backend whose attention reads the saved copies itself (CUDA's fused kernels) gets them without the fp32 round trip.
  if (be->attention_reads_saved(H, KVH, hd, c.sliding_window)) {
    be->store_saved(a.qr, m.q32, (int64_t)N * Q);
    be->store_saved(a.kr, m.k32, (int64_t)N * KV);
    be->store_saved(a.v, m.v32, (int64_t)N * KV);
    be->attention_forward_saved(m.ao32, a.lse, a.qr, a.kr, a.v, m.segments, m.cur_B, m.cur_T, H, KVH, hd, c.sliding_window);
  } else {
    keep_rounded(be, a.qr, m.q32, (int64_t)N * Q);
    keep_rounded(be, a.kr, m.k32, (int64_t)N * KV);
    keep_rounded(be, a.v, m.v32, (int64_t)N * KV);
    be->attention_forward(m.ao32, a.lse, m.q32, m.k32, m.v32, m.segments, m.cur_B, m.cur_T, H, KVH, hd, c.sliding_window);
  }
  keep_rounded(be, a.ao, m.ao32, (int64_t)N * Q);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_O, m.tmp, m.ao32, N, train);
  be->residual_forward(m.mid32, m.res32, m.tmp, (int64_t)N * C);
  if (keep) be->store_saved(a.mid, m.mid32, (int64_t)N * C);
  be->rmsnorm_forward(ln, a.rstd2, m.mid32, L.ln2, c.rms_eps, N, C);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_GATE, m.gate32, ln, N, train);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_UP, m.up32, ln, N, train);
  if (keep) {  // only a backward reads them
    be->store_saved(a.gate, m.gate32, (int64_t)N * I);
    be->store_saved(a.up, m.up32, (int64_t)N * I);
  }
  be->swiglu_forward(act, m.gate32, m.up32, (int64_t)N * I);
  linear_lora_forward(m, ad, l, a, LORA_TARGET_DOWN, m.tmp, act, N, train);
  be->residual_forward(out, m.mid32, m.tmp, (int64_t)N * C);
}

lathe_status model_forward(model& m, lora_adapter* ad, const micro_batch& mb, bool train, uint64_t dropout_seed, double* loss_sum) {
  const model_config& c = m.cfg;
  if (!m.has_plan) return LATHE_ERR(LATHE_STATUS_INTERNAL, "model_forward without an activation plan", "");
  if (mb.B > m.max_B || mb.T > m.max_T)
    return LATHE_ERR(LATHE_STATUS_INTERNAL, "micro-batch larger than the activation plan", "");
  if (ad && ad->cfg.r != m.lora_r) return LATHE_ERR(LATHE_STATUS_INTERNAL, "adapter rank differs from the activation plan", "");
  int B = mb.B, T = mb.T, N = B * T, C = c.hidden, V = c.vocab_size;
  for (int32_t tok : mb.tokens)
    if (tok < 0 || tok >= V)
      return LATHE_ERR(LATHE_STATUS_DATA, "token id " + std::to_string(tok) + " is outside the model vocabulary (" + std::to_string(V) + ")",
                       "the dataset was tokenized for a different model; re-tokenize it for this one");
  m.cur_B = B;
  m.cur_T = T;
  m.dropout_seed = dropout_seed;
  m.last_train = train;
  // HF ForCausalLMLoss: logits at t predict labels[t + 1]; the last position of a row predicts nothing.
  std::vector<int32_t>& tgt = m.host_targets;
  for (int b = 0; b < B; b++) {
    for (int t = 0; t + 1 < T; t++) tgt[(size_t)b * T + t] = mb.labels[(size_t)b * T + t + 1];
    tgt[(size_t)b * T + T - 1] = -100;
  }
  m.be->upload_i32(m.tokens, mb.tokens.data(), N);
  m.be->upload_i32(m.positions, mb.positions.data(), N);
  m.be->upload_i32(m.segments, mb.segments.data(), N);
  m.be->upload_i32(m.targets, tgt.data(), N);
  backend* be = m.be;

  // The residual stream runs in fp32 through res32 (a layer's input, then its output) and mid32; a training forward
  // keeps a copy of each per layer (a.res, a.mid: alloc_saved) for the backward. With checkpointing it keeps only the
  // layer's input, and the layer goes on from the kept value (bf16-rounded on CUDA) so that the backward's
  // recomputation from it reproduces this forward exactly; the last layer keeps its whole set (the backward starts
  // there, so it is not recomputed).
  be->embedding_forward(m.res32, m.tokens, m.wte, N, C);
  for (int l = 0; l < c.n_layers; l++) {
    model_layer_acts a = layer_acts(m, l);
    float* out = l + 1 < c.n_layers ? m.res32 : m.res_final;
    bool last = l + 1 == c.n_layers;
    if (train && m.checkpointing) keep_rounded(be, a.res, m.res32, (int64_t)N * C);
    else if (train) be->store_saved(a.res, m.res32, (int64_t)N * C);
    layer_forward(m, ad, l, a, out, train, train && (!m.checkpointing || last));
  }
  be->rmsnorm_forward(m.lnf, m.rstdf, m.res_final, m.norm_f, c.rms_eps, N, C);
  // lm_head + loss in row chunks; a training forward also takes d(sum of losses)/d(lnf) into dln here, since the
  // logits are not kept for the backward (the loss is linear in dloss, so model_backward only scales it).
  float* dlnf = nullptr;
  if (train) {
    be->zero_f32(m.dln, (int64_t)N * C);
    dlnf = m.dln;
  }
  be->lm_head_loss(m.losses, dlnf, m.logits, m.lnf, m.lm_head, m.targets, N, C, V, m.logits_rows);
  m.logits_row0 = (N - 1) / m.logits_rows * m.logits_rows;
  be->download_f32(m.host_losses.data(), m.losses, N);
  double s = 0.0;
  for (int i = 0; i < N; i++) s += m.host_losses[(size_t)i];
  *loss_sum = s;
  return LATHE_OK();
}

lathe_status model_backward(model& m, lora_adapter& ad, float dloss) {
  const model_config& c = m.cfg;
  int B = m.cur_B, T = m.cur_T, N = B * T, C = c.hidden, H = c.n_heads, KVH = c.n_kv_heads, hd = c.head_dim;
  int Q = H * hd, KV = KVH * hd, I = c.intermediate;
  backend* be = m.be;
  if (!m.last_train) return LATHE_ERR(LATHE_STATUS_INTERNAL, "model_backward without a training forward", "");
  be->scale_inplace(m.dln, dloss, (int64_t)N * C);  // d(lnf) of the last forward, for d(loss)/d(token loss) = 1
  be->zero_f32(m.dres, (int64_t)N * C);
  be->rmsnorm_backward(m.dres, nullptr, m.dln, m.res_final, m.norm_f, m.rstdf, N, C);
  for (int l = c.n_layers - 1; l >= 0; l--) {
    model_layer& L = m.layers[(size_t)l];
    model_layer_acts a = layer_acts(m, l);
    if (m.checkpointing && l + 1 < c.n_layers) {  // recompute the layer's forward into the shared set (dres is untouched)
      be->load_saved(m.res32, a.res, (int64_t)N * C);
      layer_forward(m, &ad, l, a, m.res32, true, true);
    }
    // MLP: res_out = mid + down(swiglu(gate(ln2), up(ln2))). The forward's act and ln2 were not kept: recomputed
    // (same kernels, same inputs, so the same values; with bf16-saved gate/up, from their bf16 values) where a LoRA
    // backward reads its input; act goes to dgate, which is free until swiglu_backward.
    be->load_saved(m.mid32, a.mid, (int64_t)N * C);
    be->load_saved(m.gate32, a.gate, (int64_t)N * I);
    be->load_saved(m.up32, a.up, (int64_t)N * I);
    be->zero_f32(m.dact, (int64_t)N * I);
    if (lora_reads_input(m, ad, l, LORA_TARGET_DOWN)) be->swiglu_forward(m.dgate, m.gate32, m.up32, (int64_t)N * I);
    linear_lora_backward(m, ad, l, a, LORA_TARGET_DOWN, m.dact, m.dres, m.dgate, N);
    be->zero_f32(m.dgate, (int64_t)N * I);
    be->zero_f32(m.dup, (int64_t)N * I);
    be->swiglu_backward(m.dgate, m.dup, m.dact, m.gate32, m.up32, (int64_t)N * I);
    be->zero_f32(m.dln, (int64_t)N * C);
    if (lora_reads_input(m, ad, l, LORA_TARGET_GATE) || lora_reads_input(m, ad, l, LORA_TARGET_UP))
      be->rmsnorm_forward(m.norm_out, a.rstd2, m.mid32, L.ln2, c.rms_eps, N, C);
    linear_lora_backward(m, ad, l, a, LORA_TARGET_GATE, m.dln, m.dgate, m.norm_out, N);
    linear_lora_backward(m, ad, l, a, LORA_TARGET_UP, m.dln, m.dup, m.norm_out, N);
    be->copy_f32(m.dmid, m.dres, (int64_t)N * C);
    be->rmsnorm_backward(m.dmid, nullptr, m.dln, m.mid32, L.ln2, a.rstd2, N, C);
    // attention: mid = res + o(attn(...))
    bool saved_operands = be->attention_reads_saved(H, KVH, hd, c.sliding_window);  // as in layer_forward
    be->load_saved(m.ao32, a.ao, (int64_t)N * Q);
    if (!saved_operands) {
      be->load_saved(m.q32, a.qr, (int64_t)N * Q);
      be->load_saved(m.k32, a.kr, (int64_t)N * KV);
      be->load_saved(m.v32, a.v, (int64_t)N * KV);
    }
    be->zero_f32(m.dao, (int64_t)N * Q);
    linear_lora_backward(m, ad, l, a, LORA_TARGET_O, m.dao, m.dmid, m.ao32, N);
    be->zero_f32(m.dq, (int64_t)N * Q);
    be->zero_f32(m.dk, (int64_t)N * KV);
    be->zero_f32(m.dv, (int64_t)N * KV);
    if (saved_operands)
      be->attention_backward_saved(m.dq, m.dk, m.dv, m.dao, m.ao32, a.lse, a.qr, a.kr, a.v, m.segments, B, T, H, KVH, hd,
                                   c.sliding_window);
    else
      be->attention_backward(m.dq, m.dk, m.dv, m.dao, m.ao32, a.lse, m.q32, m.k32, m.v32, m.segments, B, T, H, KVH, hd,
                             c.sliding_window);
    be->zero_f32(m.dq2, (int64_t)N * Q);
    be->zero_f32(m.dk2, (int64_t)N * KV);
    be->rope_backward(m.dq2, m.dq, m.rope_cos, m.rope_sin, m.positions, N, H, hd);
    be->rope_backward(m.dk2, m.dk, m.rope_cos, m.rope_sin, m.positions, N, KVH, hd);
    float* dqlin = m.dq2;
    float* dklin = m.dk2;
    if (c.qk_norm) {
      be->zero_f32(m.dq, (int64_t)N * Q);
      be->zero_f32(m.dk, (int64_t)N * KV);
      be->rmsnorm_backward(m.dq, nullptr, m.dq2, a.qlin, L.q_norm, a.qrstd, N * H, hd);
      be->rmsnorm_backward(m.dk, nullptr, m.dk2, a.klin, L.k_norm, a.krstd, N * KVH, hd);
      dqlin = m.dq;
      dklin = m.dk;
    }
    be->load_saved(m.res32, a.res, (int64_t)N * C);
    be->zero_f32(m.dln, (int64_t)N * C);
    if (lora_reads_input(m, ad, l, LORA_TARGET_Q) || lora_reads_input(m, ad, l, LORA_TARGET_K) ||
        lora_reads_input(m, ad, l, LORA_TARGET_V))
      be->rmsnorm_forward(m.norm_out, a.rstd1, m.res32, L.ln1, c.rms_eps, N, C);  // ln1, recomputed
    linear_lora_backward(m, ad, l, a, LORA_TARGET_Q, m.dln, dqlin, m.norm_out, N);
    linear_lora_backward(m, ad, l, a, LORA_TARGET_K, m.dln, dklin, m.norm_out, N);
    linear_lora_backward(m, ad, l, a, LORA_TARGET_V, m.dln, m.dv, m.norm_out, N);
    be->copy_f32(m.dres, m.dmid, (int64_t)N * C);
    be->rmsnorm_backward(m.dres, nullptr, m.dln, m.res32, L.ln1, a.rstd1, N, C);
  }
  return LATHE_OK();
}

const float* model_logits_row(const model& m, int i) {
  int N = m.cur_B * m.cur_T;
  if (m.last_train || !m.logits || i < m.logits_row0 || i >= N) return nullptr;
  return m.logits + (int64_t)(i - m.logits_row0) * m.cfg.vocab_size;
}

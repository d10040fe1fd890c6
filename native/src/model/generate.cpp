// Generation (see generate.h). The cached path runs one token at a time through the same ops as training
// (rmsnorm, matmul, LoRA, rope, decode attention, swiglu) with K/V appended per layer; prompt tokens too.
// Does not batch several requests.
#include "model/generate.h"
#include <algorithm>
#include <cmath>
#include <numeric>
#include "core/rng.h"

void generate_penalize(float* logits, int V, const std::vector<int32_t>& seen, double penalty) {
  if (penalty == 1.0) return;
  std::vector<bool> done((size_t)V, false);  // a repeated id is penalised once, as transformers' gather/scatter does
  for (int32_t id : seen) {
    if (id < 0 || id >= V || done[(size_t)id]) continue;
    done[(size_t)id] = true;
    float& l = logits[id];
    l = l < 0.0f ? (float)(l * penalty) : (float)(l / penalty);
  }
}

int32_t generate_pick(const float* logits, int V, const gen_params& p, uint64_t step) {
  if (!p.do_sample || p.temperature <= 0.0) {
    int best = 0;
    for (int i = 1; i < V; i++)
      if (logits[i] > logits[best]) best = i;
    return best;
  }
  std::vector<double> x((size_t)V);
  for (int i = 0; i < V; i++) x[(size_t)i] = (double)logits[i] / p.temperature;
  std::vector<int> idx((size_t)V);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return x[(size_t)a] > x[(size_t)b]; });
  size_t keep = (size_t)V;
  if (p.top_k > 0) keep = std::min(keep, (size_t)p.top_k);
  double mx = x[(size_t)idx[0]], sum = 0.0;
  std::vector<double> pr(keep);
  for (size_t i = 0; i < keep; i++) { pr[i] = std::exp(x[(size_t)idx[i]] - mx); sum += pr[i]; }
  for (double& v : pr) v /= sum;
  if (p.top_p < 1.0) {  // smallest prefix whose mass reaches top_p (at least one token)
    double cum = 0.0;
    size_t n = 0;
    while (n < keep) { cum += pr[n]; n++; if (cum >= p.top_p) break; }
    keep = std::max<size_t>(n, 1);
    sum = 0.0;
    for (size_t i = 0; i < keep; i++) sum += pr[i];
    for (size_t i = 0; i < keep; i++) pr[i] /= sum;
  }
  double u = (double)rng_uniform(p.seed, 0x53414d50ULL, step), cum = 0.0;
  for (size_t i = 0; i < keep; i++) {
    cum += pr[i];
    if (u < cum) return idx[i];
  }
  return idx[keep - 1];
}

namespace {

struct kv_session {
  model& m;
  lora_adapter* ad;
  int cap;
  std::vector<float*> kc, vc;  // per layer (cap, KVH, hd)
  float *x, *ln, *q, *k, *v, *ao, *tmp, *mid, *gate, *up, *act, *logits, *rstd, *qrs, *krs, *xa;
  int32_t* pos;
  std::vector<float*> owned;

  kv_session(model& mm, lora_adapter* a, int capacity) : m(mm), ad(a), cap(capacity) {
    const model_config& c = m.cfg;
    int Q = c.n_heads * c.head_dim, KV = c.n_kv_heads * c.head_dim;
    for (int l = 0; l < c.n_layers; l++) { kc.push_back(f((int64_t)cap * KV)); vc.push_back(f((int64_t)cap * KV)); }
    x = f(c.hidden); ln = f(c.hidden); q = f(Q); k = f(KV); v = f(KV); ao = f(Q); tmp = f(c.hidden); mid = f(c.hidden);
    gate = f(c.intermediate); up = f(c.intermediate); act = f(c.intermediate); logits = f(c.vocab_size); rstd = f(1);
    qrs = f(c.n_heads); krs = f(c.n_kv_heads); xa = f(ad ? ad->cfg.r : 1);
    pos = m.be->alloc_i32(1);
  }
  ~kv_session() {
    for (float* p : owned) m.be->free_buf(p);
    m.be->free_buf(pos);
  }
  float* f(int64_t n) {
    owned.push_back(m.be->alloc_f32(n));
    return owned.back();
  }
  void lin(int l, int t, float* y, const float* xin) {
    int in, out;
    lora_target_dims(m.cfg, t, &in, &out);
    m.be->matmul_forward(y, xin, m.layers[(size_t)l].w[t], m.layers[(size_t)l].b[t], 1, in, out);
    if (ad && ad->layers[(size_t)l][(size_t)t].on) {
      const lora_module& lm = ad->layers[(size_t)l][(size_t)t];
      m.be->lora_forward(y, xa, xin, lm.A, lm.B, ad->cfg.scaling(), 1, in, out, ad->cfg.r);
    }
  }
  // Runs token `tok` at cache index `p` (== its position); leaves logits.
  void step(int32_t tok, int p) {
    const model_config& c = m.cfg;
    backend* be = m.be;
    int H = c.n_heads, KVH = c.n_kv_heads, hd = c.head_dim, C = c.hidden, KV = KVH * hd;
    be->upload_i32(pos, &tok, 1);  // the one int buffer carries the token id first, then the position
    be->embedding_forward(x, pos, m.wte, 1, C);
    be->upload_i32(pos, &p, 1);
    for (int l = 0; l < c.n_layers; l++) {
      const model_layer& L = m.layers[(size_t)l];
      be->rmsnorm_forward(ln, rstd, x, L.ln1, c.rms_eps, 1, C);
      lin(l, LORA_TARGET_Q, q, ln);
      lin(l, LORA_TARGET_K, k, ln);
      lin(l, LORA_TARGET_V, v, ln);
      if (c.qk_norm) {
        be->rmsnorm_forward(q, qrs, q, L.q_norm, c.rms_eps, H, hd);
        be->rmsnorm_forward(k, krs, k, L.k_norm, c.rms_eps, KVH, hd);
      }
      be->rope_forward(q, q, m.rope_cos, m.rope_sin, pos, 1, H, hd);
      be->rope_forward(kc[(size_t)l] + (int64_t)p * KV, k, m.rope_cos, m.rope_sin, pos, 1, KVH, hd);
      be->copy_f32(vc[(size_t)l] + (int64_t)p * KV, v, KV);
      be->attention_decode_forward(ao, q, kc[(size_t)l], vc[(size_t)l], p + 1, H, KVH, hd, c.sliding_window, p);
      lin(l, LORA_TARGET_O, tmp, ao);
      be->residual_forward(mid, x, tmp, C);
      be->rmsnorm_forward(ln, rstd, mid, L.ln2, c.rms_eps, 1, C);
      lin(l, LORA_TARGET_GATE, gate, ln);
      lin(l, LORA_TARGET_UP, up, ln);
      be->swiglu_forward(act, gate, up, c.intermediate);
      lin(l, LORA_TARGET_DOWN, tmp, act);
      be->residual_forward(x, mid, tmp, C);
    }
    be->rmsnorm_forward(ln, rstd, x, m.norm_f, c.rms_eps, 1, C);
    be->matmul_forward(logits, ln, m.lm_head, nullptr, 1, C, c.vocab_size);
  }
};

}  // namespace

void generate_log_softmax(const float* logits, int V, std::vector<float>* out) {
  double mx = -INFINITY;
  for (int i = 0; i < V; i++) mx = std::max(mx, (double)logits[i]);
  double sum = 0.0;
  for (int i = 0; i < V; i++) sum += std::exp((double)logits[i] - mx);
  double lse = mx + std::log(sum);
  out->resize((size_t)V);
  for (int i = 0; i < V; i++) (*out)[(size_t)i] = (float)((double)logits[i] - lse);
}

std::vector<std::pair<int32_t, float>> generate_top_n(const float* x, int V, int n) {
  std::vector<int32_t> idx((size_t)V);
  std::iota(idx.begin(), idx.end(), 0);
  size_t k = (size_t)std::max(0, std::min(n, V));
  std::partial_sort(idx.begin(), idx.begin() + (std::ptrdiff_t)k, idx.end(), [&](int32_t a, int32_t b) {
    return x[a] > x[b] || (x[a] == x[b] && a < b);
  });
  std::vector<std::pair<int32_t, float>> top(k);
  for (size_t i = 0; i < k; i++) top[i] = {idx[i], x[idx[i]]};
  return top;
}

lathe_status generate(model& m, lora_adapter* ad, const std::vector<int32_t>& prompt, const gen_params& p,
                      std::vector<int32_t>* out, std::string* finish,
                      const std::function<void(int, int32_t)>& on_token, const std::function<bool()>& cancel,
                      gen_scores* scores) {
  const model_config& c = m.cfg;
  const int V = c.vocab_size;
  out->clear();
  if (scores) *scores = gen_scores{};
  if (prompt.empty()) return LATHE_ERR(LATHE_STATUS_CONFIG, "prompt_tokens is empty", "send at least one token");
  for (int32_t t : prompt)
    if (t < 0 || t >= c.vocab_size) return LATHE_ERR(LATHE_STATUS_CONFIG, "prompt token " + std::to_string(t) + " is outside the vocabulary", "");
  int cap = std::min<int>((int)prompt.size() + p.max_new_tokens, std::max(c.max_position, (int)prompt.size()));
  LATHE_TRY(model_ensure_rope(m, cap + 1));
  std::vector<float> logits((size_t)V), lsm;
  const bool want_prompt = scores && p.prompt_logits != 0, want_lp = scores && p.logprobs >= 0;
  // logits holds the raw logits of the next position: keep what was asked, then penalise and pick.
  auto record_prompt = [&] {
    if (!want_prompt) return;
    if (p.prompt_logits < 0) scores->prompt_logits = logits;
    else scores->prompt_top = generate_top_n(logits.data(), V, p.prompt_logits);
  };
  auto pick = [&](const std::vector<int32_t>& seen, uint64_t n) {
    if (want_lp) generate_log_softmax(logits.data(), V, &lsm);
    generate_penalize(logits.data(), V, seen, p.repetition_penalty);
    int32_t tok = generate_pick(logits.data(), V, p, n);
    if (want_lp) scores->tokens.push_back({tok, lsm[(size_t)tok], generate_top_n(lsm.data(), V, p.logprobs)});
    return tok;
  };
  *finish = "length";
  if (p.use_cache) {
    kv_session s(m, ad, cap);
    for (size_t i = 0; i < prompt.size(); i++) s.step(prompt[i], (int)i);
    int len = (int)prompt.size();
    for (int n = 0; (n < p.max_new_tokens && len < cap) || (n == 0 && want_prompt); n++) {
      m.be->download_f32(logits.data(), s.logits, V);
      if (n == 0) record_prompt();
      if (n >= p.max_new_tokens || len >= cap) break;
      if (cancel && cancel()) { *finish = "cancelled"; break; }
      std::vector<int32_t> seen;
      if (p.repetition_penalty != 1.0) {
        seen = prompt;
        seen.insert(seen.end(), out->begin(), out->end());
      }
      int32_t tok = pick(seen, (uint64_t)n);
      out->push_back(tok);
      if (on_token) on_token(n, tok);
      if (std::find(p.stop_tokens.begin(), p.stop_tokens.end(), tok) != p.stop_tokens.end()) { *finish = "stop"; break; }
      if (n + 1 < p.max_new_tokens && len + 1 < cap) s.step(tok, len);
      len++;
    }
    return LATHE_OK();
  }
  // Without cache: re-run the full training forward over the whole sequence for every new token.
  std::vector<int32_t> seq = prompt;
  for (int n = 0; (n < p.max_new_tokens && (int)seq.size() < cap) || (n == 0 && want_prompt); n++) {
    int T = (int)seq.size();
    if (!m.has_plan || m.max_T < T) return LATHE_ERR(LATHE_STATUS_INTERNAL, "use_cache=false needs an activation plan of the full length", "");
    if (n < p.max_new_tokens && cancel && cancel()) { *finish = "cancelled"; break; }
    micro_batch mb;
    mb.B = 1; mb.T = T;
    mb.tokens = seq;
    mb.labels.assign((size_t)T, -100);
    mb.segments.assign((size_t)T, 0);
    mb.positions.resize((size_t)T);
    std::iota(mb.positions.begin(), mb.positions.end(), 0);
    double ignored;
    LATHE_TRY(model_forward(m, ad, mb, false, 0, &ignored));
    m.be->download_f32(logits.data(), model_logits_row(m, T - 1), V);  // the last row is always kept
    if (n == 0) record_prompt();
    if (n >= p.max_new_tokens || T >= cap) break;
    int32_t tok = pick(seq, (uint64_t)n);
    out->push_back(tok);
    seq.push_back(tok);
    if (on_token) on_token(n, tok);
    if (std::find(p.stop_tokens.begin(), p.stop_tokens.end(), tok) != p.stop_tokens.end()) { *finish = "stop"; break; }
  }
  return LATHE_OK();
}

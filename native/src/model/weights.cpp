// Model weight loading: HF tensor names → model_layer pointers, converted to fp32 on the backend.
// Does not support quantised checkpoints (GPTQ/AWQ/bnb); QLoRA's NF4 is the backend's, at upload_frozen, for the
// decoder's projections only (FROZEN_KIND_LINEAR; the embedding and lm_head are FROZEN_KIND_EMBEDDING, see backend.h).
#include <cmath>
#include "io/safetensors.h"
#include "model/model.h"

// `host` is the caller's, reused from tensor to tensor: a fresh fp32 copy of every matrix page-faulted ~30 GB of
// memory in for an 8B model.
static lathe_status load_tensor(model& m, const st_archive& a, const std::string& name, std::vector<int64_t> shape, float** dst,
                                std::vector<float>& host, frozen_kind kind = FROZEN_KIND_LINEAR) {
  LATHE_TRY(st_read_f32(a, name, host, &shape));
  const uint64_t before = m.be->bytes_in_use();
  bool matrix = shape.size() == 2;  // frozen matrices may be stored narrower by the backend (CUDA: bf16)
  *dst = matrix ? m.be->alloc_frozen((int64_t)host.size(), kind) : m.be->alloc_f32((int64_t)host.size());
  if (!*dst) return LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, "out of memory loading " + name, "the model is too large for this device");
  if (matrix) m.be->upload_frozen(*dst, host.data(), (int64_t)host.size(), kind);
  else m.be->upload_f32(*dst, host.data(), (int64_t)host.size());
  m.weight_bytes += m.be->bytes_in_use() - before;  // as stored (bf16 frozen matrices on CUDA take 2 bytes)
  return LATHE_OK();
}

lathe_status model_load(model& m, backend* be, const std::string& dir) {
  m = model{};
  m.be = be;
  m.dir = dir;
  LATHE_TRY(model_config_load(dir, m.cfg));
  st_archive a;
  LATHE_TRY(st_open_folder(dir, a));
  std::vector<float> host;
  const model_config& c = m.cfg;
  int64_t C = c.hidden, V = c.vocab_size, hd = c.head_dim;
  LATHE_TRY(load_tensor(m, a, "model.embed_tokens.weight", {V, C}, &m.wte, host, FROZEN_KIND_EMBEDDING));
  LATHE_TRY(load_tensor(m, a, "model.norm.weight", {C}, &m.norm_f, host));
  bool has_head = a.tensors.count("lm_head.weight") > 0;
  m.tied = c.tie_embeddings || !has_head;
  if (m.tied) m.lm_head = m.wte;
  else LATHE_TRY(load_tensor(m, a, "lm_head.weight", {V, C}, &m.lm_head, host, FROZEN_KIND_EMBEDDING));
  m.layers.resize((size_t)c.n_layers);
  for (int l = 0; l < c.n_layers; l++) {
    model_layer& L = m.layers[(size_t)l];
    std::string p = "model.layers." + std::to_string(l) + ".";
    LATHE_TRY(load_tensor(m, a, p + "input_layernorm.weight", {C}, &L.ln1, host));
    LATHE_TRY(load_tensor(m, a, p + "post_attention_layernorm.weight", {C}, &L.ln2, host));
    for (int t = 0; t < LORA_TARGET_COUNT; t++) {
      int in, out;
      lora_target_dims(c, t, &in, &out);
      std::string base = p + lora_target_parent(t) + "." + lora_target_module_name(t);
      LATHE_TRY(load_tensor(m, a, base + ".weight", {out, in}, &L.w[t], host));
      bool bias = (t <= LORA_TARGET_V && c.qkv_bias) || (t == LORA_TARGET_O && c.o_bias) || (t >= LORA_TARGET_GATE && c.mlp_bias);
      if (bias) LATHE_TRY(load_tensor(m, a, base + ".bias", {out}, &L.b[t], host));
    }
    if (c.qk_norm) {
      LATHE_TRY(load_tensor(m, a, p + "self_attn.q_norm.weight", {hd}, &L.q_norm, host));
      LATHE_TRY(load_tensor(m, a, p + "self_attn.k_norm.weight", {hd}, &L.k_norm, host));
    }
  }
  return LATHE_OK();
}

lathe_status model_ensure_rope(model& m, int n) {
  if (n <= m.rope_max) return LATHE_OK();
  int hd = m.cfg.head_dim;
  std::vector<float> c((size_t)n * hd / 2), s((size_t)n * hd / 2);
  rope_table(c.data(), s.data(), m.cfg.rope, n, hd);
  m.be->free_buf(m.rope_cos);
  m.be->free_buf(m.rope_sin);
  m.rope_cos = m.be->alloc_f32((int64_t)c.size());
  m.rope_sin = m.be->alloc_f32((int64_t)s.size());
  if (!m.rope_cos || !m.rope_sin) return LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, "out of memory for the rope table", "");
  m.be->upload_f32(m.rope_cos, c.data(), (int64_t)c.size());
  m.be->upload_f32(m.rope_sin, s.data(), (int64_t)s.size());
  m.rope_max = n;
  return LATHE_OK();
}

// `"mode": "plan"` (see plan-mode.h). The storage rules are either the backend that `device` resolves to (its widths,
// scratch, overhead and free memory, as trainer_plan_memory) or, with `plan_for`, a backend's rules written out here,
// so that a CPU-only build (the app's, CI's) answers for a CUDA GPU. Rows are assumed cutoff_len long (no data).
#include "train/plan-mode.h"
#include <algorithm>
#include <cstdio>
#include "backend/backend.h"
#include "core/json.h"
#include "cpu/nf4.h"
#include "engine/protocol.h"
#include "model/model-config.h"
#include "train/memory-plan.h"

namespace {

// The CUDA backend's scratch_bytes_for in its default (bf16) mode, without CUDA: the bf16 operand conversions
// (matmul.cu chunk_rows: the widest matmul's chunk of 128 Mi elements, or the lm_head chunk's input + gradient) and
// the GEMM attention backward's fp32 P | dP | D (attention-gemm.cu chunk_rows: 160 Mi floats per score buffer, query
// chunks of 16..512 rows), or at head dims 64/128 the larger of that and the flash backward's scratch
// (attention-flash.cu attention_flash_scratch_floats). Keep in step with those files; test-plan-mode checks the
// totals against the figures measured on the H200 (docs/cuda.md, Run 4).
uint64_t cuda_scratch_bytes(const scratch_shape& s) {
  // QLoRA: cuda-backend.cu's NF4 dequantisation buffer (bf16, the largest projection: widest x C; the embedding and
  // lm_head are never NF4)
  uint64_t nf4 = s.nf4 ? (uint64_t)s.widest * s.C * 2 : 0;
  int64_t N = (int64_t)s.B * s.T;
  int64_t w = s.widest > 0 ? s.widest : 1;
  int64_t rows = std::min<int64_t>((128ll << 20) / w < 1 ? 1 : (128ll << 20) / w, std::min<int64_t>(N, 1ll << 30));
  int64_t mm = rows * w;
  int64_t lm = ((int64_t)s.lm_chunk * s.C + 63) / 64 * 64 + (int64_t)s.lm_chunk * s.V;
  int64_t q = (160ll << 20) / ((int64_t)s.B * s.H * s.T);
  q = std::min<int64_t>(q, 512);
  q = std::max<int64_t>(16, q / 16 * 16);
  q = std::min<int64_t>(q, s.T);
  int64_t f32 = 2 * ((int64_t)s.B * s.H * q * s.T) + (int64_t)s.B * s.H * s.T;
  if (s.hd == 64 || s.hd == 128) {  // attention-flash.cu's backward: D (B,H,T) fp32, then dO as bf16 from 256 bytes on
    auto up = [](int64_t n, int64_t m) { return (n + m - 1) / m * m; };
    f32 = std::max(f32, up((int64_t)s.B * s.H * s.T, 64) + up((int64_t)s.B * s.T * s.H * s.hd, 128) / 2);
  }
  return (uint64_t)std::max(mm, lm) * 2 + (uint64_t)f32 * 4 + nf4;
}

scratch_shape shape_of(const model_config& c, int B, int T, int lm_chunk, bool nf4) {
  scratch_shape sh;
  sh.B = B; sh.T = T; sh.H = c.n_heads; sh.KVH = c.n_kv_heads; sh.hd = c.head_dim;
  sh.widest = std::max({(int64_t)c.hidden, (int64_t)c.intermediate, (int64_t)c.n_heads * c.head_dim});
  sh.C = c.hidden; sh.V = c.vocab_size; sh.lm_chunk = lm_chunk; sh.nf4 = nf4;
  return sh;
}

}  // namespace

lathe_status plan_mode_run(const engine_config& cfg) {
  memory_env env;
  LATHE_TRY(model_config_load(cfg.model_dir, env.mc));
  env.lora = cfg.lora;
  env.untied_lm_head = !env.mc.tie_embeddings;
  env.row_len = [](int cutoff) { return cutoff; };
  const model_config c = env.mc;
  uint64_t available = UINT64_MAX;
  std::string what, plan_for = cfg.plan_for;
  backend* be = nullptr;
  if (plan_for.empty()) {  // the backend this build would train on, and its free memory
    LATHE_TRY(backend_create(cfg.device, cfg.threads, &be));
    be->set_frozen_nf4(cfg.quantization_bit == 4);
    plan_for = be->name();
    env.saved_width = be->saved_width();
    env.frozen_width = be->frozen_width(false);
    env.frozen_width_nf4 = be->frozen_width(true);
    env.overhead = be->overhead_bytes();
    env.scratch = [be, c](int B, int T, int lm_chunk, bool nf4) { return be->scratch_bytes_for(shape_of(c, B, T, lm_chunk, nf4)); };
    available = be->device_free_bytes();
    if (available != UINT64_MAX) {
      std::string gpu;
      uint64_t total = 0;
      int ma = 0, mi = 0;
      be->device_info(&gpu, &total, &ma, &mi);
      what = "free on " + (gpu.empty() ? plan_for : gpu);
    }
  } else if (plan_for == "cuda") {  // CUDA's default mode: bf16 frozen weights (projections NF4 under QLoRA) and saved activations
    env.saved_width = 2;
    env.frozen_width = 2.0;
    env.frozen_width_nf4 = NF4_BYTES_PER_VALUE;
    env.overhead = 1ull << 30;
    env.scratch = [c](int B, int T, int lm_chunk, bool nf4) { return cuda_scratch_bytes(shape_of(c, B, T, lm_chunk, nf4)); };
  }  // "cpu": memory_env's defaults are the CPU backend's (fp32 everything, no scratch, no overhead)
  if (cfg.gpu_memory_gb > 0) {
    uint64_t g = (uint64_t)(cfg.gpu_memory_gb * (double)(1ull << 30));
    if (g < available) {
      available = g;
      char buf[64];
      std::snprintf(buf, sizeof buf, "gpu_memory_gb %g", cfg.gpu_memory_gb);
      what = buf;
    }
  }
  if (cfg.max_vram_gb > 0) {
    uint64_t cap = (uint64_t)(cfg.max_vram_gb * (double)(1ull << 30));
    if (cap <= available) {
      available = cap;
      char buf[64];
      std::snprintf(buf, sizeof buf, "max_vram_gb %g", cfg.max_vram_gb);
      what = buf;
    }
  }

  memory_settings s;
  s.batch = cfg.per_device_train_batch_size;
  s.eval_batch = cfg.per_device_eval_batch_size > 0 ? cfg.per_device_eval_batch_size : cfg.per_device_train_batch_size;
  s.cutoff_len = cfg.cutoff_len;
  s.quantization_bit = cfg.quantization_bit;
  memory_plan p;
  lathe_status st = memory_plan_decide(env, &s, cfg.gradient_checkpointing, available, what, &p);
  if (!st.ok() && st.code != LATHE_STATUS_OUT_OF_MEMORY) return st;
  json_value fits = json_value::array();
  if (!st.ok()) {  // the settings that fit, as the out_of_memory error's details list them
    json_value d;
    std::string err;
    if (json_parse(st.details, d, err) && d.get("fits")) fits = *d.get("fits");
  }
  auto mib = [](uint64_t b) { return (double)b / 1048576.0; };
  memory_settings off = s, on = s;
  off.checkpointing = false;
  on.checkpointing = true;
  json_value f = json_value::object();
  f.set("protocol", LATHE_PROTOCOL_VERSION);
  f.set("engine_version", LATHE_ENGINE_VERSION);
  f.set("plan_for", plan_for);
  f.set("architecture", c.arch_name);
  f.set("total_mib", mib(p.total()));
  f.set("weights_mib", mib(p.weights));
  f.set("adapter_mib", mib(p.adapter));
  f.set("activations_mib", mib(p.activations));
  f.set("scratch_mib", mib(p.scratch));
  f.set("overhead_mib", mib(p.overhead));
  f.set("batch", p.B);
  f.set("seq_len", p.T);
  f.set("quantization", cfg.quantization_bit == 4 ? "nf4" : "none");
  f.set("gradient_checkpointing", s.checkpointing);
  f.set("without_checkpointing_mib", mib(memory_plan_compute(env, off).total()));
  f.set("with_checkpointing_mib", mib(memory_plan_compute(env, on).total()));
  if (available != UINT64_MAX) {
    f.set("available_mib", mib(available));
    f.set("limit", what);
  }
  f.set("within_limit", st.ok());
  f.set("fits", fits);
  protocol_emit("plan", f);
  delete be;
  return LATHE_OK();
}

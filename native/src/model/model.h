// Decoder-only transformer (Llama family) written once over the backend op layer: weights, the activation plan
// (allocated once per run for the largest micro-batch), training forward/backward with LoRA, and sizes.
// Does not compute base-weight gradients (the base is frozen) and does not own the optimizer (train/).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "backend/backend.h"
#include "data/batch.h"
#include "model/lora-adapter.h"
#include "model/model-config.h"

struct model_layer {
  float *ln1 = nullptr, *ln2 = nullptr;          // (C)
  float *q_norm = nullptr, *k_norm = nullptr;    // (hd), Qwen3 only
  float* w[LORA_TARGET_COUNT] = {};              // (out, in) per projection, same order as lora_target
  float* b[LORA_TARGET_COUNT] = {};              // (out) or null
};

struct model_layer_acts {  // what the backward reads; ln1/ln2/act are recomputed there (see model_alloc_train).
  // res/mid/qr/kr/v/ao/gate/up are backend::alloc_saved buffers (maybe bf16): read them only through load_saved.
  float *res, *rstd1, *qlin, *qrstd, *qr, *klin, *krstd, *kr, *v, *lse, *ao, *mid, *rstd2, *gate, *up;
  // qlin/klin (q/k-norm input) and qrstd/krstd: q/k-norm models (Qwen3) only, null otherwise
  float* xa[LORA_TARGET_COUNT];  // (N, r)
  float* xd[LORA_TARGET_COUNT];  // (N, in) dropped-out LoRA input, null when dropout == 0
};

struct model {
  model_config cfg;
  backend* be = nullptr;
  std::string dir;
  float *wte = nullptr, *lm_head = nullptr, *norm_f = nullptr;
  bool tied = false;
  std::vector<model_layer> layers;
  float *rope_cos = nullptr, *rope_sin = nullptr;  // (rope_max, hd/2)
  int rope_max = 0;
  uint64_t weight_bytes = 0;

  // activation plan (model_alloc_train)
  int max_B = 0, max_T = 0, lora_r = 0;
  bool has_plan = false;
  bool checkpointing = false;          // gradient checkpointing: acts holds one shared set, ckpt_res each layer's input
  std::vector<model_layer_acts> acts;  // per layer, or the one set every layer's (re)computation uses
  std::vector<float*> ckpt_res;        // (N, C) per layer with checkpointing: the layer's input (alloc_saved)
  float *res_final = nullptr, *lnf = nullptr, *rstdf = nullptr, *losses = nullptr, *tmp = nullptr;
  float* norm_out = nullptr;  // (N, C) a layer's ln1 or ln2, in the forward and when the backward recomputes it
  float *gate32 = nullptr, *up32 = nullptr;  // (N, I) a layer's gate / up in fp32 (kept through backend::alloc_saved)
  float *res32 = nullptr, *mid32 = nullptr;   // (N, C) the residual stream in fp32 (kept likewise as a.res / a.mid)
  float *q32 = nullptr, *k32 = nullptr, *v32 = nullptr, *ao32 = nullptr;  // attention operands in fp32 (a.qr/kr/v/ao)
  // (logits_rows, V): one row chunk of logits, the scratch of backend::lm_head_loss; never (N, V). After a forward
  // with train == false it holds the logits of rows [logits_row0, N) (model_logits_row reads them).
  float* logits = nullptr;
  int logits_rows = 0, logits_row0 = 0;
  int logits_chunk_rows = 0;  // rows per lm_head chunk for the next plan; 0 = auto (<= 512 MiB of fp32 logits)
  int32_t *tokens = nullptr, *positions = nullptr, *segments = nullptr, *targets = nullptr;
  // backward scratch. dln: after a training forward, d(sum of token losses)/d(final norm output), taken by
  // lm_head_loss because the logits are not kept; model_backward scales it by dloss, then reuses it per layer.
  float *dres = nullptr, *dmid = nullptr, *dln = nullptr, *dq = nullptr, *dq2 = nullptr, *dk = nullptr,
        *dk2 = nullptr, *dv = nullptr, *dao = nullptr, *dgate = nullptr, *dup = nullptr, *dact = nullptr, *dxa = nullptr,
        *dxd = nullptr;
  uint64_t act_bytes = 0;
  std::vector<int32_t> host_targets;  // (max_B * max_T) host staging, sized once
  std::vector<float> host_losses;
  // what the last forward saw
  int cur_B = 0, cur_T = 0;
  float lora_dropout = 0.0f;
  uint64_t dropout_seed = 0;
  bool last_train = false;
};

// Rows per lm_head + loss chunk the plan takes by default for N rows and vocabulary V.
int64_t model_logits_chunk_rows(int64_t N, int64_t V);
// Reads config.json and the safetensors weights (converted to fp32) onto the backend.
lathe_status model_load(model& m, backend* be, const std::string& dir);
// Allocates the activation plan for micro-batches up to (max_B, max_T) with LoRA rank r and dropout. checkpointing:
// keep only each layer's input and recompute the layer in the backward (about one more forward of compute).
lathe_status model_alloc_train(model& m, int max_B, int max_T, int lora_r, float lora_dropout, bool checkpointing = false);
// Bytes model_alloc_train would allocate (its act_bytes) on a backend whose saved activations take saved_width bytes
// per element; allocates nothing (the memory plan, train/memory-plan.h).
uint64_t model_activation_bytes(const model_config& c, int max_B, int max_T, int lora_r, float lora_dropout, bool checkpointing,
                                int saved_width);
// Ensures the rope table covers positions [0, n).
lathe_status model_ensure_rope(model& m, int n);
void model_free(model& m);
// Forward over a micro-batch; returns the SUM of token losses over its targets (shifted labels != -100).
// train enables LoRA dropout with masks derived from dropout_seed.
lathe_status model_forward(model& m, lora_adapter* ad, const micro_batch& mb, bool train, uint64_t dropout_seed, double* loss_sum);
// Backward of the last forward with d(loss)/d(token loss) = dloss for every target; accumulates LoRA grads.
lathe_status model_backward(model& m, lora_adapter& ad, float dloss);
// Device pointer to the logits (V) of row i (b * T + t) of the last forward when it ran with train == false and row i
// is in the last lm_head chunk (always true for the last row); null otherwise.
const float* model_logits_row(const model& m, int i);

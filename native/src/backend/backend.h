// The op layer the model and trainer are written against. A backend owns device memory and implements every
// op's forward/backward (CPU now; CUDA in the next issue with the same signatures, see cpu/ops.h for shapes).
// Does not know about models, LoRA targets or the training loop.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/status.h"
#include "cpu/ops.h"

// Sizes that decide how much scratch a backend's ops take for a run (backend::scratch_bytes_for).
struct scratch_shape {
  int B = 0, T = 0, H = 0;       // largest micro-batch, its row length, attention heads
  int KVH = 0, hd = 0;           // key/value heads, head dim (which attention kernels apply, and their scratch)
  int64_t widest = 0, C = 0;     // widest activation row (max of hidden, intermediate, q width), hidden
  int64_t V = 0, lm_chunk = 0;   // vocabulary, rows per lm_head + loss chunk
  bool nf4 = false;              // quantization_bit 4: the decoder's projections stored as NF4, each (<= widest x C)
                                 // dequantised into one buffer before the GEMM that reads it
};

// Which frozen matrix a buffer holds, for QLoRA: transformers + bitsandbytes quantise only the nn.Linear modules inside
// the decoder (integrations/bitsandbytes.py replace_with_bnb_linear swaps nn.Linear for Linear4bit, never nn.Embedding)
// and keep the output embedding / tied weights in full precision (get_keys_to_not_convert, called from
// quantizers/quantizer_bnb_4bit.py _process_model_before_weight_loading). We quantise the same set.
enum frozen_kind {
  FROZEN_KIND_LINEAR,     // q/k/v/o, gate/up/down: NF4 under quantization_bit 4
  FROZEN_KIND_EMBEDDING,  // the token embedding and lm_head (tied or not): never quantised
};

class backend {
 public:
  virtual ~backend() = default;
  virtual const char* name() const = 0;

  // Memory: device buffers of n elements. upload/download copy between host and device.
  virtual float* alloc_f32(int64_t n) = 0;
  virtual int32_t* alloc_i32(int64_t n) = 0;
  virtual void free_buf(void* p) = 0;
  virtual void upload_f32(float* dst, const float* src, int64_t n) = 0;
  virtual void download_f32(float* dst, const float* src, int64_t n) = 0;
  virtual void upload_i32(int32_t* dst, const int32_t* src, int64_t n) = 0;
  virtual void zero_f32(float* p, int64_t n) = 0;
  virtual void copy_f32(float* dst, const float* src, int64_t n) = 0;
  virtual uint64_t bytes_in_use() const = 0;
  // Frozen base matrices (projections, embeddings, lm_head): a backend may store them narrower (CUDA: bf16, NF4 for
  // FROZEN_KIND_LINEAR under QLoRA) and read them only through matmul/embedding. The defaults keep fp32 buffers.
  virtual float* alloc_frozen(int64_t n, frozen_kind kind) { return alloc_f32(n); }
  virtual void upload_frozen(float* dst, const float* src, int64_t n, frozen_kind kind);  // backend.cpp
  // Saved activations that the backward reads back through an fp32 copy (the residual stream, the attention operands,
  // the MLP's gate and up): a backend may store them narrower (CUDA in the default mode: bf16, as autocast keeps them)
  // and nothing but load_saved (and attention_*_saved, below) may read them. The defaults keep fp32 buffers and copy.
  virtual float* alloc_saved(int64_t n) { return alloc_f32(n); }
  virtual void store_saved(float* saved, const float* src, int64_t n) { copy_f32(saved, src, n); }
  virtual void load_saved(float* dst, const float* saved, int64_t n) { copy_f32(dst, saved, n); }
  // QLoRA (config quantization_bit 4): the decoder's projections (FROZEN_KIND_LINEAR) go through NF4 with double
  // quantisation (cpu/nf4.h) at upload; the embedding and lm_head stay as without QLoRA. The default keeps the
  // dequantised values in its buffer (the CPU reference); a GPU backend may keep NF4 itself.
  void set_frozen_nf4(bool on) { frozen_nf4_ = on; }
  bool frozen_nf4() const { return frozen_nf4_; }
  // GPU name, memory and compute capability for the `ready` event; leaves them untouched on the CPU.
  virtual void device_info(std::string* name, uint64_t* total_bytes, int* major, int* minor) const {}

  // Memory plan (train/memory-plan.h). Bytes per element of saved activations and of frozen matrices as this backend
  // stores them (nf4: a FROZEN_KIND_LINEAR matrix under quantization_bit 4); the scratch its ops take for a run of
  // these sizes; the fixed overhead outside its counted allocations (CUDA context, cuBLAS workspace); the device memory
  // it could still allocate (UINT64_MAX: no limit known, the CPU).
  virtual int saved_width() const { return 4; }
  virtual double frozen_width(bool nf4) const { return 4.0; }
  virtual uint64_t scratch_bytes_for(const scratch_shape& s) const { return 0; }
  virtual uint64_t overhead_bytes() const { return 0; }
  virtual uint64_t device_free_bytes() const { return UINT64_MAX; }
  // Config max_vram_gb: counted allocations past cap - overhead_bytes() fail (alloc_* return null, scratch growth is a
  // device_oom), so a smaller card is simulated honestly. 0: no cap. The CPU backend ignores it (its plan is checked).
  virtual void set_memory_cap(uint64_t bytes) {}
  // Allocates scratch_bytes_for(s) up front, so that no step allocates; out_of_memory when it does not fit.
  virtual lathe_status reserve_scratch(const scratch_shape& s) { return LATHE_OK(); }

  virtual void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC) = 0;
  virtual void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                               const float* weight, int N, int C, int OC) = 0;
  virtual void embedding_forward(float* out, const int32_t* tokens, const float* wte, int N, int C) = 0;
  virtual void embedding_backward(float* dwte, const float* dout, const int32_t* tokens, int N, int C) = 0;
  virtual void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* weight, float eps, int N, int C) = 0;
  virtual void rmsnorm_backward(float* dinp, float* dweight, const float* dout, const float* inp, const float* weight,
                                const float* rstd, int N, int C) = 0;
  virtual void rope_forward(float* out, const float* inp, const float* cos_t, const float* sin_t, const int32_t* pos,
                            int N, int H, int hd) = 0;
  virtual void rope_backward(float* dinp, const float* dout, const float* cos_t, const float* sin_t, const int32_t* pos,
                             int N, int H, int hd) = 0;
  virtual void attention_forward(float* out, float* lse, const float* q, const float* k, const float* v, const int32_t* seg,
                                 int B, int T, int H, int KVH, int hd, int window) = 0;
  virtual void attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                  const float* q, const float* k, const float* v, const int32_t* seg, int B, int T, int H,
                                  int KVH, int hd, int window) = 0;
  // Attention on the saved operands themselves: qs/ks/vs are the alloc_saved copies of q/k/v (the one exception to
  // "only load_saved reads them"). Where attention_reads_saved says so (CUDA's fused bf16 kernels on bf16 copies) the
  // model calls these and skips the fp32 round trips of q, k, v; elsewhere it calls attention_forward/backward on fp32
  // copies. The defaults serve fp32 saved buffers (the default alloc_saved).
  virtual bool attention_reads_saved(int H, int KVH, int hd, int window) const { return false; }
  virtual void attention_forward_saved(float* out, float* lse, const float* qs, const float* ks, const float* vs, const int32_t* seg,
                                       int B, int T, int H, int KVH, int hd, int window) {
    attention_forward(out, lse, qs, ks, vs, seg, B, T, H, KVH, hd, window);
  }
  virtual void attention_backward_saved(float* dq, float* dk, float* dv, const float* dout, const float* out, const float* lse,
                                        const float* qs, const float* ks, const float* vs, const int32_t* seg, int B, int T, int H,
                                        int KVH, int hd, int window) {
    attention_backward(dq, dk, dv, dout, out, lse, qs, ks, vs, seg, B, T, H, KVH, hd, window);
  }
  virtual void attention_decode_forward(float* out, const float* q, const float* kc, const float* vc, int L, int H,
                                        int KVH, int hd, int window, int q_pos) = 0;
  virtual void swiglu_forward(float* out, const float* gate, const float* up, int64_t n) = 0;
  virtual void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n) = 0;
  virtual void cross_entropy_forward(float* losses, const float* logits, const int32_t* targets, int N, int V) = 0;
  virtual void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, float dloss, int N, int V) = 0;
  // lm_head + cross-entropy in row chunks, gradient included (see cpu/ops.h): no (N, V) logits buffer anywhere.
  virtual void lm_head_loss(float* losses, float* dinp, float* logits, const float* inp, const float* weight,
                            const int32_t* targets, int N, int C, int V, int chunk) = 0;
  virtual void lora_forward(float* out, float* xa, const float* x, const float* A, const float* B, float scaling, int N,
                            int C, int OC, int r) = 0;
  virtual void lora_backward(float* dx, float* dA, float* dB, float* dxa, const float* dout, const float* x,
                             const float* xa, const float* A, const float* B, float scaling, int N, int C, int OC, int r) = 0;
  virtual void residual_forward(float* out, const float* a, const float* b, int64_t n) = 0;
  virtual void residual_backward(float* da, float* db, const float* dout, int64_t n) = 0;
  virtual void dropout_forward(float* out, const float* inp, float p, uint64_t seed, uint64_t stream, int64_t n) = 0;
  virtual void dropout_backward(float* dinp, const float* dout, float p, uint64_t seed, uint64_t stream, int64_t n) = 0;
  virtual double sum_squares(const float* x, int64_t n) = 0;
  virtual void scale_inplace(float* x, float s, int64_t n) = 0;
  virtual void adamw_update(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1,
                            double beta2, double eps, double weight_decay, int64_t t) = 0;

 protected:
  // src, or tmp filled with the NF4 round trip of src for a FROZEN_KIND_LINEAR matrix when frozen_nf4() (what a QLoRA
  // GEMM sees after dequantisation)
  const float* frozen_values(const float* src, int64_t n, frozen_kind kind, std::vector<float>& tmp) const;

 private:
  bool frozen_nf4_ = false;
};

// device: "cpu", "auto" (CUDA when built and present, else CPU) or "cuda:N". threads: CPU worker threads (0 = all).
lathe_status backend_create(const std::string& device, int threads, backend** out);

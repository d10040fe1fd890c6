// NF4 + double quantisation reference (cpu/nf4.cpp): level tables, bitsandbytes' nibble order, exact levels survive a
// round trip, per-element error bounds, the second level's error, zeros stay zero, sizes (bytes per parameter), NF4
// beats a uniform 4-bit absmax code on normal weights (what the NF4 levels are for), what QLoRA quantises (the
// decoder's projections only, as transformers + bitsandbytes) and QLoRA training on the CPU backend (quantization_bit
// 4).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <vector>
#include "core/json.h"
#include "core/rng.h"
#include "cpu/nf4.h"
#include "cpu/parallel.h"
#include "engine/protocol.h"
#include "io/safetensors.h"
#include "model/model.h"
#include "test-util.h"
#include "train/trainer.h"

static std::vector<float> normal(int64_t n, uint64_t seed, float sd) {
  std::vector<float> x((size_t)n);
  for (int64_t i = 0; i < n; i++) {  // Box-Muller on the counter RNG
    float u1 = std::max(rng_uniform(seed, 1, (uint64_t)i), 1e-7f), u2 = rng_uniform(seed, 2, (uint64_t)i);
    x[(size_t)i] = sd * std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
  }
  return x;
}

static void test_tables() {
  for (int i = 1; i < 16; i++) CHECK(nf4_code[i] > nf4_code[i - 1]);
  CHECK(nf4_code[0] == -1.0f && nf4_code[7] == 0.0f && nf4_code[15] == 1.0f);
  float map[256];
  nf4_dynamic_map(map);
  int neg = 0, zero = 0, pos = 0;
  for (int i = 0; i < 256; i++) {
    if (i > 0) CHECK(map[i] > map[i - 1]);
    (map[i] < 0 ? neg : map[i] == 0 ? zero : pos)++;
  }
  CHECK(neg == 127 && zero == 1 && pos == 128);
  CHECK(map[255] == 1.0f && std::fabs(map[0] + 0.99296875f) < 1e-6f && std::fabs(map[128] - 1e-6f * 0.55f) < 1e-12f);
  CHECK(nf4_nearest(nf4_code, 16, 0.03979014977812767f) == 7);   // exact midpoint -> lower level
  CHECK(nf4_nearest(nf4_code, 16, 0.0397902f) == 8);
  CHECK(nf4_nearest(nf4_code, 16, -5.0f) == 0 && nf4_nearest(nf4_code, 16, 5.0f) == 15);
  // the quantiser's branch-free version agrees everywhere: levels, midpoints and their neighbours, infinities, NaN
  std::vector<float> xs = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f};
  for (int i = 0; i < 16; i++) xs.push_back(nf4_code[i]);
  for (int i = 0; i < 15; i++) {
    float mid = (nf4_code[i] + nf4_code[i + 1]) * 0.5f;
    xs.insert(xs.end(), {mid, std::nextafter(mid, 2.0f), std::nextafter(mid, -2.0f)});
  }
  for (float v : normal(20000, 3, 0.6f)) xs.push_back(v);
  bool agree = true;
  for (float v : xs) agree = agree && nf4_nearest_code(v) == nf4_nearest(nf4_code, 16, v);
  CHECK(agree);
  std::printf("tables: 16 NF4 levels, 256 dynamic-map levels (127 negative, zero, 128 positive)\n");
}

static void test_layout() {
  std::vector<float> x(70, 0.0f);
  x[0] = -1.0f;
  x[1] = 1.0f;
  x[2] = 0.5626170039176941f;
  nf4_tensor t;
  nf4_quantize(t, x.data(), (int64_t)x.size());
  CHECK(t.n_blocks() == 2 && t.packed.size() == 64 && t.qabsmax.size() == 2 && t.absmax2.size() == 1);
  CHECK(t.packed[0] == 0x0F);             // element 0 in the high nibble (bitsandbytes)
  CHECK((t.packed[1] >> 4) == 13);        // 0.5626 is level 13
  CHECK(t.packed[63] == 0x77);            // padding of the last block encodes 0
  std::vector<float> y(x.size(), 1.0f);
  nf4_dequantize(y.data(), t);
  bool zeros = true;
  for (size_t i = 3; i < x.size(); i++) zeros = zeros && y[i] == 0.0f;  // level 7 is exactly 0 whatever the scale
  CHECK(zeros);
}

static void test_round_trip() {
  // every block holds +-s (so its absmax is s) and otherwise exact levels times s: codes come back unchanged
  int64_t n = 64 * 300 + 17;
  std::vector<float> x((size_t)n);
  std::vector<int> k((size_t)n);
  for (int64_t i = 0; i < n; i++) {
    float s = 0.01f + 0.05f * rng_uniform(5, 0, (uint64_t)(i / 64));
    k[(size_t)i] = i % 64 == 0 ? 15 : (int)rng_below(5, 1, (uint64_t)i, 16);
    x[(size_t)i] = nf4_code[k[(size_t)i]] * s;
  }
  nf4_tensor t;
  nf4_quantize(t, x.data(), n);
  bool same = true;
  for (int64_t i = 0; i < n; i++) same = same && ((i % 2 == 0 ? t.packed[(size_t)(i / 2)] >> 4 : t.packed[(size_t)(i / 2)] & 15) == k[(size_t)i]);
  CHECK(same);
}

static void test_thread_counts() {
  // the quantiser splits blocks and second-level groups over the thread pool: any split gives the same codes
  int64_t n = 64 * 256 * 5 + 64 * 7 + 29;  // several second-level groups, a partial one, a partial last block
  std::vector<float> x = normal(n, 11, 0.02f);
  nf4_tensor one, many;
  cpu_set_threads(1);
  nf4_quantize(one, x.data(), n);
  cpu_set_threads(4);
  cpu_set_min_parallel_cost(0);
  nf4_quantize(many, x.data(), n);
  cpu_set_min_parallel_cost(CPU_DEFAULT_MIN_PARALLEL_COST);
  cpu_set_threads(0);
  CHECK(one.packed == many.packed && one.qabsmax == many.qabsmax && one.absmax2 == many.absmax2 && one.offset == many.offset);
}

static void test_errors() {
  int64_t n = 64 * 4096 + 37;
  std::vector<float> x = normal(n, 9, 0.02f);
  nf4_tensor t;
  nf4_quantize(t, x.data(), n);
  std::vector<float> y((size_t)n), absmax;
  nf4_dequantize(y.data(), t);
  nf4_absmax(t, absmax);
  // second level: |absmax' - absmax| <= half the widest top-decade gap of the dynamic map (0.9/64/2) * absmax2
  double worst2 = 0.0, worst1 = 0.0, se = 0.0, sx = 0.0, se4 = 0.0;
  for (int64_t b = 0; b < t.n_blocks(); b++) {
    float m = 0.0f;
    for (int64_t i = b * 64; i < std::min(n, b * 64 + 64); i++) m = std::max(m, std::fabs(x[(size_t)i]));
    double e2 = std::fabs(absmax[(size_t)b] - m) / t.absmax2[(size_t)(b / NF4_BLOCK2)];
    worst2 = std::max(worst2, e2);
    for (int64_t i = b * 64; i < std::min(n, b * 64 + 64); i++) {
      // first level: half the widest NF4 gap (between -1 and -0.696) of the true scale, plus the scale's own error
      double bound = (0.5 * (1.0 - 0.6961928) * m + std::fabs(absmax[(size_t)b] - m)) * (1.0 + 1e-5) + 1e-7;
      double e = std::fabs((double)y[(size_t)i] - x[(size_t)i]);
      worst1 = std::max(worst1, e / bound);
      se += e * e;
      sx += (double)x[(size_t)i] * x[(size_t)i];
      float q4 = std::round(x[(size_t)i] / m * 7.0f) / 7.0f * m;  // uniform 4-bit absmax code (15 levels)
      se4 += ((double)q4 - x[(size_t)i]) * ((double)q4 - x[(size_t)i]);
    }
  }
  double rel = std::sqrt(se / sx), rel4 = std::sqrt(se4 / sx);
  double bytes = (double)(t.packed.size() + t.qabsmax.size() + 4 * t.absmax2.size() + 4) / (double)n;
  std::printf("normal(0, 0.02), n=%lld: relative RMS error NF4 %.4f vs uniform int4 %.4f; worst element / bound %.3f; "
              "second level error / absmax2 %.4f; %.4f bytes per parameter\n",
              (long long)n, rel, rel4, worst1, worst2, bytes);
  CHECK(worst1 <= 1.0);
  CHECK(worst2 <= 0.9 / 64 / 2 + 1e-6);
  CHECK(rel < rel4);
  CHECK(rel < 0.12);
  CHECK(bytes < 0.517);
}

static std::vector<float> download(backend* be, const float* p, int64_t n) {
  std::vector<float> h((size_t)n);
  be->download_f32(h.data(), p, n);
  return h;
}

// What QLoRA quantises, through the loader's upload path: transformers + bitsandbytes replace only the decoder's
// nn.Linear modules with Linear4bit (integrations/bitsandbytes.py replace_with_bnb_linear; nn.Embedding is never
// converted) and keep lm_head / the tied output embedding in full precision (get_keys_to_not_convert). So under
// quantization_bit 4 every projection is the NF4 round trip of the unquantised load's, and the embedding, lm_head
// and norms are bit for bit the unquantised load's; for an untied and a tied model.
static void test_quantised_set(const std::string& root) {
  for (bool tied : {false, true}) {
    std::string dir = root + (tied ? "/tied" : "/untied");
    test_write_tiny_model(dir, "qwen2", 9, 96, 64, 2, 4, 2, 128, tied);
    backend* be = nullptr;
    CHECK_OK(backend_create("cpu", 2, &be));
    model plain, q;
    CHECK_OK(model_load(plain, be, dir));
    be->set_frozen_nf4(true);
    CHECK_OK(model_load(q, be, dir));
    const model_config& c = q.cfg;
    int64_t VC = (int64_t)c.vocab_size * c.hidden;
    CHECK(q.tied == tied && (q.lm_head == q.wte) == tied);
    std::vector<float> wte = download(be, plain.wte, VC), head = download(be, plain.lm_head, VC);
    CHECK(download(be, q.wte, VC) == wte);
    CHECK(download(be, q.lm_head, VC) == head);
    CHECK(download(be, q.norm_f, c.hidden) == download(be, plain.norm_f, c.hidden));
    int projections = 0, changed = 0;
    for (int l = 0; l < c.n_layers; l++) {
      const model_layer &P = plain.layers[(size_t)l], &Q = q.layers[(size_t)l];
      CHECK(download(be, Q.ln1, c.hidden) == download(be, P.ln1, c.hidden));
      CHECK(download(be, Q.ln2, c.hidden) == download(be, P.ln2, c.hidden));
      for (int t = 0; t < LORA_TARGET_COUNT; t++) {
        int in, out;
        lora_target_dims(c, t, &in, &out);
        int64_t n = (int64_t)in * out;
        std::vector<float> w = download(be, P.w[t], n), ref(w.size());
        nf4_tensor nt;
        nf4_quantize(nt, w.data(), n);
        nf4_dequantize(ref.data(), nt);
        std::vector<float> got = download(be, Q.w[t], n);
        CHECK(got == ref);
        changed += got != w;
        projections++;
        if (P.b[t]) CHECK(download(be, Q.b[t], out) == download(be, P.b[t], out));  // q/k/v biases stay fp32
      }
    }
    CHECK(projections == 7 * c.n_layers && changed == projections);
    std::printf("QLoRA load (%s): %d projections NF4 round trips, embedding%s bit for bit unquantised\n",
                tied ? "tied" : "untied", projections, tied ? " (= lm_head)" : " and lm_head");
    model_free(q);
    model_free(plain);
    delete be;
  }
}

// QLoRA on the CPU backend: the loaded projections are exactly the NF4 round trip of the checkpoint's weights
// (norms and the embedding stay fp32), and a short run's loss curve stays close to plain LoRA's without being identical.
static std::vector<double> train_losses(const std::string& root, int qbit) {
  engine_config c;
  c.model_dir = root + "/model";
  c.train_file = root + "/train.ltok";
  c.output_dir = root + "/out" + std::to_string(qbit);
  c.device = "cpu";
  c.threads = 2;
  c.lora.r = 4;
  c.lora.alpha = 8;
  for (bool& t : c.lora.targets) t = true;
  c.learning_rate = 1e-2;
  c.max_steps = 10;
  c.per_device_train_batch_size = 2;
  c.cutoff_len = 32;
  c.packing = true;
  c.seed = 3;
  c.quantization_bit = qbit;
  std::string sink;
  protocol_capture(&sink);
  trainer tr;
  lathe_status st = trainer_setup(tr, c);
  if (st.ok()) st = trainer_run(tr);
  trainer_free(tr);
  protocol_capture(nullptr);
  CHECK_OK(st);
  std::vector<double> out;
  std::istringstream in(sink);
  std::string line, err;
  while (std::getline(in, line)) {
    json_value j;
    if (json_parse(line, j, err) && j.get("event")->as_string() == "step") out.push_back(j.get("loss")->as_number());
    if (json_parse(line, j, err) && j.get("event")->as_string() == "ready") CHECK(j.get("quantization")->as_string() == (qbit ? "nf4" : "none"));
  }
  return out;
}

static void test_qlora_cpu() {
  std::string root = test_temp_dir("nf4");
  test_write_tiny_model(root + "/model", "llama", 4, 64, 64, 2, 4, 2, 128);
  ltok_dataset ds;
  ds.vocab_size = 64;
  ds.offsets = {0};
  for (int r = 0; r < 16; r++) {
    for (int i = 0; i < 12 + r % 7; i++) {
      ds.tokens.push_back((uint32_t)((r * 13 + i * 5) % 64));
      ds.mask.push_back(1);
    }
    ds.offsets.push_back(ds.tokens.size());
  }
  CHECK_OK(ltok_write(root + "/train.ltok", ds, 2));
  // loaded weights == NF4 round trip of the file's weights
  backend* be = nullptr;
  CHECK_OK(backend_create("cpu", 2, &be));
  be->set_frozen_nf4(true);
  model m;
  CHECK_OK(model_load(m, be, root + "/model"));
  st_archive ar;
  CHECK_OK(st_open_folder(root + "/model", ar));
  std::vector<float> w, ln;
  CHECK_OK(st_read_f32(ar, "model.layers.1.mlp.down_proj.weight", w));
  CHECK_OK(st_read_f32(ar, "model.layers.1.input_layernorm.weight", ln));
  nf4_tensor t;
  nf4_quantize(t, w.data(), (int64_t)w.size());
  std::vector<float> ref(w.size()), got(w.size()), got_ln(ln.size());
  nf4_dequantize(ref.data(), t);
  be->download_f32(got.data(), m.layers[1].w[LORA_TARGET_DOWN], (int64_t)got.size());
  be->download_f32(got_ln.data(), m.layers[1].ln1, (int64_t)got_ln.size());
  CHECK(got == ref && got != w);
  CHECK(got_ln == ln);
  std::vector<float> emb;
  CHECK_OK(st_read_f32(ar, "model.embed_tokens.weight", emb));
  CHECK(download(be, m.wte, (int64_t)emb.size()) == emb);  // not quantised
  model_free(m);
  delete be;
  std::vector<double> a = train_losses(root, 0), b = train_losses(root, 4);
  double worst = 0.0;
  bool differ = false;
  for (size_t i = 0; i < a.size() && i < b.size(); i++) {
    worst = std::max(worst, std::fabs(a[i] - b[i]) / a[i]);
    differ = differ || a[i] != b[i];
  }
  std::printf("QLoRA on CPU: %zu steps, loss %.4f -> %.4f (LoRA %.4f -> %.4f), max relative difference %.3f\n", b.size(),
              b.empty() ? 0.0 : b.front(), b.empty() ? 0.0 : b.back(), a.empty() ? 0.0 : a.front(), a.empty() ? 0.0 : a.back(), worst);
  CHECK(a.size() == 10 && b.size() == 10);
  CHECK(differ);
  CHECK(worst < 0.05);
  CHECK(b.back() < b.front());
}

int main() {
  test_tables();
  test_layout();
  test_round_trip();
  test_thread_counts();
  test_errors();
  test_quantised_set(test_temp_dir("nf4-set"));
  test_qlora_cpu();
  return test_finish("test-nf4");
}

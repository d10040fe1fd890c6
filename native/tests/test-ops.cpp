// Per-op tests for the CPU backend: finite-difference checks of every backward (loss = <out, R> accumulated in
// double), plus closed-form checks for AdamW, the schedules and decode attention vs. full attention.
#include <algorithm>
#include <cmath>
#include <functional>
#include "core/rng.h"
#include "cpu/ops.h"
#include "test-util.h"
#include "train/scheduler.h"

static std::vector<float> rnd(size_t n, uint64_t stream, float scale = 1.0f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; i++) v[i] = scale * (2.0f * rng_uniform(1234, stream, i) - 1.0f);
  return v;
}

static double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); i++) s += (double)a[i] * b[i];
  return s;
}

// Normalised max error between the analytic gradient and central differences of loss() w.r.t. x.
static double fd_err(std::vector<float>& x, const std::vector<float>& analytic, const std::function<double()>& loss, float h = 1e-2f) {
  double mx = 1e-6, err = 0;
  for (float g : analytic) mx = std::max(mx, (double)std::fabs(g));
  for (size_t i = 0; i < x.size(); i++) {
    float orig = x[i];
    x[i] = orig + h;
    double lp = loss();
    x[i] = orig - h;
    double lm = loss();
    x[i] = orig;
    err = std::max(err, std::fabs((lp - lm) / (2.0 * h) - analytic[i]));
  }
  return err / mx;
}

#define FD_CHECK(opname, x, g, loss)                                  \
  do {                                                                \
    double e_ = fd_err(x, g, loss);                                   \
    std::printf("%-16s %-8s fd err %.2e\n", opname, #x, e_);          \
    CHECK(e_ < 1e-2);                                                 \
  } while (0)

static void test_matmul() {
  int N = 5, C = 7, OC = 6;
  auto inp = rnd((size_t)N * C, 1), w = rnd((size_t)OC * C, 2), b = rnd((size_t)OC, 3), R = rnd((size_t)N * OC, 4);
  std::vector<float> out((size_t)N * OC);
  auto loss = [&] { matmul_forward(out.data(), inp.data(), w.data(), b.data(), N, C, OC); return dot(out, R); };
  std::vector<float> dinp(inp.size()), dw(w.size()), db(b.size());
  matmul_backward(dinp.data(), dw.data(), db.data(), R.data(), inp.data(), w.data(), N, C, OC);
  FD_CHECK("matmul", inp, dinp, loss);
  FD_CHECK("matmul", w, dw, loss);
  FD_CHECK("matmul", b, db, loss);
  // large enough to take the threaded, 4-row blocked path; compare with a naive double product
  int N2 = 67, C2 = 129, O2 = 70;
  auto a2 = rnd((size_t)N2 * C2, 5), w2 = rnd((size_t)O2 * C2, 6);
  std::vector<float> o2((size_t)N2 * O2);
  matmul_forward(o2.data(), a2.data(), w2.data(), nullptr, N2, C2, O2);
  double worst = 0;
  for (int i = 0; i < N2; i++)
    for (int o = 0; o < O2; o++) {
      double s = 0;
      for (int c = 0; c < C2; c++) s += (double)a2[(size_t)i * C2 + c] * w2[(size_t)o * C2 + c];
      worst = std::max(worst, std::fabs(s - o2[(size_t)i * O2 + o]));
    }
  CHECK(worst < 1e-4);
}

static void test_embedding() {
  int N = 4, C = 3, V = 5;
  std::vector<int32_t> tok = {1, 4, 1, 0};
  auto wte = rnd((size_t)V * C, 7), R = rnd((size_t)N * C, 8);
  std::vector<float> out((size_t)N * C);
  auto loss = [&] { embedding_forward(out.data(), tok.data(), wte.data(), N, C); return dot(out, R); };
  std::vector<float> dwte(wte.size());
  embedding_backward(dwte.data(), R.data(), tok.data(), N, C);
  FD_CHECK("embedding", wte, dwte, loss);
}

static void test_rmsnorm() {
  int N = 4, C = 8;
  auto inp = rnd((size_t)N * C, 9), w = rnd((size_t)C, 10), R = rnd((size_t)N * C, 11);
  std::vector<float> out((size_t)N * C), rstd((size_t)N);
  auto loss = [&] { rmsnorm_forward(out.data(), rstd.data(), inp.data(), w.data(), 1e-5f, N, C); return dot(out, R); };
  loss();
  std::vector<float> dinp(inp.size()), dw(w.size());
  rmsnorm_backward(dinp.data(), dw.data(), R.data(), inp.data(), w.data(), rstd.data(), N, C);
  FD_CHECK("rmsnorm", inp, dinp, loss);
  FD_CHECK("rmsnorm", w, dw, loss);
}

static void test_rope() {
  int N = 5, H = 2, hd = 8, P = 16;
  rope_params p;
  p.theta = 500.0f;
  p.llama3 = true;
  p.factor = 4.0f;
  p.original_max_position = 8.0f;
  std::vector<float> cs((size_t)P * hd / 2), sn((size_t)P * hd / 2);
  rope_table(cs.data(), sn.data(), p, P, hd);
  std::vector<int32_t> pos = {0, 3, 1, 15, 7};
  auto inp = rnd((size_t)N * H * hd, 12), R = rnd(inp.size(), 13);
  std::vector<float> out(inp.size());
  auto loss = [&] { rope_forward(out.data(), inp.data(), cs.data(), sn.data(), pos.data(), N, H, hd); return dot(out, R); };
  std::vector<float> dinp(inp.size());
  rope_backward(dinp.data(), R.data(), cs.data(), sn.data(), pos.data(), N, H, hd);
  FD_CHECK("rope", inp, dinp, loss);
  // position 0 is the identity; norms are preserved
  loss();
  CHECK_NEAR(out[0], inp[0], 1e-7);
  double n_in = 0, n_out = 0;
  for (int d = 0; d < hd; d++) { n_in += inp[(size_t)hd + d] * inp[(size_t)hd + d]; n_out += out[(size_t)hd + d] * out[(size_t)hd + d]; }
  CHECK_NEAR(n_in, n_out, 1e-5);
}

static void test_attention(int window) {
  int B = 2, T = 6, H = 4, KVH = 2, hd = 4;
  std::vector<int32_t> seg = {0, 0, 0, 1, 1, -1, 0, 0, 0, 0, 0, 0};
  auto q = rnd((size_t)B * T * H * hd, 14), k = rnd((size_t)B * T * KVH * hd, 15), v = rnd((size_t)B * T * KVH * hd, 16);
  auto R = rnd(q.size(), 17);
  std::vector<float> out(q.size()), lse((size_t)B * H * T);
  auto loss = [&] {
    attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), seg.data(), B, T, H, KVH, hd, window);
    return dot(out, R);
  };
  loss();
  std::vector<float> dq(q.size()), dk(k.size()), dv(v.size());
  attention_backward(dq.data(), dk.data(), dv.data(), R.data(), out.data(), lse.data(), q.data(), k.data(), v.data(), seg.data(),
                     B, T, H, KVH, hd, window);
  const char* name = window ? "attention(win)" : "attention";
  FD_CHECK(name, q, dq, loss);
  FD_CHECK(name, k, dk, loss);
  FD_CHECK(name, v, dv, loss);
  loss();  // recompute with unperturbed inputs
  // masking: the first token of segment 1 (t=3) attends only to itself, so its output is v of t=3 (kv head 0 for h=0)
  for (int d = 0; d < hd; d++) CHECK_NEAR(out[(size_t)3 * H * hd + d], v[(size_t)3 * KVH * hd + d], 1e-6);
  // and its log-sum-exp is its own scaled score
  double s33 = 0;
  for (int d = 0; d < hd; d++) s33 += (double)q[(size_t)3 * H * hd + d] * k[(size_t)3 * KVH * hd + d];
  CHECK_NEAR(lse[3], s33 / std::sqrt((double)hd), 1e-5);
  // decode attention over a cache equals the full forward's last row (batch 1, one segment)
  std::vector<float> dec((size_t)H * hd);
  int b = 1, last = T - 1;
  attention_decode_forward(dec.data(), q.data() + (((size_t)b * T + last) * H) * hd, k.data() + (size_t)b * T * KVH * hd,
                           v.data() + (size_t)b * T * KVH * hd, T, H, KVH, hd, window, last);
  double e = 0;
  for (int i = 0; i < H * hd; i++) e = std::max(e, (double)std::fabs(dec[(size_t)i] - out[(((size_t)b * T + last) * H) * hd + i]));
  CHECK(e < 1e-6);
}

static void test_swiglu() {
  int64_t n = 12;
  auto g = rnd((size_t)n, 18, 3.0f), u = rnd((size_t)n, 19), R = rnd((size_t)n, 20);
  std::vector<float> out((size_t)n);
  auto loss = [&] { swiglu_forward(out.data(), g.data(), u.data(), n); return dot(out, R); };
  std::vector<float> dg((size_t)n), du((size_t)n);
  swiglu_backward(dg.data(), du.data(), R.data(), g.data(), u.data(), n);
  FD_CHECK("swiglu", g, dg, loss);
  FD_CHECK("swiglu", u, du, loss);
}

static void test_cross_entropy() {
  int N = 4, V = 7;
  std::vector<int32_t> tgt = {2, -100, 6, 0};
  auto logits = rnd((size_t)N * V, 21, 3.0f);
  std::vector<float> losses((size_t)N);
  auto loss = [&] {
    cross_entropy_forward(losses.data(), logits.data(), tgt.data(), N, V);
    double s = 0;
    for (float x : losses) s += x;
    return s * 0.5;
  };
  loss();
  CHECK(losses[1] == 0.0f);
  std::vector<float> dl(logits.size());
  cross_entropy_backward(dl.data(), logits.data(), tgt.data(), 0.5f, N, V);
  FD_CHECK("cross_entropy", logits, dl, loss);
  // value: -log softmax by hand for row 0
  double mx = -1e30, s = 0;
  for (int j = 0; j < V; j++) mx = std::max(mx, (double)logits[(size_t)j]);
  for (int j = 0; j < V; j++) s += std::exp(logits[(size_t)j] - mx);
  CHECK_NEAR(losses[0], std::log(s) + mx - logits[2], 1e-5);
}

// lm_head_loss in chunks of 1, 3, 4 and all rows == the unchunked path it replaces (matmul, cross_entropy forward and
// backward with dloss 1, matmul backward into dinp); plus finite differences of its dinp and the loss-only mode.
static void test_lm_head_loss() {
  int N = 7, C = 5, V = 9;
  std::vector<int32_t> tgt = {3, -100, 0, 8, -100, 2, 5};
  auto inp = rnd((size_t)N * C, 40), w = rnd((size_t)V * C, 41, 2.0f);
  std::vector<float> logits((size_t)N * V), dlogits((size_t)N * V), want_loss((size_t)N), want_dinp((size_t)N * C);
  matmul_forward(logits.data(), inp.data(), w.data(), nullptr, N, C, V);
  cross_entropy_forward(want_loss.data(), logits.data(), tgt.data(), N, V);
  cross_entropy_backward(dlogits.data(), logits.data(), tgt.data(), 1.0f, N, V);
  matmul_backward(want_dinp.data(), nullptr, nullptr, dlogits.data(), inp.data(), w.data(), N, C, V);
  for (int chunk : {1, 3, 4, N, N + 5}) {
    std::vector<float> loss((size_t)N, -1.0f), dinp((size_t)N * C, 0.5f), scratch((size_t)std::min(chunk, N) * V);
    lm_head_loss(loss.data(), dinp.data(), scratch.data(), inp.data(), w.data(), tgt.data(), N, C, V, chunk);
    for (float& d : dinp) d -= 0.5f;  // accumulates
    double el = test_rel_err(loss, want_loss), ed = test_rel_err(dinp, want_dinp);
    std::printf("lm_head_loss chunk %d: loss rel err %.2e, dinp rel err %.2e\n", chunk, el, ed);
    CHECK(el <= 1e-6 && ed <= 1e-6);
    CHECK(loss[1] == 0.0f && loss[4] == 0.0f);
    std::vector<float> only((size_t)N, -1.0f);
    lm_head_loss(only.data(), nullptr, scratch.data(), inp.data(), w.data(), tgt.data(), N, C, V, chunk);
    CHECK(test_rel_err(only, want_loss) <= 1e-6);
    // loss-only leaves the last chunk's logits in the scratch: rows [(N-1)/chunk*chunk, N)
    int c = std::min(chunk, N), r0 = (N - 1) / c * c;
    double lg = 0;
    for (int i = r0; i < N; i++)
      for (int j = 0; j < V; j++) lg = std::max(lg, (double)std::fabs(scratch[(size_t)(i - r0) * V + j] - logits[(size_t)i * V + j]));
    CHECK(lg <= 1e-6);
  }
  std::vector<float> loss((size_t)N), scratch((size_t)3 * V), dinp((size_t)N * C);
  auto total = [&] {
    lm_head_loss(loss.data(), nullptr, scratch.data(), inp.data(), w.data(), tgt.data(), N, C, V, 3);
    double s = 0;
    for (float x : loss) s += x;
    return s;
  };
  lm_head_loss(loss.data(), dinp.data(), scratch.data(), inp.data(), w.data(), tgt.data(), N, C, V, 3);
  FD_CHECK("lm_head_loss", inp, dinp, total);
}

static void test_lora() {
  int N = 3, C = 5, OC = 4, r = 2;
  auto x = rnd((size_t)N * C, 22), A = rnd((size_t)r * C, 23), Bm = rnd((size_t)OC * r, 24), R = rnd((size_t)N * OC, 25);
  std::vector<float> out((size_t)N * OC), xa((size_t)N * r);
  auto loss = [&] {
    std::fill(out.begin(), out.end(), 0.0f);
    lora_forward(out.data(), xa.data(), x.data(), A.data(), Bm.data(), 1.5f, N, C, OC, r);
    return dot(out, R);
  };
  loss();
  std::vector<float> dx(x.size()), dA(A.size()), dB(Bm.size()), dxa(xa.size());
  lora_backward(dx.data(), dA.data(), dB.data(), dxa.data(), R.data(), x.data(), xa.data(), A.data(), Bm.data(), 1.5f, N, C, OC, r);
  FD_CHECK("lora", x, dx, loss);
  FD_CHECK("lora", A, dA, loss);
  FD_CHECK("lora", Bm, dB, loss);
}

static void test_elementwise() {
  int64_t n = 1000;
  auto x = rnd((size_t)n, 26), R = rnd((size_t)n, 27);
  std::vector<float> out((size_t)n);
  auto loss = [&] { dropout_forward(out.data(), x.data(), 0.25f, 9, 3, n); return dot(out, R); };
  loss();
  int zeros = 0;
  for (float v : out) zeros += v == 0.0f;
  CHECK(zeros > 200 && zeros < 300);
  std::vector<float> dx((size_t)n);
  dropout_backward(dx.data(), R.data(), 0.25f, 9, 3, n);
  FD_CHECK("dropout", x, dx, loss);
  auto a = rnd(8, 28), b = rnd(8, 29), R8 = rnd(8, 30);
  std::vector<float> o8(8);
  auto l2 = [&] { residual_forward(o8.data(), a.data(), b.data(), 8); return dot(o8, R8); };
  std::vector<float> da(8), dbv(8);
  residual_backward(da.data(), dbv.data(), R8.data(), 8);
  FD_CHECK("residual", a, da, l2);
  FD_CHECK("residual", b, dbv, l2);
  std::vector<float> s = {3, 4};
  CHECK_NEAR(sum_squares(s.data(), 2), 25.0, 0);
}

static void test_adamw() {
  // three steps against the closed form in double (torch.optim.AdamW semantics)
  std::vector<float> p = {0.5f, -1.0f}, m(2), v(2);
  std::vector<std::vector<float>> grads = {{0.1f, -0.2f}, {0.3f, 0.05f}, {-0.1f, 0.4f}};
  double P[2] = {0.5, -1.0}, M[2] = {0, 0}, Vv[2] = {0, 0};
  double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
  for (int t = 1; t <= 3; t++) {
    adamw_update(p.data(), grads[(size_t)t - 1].data(), m.data(), v.data(), 2, lr, b1, b2, eps, wd, t);
    for (int i = 0; i < 2; i++) {
      double g = grads[(size_t)t - 1][(size_t)i];
      P[i] *= 1 - lr * wd;
      M[i] = b1 * M[i] + (1 - b1) * g;
      Vv[i] = b2 * Vv[i] + (1 - b2) * g * g;
      P[i] -= lr / (1 - std::pow(b1, t)) * M[i] / (std::sqrt(Vv[i]) / std::sqrt(1 - std::pow(b2, t)) + eps);
    }
  }
  CHECK_NEAR(p[0], P[0], 1e-6);
  CHECK_NEAR(p[1], P[1], 1e-6);
}

static void test_schedules() {
  // transformers: warmup 2 of 10 steps
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_LINEAR, 1.0, 0, 2, 10), 0.0, 0);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_LINEAR, 1.0, 1, 2, 10), 0.5, 1e-15);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_LINEAR, 1.0, 2, 2, 10), 1.0, 1e-15);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_LINEAR, 1.0, 6, 2, 10), 0.5, 1e-15);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_COSINE, 1.0, 6, 2, 10), 0.5, 1e-15);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_COSINE, 1.0, 4, 2, 10), 0.5 * (1 + std::cos(3.14159265358979323846 * 0.25)), 1e-15);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_CONSTANT, 2.0, 0, 2, 10), 2.0, 0);
  CHECK_NEAR(lr_schedule_at(LR_SCHEDULE_CONSTANT_WITH_WARMUP, 2.0, 1, 2, 10), 1.0, 0);
  CHECK(lr_warmup_steps(0, 0.1, 25) == 3);
  CHECK(lr_warmup_steps(5, 0.1, 25) == 5);
  lr_schedule s;
  CHECK(!lr_schedule_parse("polynomial", &s));
  // linear rope scaling divides every inverse frequency by the factor: position 2*factor scaled == 2 unscaled
  rope_params a, b;
  b.linear = true;
  b.factor = 4.0f;
  std::vector<float> ca(8 * 4), sa(8 * 4), cb(8 * 4), sb(8 * 4);
  rope_table(ca.data(), sa.data(), a, 8, 8);
  rope_table(cb.data(), sb.data(), b, 8, 8);
  for (int i = 0; i < 4; i++) CHECK_NEAR(cb[4 * 4 + i], ca[1 * 4 + i], 1e-6);
}

int main() {
  test_matmul();
  test_embedding();
  test_rmsnorm();
  test_rope();
  test_attention(0);
  test_attention(2);
  test_swiglu();
  test_cross_entropy();
  test_lm_head_loss();
  test_lora();
  test_elementwise();
  test_adamw();
  test_schedules();
  return test_finish("test-ops");
}

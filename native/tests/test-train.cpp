// Training-loop tests: determinism, stop + resume reproduces the uninterrupted run exactly (dropout, shuffle,
// packing, accumulation, epoch boundaries), gradient accumulation equivalence, eval, NaN detection, adapter output.
#include <filesystem>
#include <sstream>
#include "core/json.h"
#include "cpu/parallel.h"
#include "engine/protocol.h"
#include "io/safetensors.h"
#include "platform/platform.h"
#include "test-util.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

static ltok_dataset make_ds(int n, uint64_t seed) { return test_pattern_dataset(n, seed, 4, 9, 2); }

static engine_config base_config(const std::string& dir) {
  std::string model = fs::path(dir).parent_path().string() + "/model";
  if (!fs::exists(model)) {
    test_write_tiny_model(model, "llama", 21);
    ltok_write(fs::path(dir).parent_path().string() + "/train.ltok", make_ds(13, 1), 2);
    ltok_write(fs::path(dir).parent_path().string() + "/eval.ltok", make_ds(4, 2), 2);
  }
  engine_config c;
  c.model_dir = model;
  c.train_file = fs::path(dir).parent_path().string() + "/train.ltok";
  c.eval_file = fs::path(dir).parent_path().string() + "/eval.ltok";
  c.output_dir = dir;
  c.device = "cpu";
  c.threads = 2;
  c.lora.r = 4;
  c.lora.alpha = 8;
  c.lora.dropout = 0.1f;
  for (bool& t : c.lora.targets) t = true;
  c.learning_rate = 1e-2;
  c.num_train_epochs = 3;
  c.per_device_train_batch_size = 2;
  c.per_device_eval_batch_size = 2;
  c.gradient_accumulation_steps = 2;
  c.cutoff_len = 24;
  c.packing = true;
  c.scheduler = LR_SCHEDULE_COSINE;
  c.scheduler_name = "cosine";
  c.warmup_steps = 1;
  c.eval_steps = 2;
  c.seed = 7;
  return c;
}

static std::vector<json_value> run_capture(const engine_config& c, lathe_status* st) {
  std::string sink;
  protocol_capture(&sink);
  trainer tr;
  *st = trainer_setup(tr, c);
  if (st->ok()) *st = trainer_run(tr);
  trainer_free(tr);
  protocol_capture(nullptr);
  std::vector<json_value> ev;
  std::istringstream in(sink);
  std::string line, err;
  while (std::getline(in, line)) {
    json_value j;
    if (json_parse(line, j, err)) ev.push_back(j);
  }
  return ev;
}

static std::vector<double> step_losses(const std::vector<json_value>& ev, const char* kind = "step", const char* key = "loss") {
  std::vector<double> out;
  for (const auto& e : ev)
    if (e.get("event")->as_string() == kind) out.push_back(e.get(key)->as_number());
  return out;
}

static void test_resume() {
  std::string root = test_temp_dir("train");
  lathe_status st;
  engine_config a = base_config(root + "/a");
  auto ev_a = run_capture(a, &st);
  CHECK_OK(st);
  std::vector<double> la = step_losses(ev_a);
  std::vector<double> eval_a = step_losses(ev_a, "eval", "eval_loss");
  std::printf("uninterrupted: %zu steps, loss %.5f -> %.5f, %zu evals\n", la.size(), la.empty() ? 0 : la.front(), la.empty() ? 0 : la.back(), eval_a.size());
  CHECK(la.size() >= 6);
  CHECK(!eval_a.empty());
  CHECK(ev_a.back().get("event")->as_string() == "done");
  CHECK(la.back() < la.front());

  engine_config b = base_config(root + "/b");
  b.stop_after_steps = 4;
  auto ev_b = run_capture(b, &st);
  CHECK_OK(st);
  std::vector<double> lb = step_losses(ev_b);
  CHECK(lb.size() == 4);
  std::string ckpt;
  for (const auto& e : ev_b)
    if (e.get("event")->as_string() == "checkpoint") ckpt = e.get("path")->as_string();
  CHECK(!ckpt.empty() && fs::exists(ckpt + "/optimizer.safetensors") && fs::exists(ckpt + "/trainer_state.json"));
  CHECK(ev_b.back().get("reason")->as_string() == "stopped");

  engine_config c = base_config(root + "/b");
  c.resume_from = ckpt;
  auto ev_c = run_capture(c, &st);
  CHECK_OK(st);
  std::vector<double> lc = step_losses(ev_c);
  lb.insert(lb.end(), lc.begin(), lc.end());
  CHECK(lb.size() == la.size());
  bool same = lb.size() == la.size();
  for (size_t i = 0; same && i < la.size(); i++) same = la[i] == lb[i];
  std::printf("stop at 4 + resume: %zu steps, identical losses: %s\n", lb.size(), same ? "yes" : "no");
  CHECK(same);
  std::string fa, fb;
  platform_read_file(root + "/a/adapter_model.safetensors", fa);
  platform_read_file(root + "/b/adapter_model.safetensors", fb);
  CHECK(!fa.empty() && fa == fb);
  // PEFT tensor names in the output
  st_archive ar;
  CHECK_OK(st_open_file(root + "/a/adapter_model.safetensors", ar));
  CHECK(ar.tensors.size() == 2 * 7 * 2);
  CHECK(ar.tensors.count("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight") == 1);
  CHECK(fs::exists(root + "/a/adapter_config.json"));

  // start a new run from the finished adapter: its weights are loaded
  engine_config d = base_config(root + "/d");
  d.adapter_dir = root + "/a";
  d.max_steps = 1;
  d.learning_rate = 0.0;
  d.weight_decay = 0.0;
  auto ev_d = run_capture(d, &st);
  CHECK_OK(st);
  std::string fd;
  platform_read_file(root + "/d/adapter_model.safetensors", fd);
  CHECK(fd == fa);  // lr 0: the adapter comes back unchanged
}

static void test_determinism_and_accumulation() {
  std::string root = test_temp_dir("train-acc");
  engine_config c = base_config(root + "/x");
  c.lora.dropout = 0.0f;
  c.packing = false;
  c.shuffle = false;
  c.max_steps = 1;
  c.scheduler = LR_SCHEDULE_CONSTANT;
  c.per_device_train_batch_size = 2;
  c.gradient_accumulation_steps = 1;
  trainer t1, t2;
  CHECK_OK(trainer_setup(t1, c));
  engine_config c2 = c;
  c2.per_device_train_batch_size = 1;
  c2.gradient_accumulation_steps = 2;
  CHECK_OK(trainer_setup(t2, c2));
  CHECK_OK(trainer_step(t1));
  CHECK_OK(trainer_step(t2));
  std::printf("bs2 x acc1 loss %.9f, bs1 x acc2 loss %.9f, grad norms %.9f %.9f\n", t1.last_loss, t2.last_loss, t1.last_grad_norm, t2.last_grad_norm);
  CHECK_NEAR(t1.last_loss, t2.last_loss, 1e-6);
  CHECK_NEAR(t1.last_grad_norm, t2.last_grad_norm, 1e-6);
  trainer t3;
  CHECK_OK(trainer_setup(t3, c));
  CHECK_OK(trainer_step(t3));
  CHECK(t3.last_loss == t1.last_loss && t3.last_grad_norm == t1.last_grad_norm);
  // results do not depend on the number of CPU threads (each output element has one writer, fixed order)
  trainer t4;
  engine_config c4 = c;
  c4.threads = 1;
  CHECK_OK(trainer_setup(t4, c4));
  CHECK_OK(trainer_step(t4));
  std::printf("threads=1 loss %.17g, threads=2 loss %.17g\n", t4.last_loss, t1.last_loss);
  CHECK(t4.last_loss == t1.last_loss && t4.last_grad_norm == t1.last_grad_norm);
  trainer_free(t4);
  double el;
  int64_t en;
  CHECK_OK(trainer_eval(t1, &el, &en));
  CHECK(en > 0 && std::isfinite(el));
  trainer_free(t1);
  trainer_free(t2);
  trainer_free(t3);
}

static std::string read_bytes(const std::string& path) {
  std::string out;
  platform_read_file(path, out);
  return out;
}

// Gradient checkpointing through the whole loop (dropout, packing, accumulation over 2 micro-batches, eval, cosine
// schedule with warmup): every step's loss and grad norm, the eval losses and the final adapter file are bitwise the
// run's without it, for each test architecture. Then the decision: under a max_vram_gb between the two plans the
// engine turns checkpointing on by itself, below both it refuses to start with out_of_memory naming what fits.
static void test_checkpointing() {
  std::string root = test_temp_dir("train-ckpt");
  for (const char* arch : {"llama", "qwen2", "qwen3", "mistral"}) {
    std::string a = arch;
    engine_config c = base_config(root + "/" + a + "/off");
    c.model_dir = root + "/" + a + "/model";
    test_write_tiny_model(c.model_dir, a, 23, 64, 32, 3, 4, 2, 48, a == "qwen2");
    c.max_steps = 5;
    c.gradient_checkpointing = 0;
    engine_config on = c;
    on.output_dir = root + "/" + a + "/on";
    on.gradient_checkpointing = 1;
    lathe_status s1, s2;
    auto e1 = run_capture(c, &s1);
    auto e2 = run_capture(on, &s2);
    CHECK_OK(s1);
    CHECK_OK(s2);
    auto l1 = step_losses(e1), l2 = step_losses(e2);
    auto g1 = step_losses(e1, "step", "grad_norm"), g2 = step_losses(e2, "step", "grad_norm");
    auto v1 = step_losses(e1, "eval", "eval_loss"), v2 = step_losses(e2, "eval", "eval_loss");
    std::string w1 = read_bytes(c.output_dir + "/adapter_model.safetensors"), w2 = read_bytes(on.output_dir + "/adapter_model.safetensors");
    const json_value *r1 = nullptr, *r2 = nullptr;
    for (const auto& e : e1) if (e.get("event")->as_string() == "ready") r1 = &e;
    for (const auto& e : e2) if (e.get("event")->as_string() == "ready") r2 = &e;
    bool same = l1 == l2 && g1 == g2 && v1 == v2 && !w1.empty() && w1 == w2;
    std::printf("checkpointing through the loop (%s): %zu steps, %zu evals, losses/grad norms/evals/adapter identical: %s; "
                "activations %.4f -> %.4f MiB\n",
                arch, l1.size(), v1.size(), same ? "yes" : "no", r1 ? r1->get("activations_mib")->as_number() : -1.0,
                r2 ? r2->get("activations_mib")->as_number() : -1.0);
    CHECK(l1.size() == 5 && !v1.empty() && same);
    CHECK(r1 && r2 && !r1->get("gradient_checkpointing")->as_bool() && r2->get("gradient_checkpointing")->as_bool());
    CHECK(r1 && r2 && r2->get("activations_mib")->as_number() < r1->get("activations_mib")->as_number());
  }
  // the decision under a fake cap (the CPU backend reports no overhead and no scratch: the plan is exact here)
  engine_config c = base_config(root + "/cap");
  trainer off, on;
  c.gradient_checkpointing = 0;
  CHECK_OK(trainer_setup(off, c));
  c.gradient_checkpointing = 1;
  CHECK_OK(trainer_setup(on, c));
  uint64_t need_off = off.mem.total(), need_on = on.mem.total();
  CHECK(off.m.act_bytes == off.mem.activations && on.m.act_bytes == on.mem.activations);
  CHECK(off.m.weight_bytes == off.mem.weights);
  trainer_free(off);
  trainer_free(on);
  CHECK(need_on < need_off);
  trainer t;
  c.gradient_checkpointing = -1;
  c.max_vram_gb = (double)(need_on + need_off) / 2 / (1ull << 30);
  CHECK_OK(trainer_setup(t, c));
  std::printf("cap %.6f GiB between %llu and %llu bytes: checkpointing %s\n", c.max_vram_gb, (unsigned long long)need_on,
              (unsigned long long)need_off, t.checkpointing ? "on" : "off");
  CHECK(t.checkpointing);
  trainer_free(t);
  trainer t2;
  c.max_vram_gb = (double)need_off / (1ull << 30) * 1.01;
  CHECK_OK(trainer_setup(t2, c));
  CHECK(!t2.checkpointing);
  trainer_free(t2);
  c.max_vram_gb = (double)need_on / (1ull << 30) * 0.9;
  trainer t3;
  lathe_status st = trainer_setup(t3, c);
  trainer_free(t3);
  std::printf("cap below both: %s\n  hint: %s\n", st.message.c_str(), st.hint.c_str());
  CHECK(st.code == LATHE_STATUS_OUT_OF_MEMORY && st.message.find("max_vram_gb") != std::string::npos && !st.details.empty());
}

static void test_errors() {
  std::string root = test_temp_dir("train-err");
  engine_config c = base_config(root + "/n");
  c.debug_nan_at_step = 1;
  lathe_status st;
  auto ev = run_capture(c, &st);
  CHECK(st.code == LATHE_STATUS_NUMERIC && st.message.find("NaN") != std::string::npos);
  engine_config m = base_config(root + "/m");
  m.train_file = root + "/missing.ltok";
  run_capture(m, &st);
  CHECK(st.code == LATHE_STATUS_IO && st.message.find("missing.ltok") != std::string::npos);
  // dataset with a bigger vocabulary than the model
  ltok_dataset big = make_ds(3, 1);
  big.vocab_size = 100000;
  ltok_write(root + "/big.ltok", big, 4);
  engine_config v = base_config(root + "/v");
  v.train_file = root + "/big.ltok";
  run_capture(v, &st);
  CHECK(st.code == LATHE_STATUS_DATA && st.message.find("vocabulary") != std::string::npos);
  engine_config r = base_config(root + "/r");
  r.resume_from = root + "/nope";
  run_capture(r, &st);
  CHECK(st.code == LATHE_STATUS_IO);
}

int main() {
  cpu_set_min_parallel_cost(0.0);  // tiny models: still go through the thread pool
  test_resume();
  test_determinism_and_accumulation();
  test_errors();
  test_checkpointing();
  return test_finish("test-train");
}

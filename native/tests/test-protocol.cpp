// Protocol tests against the real executable: every failure mode gives an `error` event with the documented
// code and exit code; a normal run gives ready/step/eval/checkpoint/done; stdin stop/pause/checkpoint work;
// generation one-shot and interactive.
#include <filesystem>
#include "data/ltok.h"
#include "platform/platform.h"
#include "test-util.h"

namespace fs = std::filesystem;

static std::string g_dir;

static std::string write_cfg(const std::string& name, const std::string& body) {
  std::string p = g_dir + "/" + name + ".json";
  platform_write_file_atomic(p, body.data(), body.size());
  return p;
}

static std::string train_cfg(const std::string& extra, const std::string& out = "out") {
  return std::string("{\"model_dir\":\"") + g_dir + "/model\",\"train_file\":\"" + g_dir + "/train.ltok\",\"eval_file\":\"" +
         g_dir + "/train.ltok\",\"output_dir\":\"" + g_dir + "/" + out + "\",\"device\":\"cpu\",\"threads\":1,\"lora_rank\":2," +
         "\"cutoff_len\":16,\"learning_rate\":0.001" + extra + "}";
}

static void expect_error(const char* what, const test_proc_result& r, int exit_code, const char* code) {
  const json_value* e = test_find_event(r, "error");
  bool ok = r.exit_code == exit_code && e && e->get("code")->as_string() == code && !e->get("message")->as_string().empty();
  std::printf("%-28s exit %d, error code %s\n", what, r.exit_code, e ? e->get("code")->as_string().c_str() : "(none)");
  if (!ok) std::fprintf(stderr, "stdout: %s\n", r.stdout_text.c_str());
  CHECK(ok);
}

int main() {
  g_dir = test_temp_dir("protocol");
  for (auto& c : g_dir) if (c == '\\') c = '/';
  test_write_tiny_model(g_dir + "/model", "qwen3", 5);
  ltok_dataset ds;
  ds.vocab_size = 64;
  ds.offsets = {0};
  for (int r = 0; r < 6; r++) {
    for (int i = 0; i < 10; i++) { ds.tokens.push_back((uint32_t)((r * 13 + i * 5) % 64)); ds.mask.push_back(i > 3); }
    ds.offsets.push_back(ds.tokens.size());
  }
  CHECK_OK(ltok_write(g_dir + "/train.ltok", ds, 2));

  expect_error("not JSON", test_run_engine(write_cfg("bad", "{\"model_dir\": "), {}), 2, "config_invalid");
  expect_error("missing model_dir", test_run_engine(write_cfg("nomodel", "{\"train_file\":\"x\",\"output_dir\":\"o\"}"), {}), 2, "config_invalid");
  expect_error("wrong type", test_run_engine(write_cfg("type", train_cfg(",\"lora_rank\":\"big\"")), {}), 2, "config_invalid");
  expect_error("config file missing", test_run_engine(g_dir + "/does-not-exist.json", {}), 2, "config_invalid");
  std::string nodir = std::string("{\"model_dir\":\"") + g_dir + "/no-such-model\",\"train_file\":\"" + g_dir + "/train.ltok\",\"output_dir\":\"" + g_dir + "/o\"}";
  expect_error("model folder missing", test_run_engine(write_cfg("nodir", nodir), {}), 3, "io");
  fs::create_directories(g_dir + "/gpt2");
  std::string gcfg = "{\"architectures\":[\"GPT2LMHeadModel\"]}";
  platform_write_file_atomic(g_dir + "/gpt2/config.json", gcfg.data(), gcfg.size());
  std::string unsup = std::string("{\"model_dir\":\"") + g_dir + "/gpt2\",\"train_file\":\"" + g_dir + "/train.ltok\",\"output_dir\":\"" + g_dir + "/o\"}";
  expect_error("unsupported architecture", test_run_engine(write_cfg("unsup", unsup), {}), 4, "unsupported_model");
  std::string junk = "LATHETOK but not really";
  platform_write_file_atomic(g_dir + "/junk.ltok", junk.data(), junk.size());
  std::string badds = train_cfg("");
  badds.replace(badds.find("train.ltok"), 10, "junk.ltok");
  expect_error("corrupt dataset", test_run_engine(write_cfg("badds", badds), {}), 5, "data_invalid");
  expect_error("NaN loss", test_run_engine(write_cfg("nan", train_cfg(",\"debug_nan_at_step\":1,\"max_steps\":3", "nan")), {}), 6, "numeric");
  expect_error("cuda requested", test_run_engine(write_cfg("cuda", train_cfg(",\"device\":\"cuda:0\"")), {}), 2, "config_invalid");

  // memory plan over max_vram_gb: an out_of_memory error event with needed vs available, a hint and the plan as details;
  // nothing is loaded or trained (no ready event)
  {
    test_proc_result r = test_run_engine(write_cfg("oom", train_cfg(",\"max_vram_gb\":0.00001,\"max_steps\":2", "oom")), {});
    expect_error("over max_vram_gb", r, 7, "out_of_memory");
    const json_value* e = test_find_event(r, "error");
    const json_value* d = e ? e->get("details") : nullptr;
    std::printf("  message: %s\n  hint: %s\n", e ? e->get("message")->as_string().c_str() : "", e ? e->get("hint")->as_string().c_str() : "");
    CHECK(e && e->get("message")->as_string().find("max_vram_gb 1e-05") != std::string::npos);
    CHECK(e && !e->get("hint")->as_string().empty());
    CHECK(d && d->get("needed_mib") && d->get("available_mib") && d->get("needed_mib")->as_number() > d->get("available_mib")->as_number());
    CHECK(d && d->get("plan") && d->get("plan")->get("weights_mib") && d->get("fits") && d->get("fits")->is_array());
    CHECK(test_find_event(r, "ready") == nullptr);
    expect_error("max_vram_gb negative", test_run_engine(write_cfg("vram", train_cfg(",\"max_vram_gb\":-1")), {}), 2, "config_invalid");
    expect_error("checkpointing not bool", test_run_engine(write_cfg("gc", train_cfg(",\"gradient_checkpointing\":1")), {}), 2,
                 "config_invalid");
    test_proc_result on = test_run_engine(write_cfg("gcon", train_cfg(",\"gradient_checkpointing\":true,\"max_steps\":1", "gcon")), {});
    const json_value* rd = test_find_event(on, "ready");
    CHECK(on.exit_code == 0 && rd && rd->get("gradient_checkpointing") && rd->get("gradient_checkpointing")->as_bool());
  }

  // normal run
  test_proc_result ok = test_run_engine(write_cfg("ok", train_cfg(",\"max_steps\":4,\"eval_steps\":2,\"save_steps\":2,\"unknown_key\":1")), {});
  std::printf("normal run: exit %d, %zu events\n", ok.exit_code, ok.events.size());
  CHECK(ok.exit_code == 0);
  CHECK(test_find_event(ok, "warning") != nullptr);
  const json_value* ready = test_find_event(ok, "ready");
  // no cap on the CPU: the plan fits, so checkpointing is decided off
  CHECK(ready && ready->get("gradient_checkpointing") && !ready->get("gradient_checkpointing")->as_bool() && ready->get("plan_mib"));
  CHECK(ready && ready->get("total_steps")->as_int() == 4 && ready->get("protocol")->as_int() == 1);
  const json_value* step = test_find_event(ok, "step");
  CHECK(step && step->has("loss") && step->has("lr") && step->has("grad_norm") && step->has("epoch") && step->has("tokens_per_s") &&
        step->has("memory_mib"));
  CHECK(test_find_event(ok, "eval") != nullptr);
  const json_value* ck = test_find_event(ok, "checkpoint");
  CHECK(ck && fs::exists(ck->get("path")->as_string() + "/adapter_model.safetensors"));
  const json_value* done = test_find_event(ok, "done");
  CHECK(done && done->get("reason")->as_string() == "completed" && ok.events.back().get("event")->as_string() == "done");
  CHECK(fs::exists(g_dir + "/out/adapter_config.json"));

  // stdin: stop right away -> checkpoint, done(stopped), exit 0
  test_proc_result st = test_run_engine(write_cfg("stop", train_cfg(",\"max_steps\":1000000", "stop")), {"stop"});
  const json_value* sd = test_find_event(st, "done");
  std::printf("stop command: exit %d, done reason %s\n", st.exit_code, sd ? sd->get("reason")->as_string().c_str() : "(none)");
  CHECK(st.exit_code == 0 && sd && sd->get("reason")->as_string() == "stopped");
  CHECK(test_find_event(st, "checkpoint") != nullptr);

  // pause, then a checkpoint request, then stop
  test_proc_result pz = test_run_engine(write_cfg("pause", train_cfg(",\"max_steps\":1000000", "pause")),
                                        {"@wait:\"event\":\"step\"", "{\"cmd\":\"pause\"}", "@wait:\"paused\"",
                                         "{\"cmd\":\"checkpoint\"}", "{\"cmd\":\"resume\"}", "@wait:\"command\"", "stop"});
  CHECK(pz.exit_code == 0);
  CHECK(test_find_event(pz, "paused") != nullptr);
  CHECK(test_find_event(pz, "resumed") != nullptr);
  bool cmd_ckpt = false;
  for (const auto& e : pz.events)
    if (e.get("event")->as_string() == "checkpoint" && e.get("reason")->as_string() == "command") cmd_ckpt = true;
  CHECK(cmd_ckpt);

  // end of stdin while paused acts as stop
  test_proc_result pe = test_run_engine(write_cfg("pause-eof", train_cfg(",\"max_steps\":1000000", "pause-eof")), {"pause"});
  const json_value* pd = test_find_event(pe, "done");
  CHECK(pe.exit_code == 0 && pd && pd->get("reason")->as_string() == "stopped" && test_find_event(pe, "paused"));

  // with stop_on_stdin_eof (as the app runs it), end of stdin stops with a checkpoint: the app died
  test_proc_result se = test_run_engine(write_cfg("stdin-eof", train_cfg(",\"max_steps\":1000000,\"stop_on_stdin_eof\":true", "stdin-eof")), {});
  const json_value* sed = test_find_event(se, "done");
  CHECK(se.exit_code == 0 && sed && sed->get("reason")->as_string() == "stopped" && test_find_event(se, "checkpoint"));

  // generation, one-shot
  std::string gen = std::string("{\"mode\":\"generate\",\"model_dir\":\"") + g_dir + "/model\",\"adapter_dir\":\"" + g_dir +
                    "/out\",\"device\":\"cpu\",\"prompt_tokens\":[1,2,3],\"max_new_tokens\":5}";
  test_proc_result g = test_run_engine(write_cfg("gen", gen), {});
  const json_value* ge = test_find_event(g, "generation");
  CHECK(g.exit_code == 0 && ge && ge->get("tokens")->size() == 5 && ge->get("finish_reason")->as_string() == "length");
  // scores: logprobs per token (id, logprob, top), the prompt's logits in full or their top N
  std::string gl = std::string("{\"mode\":\"generate\",\"model_dir\":\"") + g_dir + "/model\",\"device\":\"cpu\"}";
  test_proc_result gs = test_run_engine(write_cfg("genlp", gl),
      {"{\"cmd\":\"generate\",\"id\":1,\"prompt_tokens\":[4,5],\"max_new_tokens\":3,\"logprobs\":2,\"prompt_logits\":-1}",
       "{\"cmd\":\"generate\",\"id\":2,\"prompt_tokens\":[4,5],\"max_new_tokens\":0,\"prompt_logits\":4}",
       "{\"cmd\":\"generate\",\"id\":3,\"prompt_tokens\":[4,5],\"logprobs\":\"yes\"}"});
  const json_value* g1 = nullptr;
  const json_value* g2 = nullptr;
  for (const auto& e : gs.events)
    if (e.get("event")->as_string() == "generation") (e.get("id")->as_number() == 1 ? g1 : g2) = &e;
  CHECK(gs.exit_code == 0 && g1 && g2 && test_find_event(gs, "error"));
  if (g1 && g2) {
    const json_value* lp = g1->get("logprobs");
    const json_value* pl = g1->get("prompt_logits");
    const json_value* top = g2->get("prompt_top_logits");
    CHECK(lp && lp->size() == 3 && pl && pl->size() > 4 && top && top->size() == 4 && g2->get("tokens")->size() == 0);
    if (lp && lp->size() == 3 && top && top->size() == 4) {
      const json_value& first = lp->items()[0];
      CHECK(first.get("id")->as_number() == g1->get("tokens")->items()[0].as_number() && first.get("top")->size() == 2);
      CHECK(top->items()[0].items()[0].as_number() == first.get("id")->as_number());  // greedy = argmax of the logits
      CHECK(first.get("logprob")->as_number() <= 0.0 && first.get("logprob")->as_number() == first.get("top")->items()[0].items()[1].as_number());
    }
  }
  // interactive: two requests then end of stdin
  std::string gi = std::string("{\"mode\":\"generate\",\"model_dir\":\"") + g_dir + "/model\",\"device\":\"cpu\"}";
  test_proc_result gr = test_run_engine(write_cfg("geni", gi),
      {"{\"cmd\":\"generate\",\"id\":\"r1\",\"prompt_tokens\":[4,5],\"max_new_tokens\":3}",
       "{\"cmd\":\"generate\",\"id\":\"r2\",\"prompt_tokens\":[],\"max_new_tokens\":3}",
       "{\"cmd\":\"generate\",\"id\":\"r3\",\"prompt_tokens\":[7],\"max_new_tokens\":2,\"do_sample\":true,\"temperature\":0.8,\"top_p\":0.9,\"seed\":3}"});
  // base vs adapter in one session
  std::string ga = std::string("{\"mode\":\"generate\",\"model_dir\":\"") + g_dir + "/model\",\"adapter_dir\":\"" + g_dir + "/out\",\"device\":\"cpu\"}";
  test_proc_result gb = test_run_engine(write_cfg("gena", ga),
      {"{\"cmd\":\"generate\",\"id\":\"base\",\"prompt_tokens\":[4,5],\"max_new_tokens\":2,\"use_adapter\":false}",
       "{\"cmd\":\"generate\",\"id\":\"lora\",\"prompt_tokens\":[4,5],\"max_new_tokens\":2}"});
  int with = 0, without = 0;
  for (const auto& e : gb.events)
    if (e.get("event")->as_string() == "generation") (e.get("adapter")->as_bool() ? with : without)++;
  CHECK(gb.exit_code == 0 && with == 1 && without == 1);
  int n_gen = 0;
  for (const auto& e : gr.events) n_gen += e.get("event")->as_string() == "generation";
  std::printf("interactive generation: exit %d, %d generations, error for the empty prompt: %s\n", gr.exit_code, n_gen,
              test_find_event(gr, "error") ? "yes" : "no");
  CHECK(gr.exit_code == 0 && n_gen == 2 && test_find_event(gr, "error") != nullptr);
  CHECK(test_find_event(gr, "generation")->get("id")->as_string() == "r1");
  return test_finish("test-protocol");
}

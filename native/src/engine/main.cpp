// lathe-engine entry point: `lathe-engine CONFIG.json`. Parses the config, runs training or generation, maps the
// final status to an `error` event and the documented exit code (docs/protocol.md). Never exits silently.
// Does not print anything but protocol events on stdout.
#include <chrono>
#include <cstdio>
#include <new>
#include <string>
#include <thread>
#include "backend/backend.h"
#include "engine/config.h"
#include "engine/protocol.h"
#include "model/generate.h"
#include "model/model.h"
#include "platform/platform.h"
#include "train/plan-mode.h"
#include "train/trainer.h"


static gen_params gen_from(const engine_config& c) {
  gen_params p;
  p.max_new_tokens = c.max_new_tokens;
  p.do_sample = c.do_sample;
  p.temperature = c.temperature;
  p.top_p = c.top_p;
  p.top_k = c.top_k;
  p.repetition_penalty = c.repetition_penalty;
  p.seed = c.seed;
  p.stop_tokens = c.stop_tokens;
  p.use_cache = c.use_cache;
  p.logprobs = c.logprobs;
  p.prompt_logits = c.prompt_logits;
  return p;
}

// [[id, value], …] pairs, as the protocol writes top lists.
static json_value pairs_json(const std::vector<std::pair<int32_t, float>>& v) {
  json_value a = json_value::array();
  for (const auto& [id, x] : v) {
    json_value pr = json_value::array();
    pr.push(json_value(id));
    pr.push(json_value((double)x));
    a.push(pr);
  }
  return a;
}

static void set_scores(json_value& f, const gen_params& p, const gen_scores& s) {
  if (p.logprobs >= 0) {
    json_value lp = json_value::array();
    for (const gen_token_score& t : s.tokens) {
      json_value e = json_value::object();
      e.set("id", t.id);
      e.set("logprob", (double)t.logprob);
      e.set("top", pairs_json(t.top));
      lp.push(e);
    }
    f.set("logprobs", lp);
  }
  if (p.prompt_logits < 0) {
    json_value a = json_value::array();
    for (float x : s.prompt_logits) a.push(json_value((double)x));
    f.set("prompt_logits", a);
  } else if (p.prompt_logits > 0) {
    f.set("prompt_top_logits", pairs_json(s.prompt_top));
  }
}

static lathe_status run_one_generation(model& m, lora_adapter* ad, const engine_config& c, const json_value* id) {
  gen_params p = gen_from(c);
  std::vector<int32_t> out;
  std::string finish;
  gen_scores scores;
  auto t0 = std::chrono::steady_clock::now();
  if (!p.use_cache && (!m.has_plan || m.max_T < (int)c.prompt_tokens.size() + p.max_new_tokens))
    LATHE_TRY(model_alloc_train(m, 1, (int)c.prompt_tokens.size() + p.max_new_tokens, ad ? ad->cfg.r : 1, 0.0f));
  LATHE_TRY(generate(m, ad, c.prompt_tokens, p, &out, &finish,
                     [&](int i, int32_t tok) {
                       json_value f = json_value::object();
                       if (id) f.set("id", *id);
                       f.set("index", i);
                       f.set("token", tok);
                       protocol_emit("token", f);
                     },
                     [] { return g_commands.stop.load() || g_commands.cancel.exchange(false); }, &scores));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  json_value toks = json_value::array();
  for (int32_t t : out) toks.push(json_value(t));
  json_value f = json_value::object();
  if (id) f.set("id", *id);
  f.set("tokens", toks);
  f.set("finish_reason", finish);
  f.set("prompt_tokens", (int64_t)c.prompt_tokens.size());
  f.set("tokens_per_s", secs > 0 ? (double)out.size() / secs : 0.0);
  f.set("adapter", ad != nullptr);
  set_scores(f, p, scores);
  protocol_emit("generation", f);
  return LATHE_OK();
}

static lathe_status run_generate(const engine_config& cfg) {
  backend* be = nullptr;
  LATHE_TRY(backend_create(cfg.device, cfg.threads, &be));
  be->set_frozen_nf4(cfg.quantization_bit == 4);
  model m;
  lora_adapter ad;
  lathe_status s = model_load(m, be, cfg.model_dir);
  bool has_adapter = !cfg.adapter_dir.empty();
  if (s.ok() && has_adapter) {
    lora_config lc;
    s = lora_adapter_read_config(cfg.adapter_dir, lc);
    if (s.ok()) s = lora_adapter_init(ad, be, m.cfg, lc, cfg.seed, false);
    if (s.ok()) s = lora_adapter_load_weights(ad, cfg.adapter_dir);
  }
  if (s.ok()) s = model_ensure_rope(m, 2);
  if (s.ok()) {
    json_value f = json_value::object();
    f.set("mode", "generate");
    f.set("protocol", LATHE_PROTOCOL_VERSION);
    f.set("engine_version", LATHE_ENGINE_VERSION);
    f.set("backend", be->name());
    f.set("architecture", m.cfg.arch_name);
    f.set("adapter", has_adapter);
    f.set("weights_mib", (double)m.weight_bytes / 1048576.0);
    protocol_emit("ready", f);
  }
  engine_config c = cfg;
  if (s.ok() && c.has_prompt) {
    s = run_one_generation(m, has_adapter && c.use_adapter ? &ad : nullptr, c, nullptr);
  } else if (s.ok()) {
    // Interactive: serve {"cmd":"generate", ...} requests until stop or end of stdin.
    while (!g_commands.stop) {
      json_value req;
      bool got = false;
      {
        std::lock_guard<std::mutex> lk(g_commands.mu);
        if (!g_commands.generate_requests.empty()) {
          req = g_commands.generate_requests.front();
          g_commands.generate_requests.pop_front();
          got = true;
        }
      }
      if (!got) {
        if (g_commands.eof) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      engine_config rc = cfg;
      lathe_status rs = engine_config_parse_generation(req, rc);
      if (rs.ok() && !rc.has_prompt) rs = LATHE_ERR(LATHE_STATUS_CONFIG, "generate command without prompt_tokens", "");
      g_commands.cancel = false;  // a cancel that arrived between requests does not hit the next one
      if (rs.ok()) rs = run_one_generation(m, has_adapter && rc.use_adapter ? &ad : nullptr, rc, req.get("id"));
      if (!rs.ok()) protocol_emit_error(rs);  // a bad request does not end the session
    }
  }
  if (s.ok()) {
    json_value f = json_value::object();
    f.set("reason", g_commands.stop ? "stopped" : "completed");
    protocol_emit("done", f);
  }
  lora_adapter_free(ad);
  model_free(m);
  delete be;
  return s;
}

static int finish_with(const lathe_status& s) {
  if (!s.ok()) protocol_emit_error(s);
  return (int)s.code;
}

static void on_fatal(const char* message) {
  protocol_emit_error(LATHE_ERR(LATHE_STATUS_INTERNAL, message, "please report this"));
}

int main(int argc, char** argv) {
  lathe_set_fatal_hook(on_fatal);
  platform_install_crash_handler(
      "{\"event\":\"error\",\"code\":\"internal\",\"exit_code\":1,\"message\":\"the engine crashed\","
      "\"hint\":\"please report this, with the run's config\",\"where\":\"signal handler\"}");
  if (argc == 2 && (std::string(argv[1]) == "--version" || std::string(argv[1]) == "-v")) {
    std::printf("lathe-engine %s\n", LATHE_ENGINE_VERSION);
    return 0;
  }
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: lathe-engine CONFIG.json   (protocol: native/docs/protocol.md)\n");
    return finish_with(LATHE_ERR(LATHE_STATUS_CONFIG, "expected exactly one argument: the config JSON path", "run lathe-engine CONFIG.json"));
  }
  try {
    engine_config cfg;
    lathe_status s = engine_config_load(argv[1], cfg);
    if (!s.ok()) return finish_with(s);
    for (const auto& k : cfg.ignored_keys) {
      json_value f = json_value::object();
      f.set("message", "ignored unknown config key \"" + k + "\"");
      protocol_emit("warning", f);
    }
    if (cfg.mode == "plan") return finish_with(plan_mode_run(cfg));  // no commands: one event, then exit
    protocol_start_stdin_reader();
    if (cfg.mode == "generate") return finish_with(run_generate(cfg));
    trainer tr;
    s = trainer_setup(tr, cfg);
    if (s.ok()) s = trainer_run(tr);
    trainer_free(tr);
    return finish_with(s);
  } catch (const lathe_device_oom& e) {
    return finish_with(LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, std::string("out of device memory: ") + e.what(),
                                 "turn on gradient_checkpointing, or lower per_device_train_batch_size or cutoff_len"));
  } catch (const std::bad_alloc&) {
    return finish_with(LATHE_ERR(LATHE_STATUS_OUT_OF_MEMORY, "out of host memory", "lower per_device_train_batch_size or cutoff_len, or use a smaller model"));
  } catch (const std::exception& e) {
    return finish_with(LATHE_ERR(LATHE_STATUS_INTERNAL, std::string("internal error: ") + e.what(), "please report this"));
  }
}

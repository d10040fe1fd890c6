// Minimal test harness: CHECK macros that count failures, helpers for temp folders and tiny random models.
// Does not depend on any test framework (CI needs only g++ and cmake).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>
#include "core/status.h"
#include "data/ltok.h"

extern int g_test_failures;
extern int g_test_checks;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    g_test_checks++;                                                                \
    if (!(cond)) {                                                                  \
      g_test_failures++;                                                            \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
    }                                                                               \
  } while (0)
#define CHECK_OK(expr)                                                                                  \
  do {                                                                                                  \
    lathe_status s_ = (expr);                                                                           \
    g_test_checks++;                                                                                    \
    if (!s_.ok()) {                                                                                     \
      g_test_failures++;                                                                                \
      std::fprintf(stderr, "FAIL %s:%d: %s -> %s (%s:%d)\n", __FILE__, __LINE__, #expr, s_.message.c_str(), s_.file, s_.line); \
    }                                                                                                   \
  } while (0)
#define CHECK_NEAR(a, b, tol)                                                                          \
  do {                                                                                                 \
    double a_ = (a), b_ = (b);                                                                         \
    g_test_checks++;                                                                                   \
    if (!(std::fabs(a_ - b_) <= (tol))) {                                                              \
      g_test_failures++;                                                                               \
      std::fprintf(stderr, "FAIL %s:%d: %s=%.9g vs %s=%.9g (tol %g)\n", __FILE__, __LINE__, #a, a_, #b, b_, (double)(tol)); \
    }                                                                                                  \
  } while (0)

int test_finish(const char* name);
// Fresh empty folder under the build dir's working directory.
std::string test_temp_dir(const std::string& name);
// Max |a-b| / max(max|b|, floor): the normalised error used by parity and gradient checks.
double test_rel_err(const std::vector<float>& a, const std::vector<float>& b, double floor = 1e-6);
// Writes a tiny random Llama-family model folder (config.json + model.safetensors), deterministic in seed.
// arch: "llama" | "qwen2" | "qwen3" | "mistral".
void test_write_tiny_model(const std::string& dir, const std::string& arch, uint64_t seed, int vocab = 64, int hidden = 32,
                           int layers = 2, int heads = 4, int kv_heads = 2, int inter = 48, bool tied = false,
                           int head_dim = 0);  // 0: hidden / heads (Qwen3-4B/8B use heads * head_dim != hidden)

// Sets every LoRA B (only the modules that are on, with only_on) to b[i] = f(i, mod), i over its (out, r) entries:
// a non-zero B so that A gets gradient too, and the adapter changes the output.
struct lora_adapter;
struct lora_module;
class backend;
void test_set_lora_b(backend* be, lora_adapter& ad, int r, const std::function<float(size_t, const lora_module&)>& f,
                     bool only_on = false);
// Appends every LoRA gradient (per module dA (r, in) then dB (out, r); only the modules that are on, with only_on) to all.
// Host pointers: the CPU backend's.
void test_append_lora_grads(std::vector<float>& all, const lora_adapter& ad, int r, bool only_on = false);

#include "core/json.h"
struct test_proc_result {
  int exit_code = -1;
  std::vector<json_value> events;
  std::string stdout_text;
};
// Runs the engine executable with a config file, writing stdin_lines (each after delay_ms) then closing stdin.
// A line "@wait:TEXT" is not sent: it waits (up to 60 s) until the engine's stdout contains TEXT.
test_proc_result test_run_engine(const std::string& config_path, const std::vector<std::string>& stdin_lines, int delay_ms = 0);
// First event of that name, or nullptr.
const json_value* test_find_event(const test_proc_result& r, const std::string& name);

// A tokenized dataset of n records with a fixed pattern over a 64-token vocabulary: record r has
// min_len + (7r + seed) % len_span tokens, its first len / prompt_den of them masked (the prompt).
ltok_dataset test_pattern_dataset(int n, uint64_t seed, int min_len, int len_span, int prompt_den);

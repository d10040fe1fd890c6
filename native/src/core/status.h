// Status codes and error values used across the engine (llama.cpp style: return codes, never exit()).
// Does not print anything; the protocol layer turns a status into an `error` event and an exit code.
#pragma once
#include <stdexcept>
#include <string>

// Values double as the process exit codes documented in docs/protocol.md.
enum lathe_status_code {
  LATHE_STATUS_OK = 0,
  LATHE_STATUS_INTERNAL = 1,
  LATHE_STATUS_CONFIG = 2,
  LATHE_STATUS_IO = 3,
  LATHE_STATUS_UNSUPPORTED_MODEL = 4,
  LATHE_STATUS_DATA = 5,
  LATHE_STATUS_NUMERIC = 6,
  LATHE_STATUS_OUT_OF_MEMORY = 7,
};

struct lathe_status {
  lathe_status_code code = LATHE_STATUS_OK;
  std::string message;
  std::string hint;
  std::string details;  // optional JSON object text, emitted as the error event's `details` (e.g. the memory plan)
  const char* file = "";
  int line = 0;
  bool ok() const { return code == LATHE_STATUS_OK; }
};

// Stable string for the `error` event's `code` field.
const char* lathe_status_name(lathe_status_code code);
lathe_status lathe_status_make(lathe_status_code code, std::string message, std::string hint, const char* file, int line);

#define LATHE_OK() lathe_status{}
#define LATHE_ERR(code, msg, hint) lathe_status_make((code), (msg), (hint), __FILE__, __LINE__)
#define LATHE_TRY(expr)                 \
  do {                                  \
    lathe_status lathe_try_s_ = (expr); \
    if (!lathe_try_s_.ok()) return lathe_try_s_; \
  } while (0)
// Programming errors (shape mismatches inside the engine): abort with file and line.
#define LATHE_ASSERT(cond) \
  do { if (!(cond)) lathe_assert_fail(#cond, __FILE__, __LINE__); } while (0)
[[noreturn]] void lathe_assert_fail(const char* expr, const char* file, int line);
// Called with a message before the process dies of an internal error (the engine sets it to emit an `error`
// event, so that even a broken invariant is never a silent exit).
void lathe_set_fatal_hook(void (*hook)(const char* message));

// Device memory ran out where no status can be returned (a GPU backend's scratch growing inside an op). main.cpp
// turns it into an out_of_memory `error` event; the memory plan sizes scratch up front so that it should not happen.
struct lathe_device_oom : std::runtime_error {
  explicit lathe_device_oom(const std::string& what) : std::runtime_error(what) {}
};

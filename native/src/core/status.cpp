// Status helpers: names for error codes and the assertion failure path.
// Does not decide exit behaviour beyond aborting on a broken internal invariant.
#include "core/status.h"
#include <cstdio>
#include <cstdlib>

const char* lathe_status_name(lathe_status_code code) {
  switch (code) {
    case LATHE_STATUS_OK: return "ok";
    case LATHE_STATUS_INTERNAL: return "internal";
    case LATHE_STATUS_CONFIG: return "config_invalid";
    case LATHE_STATUS_IO: return "io";
    case LATHE_STATUS_UNSUPPORTED_MODEL: return "unsupported_model";
    case LATHE_STATUS_DATA: return "data_invalid";
    case LATHE_STATUS_NUMERIC: return "numeric";
    case LATHE_STATUS_OUT_OF_MEMORY: return "out_of_memory";
  }
  return "internal";
}

lathe_status lathe_status_make(lathe_status_code code, std::string message, std::string hint, const char* file, int line) {
  lathe_status s;
  s.code = code;
  s.message = std::move(message);
  s.hint = std::move(hint);
  s.file = file;
  s.line = line;
  return s;
}

static void (*g_fatal_hook)(const char*) = nullptr;

void lathe_set_fatal_hook(void (*hook)(const char* message)) { g_fatal_hook = hook; }

void lathe_assert_fail(const char* expr, const char* file, int line) {
  char msg[512];
  std::snprintf(msg, sizeof msg, "internal error: assertion failed: %s (%s:%d)", expr, file, line);
  std::fprintf(stderr, "lathe-engine: %s\n", msg);
  std::fflush(stderr);
  if (g_fatal_hook) g_fatal_hook(msg);
  std::_Exit(LATHE_STATUS_INTERNAL);
}

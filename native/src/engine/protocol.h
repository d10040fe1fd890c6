// The JSON-lines protocol with the app (docs/protocol.md): events on stdout, commands on stdin.
// Does not decide what to do on a command; the trainer / generator poll the flags.
#pragma once
#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include "core/json.h"
#include "core/status.h"

#define LATHE_ENGINE_VERSION "0.1.0"
#define LATHE_PROTOCOL_VERSION 1  // bumped on any incompatible change to docs/protocol.md

// Writes {"event": name, ...fields} as one line on stdout and flushes. Thread-safe.
void protocol_emit(const char* name, json_value fields);
void protocol_emit_error(const lathe_status& s);
// Redirects events to a string buffer instead of stdout (tests).
void protocol_capture(std::string* sink);

struct protocol_commands {
  std::atomic<bool> stop{false};
  std::atomic<bool> pause{false};
  std::atomic<bool> checkpoint{false};
  std::atomic<bool> cancel{false};  // generate: end the current generation, keep the session
  std::mutex mu;
  std::deque<json_value> generate_requests;  // {"cmd":"generate", ...}
  std::atomic<bool> eof{false};
};
extern protocol_commands g_commands;

// Applies one command line ("stop", or {"cmd":"stop"}); unknown commands produce an `error`-free `warning` event.
void protocol_handle_line(const std::string& line);
// Starts a detached thread reading stdin lines into g_commands.
void protocol_start_stdin_reader();

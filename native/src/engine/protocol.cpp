// Event writer and stdin command reader. stdout carries nothing but events (diagnostics go to stderr).
// Does not exit the process: main() maps the final status to the exit code.
#include "engine/protocol.h"
#include <cstdio>
#include <iostream>
#include <thread>

protocol_commands g_commands;

static std::mutex g_out_mu;
static std::string* g_sink = nullptr;

void protocol_capture(std::string* sink) {
  std::lock_guard<std::mutex> lk(g_out_mu);
  g_sink = sink;
}

void protocol_emit(const char* name, json_value fields) {
  json_value e = json_value::object();
  e.set("event", name);
  if (fields.is_object())
    for (const auto& kv : fields.members()) e.set(kv.first, kv.second);
  std::string line = e.dump() + "\n";
  std::lock_guard<std::mutex> lk(g_out_mu);
  if (g_sink) { *g_sink += line; return; }
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

void protocol_emit_error(const lathe_status& s) {
  json_value f = json_value::object();
  f.set("code", lathe_status_name(s.code));
  f.set("exit_code", (int)s.code);
  f.set("message", s.message);
  f.set("hint", s.hint);
  if (!s.details.empty()) {
    json_value d;
    std::string err;
    if (json_parse(s.details, d, err)) f.set("details", d);
  }
  f.set("where", std::string(s.file) + ":" + std::to_string(s.line));
  protocol_emit("error", f);
}

void protocol_handle_line(const std::string& raw) {
  std::string line = raw;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty()) return;
  std::string cmd;
  json_value j;
  std::string err;
  if (line[0] == '{') {
    if (!json_parse(line, j, err) || !j.is_object()) {
      json_value w = json_value::object();
      w.set("message", "ignored a command that is not valid JSON: " + err);
      protocol_emit("warning", w);
      return;
    }
    const json_value* c = j.get("cmd");
    if (!c) c = j.get("command");
    cmd = c && c->is_string() ? c->as_string() : "";
  } else {
    cmd = line;
  }
  if (cmd == "stop") g_commands.stop = true;
  else if (cmd == "pause") g_commands.pause = true;
  else if (cmd == "resume") g_commands.pause = false;
  else if (cmd == "checkpoint") g_commands.checkpoint = true;
  else if (cmd == "cancel") g_commands.cancel = true;
  else if (cmd == "generate" && j.is_object()) {
    std::lock_guard<std::mutex> lk(g_commands.mu);
    g_commands.generate_requests.push_back(j);
  } else {
    json_value w = json_value::object();
    w.set("message", "ignored unknown command \"" + cmd + "\"");
    protocol_emit("warning", w);
  }
}

void protocol_start_stdin_reader() {
  std::thread([] {
    std::string line;
    while (std::getline(std::cin, line)) protocol_handle_line(line);
    g_commands.eof = true;
  }).detach();
}

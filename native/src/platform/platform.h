// The one place for operating-system specifics (POSIX vs Windows): memory readings, durable atomic writes.
// Does not wrap anything std::filesystem / std::thread already cover portably.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include "core/status.h"

// Resident memory high-water mark of this process in bytes (0 if unknown).
uint64_t platform_peak_rss_bytes();
// On a crash signal (SIGSEGV, SIGFPE, SIGILL, SIGBUS, SIGABRT) writes `line` (a prepared JSON error event) to
// stdout with the raw write call and exits with code 1: a crash is never silent for the app.
void platform_install_crash_handler(const char* line);
// Logical CPU count (>= 1).
int platform_cpu_count();
// Writes bytes to path atomically: temp file in the same folder, flushed to disk, then renamed over path.
lathe_status platform_write_file_atomic(const std::string& path, const void* data, size_t size);
// Reads a whole file.
lathe_status platform_read_file(const std::string& path, std::string& out);

// Paths are UTF-8 std::strings everywhere in the engine; these convert at the filesystem boundary
// (on Windows a narrow std::filesystem::path would use the ANSI code page and break non-ASCII user folders).
std::filesystem::path platform_path(const std::string& utf8);
std::string platform_join(const std::string& dir, const std::string& name);
bool platform_exists(const std::string& path);
bool platform_is_dir(const std::string& path);
lathe_status platform_make_dirs(const std::string& path);
void platform_remove_all(const std::string& path);
// Replaces folder `to` by folder `from` (remove, then rename).
lathe_status platform_replace_dir(const std::string& from, const std::string& to);
// Files in dir whose name ends with ext, sorted.
std::vector<std::string> platform_list_files(const std::string& dir, const std::string& ext);
// Opens a file for binary reading.
bool platform_open_read(std::ifstream& in, const std::string& path);

// Platform layer: POSIX and Win32 implementations side by side behind platform.h.
// Does not contain engine logic; everything else in the engine is portable C++17.
#include "platform/platform.h"
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <psapi.h>
#include <io.h>
#else
#include <sys/resource.h>
#include <unistd.h>
#endif

uint64_t platform_peak_rss_bytes() {
#if defined(_WIN32)
  PROCESS_MEMORY_COUNTERS pmc;
  if (GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc)) return (uint64_t)pmc.PeakWorkingSetSize;
  return 0;
#else
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
#if defined(__APPLE__)
  return (uint64_t)ru.ru_maxrss;
#else
  return (uint64_t)ru.ru_maxrss * 1024ULL;
#endif
#endif
}

static char g_crash_line[512];

extern "C" void platform_on_crash(int sig) {
  size_t n = std::strlen(g_crash_line);
#if defined(_WIN32)
  _write(1, g_crash_line, (unsigned)n);
#else
  ssize_t w = write(1, g_crash_line, n);
  (void)w;
#endif
  (void)sig;
  std::_Exit(1);
}

void platform_install_crash_handler(const char* line) {
  std::snprintf(g_crash_line, sizeof g_crash_line, "%s\n", line);
  for (int sig : {SIGSEGV, SIGFPE, SIGILL, SIGABRT
#if defined(SIGBUS)
                  , SIGBUS
#endif
       })
    std::signal(sig, platform_on_crash);
}

int platform_cpu_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? (int)n : 1;
}

namespace fs = std::filesystem;

fs::path platform_path(const std::string& utf8) { return fs::u8path(utf8); }

std::string platform_join(const std::string& dir, const std::string& name) {
  return (fs::u8path(dir) / fs::u8path(name)).u8string();
}

bool platform_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::u8path(path), ec);
}

bool platform_is_dir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(fs::u8path(path), ec);
}

lathe_status platform_make_dirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::u8path(path), ec);
  if (ec) return LATHE_ERR(LATHE_STATUS_IO, "cannot create folder " + path + ": " + ec.message(), "check the output folder and permissions");
  return LATHE_OK();
}

void platform_remove_all(const std::string& path) {
  std::error_code ec;
  fs::remove_all(fs::u8path(path), ec);
}

lathe_status platform_replace_dir(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::remove_all(fs::u8path(to), ec);
  fs::rename(fs::u8path(from), fs::u8path(to), ec);
  if (ec) return LATHE_ERR(LATHE_STATUS_IO, "cannot rename " + from + " to " + to + ": " + ec.message(), "");
  return LATHE_OK();
}

std::vector<std::string> platform_list_files(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(fs::u8path(dir), ec)) return out;
  for (const auto& e : fs::directory_iterator(fs::u8path(dir), ec)) {
    std::string name = e.path().filename().u8string();
    if (name.size() >= ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) out.push_back(e.path().u8string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool platform_open_read(std::ifstream& in, const std::string& path) {
  in.open(fs::u8path(path), std::ios::binary);
  return (bool)in;
}

static FILE* open_write(const std::string& path) {
#if defined(_WIN32)
  return _wfopen(fs::u8path(path).wstring().c_str(), L"wb");
#else
  return std::fopen(path.c_str(), "wb");
#endif
}

lathe_status platform_write_file_atomic(const std::string& path, const void* data, size_t size) {
  std::string tmp = path + ".tmp";
  FILE* f = open_write(tmp);
  if (!f) return LATHE_ERR(LATHE_STATUS_IO, "cannot write " + tmp, "check that the output folder exists and is writable");
  size_t w = size ? std::fwrite(data, 1, size, f) : 0;
  bool ok = w == size && std::fflush(f) == 0;
#if defined(_WIN32)
  ok = ok && _commit(_fileno(f)) == 0;
#else
  ok = ok && fsync(fileno(f)) == 0;
#endif
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::error_code ec;
    fs::remove(fs::u8path(tmp), ec);
    return LATHE_ERR(LATHE_STATUS_IO, "short write to " + tmp, "check free disk space");
  }
  std::error_code ec;
  fs::rename(fs::u8path(tmp), fs::u8path(path), ec);  // replaces atomically on POSIX; MoveFileEx(REPLACE_EXISTING) on Windows
  if (ec) return LATHE_ERR(LATHE_STATUS_IO, "cannot rename " + tmp + " to " + path + ": " + ec.message(), "");
  return LATHE_OK();
}

lathe_status platform_read_file(const std::string& path, std::string& out) {
  std::ifstream in;
  if (!platform_open_read(in, path)) return LATHE_ERR(LATHE_STATUS_IO, "cannot open " + path, "check that the file exists");
  in.seekg(0, std::ios::end);
  std::streamoff n = in.tellg();
  in.seekg(0, std::ios::beg);
  out.resize((size_t)n);
  if (n > 0 && !in.read(&out[0], n)) return LATHE_ERR(LATHE_STATUS_IO, "cannot read " + path, "");
  return LATHE_OK();
}

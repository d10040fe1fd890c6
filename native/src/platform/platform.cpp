// Platform layer: POSIX and Win32 implementations side by side behind platform.h.
// Does not contain engine logic; everything else in the engine is portable C++17.
#include "platform/platform.h"
#include <cstdio>
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

int platform_cpu_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? (int)n : 1;
}

lathe_status platform_write_file_atomic(const std::string& path, const void* data, size_t size) {
  namespace fs = std::filesystem;
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
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
    fs::remove(tmp, ec);
    return LATHE_ERR(LATHE_STATUS_IO, "short write to " + tmp, "check free disk space");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);  // replaces atomically on POSIX; MoveFileEx(REPLACE_EXISTING) on Windows
  if (ec) return LATHE_ERR(LATHE_STATUS_IO, "cannot rename " + tmp + " to " + path + ": " + ec.message(), "");
  return LATHE_OK();
}

lathe_status platform_read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return LATHE_ERR(LATHE_STATUS_IO, "cannot open " + path, "check that the file exists");
  in.seekg(0, std::ios::end);
  std::streamoff n = in.tellg();
  in.seekg(0, std::ios::beg);
  out.resize((size_t)n);
  if (n > 0 && !in.read(&out[0], n)) return LATHE_ERR(LATHE_STATUS_IO, "cannot read " + path, "");
  return LATHE_OK();
}

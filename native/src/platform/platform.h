// The one place for operating-system specifics (POSIX vs Windows): memory readings, durable atomic writes.
// Does not wrap anything std::filesystem / std::thread already cover portably.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include "core/status.h"

// Resident memory high-water mark of this process in bytes (0 if unknown).
uint64_t platform_peak_rss_bytes();
// Logical CPU count (>= 1).
int platform_cpu_count();
// Writes bytes to path atomically: temp file in the same folder, flushed to disk, then renamed over path.
lathe_status platform_write_file_atomic(const std::string& path, const void* data, size_t size);
// Reads a whole file.
lathe_status platform_read_file(const std::string& path, std::string& out);

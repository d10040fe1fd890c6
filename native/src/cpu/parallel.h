// A small persistent thread pool for the CPU backend: parallel_for over [0, n) in contiguous chunks.
// Does not nest (a parallel_for inside a worker runs inline) and does not steal work.
#pragma once
#include <cstdint>
#include <functional>

void cpu_set_threads(int n);  // 0 = hardware concurrency
int cpu_threads();
// Work below this cost (≈ flops) runs inline; tests set 0 to exercise the threaded paths on tiny models.
constexpr double CPU_DEFAULT_MIN_PARALLEL_COST = 2e5;
void cpu_set_min_parallel_cost(double cost);
// Calls fn(begin, end) on disjoint chunks covering [0, n); runs inline when cost (≈ flops) is small.
void cpu_parallel_for(int64_t n, double cost, const std::function<void(int64_t, int64_t)>& fn);

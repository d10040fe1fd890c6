// Thread pool behind cpu_parallel_for. Work is split into one chunk per thread so the result of every op is
// independent of scheduling (each output element is computed by exactly one thread in a fixed order).
// Does not use OpenMP, so MSVC and g++ builds behave the same.
#include "cpu/parallel.h"
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#include "platform/platform.h"

namespace {

thread_local bool t_inside = false;

struct pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable cv_work, cv_done;
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0;
  int nchunks = 0;
  int next = 0, done = 0;
  uint64_t generation = 0;
  bool quit = false;

  void run_chunks() {
    while (true) {
      int c;
      {
        std::lock_guard<std::mutex> lk(mu);
        if (next >= nchunks) return;
        c = next++;
      }
      int64_t b = n * c / nchunks, e = n * (c + 1) / nchunks;
      if (b < e) (*fn)(b, e);
      {
        std::lock_guard<std::mutex> lk(mu);
        if (++done == nchunks) cv_done.notify_all();
      }
    }
  }
  void worker() {
    t_inside = true;  // a parallel_for called from inside a chunk runs inline
    uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock<std::mutex> lk(mu);
        cv_work.wait(lk, [&] { return quit || generation != seen; });
        if (quit) return;
        seen = generation;
      }
      run_chunks();
    }
  }
  void start(int nthreads) {
    stop();
    quit = false;
    for (int i = 1; i < nthreads; i++) workers.emplace_back([this] { worker(); });
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lk(mu);
      quit = true;
    }
    cv_work.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }
  ~pool() { stop(); }
};

pool g_pool;
int g_threads = 0;
double g_min_cost = CPU_DEFAULT_MIN_PARALLEL_COST;
std::mutex g_call_mu;

}  // namespace

void cpu_set_min_parallel_cost(double cost) { g_min_cost = cost; }

void cpu_set_threads(int n) {
  if (n <= 0) n = platform_cpu_count();
  n = std::min(n, 64);
  if (n == g_threads) return;
  g_threads = n;
  g_pool.start(n);
}

int cpu_threads() {
  if (g_threads == 0) cpu_set_threads(0);
  return g_threads;
}

void cpu_parallel_for(int64_t n, double cost, const std::function<void(int64_t, int64_t)>& fn) {
  int nt = cpu_threads();
  if (n <= 0) return;
  if (nt <= 1 || t_inside || cost < g_min_cost || n == 1) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call_lk(g_call_mu);
  {
    std::lock_guard<std::mutex> lk(g_pool.mu);
    g_pool.fn = &fn;
    g_pool.n = n;
    g_pool.nchunks = (int)std::min<int64_t>(n, nt);
    g_pool.next = 0;
    g_pool.done = 0;
    g_pool.generation++;
  }
  g_pool.cv_work.notify_all();
  t_inside = true;
  g_pool.run_chunks();
  t_inside = false;
  std::unique_lock<std::mutex> lk(g_pool.mu);
  g_pool.cv_done.wait(lk, [&] { return g_pool.done == g_pool.nchunks; });
}

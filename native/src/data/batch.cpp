// Batch building, see batch.h. Labels follow HF: label[t] = token[t] if it is a target else -100; the first
// token of every record is -100 so that a packed row gives exactly the loss of its records run separately
// (the same rule as transformers' DataCollatorWithFlattening). Does not split records across rows.
#include "data/batch.h"
#include <algorithm>
#include "core/rng.h"

static const uint64_t RNG_STREAM_SHUFFLE = 0x5348554646ULL;

data_plan data_plan_epoch(const ltok_dataset& ds, int cutoff_len, bool packing, bool shuffle, uint64_t seed, uint64_t epoch) {
  uint64_t n = ds.n_records();
  std::vector<uint64_t> order(n);
  for (uint64_t i = 0; i < n; i++) order[i] = i;
  if (shuffle) {  // Fisher-Yates with the counter RNG: identical on every platform
    for (uint64_t i = n; i > 1; i--) {
      uint64_t j = rng_below(seed, RNG_STREAM_SHUFFLE + epoch, i, i);
      std::swap(order[i - 1], order[j]);
    }
  }
  data_plan p;
  std::vector<uint64_t> cur;
  uint64_t cur_len = 0;
  for (uint64_t r : order) {
    uint64_t len = std::min<uint64_t>(ds.record_len(r), (uint64_t)cutoff_len);
    if (len == 0) continue;
    if (!packing) { p.rows.push_back({r}); continue; }
    if (!cur.empty() && cur_len + len > (uint64_t)cutoff_len) { p.rows.push_back(cur); cur.clear(); cur_len = 0; }
    cur.push_back(r);
    cur_len += len;
  }
  if (!cur.empty()) p.rows.push_back(cur);
  return p;
}

micro_batch data_make_batch_rows(const ltok_dataset& ds, const std::vector<std::vector<uint64_t>>& rows, int cutoff_len) {
  micro_batch mb;
  mb.B = (int)rows.size();
  int T = 1;
  for (const auto& row : rows) {
    uint64_t len = 0;
    for (uint64_t r : row) len += std::min<uint64_t>(ds.record_len(r), (uint64_t)cutoff_len);
    T = std::max<int>(T, (int)std::min<uint64_t>(len, (uint64_t)cutoff_len));
  }
  mb.T = T;
  size_t N = (size_t)mb.B * T;
  mb.tokens.assign(N, 0);
  mb.labels.assign(N, -100);
  mb.positions.assign(N, 0);
  mb.segments.assign(N, -1);
  for (int b = 0; b < mb.B; b++) {
    int t = 0;
    int seg = 0;
    for (uint64_t r : rows[(size_t)b]) {
      uint64_t len = std::min<uint64_t>(ds.record_len(r), (uint64_t)cutoff_len);
      for (uint64_t k = 0; k < len && t < T; k++, t++) {
        uint64_t src = ds.offsets[r] + k;
        size_t i = (size_t)b * T + t;
        mb.tokens[i] = (int32_t)ds.tokens[src];
        mb.labels[i] = (k > 0 && ds.mask[src]) ? (int32_t)ds.tokens[src] : -100;
        mb.positions[i] = (int32_t)k;
        mb.segments[i] = seg;
        if (mb.labels[i] != -100) mb.n_targets++;
      }
      seg++;
    }
  }
  return mb;
}

micro_batch data_make_batch(const ltok_dataset& ds, const data_plan& plan, uint64_t micro_index, int batch_size, int cutoff_len) {
  size_t first = (size_t)micro_index * (size_t)batch_size;
  size_t last = std::min(plan.rows.size(), first + (size_t)batch_size);
  std::vector<std::vector<uint64_t>> rows(plan.rows.begin() + (std::ptrdiff_t)first, plan.rows.begin() + (std::ptrdiff_t)last);
  return data_make_batch_rows(ds, rows, cutoff_len);
}

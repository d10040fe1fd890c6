// Turns dataset records into micro-batches: epoch order (seeded shuffle), optional packing of several records
// per row with positions restarting and a segment id per record (attention never crosses records), padding.
// Does not touch model tensors; the trainer copies a batch to the backend.
#pragma once
#include <cstdint>
#include <vector>
#include "data/ltok.h"

struct data_plan {
  std::vector<std::vector<uint64_t>> rows;  // each row: record indices packed into it (one unless packing)
};

// Row plan of one epoch. shuffle uses (seed, epoch); rows hold at most cutoff_len tokens when packing.
data_plan data_plan_epoch(const ltok_dataset& ds, int cutoff_len, bool packing, bool shuffle, uint64_t seed, uint64_t epoch);
inline uint64_t data_plan_micro_batches(const data_plan& p, int batch_size) {
  return (p.rows.size() + (size_t)batch_size - 1) / (size_t)batch_size;
}

struct micro_batch {
  int B = 0, T = 0;
  std::vector<int32_t> tokens;     // (B, T)
  std::vector<int32_t> labels;     // (B, T) HF convention: -100 = ignored; the loss shifts by one
  std::vector<int32_t> positions;  // (B, T) restart at 0 for every record
  std::vector<int32_t> segments;   // (B, T) record index within the row; -1 for padding
  int64_t n_targets = 0;           // labels that count after the shift
};

// Builds the micro-batch holding rows [first, first + B) of the plan (fewer at the end). T = longest row.
micro_batch data_make_batch(const ltok_dataset& ds, const data_plan& plan, uint64_t micro_index, int batch_size, int cutoff_len);
// Same from explicit rows (used by tests and the parity fixture).
micro_batch data_make_batch_rows(const ltok_dataset& ds, const std::vector<std::vector<uint64_t>>& rows, int cutoff_len);

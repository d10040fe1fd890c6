// Reader (and a writer used by tests) for the tokenized dataset file, docs/tokenized-dataset.md (version 1).
// Does not know about templates or text; it only validates and exposes records of token ids and target masks.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/status.h"

struct ltok_dataset {
  uint32_t vocab_size = 0;
  std::vector<uint64_t> offsets;  // (n_records + 1)
  std::vector<uint32_t> tokens;   // (n_tokens)
  std::vector<uint8_t> mask;      // (n_tokens) 1 = training target
  uint64_t n_records() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  uint64_t record_len(uint64_t i) const { return offsets[i + 1] - offsets[i]; }
};

lathe_status ltok_read(const std::string& path, ltok_dataset& out);
lathe_status ltok_write(const std::string& path, const ltok_dataset& ds, uint32_t token_bytes);

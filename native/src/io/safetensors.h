// safetensors reader (single file or a sharded folder with model.safetensors.index.json) and fp32 writer.
// Does not memory-map: tensors are read on demand and converted to fp32 (bf16/f16/f32 sources).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include "core/status.h"

enum st_dtype { ST_DTYPE_F32, ST_DTYPE_F16, ST_DTYPE_BF16, ST_DTYPE_OTHER };

struct st_tensor_info {
  std::string name;
  st_dtype dtype = ST_DTYPE_OTHER;
  std::string dtype_name;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets relative to the data section
  int file = 0;                 // index into st_archive::files
};

struct st_archive {
  std::vector<std::string> files;
  std::vector<uint64_t> data_start;  // per file: 8 + header length
  std::map<std::string, st_tensor_info> tensors;
};

// Opens one .safetensors file.
lathe_status st_open_file(const std::string& path, st_archive& out);
// Opens a model folder: model.safetensors, or the index's shards, or every *.safetensors file in it.
lathe_status st_open_folder(const std::string& dir, st_archive& out);
int64_t st_numel(const st_tensor_info& t);
// Reads a tensor converted to fp32; checks the expected shape when given.
lathe_status st_read_f32(const st_archive& a, const std::string& name, std::vector<float>& out,
                         const std::vector<int64_t>* expect_shape = nullptr);

struct st_write_tensor {
  std::string name;
  std::vector<int64_t> shape;
  const float* data;
};
// Writes fp32 tensors (sorted by name, as safetensors' Python writer does for equal dtypes) atomically.
lathe_status st_write_f32(const std::string& path, const std::vector<st_write_tensor>& tensors,
                          const std::map<std::string, std::string>& metadata);

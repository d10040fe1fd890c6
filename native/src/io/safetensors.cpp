// safetensors format: u64 little-endian header size, JSON header {name: {dtype, shape, data_offsets}}, raw data.
// Does not support integer / fp8 dtypes (they are reported as unsupported when a model needs them).
#include "io/safetensors.h"
#include <algorithm>
#include <cstring>
#include <fstream>
#include "core/half.h"
#include "core/json.h"
#include "cpu/parallel.h"
#include "platform/platform.h"

static st_dtype dtype_of(const std::string& s) {
  if (s == "F32") return ST_DTYPE_F32;
  if (s == "F16") return ST_DTYPE_F16;
  if (s == "BF16") return ST_DTYPE_BF16;
  return ST_DTYPE_OTHER;
}

static lathe_status open_into(const std::string& path, st_archive& out) {
  std::ifstream in;
  if (!platform_open_read(in, path)) return LATHE_ERR(LATHE_STATUS_IO, "cannot open " + path, "check the model folder");
  in.seekg(0, std::ios::end);
  uint64_t fsize = (uint64_t)in.tellg();
  in.seekg(0, std::ios::beg);
  uint8_t lenb[8];
  if (fsize < 8 || !in.read((char*)lenb, 8)) return LATHE_ERR(LATHE_STATUS_DATA, path + " is not a safetensors file (too short)", "");
  uint64_t hlen = 0;
  for (int i = 0; i < 8; i++) hlen |= (uint64_t)lenb[i] << (8 * i);
  if (hlen > fsize - 8 || hlen > (100ull << 20)) return LATHE_ERR(LATHE_STATUS_DATA, path + ": bad safetensors header length", "the file may be truncated");
  std::string header((size_t)hlen, '\0');
  if (!in.read(&header[0], (std::streamsize)hlen)) return LATHE_ERR(LATHE_STATUS_DATA, path + ": truncated header", "");
  json_value j;
  std::string err;
  if (!json_parse(header, j, err) || !j.is_object()) return LATHE_ERR(LATHE_STATUS_DATA, path + ": bad safetensors header JSON: " + err, "");
  int fi = (int)out.files.size();
  out.files.push_back(path);
  out.data_start.push_back(8 + hlen);
  uint64_t data_size = fsize - 8 - hlen;
  for (const auto& kv : j.members()) {
    if (kv.first == "__metadata__") continue;
    const json_value& t = kv.second;
    const json_value* dt = t.get("dtype");
    const json_value* sh = t.get("shape");
    const json_value* off = t.get("data_offsets");
    if (!dt || !sh || !off || !dt->is_string() || !sh->is_array() || !off->is_array() || off->size() != 2)
      return LATHE_ERR(LATHE_STATUS_DATA, path + ": malformed entry for " + kv.first, "");
    st_tensor_info info;
    info.name = kv.first;
    info.dtype_name = dt->as_string();
    info.dtype = dtype_of(info.dtype_name);
    for (const auto& d : sh->items()) info.shape.push_back(d.as_int());
    info.begin = (uint64_t)off->items()[0].as_int();
    info.end = (uint64_t)off->items()[1].as_int();
    info.file = fi;
    if (info.end < info.begin || info.end > data_size)
      return LATHE_ERR(LATHE_STATUS_DATA, path + ": data offsets of " + kv.first + " are out of range", "the file may be truncated");
    out.tensors[info.name] = info;
  }
  return LATHE_OK();
}

lathe_status st_open_file(const std::string& path, st_archive& out) {
  out = st_archive{};
  return open_into(path, out);
}

lathe_status st_open_folder(const std::string& dir, st_archive& out) {
  out = st_archive{};
  std::string single = platform_join(dir, "model.safetensors");
  std::string index = platform_join(dir, "model.safetensors.index.json");
  if (platform_exists(index)) {
    std::string text;
    LATHE_TRY(platform_read_file(index, text));
    json_value j;
    std::string err;
    if (!json_parse(text, j, err)) return LATHE_ERR(LATHE_STATUS_DATA, index + ": " + err, "");
    const json_value* wm = j.get("weight_map");
    if (!wm || !wm->is_object()) return LATHE_ERR(LATHE_STATUS_DATA, index + " has no weight_map", "");
    std::vector<std::string> shards;
    for (const auto& kv : wm->members())
      if (std::find(shards.begin(), shards.end(), kv.second.as_string()) == shards.end()) shards.push_back(kv.second.as_string());
    std::sort(shards.begin(), shards.end());
    for (const auto& s : shards) LATHE_TRY(open_into(platform_join(dir, s), out));
    return LATHE_OK();
  }
  if (platform_exists(single)) return open_into(single, out);
  std::vector<std::string> any = platform_list_files(dir, ".safetensors");
  if (any.empty())
    return LATHE_ERR(LATHE_STATUS_IO, "no .safetensors weights in " + dir,
                     "the model folder must hold model.safetensors or sharded files with model.safetensors.index.json");
  for (const auto& s : any) LATHE_TRY(open_into(s, out));
  return LATHE_OK();
}

int64_t st_numel(const st_tensor_info& t) {
  int64_t n = 1;
  for (int64_t d : t.shape) n *= d;
  return n;
}

static std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); i++) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

lathe_status st_read_f32(const st_archive& a, const std::string& name, std::vector<float>& out,
                         const std::vector<int64_t>* expect_shape) {
  auto it = a.tensors.find(name);
  if (it == a.tensors.end()) return LATHE_ERR(LATHE_STATUS_DATA, "tensor " + name + " not found in the weights", "");
  const st_tensor_info& t = it->second;
  if (expect_shape && *expect_shape != t.shape)
    return LATHE_ERR(LATHE_STATUS_DATA, "tensor " + name + " has shape " + shape_str(t.shape) + ", expected " + shape_str(*expect_shape), "");
  int64_t n = st_numel(t);
  size_t esize = t.dtype == ST_DTYPE_F32 ? 4 : 2;
  if (t.dtype == ST_DTYPE_OTHER)
    return LATHE_ERR(LATHE_STATUS_UNSUPPORTED_MODEL, "tensor " + name + " has dtype " + t.dtype_name,
                     "only F32, F16 and BF16 safetensors are supported (quantised checkpoints are not)");
  if (t.end - t.begin != (uint64_t)n * esize) return LATHE_ERR(LATHE_STATUS_DATA, "tensor " + name + ": byte size does not match its shape", "");
  std::ifstream in;
  if (!platform_open_read(in, a.files[t.file])) return LATHE_ERR(LATHE_STATUS_IO, "cannot open " + a.files[t.file], "");
  in.seekg((std::streamoff)(a.data_start[t.file] + t.begin));
  std::vector<uint8_t> raw((size_t)(t.end - t.begin));
  if (!raw.empty() && !in.read((char*)raw.data(), (std::streamsize)raw.size()))
    return LATHE_ERR(LATHE_STATUS_IO, "cannot read tensor " + name + " from " + a.files[t.file], "the file may be truncated");
  out.resize((size_t)n);
  if (t.dtype == ST_DTYPE_F32) {
    std::memcpy(out.data(), raw.data(), raw.size());
  } else {
    // On the thread pool: an 8B checkpoint is 8e9 of these, a large part of its load time on one core.
    const bool bf16 = t.dtype == ST_DTYPE_BF16;
    cpu_parallel_for(n, (double)n * 4.0, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) {
        uint16_t h = (uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
        out[i] = bf16 ? bf16_to_f32(h) : f16_to_f32(h);
      }
    });
  }
  return LATHE_OK();
}

lathe_status st_write_f32(const std::string& path, const std::vector<st_write_tensor>& tensors,
                          const std::map<std::string, std::string>& metadata) {
  std::vector<const st_write_tensor*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const st_write_tensor* a, const st_write_tensor* b) { return a->name < b->name; });
  json_value h = json_value::object();
  if (!metadata.empty()) {
    json_value m = json_value::object();
    for (const auto& kv : metadata) m.set(kv.first, kv.second);
    h.set("__metadata__", m);
  }
  uint64_t off = 0;
  for (const auto* t : order) {
    int64_t n = 1;
    json_value shape = json_value::array();
    for (int64_t d : t->shape) { n *= d; shape.push(json_value(d)); }
    json_value e = json_value::object();
    e.set("dtype", "F32");
    e.set("shape", shape);
    json_value offs = json_value::array();
    offs.push(json_value(off));
    offs.push(json_value(off + (uint64_t)n * 4));
    e.set("data_offsets", offs);
    h.set(t->name, e);
    off += (uint64_t)n * 4;
  }
  std::string header = h.dump();
  while ((8 + header.size()) % 8) header += ' ';
  std::string buf;
  buf.reserve(8 + header.size() + off);
  uint64_t hl = header.size();
  for (int i = 0; i < 8; i++) buf += (char)((hl >> (8 * i)) & 0xff);
  buf += header;
  for (const auto* t : order) {
    int64_t n = 1;
    for (int64_t d : t->shape) n *= d;
    buf.append((const char*)t->data, (size_t)n * 4);
  }
  return platform_write_file_atomic(path, buf.data(), buf.size());
}

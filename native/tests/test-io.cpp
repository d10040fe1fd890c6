// I/O tests: SHA-256 vectors, safetensors write/read (f32) and bf16/f16 decoding, sharded folders via the
// fixture, .ltok validation (each failed check is named), batch building (packing, shuffle determinism).
#include <cstring>
#include <filesystem>
#include <fstream>
#include "core/half.h"
#include "core/sha256.h"
#include "cpu/parallel.h"
#include "data/batch.h"
#include "data/ltok.h"
#include "io/safetensors.h"
#include "platform/platform.h"
#include "test-util.h"

static std::string hex(const uint8_t* d) {
  std::string s;
  char b[3];
  for (int i = 0; i < 32; i++) { std::snprintf(b, 3, "%02x", d[i]); s += b; }
  return s;
}

static void test_sha256() {
  uint8_t d[32];
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, "abc", 3);
  sha256_final(&c, d);
  CHECK(hex(d) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string m(1000, 'a');
  sha256_init(&c);
  for (int i = 0; i < 1000; i++) sha256_update(&c, m.data(), m.size());  // 10^6 'a'
  sha256_final(&c, d);
  CHECK(hex(d) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_half() {
  CHECK(bf16_to_f32(0x3f80) == 1.0f);
  CHECK(f32_to_bf16(1.0f) == 0x3f80);
  CHECK(f16_to_f32(0x3c00) == 1.0f);
  CHECK(f16_to_f32(0xc000) == -2.0f);
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(f16_to_f32(0x7bff) == 65504.0f);
  CHECK(std::isinf(f16_to_f32(0x7c00)));
}

static void test_safetensors() {
  std::string dir = test_temp_dir("st");
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {-0.5f};
  CHECK_OK(st_write_f32(dir + "/x.safetensors", {{"b", {1}, b.data()}, {"a", {2, 3}, a.data()}}, {{"format", "pt"}}));
  st_archive ar;
  CHECK_OK(st_open_file(dir + "/x.safetensors", ar));
  std::vector<float> got;
  std::vector<int64_t> shape = {2, 3}, wrong = {3, 2};
  CHECK_OK(st_read_f32(ar, "a", got, &shape));
  CHECK(got == a);
  CHECK(st_read_f32(ar, "a", got, &wrong).code == LATHE_STATUS_DATA);
  CHECK(st_read_f32(ar, "zz", got).code == LATHE_STATUS_DATA);
  // hand-made bf16 + f16 + i64 file
  std::string header = R"({"h":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"f":{"dtype":"F16","shape":[1],"data_offsets":[4,6]},"i":{"dtype":"I64","shape":[1],"data_offsets":[6,14]}})";
  std::string buf;
  uint64_t hl = header.size();
  for (int i = 0; i < 8; i++) buf += (char)((hl >> (8 * i)) & 0xff);
  buf += header;
  uint16_t vals[3] = {0x3f80, 0xc040, 0x3800};  // 1.0, -3.0 (bf16), 0.5 (f16)
  buf.append((const char*)vals, 6);
  buf.append(8, '\0');
  CHECK_OK(platform_write_file_atomic(dir + "/h.safetensors", buf.data(), buf.size()));
  CHECK_OK(st_open_file(dir + "/h.safetensors", ar));
  CHECK_OK(st_read_f32(ar, "h", got));
  CHECK(got.size() == 2 && got[0] == 1.0f && got[1] == -3.0f);
  CHECK_OK(st_read_f32(ar, "f", got));
  CHECK(got.size() == 1 && got[0] == 0.5f);
  CHECK(st_read_f32(ar, "i", got).code == LATHE_STATUS_UNSUPPORTED_MODEL);
  // a large bf16 and f16 tensor through the thread pool (the widening is split across threads): every value as one
  // thread decodes it
  {
    const int64_t n = 300007;
    std::string big = R"({"b":{"dtype":"BF16","shape":[)" + std::to_string(n) + R"(],"data_offsets":[0,)" + std::to_string(2 * n) +
                      R"(]},"f":{"dtype":"F16","shape":[)" + std::to_string(n) + R"(],"data_offsets":[)" + std::to_string(2 * n) + "," +
                      std::to_string(4 * n) + "]}}";
    std::string file;
    uint64_t bl = big.size();
    for (int i = 0; i < 8; i++) file += (char)((bl >> (8 * i)) & 0xff);
    file += big;
    std::vector<uint16_t> bits((size_t)(2 * n));
    for (size_t i = 0; i < bits.size(); i++) bits[i] = (uint16_t)((i * 40503u + 7u) & 0x7bff);  // finite in both formats
    file.append((const char*)bits.data(), bits.size() * 2);
    CHECK_OK(platform_write_file_atomic(dir + "/big.safetensors", file.data(), file.size()));
    CHECK_OK(st_open_file(dir + "/big.safetensors", ar));
    cpu_set_threads(4);
    cpu_set_min_parallel_cost(0);
    bool same = st_read_f32(ar, "b", got).ok() && (int64_t)got.size() == n;
    for (int64_t i = 0; same && i < n; i++) same = got[(size_t)i] == bf16_to_f32(bits[(size_t)i]);
    CHECK(same);
    same = st_read_f32(ar, "f", got).ok() && (int64_t)got.size() == n;
    for (int64_t i = 0; same && i < n; i++) same = got[(size_t)i] == f16_to_f32(bits[(size_t)(n + i)]);
    CHECK(same);
    cpu_set_min_parallel_cost(CPU_DEFAULT_MIN_PARALLEL_COST);
    cpu_set_threads(0);
  }
  // truncated file
  CHECK_OK(platform_write_file_atomic(dir + "/t.safetensors", buf.data(), buf.size() - 10));
  CHECK(st_open_file(dir + "/t.safetensors", ar).code == LATHE_STATUS_DATA);
  // sharded folder (fixture written by transformers: 3 bf16 shards + index)
  CHECK_OK(st_open_folder(std::string(LATHE_FIXTURE_DIR) + "/llama/model", ar));
  CHECK(ar.files.size() == 3);
  CHECK(ar.tensors.count("model.layers.1.mlp.down_proj.weight") == 1);
  CHECK(st_open_folder(dir + "/nothing-here", ar).code == LATHE_STATUS_IO);
}

static ltok_dataset sample_ds() {
  ltok_dataset ds;
  ds.vocab_size = 70000;
  ds.offsets = {0, 3, 3, 8, 10};
  ds.tokens = {1, 2, 3, 65535, 66000, 6, 7, 8, 9, 10};
  ds.mask = {0, 1, 1, 0, 0, 1, 1, 1, 0, 1};
  return ds;
}

static void corrupt(const std::string& src, const std::string& dst, size_t off, uint8_t val, size_t truncate = 0) {
  std::string s;
  platform_read_file(src, s);
  if (off < s.size()) s[off] = (char)val;
  if (truncate) s.resize(s.size() - truncate);
  platform_write_file_atomic(dst, s.data(), s.size());
}

static void test_ltok() {
  std::string dir = test_temp_dir("ltok");
  ltok_dataset ds = sample_ds(), back;
  CHECK_OK(ltok_write(dir + "/a.ltok", ds, 4));
  CHECK_OK(ltok_read(dir + "/a.ltok", back));
  CHECK(back.tokens == ds.tokens && back.mask == ds.mask && back.offsets == ds.offsets && back.vocab_size == 70000);
  ltok_dataset small = ds;
  for (auto& t : small.tokens) t %= 1000;
  CHECK_OK(ltok_write(dir + "/b.ltok", small, 2));
  CHECK_OK(ltok_read(dir + "/b.ltok", back));
  CHECK(back.tokens == small.tokens);
  auto expect = [&](const std::string& f, const char* what) {
    lathe_status s = ltok_read(f, back);
    CHECK(s.code == LATHE_STATUS_DATA);
    bool named = s.message.find(what) != std::string::npos;
    if (!named) std::fprintf(stderr, "message was: %s\n", s.message.c_str());
    CHECK(named);
  };
  corrupt(dir + "/a.ltok", dir + "/magic.ltok", 0, 'X');
  expect(dir + "/magic.ltok", "magic");
  corrupt(dir + "/a.ltok", dir + "/ver.ltok", 8, 2);
  expect(dir + "/ver.ltok", "version");
  corrupt(dir + "/a.ltok", dir + "/tb.ltok", 12, 3);
  expect(dir + "/tb.ltok", "token_bytes");
  corrupt(dir + "/a.ltok", dir + "/size.ltok", 9999, 0, 1);
  expect(dir + "/size.ltok", "size");
  corrupt(dir + "/a.ltok", dir + "/sum.ltok", 128 + 8 * 5 + 1, 0x55);
  expect(dir + "/sum.ltok", "checksum");
  CHECK(ltok_read(dir + "/missing.ltok", back).code == LATHE_STATUS_IO);
  ltok_dataset bad = ds;
  bad.offsets = {0, 5, 3, 8, 10};
  CHECK_OK(ltok_write(dir + "/dec.ltok", bad, 4));
  expect(dir + "/dec.ltok", "decrease");
}

static void test_batches() {
  ltok_dataset ds;
  ds.vocab_size = 100;
  ds.offsets = {0};
  std::vector<int> lens = {5, 3, 8, 2, 7, 4};
  for (int len : lens) {
    for (int i = 0; i < len; i++) { ds.tokens.push_back((uint32_t)(10 + ds.tokens.size())); ds.mask.push_back(i >= 1); }
    ds.offsets.push_back(ds.tokens.size());
  }
  data_plan p = data_plan_epoch(ds, 10, true, false, 1, 0);
  // greedy packing in order: [5,3] [8,2] [7] [4]... 7+4 > 10
  CHECK(p.rows.size() == 4);
  CHECK(p.rows[0] == std::vector<uint64_t>({0, 1}));
  CHECK(p.rows[1] == std::vector<uint64_t>({2, 3}));
  data_plan u = data_plan_epoch(ds, 6, false, false, 1, 0);
  CHECK(u.rows.size() == 6);
  micro_batch mb = data_make_batch(ds, u, 0, 4, 6);  // records 0..3, record 2 truncated to 6
  CHECK(mb.B == 4 && mb.T == 6);
  CHECK(mb.labels[0] == -100 && mb.labels[1] == (int32_t)ds.tokens[1]);
  CHECK(mb.segments[5] == -1 && mb.labels[5] == -100);  // padding of row 0
  CHECK(mb.n_targets == 4 + 2 + 5 + 1);
  data_plan s1 = data_plan_epoch(ds, 10, false, true, 42, 0), s2 = data_plan_epoch(ds, 10, false, true, 42, 0);
  data_plan s3 = data_plan_epoch(ds, 10, false, true, 42, 1);
  CHECK(s1.rows == s2.rows);
  CHECK(s1.rows != s3.rows);
  CHECK(data_plan_micro_batches(s1, 4) == 2);
}

int main() {
  test_sha256();
  test_half();
  test_safetensors();
  test_ltok();
  test_batches();
  return test_finish("test-io");
}

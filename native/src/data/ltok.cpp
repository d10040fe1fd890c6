// .ltok reader: checks magic, version, token width, offsets, file size and the SHA-256 of the payload,
// and names the failed check. Does not truncate records (the writer already applied cutoff_len).
#include "data/ltok.h"
#include <cstring>
#include "core/sha256.h"
#include "platform/platform.h"

static uint32_t rd32(const uint8_t* p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t* p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr32(std::string& s, uint32_t v) { for (int i = 0; i < 4; i++) s += (char)((v >> (8 * i)) & 0xff); }
static void wr64(std::string& s, uint64_t v) { for (int i = 0; i < 8; i++) s += (char)((v >> (8 * i)) & 0xff); }

lathe_status ltok_read(const std::string& path, ltok_dataset& out) {
  std::string buf;
  LATHE_TRY(platform_read_file(path, buf));
  const uint8_t* p = (const uint8_t*)buf.data();
  const std::string where = "dataset " + path + ": ";
  const char* hint = "re-tokenize the dataset in Lathe (Datasets > Prepare)";
  if (buf.size() < 128) return LATHE_ERR(LATHE_STATUS_DATA, where + "file shorter than the 128-byte header", hint);
  if (std::memcmp(p, "LATHETOK", 8) != 0) return LATHE_ERR(LATHE_STATUS_DATA, where + "bad magic (not a .ltok file)", hint);
  uint32_t version = rd32(p + 8);
  if (version != 1) return LATHE_ERR(LATHE_STATUS_DATA, where + "unsupported version " + std::to_string(version), hint);
  uint32_t tb = rd32(p + 12);
  if (tb != 2 && tb != 4) return LATHE_ERR(LATHE_STATUS_DATA, where + "token_bytes must be 2 or 4, got " + std::to_string(tb), hint);
  uint64_t nrec = rd64(p + 16), ntok = rd64(p + 24);
  out.vocab_size = rd32(p + 32);
  uint64_t payload = 8 * (nrec + 1) + tb * ntok + ntok;
  if (nrec > buf.size() || ntok > buf.size() || buf.size() - 128 != payload)
    return LATHE_ERR(LATHE_STATUS_DATA, where + "file size does not match n_records/n_tokens", hint);
  uint8_t digest[32];
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, p + 128, (size_t)payload);
  sha256_final(&ctx, digest);
  if (std::memcmp(digest, p + 40, 32) != 0) return LATHE_ERR(LATHE_STATUS_DATA, where + "checksum mismatch (file corrupted)", hint);
  const uint8_t* q = p + 128;
  out.offsets.resize(nrec + 1);
  for (uint64_t i = 0; i <= nrec; i++) out.offsets[i] = rd64(q + 8 * i);
  if (out.offsets[0] != 0) return LATHE_ERR(LATHE_STATUS_DATA, where + "offsets[0] is not 0", hint);
  for (uint64_t i = 0; i < nrec; i++)
    if (out.offsets[i + 1] < out.offsets[i]) return LATHE_ERR(LATHE_STATUS_DATA, where + "offsets decrease at record " + std::to_string(i), hint);
  if (out.offsets[nrec] != ntok) return LATHE_ERR(LATHE_STATUS_DATA, where + "offsets do not end at n_tokens", hint);
  q += 8 * (nrec + 1);
  out.tokens.resize(ntok);
  for (uint64_t i = 0; i < ntok; i++) out.tokens[i] = tb == 2 ? (uint32_t)(q[2 * i] | q[2 * i + 1] << 8) : rd32(q + 4 * i);
  q += tb * ntok;
  out.mask.assign(q, q + ntok);
  return LATHE_OK();
}

lathe_status ltok_write(const std::string& path, const ltok_dataset& ds, uint32_t token_bytes) {
  std::string body;
  for (uint64_t o : ds.offsets) wr64(body, o);
  for (uint32_t t : ds.tokens) {
    if (token_bytes == 2) { body += (char)(t & 0xff); body += (char)((t >> 8) & 0xff); }
    else wr32(body, t);
  }
  body.append((const char*)ds.mask.data(), ds.mask.size());
  std::string h = "LATHETOK";
  wr32(h, 1);
  wr32(h, token_bytes);
  wr64(h, ds.n_records());
  wr64(h, ds.tokens.size());
  wr32(h, ds.vocab_size);
  wr32(h, 0);
  uint8_t digest[32];
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, body.data(), body.size());
  sha256_final(&ctx, digest);
  h.append((const char*)digest, 32);
  h.append(56, '\0');
  return platform_write_file_atomic(path, (h + body).data(), h.size() + body.size());
}

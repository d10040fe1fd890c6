// SHA-256 (FIPS 180-4), used to verify the .ltok payload checksum.
// Does not provide HMAC or any other construction.
#pragma once
#include <cstddef>
#include <cstdint>

struct sha256_ctx {
  uint32_t h[8];
  uint64_t len;
  uint8_t buf[64];
  size_t n;
};
void sha256_init(sha256_ctx* ctx);
void sha256_update(sha256_ctx* ctx, const void* data, size_t len);
void sha256_final(sha256_ctx* ctx, uint8_t out[32]);

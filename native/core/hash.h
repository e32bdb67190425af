// Key hash for the persistent index. Part of the layout: changing it changes LAYOUT_VERSION.
// A 64-bit multiply-mix over 8-byte words (wyhash-style folding); bucket = low bits,
// fingerprint = top 16 bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace dax {

inline uint64_t mix64(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return uint64_t(r) ^ uint64_t(r >> 64);
}

inline uint64_t hash_key(const uint8_t* p, size_t n) {
  const uint64_t s0 = 0xa0761d6478bd642full, s1 = 0xe7037ed1a0b428dbull, s2 = 0x8ebc6af09c88c6e3ull;
  uint64_t h = 0x243f6a8885a308d3ull ^ mix64(n ^ s0, s1);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint64_t a, b;
    memcpy(&a, p + i, 8);
    memcpy(&b, p + i + 8, 8);
    h = mix64(a ^ s1 ^ h, b ^ s2);
  }
  uint64_t a = 0, b = 0;
  size_t rest = n - i;
  if (rest > 8) {
    memcpy(&a, p + i, 8);
    memcpy(&b, p + i + 8, rest - 8);
  } else if (rest > 0) {
    memcpy(&a, p + i, rest);
  }
  h = mix64(a ^ s1 ^ h, b ^ s2 ^ rest);
  return mix64(h ^ s0, s2 ^ 0x589965cc75374cc3ull);
}

}  // namespace dax

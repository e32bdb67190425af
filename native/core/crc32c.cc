#include "crc32c.h"

#include <cstring>
#include <nmmintrin.h>

namespace dax {
namespace {

uint32_t table[256];
bool have_sse42 = false;

struct Init {
  Init() {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
      table[i] = c;
    }
    __builtin_cpu_init();
    have_sse42 = __builtin_cpu_supports("sse4.2");
  }
} init;

__attribute__((target("sse4.2"))) uint32_t crc_hw(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = uint32_t(c);
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

uint32_t crc_sw(uint32_t crc, const uint8_t* p, size_t n) {
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

constexpr uint32_t POLY = 0x82F63B78u;  // reflected Castagnoli polynomial

// a * b mod P, polynomials in reflected order (bit 31 is x^0), as zlib's multmodp.
uint32_t multmodp(uint32_t a, uint32_t b) {
  uint32_t m = 1u << 31, p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
  }
  return p;
}

// x2n[k] = x^(2^k) mod P.
struct PowerTable {
  uint32_t x2n[32];
  PowerTable() {
    uint32_t p = 1u << 30;  // x^1
    x2n[0] = p;
    for (int n = 1; n < 32; n++) x2n[n] = p = multmodp(p, p);
  }
} powers;

// x^(n * 2^k) mod P.
uint32_t x2nmodp(uint64_t n, unsigned k) {
  uint32_t p = 1u << 31;  // x^0
  while (n) {
    if (n & 1) p = multmodp(powers.x2n[k & 31], p);
    n >>= 1;
    k++;
  }
  return p;
}

}  // namespace

uint32_t crc32c_patch(uint32_t crc, uint64_t len, uint64_t at, const void* delta, size_t dlen) {
  const uint8_t* d = static_cast<const uint8_t*>(delta);
  uint32_t raw = have_sse42 ? crc_hw(0, d, dlen) : crc_sw(0, d, dlen);  // no pre/post inversion
  return crc ^ multmodp(x2nmodp(len - at - dlen, 3), raw);
}

uint32_t crc32c(uint32_t crc, const void* data, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  crc = have_sse42 ? crc_hw(crc, p, len) : crc_sw(crc, p, len);
  return ~crc;
}

}  // namespace dax

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

}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  crc = have_sse42 ? crc_hw(crc, p, len) : crc_sw(crc, p, len);
  return ~crc;
}

}  // namespace dax

#include "sketch.h"

#include <algorithm>
#include <cstdint>

namespace dax {

namespace {
inline uint64_t mix(uint64_t h) {
  h = (h ^ (h >> 33)) * 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 29);
}
}  // namespace

FrequencySketch::FrequencySketch(uint64_t entries) {
  uint64_t w = 64;
  while (w < entries && w < (1ull << 40)) w <<= 1;
  width_ = w;
  sample_ = 10 * w;
  uint64_t nblocks = w / 16;  // a block holds 16 counters of each of the 4 rows
  table_.assign(nblocks * 8 + 8, 0);
  uintptr_t p = reinterpret_cast<uintptr_t>(table_.data());
  blocks_ = table_.data() + ((64 - (p & 63)) & 63) / 8;
  block_mask_ = nblocks - 1;
}

// The block from the low bits of a remixed hash; each row's counter and the doorkeeper bits from
// its high bits (4 x 4 bits + 3 x 8 bits = 40 bits).
__attribute__((always_inline)) inline FrequencySketch::Place FrequencySketch::place(uint64_t hash) const {
  uint64_t h = mix(hash);
  Place p;
  p.block = blocks_ + (h & block_mask_) * 8;
  uint64_t sel = h >> 24;
  for (int r = 0; r < 4; r++, sel >>= 4) p.shift[r] = int(sel & 15) * 4;
  for (int d = 0; d < 3; d++, sel >>= 8) p.door[d] = uint32_t(sel & 255);
  return p;
}

void FrequencySketch::prefetch(uint64_t hash) const { __builtin_prefetch(blocks_ + (mix(hash) & block_mask_) * 8, 1); }

__attribute__((always_inline)) inline bool FrequencySketch::door_has(const Place& p) {
  for (uint32_t b : p.door)
    if (!(p.block[4 + (b >> 6)] & (1ull << (b & 63)))) return false;
  return true;
}

__attribute__((always_inline)) inline uint32_t FrequencySketch::min_count(const Place& p) {
  uint64_t m = 15;
  for (int r = 0; r < 4; r++) m = std::min<uint64_t>(m, (p.block[r] >> p.shift[r]) & 15);
  return uint32_t(m);
}

uint32_t FrequencySketch::increment(uint64_t hash) {
  Place p = place(hash);
  uint64_t* b = p.block;
  uint64_t d0 = 1ull << (p.door[0] & 63), d1 = 1ull << (p.door[1] & 63), d2 = 1ull << (p.door[2] & 63);
  uint64_t *w0 = b + 4 + (p.door[0] >> 6), *w1 = b + 4 + (p.door[1] >> 6), *w2 = b + 4 + (p.door[2] >> 6);
  uint64_t c0 = (b[0] >> p.shift[0]) & 15, c1 = (b[1] >> p.shift[1]) & 15;
  uint64_t c2 = (b[2] >> p.shift[2]) & 15, c3 = (b[3] >> p.shift[3]) & 15;
  uint64_t m = std::min(std::min(c0, c1), std::min(c2, c3));
  if (!((*w0 & d0) && (*w1 & d1) && (*w2 & d2))) {
    // The first occurrence since the last reset only sets the doorkeeper.
    *w0 |= d0;
    *w1 |= d1;
    *w2 |= d2;
  } else {
    if (m == 15) return 16;
    // Conservative update: only the counters at the minimum grow (the others already overcount).
    if (c0 == m) b[0] += 1ull << p.shift[0];
    if (c1 == m) b[1] += 1ull << p.shift[1];
    if (c2 == m) b[2] += 1ull << p.shift[2];
    if (c3 == m) b[3] += 1ull << p.shift[3];
    m++;
  }
  if (++additions_ >= sample_) reset();
  return uint32_t(m) + 1;
}

// Halves every counter (all 16 of a word at once) and empties the doorkeeper; the number of
// additions counted toward the next reset is halved too, as in the paper.
void FrequencySketch::reset() {
  uint64_t n = block_mask_ + 1;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t* b = blocks_ + i * 8;
    for (int r = 0; r < 4; r++) b[r] = (b[r] >> 1) & 0x7777777777777777ull;
    for (int d = 4; d < 8; d++) b[d] = 0;
  }
  additions_ /= 2;
  resets_++;
}

}  // namespace dax

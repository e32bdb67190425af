#include "sketch.h"

#include <algorithm>
#include <cstdint>

namespace dax {

namespace {
uint64_t mix(uint64_t h, uint64_t seed) {
  h = (h ^ (h >> 33)) * seed;
  return h ^ (h >> 29);
}
constexpr uint64_t SEED_BLOCK = 0x9e3779b97f4a7c15ull, SEED_DOOR = 0xc2b2ae3d27d4eb4full;
}  // namespace

FrequencySketch::FrequencySketch(uint64_t entries) {
  uint64_t w = 64;
  while (w < entries && w < (1ull << 40)) w <<= 1;
  width_ = w;
  sample_ = 10 * w;
  uint64_t nblocks = (4 * w / 16) / 8;  // 4 rows x w counters, 16 per word, 8 words per block
  table_.assign(nblocks * 8 + 8, 0);
  uintptr_t p = reinterpret_cast<uintptr_t>(table_.data());
  blocks_ = table_.data() + ((64 - (p & 63)) & 63) / 8;
  block_mask_ = nblocks - 1;
  door_.assign(w * 8 / 64, 0);
  door_mask_ = door_.size() - 1;
}

// One block per key; within it, row r takes word 2r or 2r+1 and one of its 16 counters, each
// chosen by other bits of a second hash.
FrequencySketch::Place FrequencySketch::place(uint64_t hash) const {
  uint64_t h = mix(hash, SEED_BLOCK);
  uint64_t* block = blocks_ + (h & block_mask_) * 8;
  uint64_t sel = h >> 32;
  Place p;
  for (int r = 0; r < 4; r++) {
    p.word[r] = block + 2 * r + (sel & 1);
    p.shift[r] = int((sel >> 1) & 15) * 4;
    sel >>= 5;
  }
  return p;
}

uint64_t FrequencySketch::door_bits(uint64_t hash, uint64_t** word) const {
  uint64_t h = mix(hash, SEED_DOOR);
  *word = const_cast<uint64_t*>(&door_[h & door_mask_]);
  h >>= 40;
  return (1ull << (h & 63)) | (1ull << ((h >> 6) & 63)) | (1ull << ((h >> 12) & 63));
}

void FrequencySketch::prefetch(uint64_t hash) const {
  __builtin_prefetch(blocks_ + (mix(hash, SEED_BLOCK) & block_mask_) * 8, 1);
  __builtin_prefetch(&door_[mix(hash, SEED_DOOR) & door_mask_], 1);
}

void FrequencySketch::increment(uint64_t hash) {
  uint64_t* dw;
  uint64_t bits = door_bits(hash, &dw);
  // The first occurrence since the last reset only sets the doorkeeper.
  if ((*dw & bits) != bits) {
    *dw |= bits;
    if (++additions_ >= sample_) reset();
    return;
  }
  Place p = place(hash);
  bool added = false;
  for (int r = 0; r < 4; r++) {
    uint64_t v = (*p.word[r] >> p.shift[r]) & 15;
    if (v == 15) continue;
    *p.word[r] += 1ull << p.shift[r];
    added = true;
  }
  if (added && ++additions_ >= sample_) reset();
}

uint32_t FrequencySketch::estimate(uint64_t hash) const {
  Place p = place(hash);
  uint64_t m = 15;
  for (int r = 0; r < 4; r++) m = std::min<uint64_t>(m, (*p.word[r] >> p.shift[r]) & 15);
  uint64_t* dw;
  uint64_t bits = door_bits(hash, &dw);
  return uint32_t(m) + ((*dw & bits) == bits ? 1 : 0);
}

// Halves every counter (all 16 of a word at once) and empties the doorkeeper; the number of
// additions counted toward the next reset is halved too, as in the paper.
void FrequencySketch::reset() {
  uint64_t n = (block_mask_ + 1) * 8;
  for (uint64_t i = 0; i < n; i++) blocks_[i] = (blocks_[i] >> 1) & 0x7777777777777777ull;
  std::fill(door_.begin(), door_.end(), 0);
  additions_ /= 2;
  resets_++;
}

}  // namespace dax

#include "sketch.h"

#include <algorithm>

namespace dax {

namespace {
constexpr int ROWS = 4;
constexpr int DOOR_PROBES = 3;
// Odd constants to derive independent row indexes from one 64-bit hash (multiply-shift hashing).
constexpr uint64_t SEEDS[ROWS + DOOR_PROBES] = {0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull,
                                                0xd6e8feb86659fd93ull, 0xff51afd7ed558ccdull, 0xc4ceb9fe1a85ec53ull,
                                                0x2545f4914f6cdd1dull};

uint64_t mix(uint64_t h, uint64_t seed) {
  h *= seed;
  return h ^ (h >> 29);
}
}  // namespace

FrequencySketch::FrequencySketch(uint64_t entries) {
  uint64_t w = 64;
  while (w < entries && w < (1ull << 40)) w <<= 1;
  width_ = w;
  mask_ = w - 1;
  sample_ = 10 * w;
  counters_.assign(ROWS * w / 2, 0);
  door_.assign(w * 8 / 64, 0);
}

uint64_t FrequencySketch::index(uint64_t hash, int row) const { return mix(hash, SEEDS[row]) & mask_; }

uint32_t FrequencySketch::counter(int row, uint64_t i) const {
  uint64_t n = uint64_t(row) * width_ + i;
  uint8_t b = counters_[n >> 1];
  return (n & 1) ? b >> 4 : b & 15;
}

bool FrequencySketch::door_contains(uint64_t hash) const {
  uint64_t bits = width_ * 8;
  for (int p = 0; p < DOOR_PROBES; p++) {
    uint64_t bit = mix(hash, SEEDS[ROWS + p]) & (bits - 1);
    if (!(door_[bit >> 6] & (1ull << (bit & 63)))) return false;
  }
  return true;
}

bool FrequencySketch::door_put(uint64_t hash) {
  uint64_t bits = width_ * 8;
  bool added = false;
  for (int p = 0; p < DOOR_PROBES; p++) {
    uint64_t bit = mix(hash, SEEDS[ROWS + p]) & (bits - 1);
    uint64_t m = 1ull << (bit & 63);
    if (!(door_[bit >> 6] & m)) {
      door_[bit >> 6] |= m;
      added = true;
    }
  }
  return added;
}

void FrequencySketch::increment(uint64_t hash) {
  // The first occurrence since the last reset only sets the doorkeeper.
  if (door_put(hash)) {
    if (++additions_ >= sample_) reset();
    return;
  }
  bool added = false;
  for (int r = 0; r < ROWS; r++) {
    uint64_t n = uint64_t(r) * width_ + index(hash, r);
    uint8_t& b = counters_[n >> 1];
    uint32_t v = (n & 1) ? b >> 4 : b & 15;
    if (v == 15) continue;
    b = (n & 1) ? uint8_t((b & 0x0f) | ((v + 1) << 4)) : uint8_t((b & 0xf0) | (v + 1));
    added = true;
  }
  if (added && ++additions_ >= sample_) reset();
}

uint32_t FrequencySketch::estimate(uint64_t hash) const {
  uint32_t m = 15;
  for (int r = 0; r < ROWS; r++) m = std::min(m, counter(r, index(hash, r)));
  return m + (door_contains(hash) ? 1 : 0);
}

// Halves every counter (both nibbles of a byte at once) and empties the doorkeeper; the number of
// additions counted toward the next reset is halved too, as in the paper.
void FrequencySketch::reset() {
  for (uint8_t& b : counters_) b = uint8_t((b >> 1) & 0x77);
  std::fill(door_.begin(), door_.end(), 0);
  additions_ /= 2;
  resets_++;
}

}  // namespace dax

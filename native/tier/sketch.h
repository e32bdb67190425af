// Frequency estimates for tier admission: TinyLFU's approximate counting (Einziger, Friedman, Manes,
// "TinyLFU: A Highly Efficient Cache Admission Policy", ACM ToS 2017, sections 3.3-3.4; the layout
// of Caffeine's FrequencySketch): a count-min sketch of 4-bit counters, 4 rows, with
//  - a doorkeeper: a Bloom filter that absorbs a key's first occurrence, so the many keys seen only
//    once (a scan) never reach the counters and cannot pollute them;
//  - aging ("reset"): after `sample` increments every counter is halved and the doorkeeper cleared,
//    so the estimates follow a changing popularity instead of all history.
// Only 64-bit key hashes come here; the sketch never sees keys or values. DRAM only.
#pragma once
#include <cstdint>
#include <vector>

namespace dax {

class FrequencySketch {
 public:
  // Sized for a cache of about `entries` items: width = entries rounded up to a power of two
  // (at least 64), aging period = 10 x width increments (the paper's W/C = 10).
  explicit FrequencySketch(uint64_t entries);

  // Counts one occurrence of the key.
  void increment(uint64_t hash);
  // The key's estimated frequency: its counters' minimum, plus one when the doorkeeper holds it.
  uint32_t estimate(uint64_t hash) const;

  uint64_t width() const { return width_; }
  uint64_t resets() const { return resets_; }

 private:
  uint64_t index(uint64_t hash, int row) const;  // counter number within row
  uint32_t counter(int row, uint64_t i) const;
  bool door_contains(uint64_t hash) const;
  bool door_put(uint64_t hash);  // false if it was already there
  void reset();

  uint64_t width_, mask_, sample_, additions_ = 0, resets_ = 0;
  std::vector<uint8_t> counters_;  // 4 rows of `width` 4-bit counters, two to a byte
  std::vector<uint64_t> door_;     // doorkeeper: width x 8 bits, 3 probes per key
};

}  // namespace dax

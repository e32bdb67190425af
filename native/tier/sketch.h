// Frequency estimates for tier admission: TinyLFU's approximate counting (Einziger, Friedman, Manes,
// "TinyLFU: A Highly Efficient Cache Admission Policy", ACM ToS 2017, sections 3.3-3.4), laid out as
// Caffeine's FrequencySketch (v3): a count-min sketch of 4-bit counters, 4 rows, where all four of
// a key's counters lie in one 64-byte block, so an access costs one cache line, not four; with
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
  // Sized for a cache of about `entries` items: `width` counters per row = entries rounded up to a
  // power of two (at least 64), aging period = 10 x width increments (the paper's W/C = 10).
  explicit FrequencySketch(uint64_t entries);

  // Counts one occurrence of the key.
  void increment(uint64_t hash);
  // Starts loading the key's two cache lines (its counter block and doorkeeper word), so that a
  // caller can overlap them with other memory accesses before increment/estimate.
  void prefetch(uint64_t hash) const;
  // The key's estimated frequency: its counters' minimum, plus one when the doorkeeper holds it.
  uint32_t estimate(uint64_t hash) const;

  uint64_t width() const { return width_; }
  uint64_t resets() const { return resets_; }

 private:
  struct Place {
    uint64_t* word[4];  // row r's counter is in word[r], 4 bits at shift[r]
    int shift[4];
  };
  Place place(uint64_t hash) const;
  uint64_t door_bits(uint64_t hash, uint64_t** word) const;  // the key's 3 bits, in one word
  void reset();

  uint64_t width_, sample_, additions_ = 0, resets_ = 0;
  uint64_t block_mask_, door_mask_;
  // 4 x width counters as blocks of 8 words (64 bytes); a word holds 16 counters. The vector's
  // storage is 64-byte aligned by over-allocating and offsetting (`blocks_`).
  std::vector<uint64_t> table_;
  uint64_t* blocks_ = nullptr;
  std::vector<uint64_t> door_;  // doorkeeper: a blocked Bloom filter, width x 8 bits
};

}  // namespace dax

// Frequency estimates for tier admission: TinyLFU's approximate counting (Einziger, Friedman, Manes,
// "TinyLFU: A Highly Efficient Cache Admission Policy", ACM ToS 2017, sections 3.3-3.4), laid out as
// Caffeine's FrequencySketch (v3): a count-min sketch of 4-bit counters, 4 rows, where all four of
// a key's counters lie in one 64-byte block, and so do its doorkeeper bits, so an access costs one
// cache line, not seven; with
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

  // Counts one occurrence of the key; returns its estimated frequency after it (its counters'
  // minimum, plus one for the doorkeeper).
  uint32_t increment(uint64_t hash);
  // Starts loading the key's block, so that a caller can overlap it with other memory accesses.
  void prefetch(uint64_t hash) const;

  uint64_t width() const { return width_; }
  uint64_t resets() const { return resets_; }

 private:
  struct Place {
    uint64_t* block;  // 8 words: rows 0-3 in words 0-3 (16 counters each), doorkeeper in 4-7
    int shift[4];     // row r's counter: 4 bits at shift[r] of word r
    uint32_t door[3]; // the key's 3 doorkeeper bits, of the block's 256
  };
  Place place(uint64_t hash) const;
  static bool door_has(const Place& p);
  static uint32_t min_count(const Place& p);
  void reset();

  uint64_t width_, sample_, additions_ = 0, resets_ = 0;
  uint64_t block_mask_;
  // width / 16 blocks of 64 bytes, 64-byte aligned inside the vector (over-allocated by one block).
  std::vector<uint64_t> table_;
  uint64_t* blocks_ = nullptr;
};

}  // namespace dax

// Ranges of the pool written during the current turn that must be persistent before anything that
// points to them is published (phase 1 of a barrier).
#pragma once
#include <cstdint>
#include <vector>

namespace dax {

struct DirtyRanges {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // (offset, length)
  void add(uint64_t off, uint64_t len) { ranges.emplace_back(off, len); }
  bool empty() const { return ranges.empty(); }
  void clear() { ranges.clear(); }
};

}  // namespace dax

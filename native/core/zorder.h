// The order of large sorted sets, in DRAM (docs/collections.md). A large sorted set lives in the
// pool as a map member -> 8-byte score (store_map.cc): O(1) per ZADD/ZREM, crash-consistent, and
// nothing to rebuild on open. Ranks and ranges need the members in (score, member) order: that is
// an order-statistic tree per key (ztree.h), built from the map the first time an ordered command reaches the
// key (so open stays O(1) in keys and elements), kept in step with every change of the map after
// that (O(log n) per ZADD), and dropped whenever it might disagree with the pool (an op undone, the
// collection freed, FLUSHALL). The trees share a byte budget; past it the least recently used ones
// are dropped (rebuilt on their next ordered access), so DRAM stays bounded whatever the keyspace.
//
// A tree entry is (score, element item offset): the member's bytes are read from the element item
// in the pool, so the DRAM cost per member is 16 bytes in a leaf (ztree.h) whatever its length.
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ztree.h"

namespace dax {

class ZOrder {
 public:
  explicit ZOrder(const Pool* pool) : pool_(pool) {}

  // The tree of header ch, or null when none is built (marks it most recently used).
  ZTree* find(uint64_t ch);
  // A new empty tree for ch (the caller fills it), replacing any; then the budget is enforced on
  // the others.
  ZTree* create(uint64_t ch);
  // After filling or growing ch's tree: drop least recently used trees until the budget holds.
  void enforce(uint64_t keep);

  // Changes of a map that has a tree (nothing when it has none).
  void inserted(uint64_t ch, double score, uint64_t off);
  void erased(uint64_t ch, double score, uint64_t off);

  void drop(uint64_t ch);
  void clear();

  // Ops: a tree an undone op changed may disagree with the pool, so it is dropped.
  void op_begin() { touched_.clear(); }
  void op_rollback();

  void set_budget(uint64_t bytes) {
    budget_ = bytes;
    enforce(0);
  }
  uint64_t bytes() const { return bytes_; }
  uint64_t trees() const { return trees_.size(); }
  uint64_t builds() const { return builds_; }
  void count_build() { builds_++; }
  // f(header offset, tree) for every built tree (checks).
  template <class F>
  void each(F f) const {
    for (auto& [ch, e] : trees_) f(ch, *e.tree);
  }

 private:
  struct Entry {
    std::unique_ptr<ZTree> tree;
    std::list<uint64_t>::iterator lru;
  };
  const Pool* pool_;
  std::unordered_map<uint64_t, Entry> trees_;
  std::list<uint64_t> lru_;  // front = most recently used
  std::vector<uint64_t> touched_;
  uint64_t bytes_ = 0;  // node bytes over all trees
  uint64_t budget_ = 256ull << 20;
  uint64_t builds_ = 0;
};

}  // namespace dax

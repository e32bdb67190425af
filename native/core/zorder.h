// The order of large sorted sets, in DRAM (docs/collections.md). A large sorted set lives in the
// pool as a map member -> 8-byte score (store_map.cc): O(1) per ZADD/ZREM, crash-consistent, and
// nothing to rebuild on open. Ranks and ranges need the members in (score, member) order: that is
// an order-statistic tree per key, built from the map the first time an ordered command reaches the
// key (so open stays O(1) in keys and elements), kept in step with every change of the map after
// that (O(log n) per ZADD), and dropped whenever it might disagree with the pool (an op undone, the
// collection freed, FLUSHALL). The trees share a byte budget; past it the least recently used ones
// are dropped (rebuilt on their next ordered access), so DRAM stays bounded whatever the keyspace.
//
// A tree entry is (score, element item offset): the member's bytes are read from the element item
// in the pool, so the DRAM cost per member is one tree node whatever the member's length.
#pragma once
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <cstdint>
#include <cstring>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "layout.h"
#include "pool.h"

namespace dax {

struct ZKey {
  double score;
  uint64_t off;  // the element item: key = member, value = score
};

// Member bytes of an element item.
inline const uint8_t* zmember(const Pool* p, uint64_t off, uint64_t* len) {
  const ItemHeader* h = p->at<ItemHeader>(off);
  *len = h->klen;
  return reinterpret_cast<const uint8_t*>(h + 1);
}

// Redis's member order: bytes compared as unsigned, a prefix first (sdscmp).
inline int zcmp_bytes(const uint8_t* a, uint64_t al, const uint8_t* b, uint64_t bl) {
  uint64_t n = al < bl ? al : bl;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return c;
  return al < bl ? -1 : al > bl ? 1 : 0;
}

struct ZCmp {
  const Pool* pool;
  bool operator()(const ZKey& a, const ZKey& b) const {
    if (a.score != b.score) return a.score < b.score;
    if (a.off == b.off) return false;
    uint64_t al, bl;
    const uint8_t* ap = zmember(pool, a.off, &al);
    const uint8_t* bp = zmember(pool, b.off, &bl);
    return zcmp_bytes(ap, al, bp, bl) < 0;
  }
};

using ZTree = __gnu_pbds::tree<ZKey, __gnu_pbds::null_type, ZCmp, __gnu_pbds::rb_tree_tag,
                               __gnu_pbds::tree_order_statistics_node_update>;

// How many leading entries (in order) satisfy pred, a predicate true on a prefix of the order: one
// descent from the root, O(log n), using the subtree sizes the tree keeps.
template <class P>
uint64_t ztree_prefix(const ZTree& t, P pred) {
  uint64_t n = 0;
  auto it = t.node_begin();
  while (it != t.node_end()) {
    auto l = it.get_l_child();
    if (pred(**it)) {
      n += (l == t.node_end() ? 0 : l.get_metadata()) + 1;
      it = it.get_r_child();
    } else {
      it = l;
    }
  }
  return n;
}

class ZOrder {
 public:
  // DRAM bytes a tree costs per member (an rb-tree node: three links, colour, subtree size, key).
  static constexpr uint64_t NODE_BYTES = 64;

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
  uint64_t bytes() const { return members_ * NODE_BYTES; }
  uint64_t trees() const { return trees_.size(); }
  uint64_t builds() const { return builds_; }
  void count_build() { builds_++; }

 private:
  struct Entry {
    std::unique_ptr<ZTree> tree;
    std::list<uint64_t>::iterator lru;
  };
  const Pool* pool_;
  std::unordered_map<uint64_t, Entry> trees_;
  std::list<uint64_t> lru_;  // front = most recently used
  std::vector<uint64_t> touched_;
  uint64_t members_ = 0;  // entries over all trees
  uint64_t budget_ = 256ull << 20;
  uint64_t builds_ = 0;
};

}  // namespace dax

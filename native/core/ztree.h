// The order of one large sorted set in DRAM: a counted B+tree of (score, element item offset).
// Every inner node keeps, per child, the number of entries under it and the child's first entry,
// so ranks, "how many entries come before x" and "the entries from rank r" are one descent each,
// and an insert or erase is O(log n) with O(node) work per level.
//
// Why not an rb-tree (pb_ds, as before): a node per member costs 64 bytes and a cache miss per level
// on every descent, and building one from 1M members took 0.9-1.4 s (inserts in hash order miss the
// cache at each level). Leaves of 64 entries cost ~21 bytes per member at the usual fill, and a
// tree is built from sorted entries in one linear pass (bulk_load), leaving only the sort.
//
// Invariants (check() verifies them for tests): every leaf's entries strictly ascending; an inner
// node's first[i] is exactly the first entry under child i (never a stale entry: the comparator
// reads a member's bytes from the pool, and an erased member's chunk may be reused); cnt[i] the
// number of entries under child i; every node but the root at least a quarter full; all leaves at
// the same depth.
#pragma once
#include <cstdint>
#include <cstring>
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

// (score, member) order; entries of one item are equal.
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

class ZTree {
 public:
  static constexpr int LEAF_CAP = 64, INNER_CAP = 32;

  explicit ZTree(ZCmp less) : less_(less) {}
  ~ZTree() { free_node(root_); }
  ZTree(const ZTree&) = delete;
  ZTree& operator=(const ZTree&) = delete;

  uint64_t size() const { return size_; }
  uint64_t bytes() const { return bytes_; }  // DRAM held by the nodes

  // False if an equal entry is there already / is not there.
  bool insert(const ZKey& k);
  bool erase(const ZKey& k);
  // Replaces the contents with `sorted` (strictly ascending): one linear pass.
  void bulk_load(const std::vector<ZKey>& sorted);

  // How many leading entries satisfy pred, a predicate true on a prefix of the order.
  template <class P>
  uint64_t prefix(P pred) const;
  // f(entry) for the entries of ranks [start, end), in order.
  template <class F>
  void visit(uint64_t start, uint64_t end, F f) const {
    if (root_ && start < end) visit_node(root_, start, end, f);
  }

  // The invariants above; false (and the first problem in *why) when one is broken.
  bool check(const char** why) const;

 private:
  struct Node {
    bool leaf;
    uint16_t n;
  };
  struct Leaf : Node {
    ZKey k[LEAF_CAP];
  };
  struct Inner : Node {
    Node* c[INNER_CAP];
    uint64_t cnt[INNER_CAP];
    ZKey first[INNER_CAP];
  };
  static Leaf* as_leaf(Node* x) { return static_cast<Leaf*>(x); }
  static Inner* as_inner(Node* x) { return static_cast<Inner*>(x); }
  static const Leaf* as_leaf(const Node* x) { return static_cast<const Leaf*>(x); }
  static const Inner* as_inner(const Node* x) { return static_cast<const Inner*>(x); }

  Leaf* new_leaf();
  Inner* new_inner();
  void free_node(Node* x);
  static const ZKey& first_of(const Node* x) { return x->leaf ? as_leaf(x)->k[0] : as_inner(x)->first[0]; }
  static uint64_t total(const Node* x);
  // The child of inner x whose range holds k (the last child whose first entry is not above k).
  int child_for(const Inner* x, const ZKey& k) const;
  void set_child(Inner* x, int i, Node* c);  // c at i, with its count and first entry

  // Insert below x; *split receives a new right sibling when x had to split.
  bool insert_node(Node* x, const ZKey& k, Node** split);
  bool erase_node(Node* x, const ZKey& k);
  // Child i of x fell under a quarter: merge it with a neighbour or even the two out.
  void rebalance(Inner* x, int i);

  template <class F>
  void visit_node(const Node* x, uint64_t start, uint64_t end, F& f) const;
  bool check_node(const Node* x, int depth, int* leaf_depth, uint64_t* count, const ZKey** prev, const char** why) const;

  ZCmp less_;
  Node* root_ = nullptr;
  uint64_t size_ = 0, bytes_ = 0;
};

template <class P>
uint64_t ZTree::prefix(P pred) const {
  uint64_t r = 0;
  const Node* x = root_;
  while (x) {
    if (x->leaf) {
      const Leaf* l = as_leaf(x);
      int lo = 0, hi = l->n;  // first entry that fails pred
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (pred(l->k[mid])) lo = mid + 1;
        else hi = mid;
      }
      return r + lo;
    }
    const Inner* in = as_inner(x);
    int lo = 0, hi = in->n;  // children whose first entry satisfies pred: [0, lo)
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (pred(in->first[mid])) lo = mid + 1;
      else hi = mid;
    }
    if (lo == 0) return r;  // everything under x fails
    // Children before lo-1 end before an entry that satisfies pred: all of them satisfy it.
    for (int i = 0; i < lo - 1; i++) r += in->cnt[i];
    x = in->c[lo - 1];
  }
  return r;
}

template <class F>
void ZTree::visit_node(const Node* x, uint64_t start, uint64_t end, F& f) const {
  if (x->leaf) {
    const Leaf* l = as_leaf(x);
    for (uint64_t i = start; i < end && i < l->n; i++) f(l->k[i]);
    return;
  }
  const Inner* in = as_inner(x);
  uint64_t at = 0;
  for (int i = 0; i < in->n && at < end; i++) {
    uint64_t next = at + in->cnt[i];
    if (next > start) visit_node(in->c[i], start > at ? start - at : 0, (end < next ? end : next) - at, f);
    at = next;
  }
}

}  // namespace dax

// Lists in the pool (docs/collections.md): a doubly linked chain of NODES, each a run of entries
// in one chunk, reached from a header line that a root item under the key names (as for a large
// map). Redis 7.0 keeps every list as a quicklist of listpacks; this is the same shape.
//
// A node is one mutable cache line (ListNode: links, count and the bounds [lo, hi) of its entries
// within its payload) followed by the payload. Entries are packed back to back inside [lo, hi):
// varint length, bytes, the length again reversed (so the last entry is found from hi as the first
// is from lo). A push at either end writes the new entry's bytes in place just outside [lo, hi) —
// bytes no committed state covers, persisted in barrier phase 1 — and then moves lo or hi and the
// counts in the node line and the header line, committed together through the intent log: after a
// crash the entry is there with the counts that count it, or neither. A pop moves the bound the
// other way (the bytes stay until something reuses them). Bytes inside the PERSISTED bounds are
// never written in place (a pop then push on one side in one turn rewrites the node instead), and
// every other change to a node (LSET, LINSERT, LREM, growing a small node) writes new nodes and
// relinks them in one log step, so a reader or a crash sees the old node or the new ones.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "coll.h"

namespace dax {

// The header of a list: a CollHeader's first words (magic, kind, count) with the chain's ends.
struct alignas(64) ListHeader {
  uint32_t magic;  // COLL_MAGIC
  uint8_t kind;    // KIND_LIST
  uint8_t pad0[3];
  uint64_t count;  // entries
  uint64_t head, tail;  // node lines (never 0 while the list exists: an empty list is deleted)
  uint64_t nodes;
  uint64_t pad[3];
};
static_assert(sizeof(ListHeader) == 64, "list header is one cache line");

constexpr uint32_t LNODE_MAGIC = 0x444f4e4c;  // "LNOD"
struct alignas(64) ListNode {
  uint32_t magic;
  uint32_t count;   // entries in [lo, hi)
  uint32_t lo, hi;  // payload bytes holding the entries
  uint32_t cap;     // payload bytes
  uint32_t pad0;
  uint64_t prev, next;  // node lines, 0 at the ends
  uint64_t chunk;       // the chunk holding this node (the line is aligned inside it)
  uint64_t owner;       // the list's header (daxcache check: a node belongs to one list)
  uint64_t pad;
};
static_assert(sizeof(ListNode) == 64, "list node line is one cache line");

// How full a node gets before a push starts a new one: Redis's list-max-listpack-size. A negative
// fill -1..-5 is a byte bound of 4, 8, 16, 32 or 64 KiB (below -5 as -5); a positive one an entry
// bound, with 8 KiB of entries at most (Redis's SIZE_SAFETY_LIMIT); 0 is one entry per node.
// Only new nodes follow a change: nodes already written keep their size.
struct ListLimits {
  uint64_t node_bytes = 8192;        // -2, Redis's default
  uint64_t node_entries = UINT64_MAX;
  static ListLimits of_fill(int64_t fill) {
    ListLimits l;
    if (fill < 0) {
      l.node_bytes = 4096ull << (fill < -5 ? 4 : -fill - 1);
    } else {
      l.node_bytes = 8192;
      l.node_entries = fill > 0 ? uint64_t(fill) : 1;
    }
    return l;
  }
};

inline uint64_t varint_len(uint64_t n) {
  uint64_t l = 1;
  while (n >= 0x80) {
    n >>= 7;
    l++;
  }
  return l;
}
inline uint64_t entry_size(uint64_t n) { return n + 2 * varint_len(n); }

// Writes one entry at d; returns the end.
inline uint8_t* put_entry(uint8_t* d, const uint8_t* p, uint64_t n) {
  uint8_t v[10];
  int l = 0;
  uint64_t x = n;
  do {
    uint8_t b = x & 0x7f;
    x >>= 7;
    if (x) b |= 0x80;
    v[l++] = b;
  } while (x);
  memcpy(d, v, l);
  d += l;
  if (n) memcpy(d, p, n);
  d += n;
  for (int i = l - 1; i >= 0; i--) *d++ = v[i];
  return d;
}

struct ListEntry {
  uint32_t at;  // payload offset of the entry's first byte
  const uint8_t* p;
  uint64_t n;
};

// The entries of a node (payload = the node's payload bytes); false when [lo, hi) does not hold
// exactly `count` well-formed entries. A bad length never reads outside [lo, hi).
bool node_decode(const ListNode& nd, const uint8_t* payload, std::vector<ListEntry>& out);
// Appends entries skip .. skip+take-1 of the node (fewer at its end) without decoding the rest
// (LRANGE's path: a range of 100 in a node of 800 small entries reads ~100, not 800); false
// when an entry it reads is malformed.
bool node_entries(const ListNode& nd, const uint8_t* payload, uint64_t skip, uint64_t take, std::vector<ListEntry>& out);
// The first / last entry alone (a pop's fast path); false when malformed.
bool node_first(const ListNode& nd, const uint8_t* payload, ListEntry* out);
bool node_last(const ListNode& nd, const uint8_t* payload, ListEntry* out);

}  // namespace dax

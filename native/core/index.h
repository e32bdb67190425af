// Persistent hash index: a bucket array sized from the pool at creation (one 64-byte bucket of 7
// slots per KiB of pool, a power of two), plus overflow buckets taken from the smallest slab class
// and chained through each bucket's `next`. Why fixed-size with overflow instead of extendible
// hashing (CCEH/Dash): the pool size bounds the number of items, so sizing from the pool gives a low
// load factor for typical items without ever moving a slot: no rehash, no directory doubling, O(1)
// open, and a SCAN cursor (a bucket number) that stays valid across inserts.
//
// Updates are staged in a DRAM overlay of whole buckets during a turn and written to the pool in
// barrier phase 2, after the items they point to are persistent (phase 1). A plain, page-granular
// mapping may write any page back at any time, so a slot must not reach the mapping before its item
// is durable. Turns that contain a multi-key write go through the intent log, so all their bucket
// images land together or not at all.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "alloc.h"
#include "dirty.h"
#include "pool.h"

namespace dax {

class Index {
 public:
  Index(Pool& pool, Allocator& alloc, DirtyRanges& dirty);

  uint64_t nbuckets() const { return nbuckets_; }
  uint64_t home(uint64_t hash) const { return index_off_ + (hash & (nbuckets_ - 1)) * sizeof(Bucket); }
  uint64_t bucket_off(uint64_t i) const { return index_off_ + i * sizeof(Bucket); }
  uint64_t bucket_no(uint64_t off) const { return (off - index_off_) / sizeof(Bucket); }

  // The current view of a bucket (staged image if any).
  const Bucket* view(uint64_t boff) const {
    if (!staged_.empty()) {
      auto it = staged_.find(boff);
      if (it != staged_.end()) return &it->second;
    }
    return pool_.at<Bucket>(boff);
  }
  // A staged, writable image of a bucket.
  Bucket* edit(uint64_t boff);

  // Put `slot` in a free slot of the chain starting at `home`; may add an overflow bucket.
  // Returns false when no memory is left for an overflow bucket. main_index: home is one of the
  // key index's buckets (not a collection's table), so a new overflow bucket counts in overflow().
  bool insert(uint64_t home, uint64_t slot, uint64_t* boff_out = nullptr, int* idx_out = nullptr, bool main_index = false);

  // The key index's overflow buckets this process knows of: the rebuild's mark counts those it
  // reaches (note_overflow), inserts add theirs. Exact once the rebuild has marked every bucket.
  uint64_t overflow() const { return overflow_; }
  void note_overflow() { overflow_++; }

  bool staged() const { return !staged_.empty(); }
  size_t staged_count() const { return staged_.size(); }
  uint64_t log_capacity() const { return log_cap_; }

  // Barrier phase 2: write staged buckets (through the intent log when atomic) and persist them.
  // The hint word (the key-count hint) is written with the buckets. epoch_word, when given, is the
  // pool's flush epoch set by a FLUSHALL of this atomic turn: logged with the entries and written
  // after the commit word, before any bucket, so the flush and the turn's writes are one step.
  void commit(bool atomic, uint64_t* hint_word, uint64_t hint_value, uint64_t* epoch_word = nullptr,
              uint64_t epoch = 0);

  // At open: apply a committed intent log left by a crash (idempotent), and the flush epoch it
  // carries to *epoch_word. Returns entries applied.
  uint64_t recover_log(uint64_t* epoch_word);

  // Validates an overflow link target (a class-0 chunk inside the slab region).
  bool valid_overflow(uint64_t off) const;

  // What a walk_chain visitor tells the walk after one slot.
  enum class Walk { Next, Edited, Stop };  // Edited: it changed the bucket, so read it again

  // The one walk along a bucket chain (used by lookups, eviction, SCAN, the rebuild and cleanup):
  // on_slot(boff, idx, slot) for every non-empty slot from the bucket at `boff` through its overflow
  // buckets, until it answers Stop. follow(boff, next) gives the link to take from a bucket whose
  // `next` is non-zero (0 ends the chain); by default a link that is no valid overflow bucket ends
  // it, and the rebuild passes one that also repairs such a link. Bounded, so a damaged pool whose
  // links form a cycle cannot hang it.
  template <class OnSlot, class Follow>
  void walk_chain(uint64_t boff, OnSlot&& on_slot, Follow&& follow) const {
    for (int guard = 0; boff && guard < (1 << 20); guard++) {
      const Bucket* b = view(boff);
      for (int i = 0; i < BUCKET_SLOTS; i++) {
        uint64_t s = b->slot[i];
        if (!s) continue;
        Walk w = on_slot(boff, i, s);
        if (w == Walk::Stop) return;
        if (w == Walk::Edited) b = view(boff);
      }
      boff = b->next ? follow(boff, b->next) : 0;
    }
  }
  template <class OnSlot>
  void walk_chain(uint64_t boff, OnSlot&& on_slot) const {
    walk_chain(boff, on_slot, [this](uint64_t, uint64_t next) { return valid_overflow(next) ? next : 0; });
  }

  // Undo of one operation's staged edits, so an operation that fails half-way (no memory for an
  // overflow bucket in the middle of an MSET) leaves nothing behind.
  void op_begin();
  void op_rollback();
  void op_end();

 private:
  Pool& pool_;
  Allocator& alloc_;
  DirtyRanges& dirty_;
  uint64_t index_off_, nbuckets_;
  uint64_t log_off_, log_cap_;
  std::unordered_map<uint64_t, Bucket> staged_;
  std::vector<uint64_t> order_;  // staged bucket offsets in first-touch order
  bool op_active_ = false;
  size_t op_mark_ = 0;
  std::unordered_map<uint64_t, Bucket> op_prev_;
  std::unordered_set<uint64_t> op_own_;
  std::vector<uint64_t> op_new_overflow_;
  uint64_t overflow_ = 0;
  uint64_t op_main_overflow_ = 0;  // of op_new_overflow_, the key index's
};

}  // namespace dax

// Persistent hash index: a bucket array sized from the pool at creation (one 64-byte bucket of 7
// slots per KiB of pool, a power of two), plus overflow buckets taken from the smallest slab class
// and chained through each bucket's `next`. When the keys outgrow it (many small keys, or a grown
// pool), it grows by Litwin's linear hashing, one bucket split at a time, in the segment style of
// CCEH (FAST'19) and Dash (VLDB'20): new buckets live in segments of INDEX_SEG_BUCKETS (slab chunks)
// listed in a directory chunk, and IndexMeta (layout.h) says how far splitting has gone. A split
// of bucket s moves the slots whose hash says s + (n0 << level) there; a batch of splits and the
// meta line are one redo-log commit, so a crash leaves each split done or not done. Nothing is
// rehashed at once (no request waits for more than a batch of splits), open reads only the meta
// line and the directory (O(1) in keys), and a SCAN cursor (a bucket number) stays valid: a split
// only moves slots to a bucket past every existing one.
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
#include <algorithm>
#include <vector>

#include "alloc.h"
#include "dirty.h"
#include "pool.h"

namespace dax {

class Index {
 public:
  Index(Pool& pool, Allocator& alloc, DirtyRanges& dirty);

  // Buckets now: the n0 made at creation, doubled `level` times, plus the splits of this round.
  uint64_t nbuckets() const { return (n0_ << level_) + split_; }
  uint64_t home_no(uint64_t hash) const {
    uint64_t m = (n0_ << level_) - 1;
    uint64_t b = hash & m;
    return b < split_ ? hash & (2 * m + 1) : b;
  }
  uint64_t bucket_off(uint64_t i) const {
    if (i < n0_) return index_off_ + i * sizeof(Bucket);
    i -= n0_;
    return align_line(dir_[i / INDEX_SEG_BUCKETS]) + (i % INDEX_SEG_BUCKETS) * sizeof(Bucket);
  }
  uint64_t home(uint64_t hash) const { return bucket_off(home_no(hash)); }

  // Linear hashing. split_next() stages the split of the next bucket (slots whose hash_of(slot)
  // says the new bucket move there; hash_of returns UINT64_MAX for a slot it cannot read, which
  // stays), adding a segment (zeroed in the pool now, persisted in phase 1) and its directory line
  // when the new bucket needs one, and the meta line. The caller commits the batch atomically
  // (Store::split_index). False: no memory for a segment or an overflow bucket (nothing staged
  // for this split), or INDEX_MAX_SEGMENTS reached.
  // Overflow buckets of bucket s's chain that the split leaves empty go to `freed` (free them after
  // the commit).
  template <class HashOf>
  bool split_next(HashOf&& hash_of, std::vector<uint64_t>& freed);
  uint64_t splits() const { return splits_; }
  // The chunks the index itself owns (directory, segments), for the rebuild's mark and check.
  template <class Mark>
  void own_chunks(Mark&& mark) const {
    if (!dir_off_) return;
    mark(dir_off_);
    for (uint64_t s : dir_) mark(s);
  }

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
  // carries to *epoch_word; then read the split state (throws PoolError when it is damaged).
  // Every open calls it before using the index. Returns entries applied.
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
  bool stage_segment();
  void load_meta();
  uint64_t index_off_, n0_;
  uint64_t level_ = 0, split_ = 0, dir_off_ = 0;
  // Segment chunks (DRAM copy of the directory's first nsegs). Chunks start on 8 bytes, so a
  // segment's buckets start at align_line of its chunk.
  std::vector<uint64_t> dir_;
  uint64_t splits_ = 0;
  std::vector<uint64_t> split_chain_, split_keep_;  // scratch of split_next
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

template <class HashOf>
bool Index::split_next(HashOf&& hash_of, std::vector<uint64_t>& freed) {
  uint64_t t = nbuckets();  // the new bucket
  if (t - n0_ >= dir_.size() * INDEX_SEG_BUCKETS && !stage_segment()) return false;
  uint64_t s = split_, half = n0_ << level_;
  uint64_t tb = bucket_off(t);
  // Bucket s's chain, and its slots: those whose hash says t move, the others stay.
  std::vector<uint64_t>& chain = split_chain_;
  std::vector<uint64_t>& keep = split_keep_;
  chain.clear();
  keep.clear();
  bool moves = false;
  op_begin();
  for (uint64_t boff = bucket_off(s); boff && chain.size() < (1u << 20);) {
    chain.push_back(boff);
    const Bucket* b = view(boff);
    for (int i = 0; i < BUCKET_SLOTS; i++) {
      uint64_t slot = b->slot[i];
      if (!slot) continue;
      uint64_t h = hash_of(slot);
      if (h != UINT64_MAX && (h & (2 * half - 1)) == t) {
        if (!insert(tb, slot, nullptr, nullptr, true)) {
          op_rollback();
          return false;
        }
        moves = true;
      } else {
        keep.push_back(slot);
      }
    }
    boff = b->next && valid_overflow(b->next) ? b->next : 0;
  }
  if (moves) {
    // What stays, packed from the home bucket on; overflow buckets left empty are unlinked and
    // freed after the commit (the caller's pending frees), so chains do not keep holes.
    size_t need = std::max<size_t>(1, (keep.size() + BUCKET_SLOTS - 1) / BUCKET_SLOTS);
    for (size_t k = 0; k < chain.size() && k < need; k++) {
      Bucket* b = edit(chain[k]);
      for (int i = 0; i < BUCKET_SLOTS; i++) {
        size_t j = k * BUCKET_SLOTS + i;
        b->slot[i] = j < keep.size() ? keep[j] : 0;
      }
      if (k + 1 == need) b->next = 0;
    }
    for (size_t k = need; k < chain.size(); k++) freed.push_back(chain[k]);
    overflow_ -= chain.size() > need ? chain.size() - need : 0;
  }
  op_end();
  // The meta line: this split counted (and a round completed), in the same commit.
  if (++split_ == half) {
    split_ = 0;
    level_++;
  }
  IndexMeta* m = reinterpret_cast<IndexMeta*>(edit(IDX_META_OFF));
  m->level = level_;
  m->split = split_;
  m->dir_off = dir_off_;
  m->nsegs = dir_.size();
  splits_++;
  return true;
}

}  // namespace dax

// The store's background walks, run in small slices by maintenance(): after open, the rebuild
// (mark every chunk the index reaches, dropping damaged, expired and flushed slots, then sweep the
// unmarked chunks free), which gives the exact key count and the free lists that open skipped
// (invariant 4: open is O(1) in keys); after FLUSHALL, the cleanup of the older epoch's items; and
// the slow cleanup walk plus active expiry (active_expire.cc) once the rebuild is done.
#include <algorithm>

#include "hash.h"
#include "store.h"

namespace dax {

bool Store::at_home(uint64_t b, uint64_t slot, const ItemHeader* h) const {
  uint64_t hk = hash_key(reinterpret_cast<const uint8_t*>(h + 1), h->klen);
  return index_.home_no(hk) == b && uint16_t(hk >> 48) == slot_fp(slot);
}

void Store::mark_walk(uint32_t budget) {
  using W = Index::Walk;
  uint64_t nb = index_.nbuckets();
  int64_t now = now_ms();
  // A link to no valid overflow bucket, or to one already reached: damage; the chain ends there.
  auto follow = [&](uint64_t boff, uint64_t next) -> uint64_t {
    if (index_.valid_overflow(next) && alloc_.mark(next, true) == 1) {
      index_.note_overflow();
      return next;
    }
    corrupt_++;
    index_.edit(boff)->next = 0;
    return 0;
  };
  for (; mark_cursor_ < nb && budget; budget--) {
    uint64_t b = mark_cursor_;
    index_.walk_chain(index_.bucket_off(b), [&](uint64_t boff, int i, uint64_t s) {
      uint64_t off = slot_off(s);
      const ItemHeader* h = item_at(off, nullptr);
      if (!h) {
        corrupt_++;
        index_.edit(boff)->slot[i] = 0;
      } else if (!verify_item(off, h)) {
        corrupt_++;
        index_.edit(boff)->slot[i] = 0;
        retire(off);
      } else if (!at_home(b, s, h)) {
        // A slot in a chain its key does not hash to (damage): never mark or free through it, or it
        // could claim the chunk before the key's own slot, which would then be dropped.
        corrupt_++;
        index_.edit(boff)->slot[i] = 0;
      } else if (stale(h) || expired(h, now)) {
        if (stale(h)) {
          flushed_removed_++;
        } else {
          crawling_ = true;
          count_expired(off);
          crawling_ = false;
        }
        index_.edit(boff)->slot[i] = 0;
        retire(off);
      } else if (is_root(h->type) && !mark_coll(root_header(h), item_kind(h->type))) {
        // A large collection whose structure is damaged: the key goes (its chunks, unmarked, are
        // swept free).
        corrupt_++;
        index_.edit(boff)->slot[i] = 0;
        retire(off);
      } else {
        int m = alloc_.mark(off, false);
        if (m == 1) {
          walked_++;
          if (h->expire_ms) expiry_.live(off, h->expire_ms);
        } else {  // not a chunk start, or a second reference to one chunk: damage
          corrupt_++;
          index_.edit(boff)->slot[i] = 0;
        }
      }
      return W::Edited;
    }, follow);
    mark_cursor_++;
  }
}

void Store::clean_walk(uint32_t budget) {
  uint64_t nb = index_.nbuckets();
  int64_t now = now_ms();
  for (; budget; budget--) {
    index_.walk_chain(index_.bucket_off(clean_cursor_), [&](uint64_t boff, int i, uint64_t s) {
      uint64_t off = slot_off(s);
      const ItemHeader* h = item_at(off, nullptr);
      if (!h) return Index::Walk::Next;
      if (stale(h)) {
        flushed_removed_++;
        drop(clean_cursor_, boff, i, off, false, true);
        return Index::Walk::Edited;
      }
      if (expired(h, now)) {
        crawling_ = true;
        count_expired(off);
        crawling_ = false;
        drop(clean_cursor_, boff, i, off, true, true);
        return Index::Walk::Edited;
      }
      return Index::Walk::Next;
    });
    clean_cursor_ = (clean_cursor_ + 1) % nb;
    if (cleanup_pending_ && clean_cursor_ == clean_start_) {
      cleanup_pending_ = false;
      break;
    }
  }
}

bool Store::maintenance(uint32_t budget, uint32_t expire_us) {
  if (closed_) return false;
  barrier();
  if (phase_ == RebuildPhase::Mark) {
    mark_walk(budget);
    if (mark_cursor_ >= index_.nbuckets()) {
      live_count_ = walked_;
      count_exact_ = true;
      phase_ = RebuildPhase::Sweep;
    }
  } else if (phase_ == RebuildPhase::Sweep) {
    barrier();  // drops made by the mark walk must be persistent before their chunks are swept free
    if (alloc_.sweep(std::max<uint32_t>(1, budget / 8))) phase_ = RebuildPhase::Done;
  } else {
    clean_walk(cleanup_pending_ ? budget : std::max<uint32_t>(1, budget / 16));
    split_index(SPLITS_PER_SLICE);
  }
  // Deleted large collections: their chunks, a slice at a time (the roots' unlinking is persistent:
  // the barrier above).
  if (coll_free_head_ < coll_free_.size()) free_walk(uint64_t(budget) * 8);
  bool expiring = false;
  if (expire_us) expire_due(UINT64_MAX, mono_ns() + int64_t(expire_us) * 1000, &expiring);
  barrier();
  return phase_ != RebuildPhase::Done || cleanup_pending_ || expiring || coll_free_head_ < coll_free_.size();
}

void Store::finish_rebuild() {
  while (phase_ != RebuildPhase::Done) maintenance(1 << 16);
}

}  // namespace dax

// The DRAM tier: copies of hot pool items, admitted and evicted by frequency (W-TinyLFU).
//
// Reference: Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy"
// (ACM ToS 2017), section 4 "W-TinyLFU", and Caffeine's implementation of it. Entries live in
//  - a small admission window (1% of the budget), plain LRU, where every new entry starts, so a
//    burst of new keys is served at once;
//  - a main area (the other 99%), segmented LRU: probation (20% of it) and protected (80%). A hit in
//    probation promotes the entry to protected; protected's LRU end is demoted back to probation.
// When the window overflows, its LRU entry (the candidate) enters probation only if the frequency
// sketch rates it above the main area's victim (probation's LRU end); otherwise it is dropped. A
// one-pass scan therefore never displaces the hot set: scanned keys are seen once and lose.
//
// The tier is never the source of truth: an entry is a byte-identical copy of one pool item
// (header, key, value), and is dropped when that item is unlinked (the store tells; see
// ItemObserver), on FLUSHALL, and when its TTL has passed. Budgets are in bytes and include each
// entry's bookkeeping, so tier_bytes never exceeds the budget. DRAM only; empty after a restart.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "layout.h"
#include "sketch.h"

namespace dax {

struct TierStats {
  uint64_t budget, bytes, items, hits, misses, admitted, rejected, evicted;
};

class Tier {
 public:
  Tier() = default;
  ~Tier();
  Tier(const Tier&) = delete;
  Tier& operator=(const Tier&) = delete;

  // 0 turns the tier off (and empties it). A smaller budget evicts down to it at once.
  void set_budget(uint64_t bytes);
  bool enabled() const { return budget_ != 0; }

  // The copy of the key's item, or nullptr (counting a hit or a miss). `now_ms` is asked only when
  // the entry has a TTL; an expired entry is dropped and is a miss.
  template <class Clock> const ItemHeader* lookup(const uint8_t* k, uint64_t kl, uint64_t hash, uint64_t* pool_off, Clock now_ms);
  // Offers a copy of the pool item at `off` (just read from the pool for this key).
  void offer(uint64_t hash, uint64_t off, const ItemHeader* item);
  // The pool item at `off`, whose key hashes to `hash`, was unlinked (overwritten, deleted,
  // expired, evicted, dropped as damaged).
  void item_gone(uint64_t off, uint64_t hash);
  bool empty() const { return items_ == 0; }
  void clear();

  TierStats stats() const;
  // Bytes one entry for this item is charged (its copy and its bookkeeping).
  static uint64_t charge_of(uint64_t klen, uint64_t vlen);

 private:
  enum Seg : uint8_t { Window = 0, Probation = 1, Protected = 2 };
  struct Entry {
    Entry *prev, *next;  // in its segment's list: head = most recently used
    Entry* hnext;        // next entry in its hash table slot
    uint64_t hash, off, charge;
    uint64_t stamp;  // lookup tick when last moved to its list's head
    Seg seg;
    uint8_t freq;    // the sketch's estimate at the last access, and the sketch's reset count then:
    uint8_t epoch;   // contests use it (halved per reset since) instead of reading the sketch again
    ItemHeader* item() { return reinterpret_cast<ItemHeader*>(this + 1); }
    const uint8_t* key() { return reinterpret_cast<const uint8_t*>(item() + 1); }
  };
  struct List {
    Entry* head = nullptr;
    Entry* tail = nullptr;
    uint64_t bytes = 0, items = 0;
  };

  Entry* find(const uint8_t* k, uint64_t kl, uint64_t hash);
  Entry*& slot(uint64_t hash) { return table_[(hash ^ (hash >> 32)) & (table_.size() - 1)]; }
  void table_insert(Entry* e);
  void table_remove(Entry* e);
  void link(Entry* e, Seg s);    // at the head of segment s
  void unlink(Entry* e);         // from its segment list
  void destroy(Entry* e);        // unlink from everything and free
  void touch(Entry* e);          // a hit: recency and promotion
  void rebalance();              // window overflow -> admission contest; protected overflow -> probation
  void demote_protected(const Entry* keep);
  void admit_candidate(Entry* c);
  void evict_main_to(uint64_t limit);
  uint64_t main_bytes() const { return segs_[Probation].bytes + segs_[Protected].bytes; }
  static uint64_t block_size(uint64_t item_bytes);  // an entry's allocation, rounded to 64 bytes
  void* take_block(uint64_t size);
  void give_block(Entry* e);
  void trim_kept();  // frees kept blocks beyond kept_limit_ (after the budget shrank)
  uint32_t freq_of(const Entry* e) const;

  uint64_t budget_ = 0, entry_budget_ = 0, kept_limit_ = 0, window_budget_ = 0, protected_budget_ = 0;
  List segs_[3];
  // Chained hash table over the key hash (intrusive: no allocation besides the entry itself), at
  // most one entry per slot on average; it doubles as entries are added.
  std::vector<Entry*> table_ = std::vector<Entry*>(1024, nullptr);
  // Freed entry blocks kept for the next copy of the same rounded size: nearly every miss adds an
  // entry and the admission contest drops one, so reusing the block saves a malloc/free pair. A
  // few only, counted in the tier's bytes and held within kept_limit_, which the entries' share
  // of the budget leaves free, so the budget bounds all of it.
  static constexpr int KEPT_MAX = 8;
  struct Kept {
    void* p;
    uint64_t size;
  };
  Kept kept_[KEPT_MAX];
  int nkept_ = 0;
  uint64_t kept_bytes_ = 0;
  std::unique_ptr<FrequencySketch> sketch_;
  uint64_t items_ = 0, hits_ = 0, misses_ = 0, admitted_ = 0, rejected_ = 0, evicted_ = 0;
  uint64_t tick_ = 0;        // lookups so far
  uint32_t last_freq_ = 0;   // the estimate of the key of the last lookup (offer() follows a miss)
};

template <class Clock>
const ItemHeader* Tier::lookup(const uint8_t* k, uint64_t kl, uint64_t hash, uint64_t* pool_off, Clock now_ms) {
  tick_++;
  sketch_->prefetch(hash);  // its line loads while the table is searched
  Entry* e = find(k, kl, hash);
  last_freq_ = sketch_->increment(hash);
  if (e && e->item()->expire_ms && e->item()->expire_ms <= now_ms()) {
    destroy(e);
    e = nullptr;
  }
  if (!e) {
    misses_++;
    return nullptr;
  }
  hits_++;
  e->freq = uint8_t(last_freq_);
  e->epoch = uint8_t(sketch_->resets());
  touch(e);
  *pool_off = e->off;
  return e->item();
}

}  // namespace dax

#include "tier.h"

#include <cstdlib>
#include <algorithm>
#include <cstring>

namespace dax {

namespace {
// Bytes of bookkeeping an entry costs besides its block (Entry header + copy, rounded to 64): its
// hash table slots (8 bytes each, one to two per entry as the table doubles) and malloc's header.
constexpr uint64_t MAP_OVERHEAD = 32;
// The sketch is sized for budget / this many bytes per entry (a small-value cache's typical entry);
// a sketch wider than needed only costs memory, a narrower one collides more.
constexpr uint64_t SKETCH_BYTES_PER_ENTRY = 256;
}  // namespace

Tier::~Tier() { clear(); }

uint64_t Tier::block_size(uint64_t item_bytes) { return (sizeof(Entry) + item_bytes + 63) & ~uint64_t(63); }

uint64_t Tier::charge_of(uint64_t klen, uint64_t vlen) { return block_size(item_size(klen, vlen)) + MAP_OVERHEAD; }

void* Tier::take_block(uint64_t size) {
  for (int i = 0; i < nkept_; i++)
    if (kept_[i].size == size) {
      void* p = kept_[i].p;
      kept_bytes_ -= size;
      kept_[i] = kept_[--nkept_];
      return p;
    }
  return std::malloc(size);
}

void Tier::trim_kept() {
  while (nkept_ && kept_bytes_ > kept_limit_) {
    Kept& k = kept_[--nkept_];
    kept_bytes_ -= k.size;
    std::free(k.p);
  }
}

void Tier::give_block(Entry* e) {
  uint64_t size = e->charge - MAP_OVERHEAD;
  if (nkept_ == KEPT_MAX || kept_bytes_ + size > kept_limit_) {
    std::free(e);
    return;
  }
  kept_[nkept_++] = {e, size};
  kept_bytes_ += size;
}

void Tier::set_budget(uint64_t bytes) {
  if (bytes == 0) {
    clear();
    budget_ = 0;
    sketch_.reset();
    return;
  }
  bool was_on = budget_ != 0;
  budget_ = bytes;
  // Entries get the budget less what the kept blocks may hold, so the two never pass it together.
  kept_limit_ = std::min<uint64_t>(bytes / 64, 64 * 1024);
  entry_budget_ = bytes - kept_limit_;
  window_budget_ = entry_budget_ / 100;
  protected_budget_ = (entry_budget_ - window_budget_) * 8 / 10;
  if (!was_on || !sketch_ || sketch_->width() < bytes / SKETCH_BYTES_PER_ENTRY / 2)
    sketch_.reset(new FrequencySketch(bytes / SKETCH_BYTES_PER_ENTRY));
  rebalance();
  evict_main_to(entry_budget_ - segs_[Window].bytes);
  trim_kept();
}

Tier::Entry* Tier::find(const uint8_t* k, uint64_t kl, uint64_t hash) {
  for (Entry* e = slot(hash); e; e = e->hnext)
    if (e->hash == hash && e->item()->klen == kl && memcmp(e->key(), k, kl) == 0) return e;
  return nullptr;
}

void Tier::table_insert(Entry* e) {
  if (items_ >= table_.size()) {  // grow: rehash every entry into twice the slots
    std::vector<Entry*> old(table_.size() * 2, nullptr);
    old.swap(table_);
    for (Entry* head : old)
      for (Entry* x = head; x;) {
        Entry* n = x->hnext;
        Entry*& sl = slot(x->hash);
        x->hnext = sl;
        sl = x;
        x = n;
      }
  }
  Entry*& sl = slot(e->hash);
  e->hnext = sl;
  sl = e;
}

void Tier::table_remove(Entry* e) {
  for (Entry** p = &slot(e->hash); *p; p = &(*p)->hnext)
    if (*p == e) {
      *p = e->hnext;
      return;
    }
}

void Tier::link(Entry* e, Seg s) {
  List& l = segs_[s];
  e->seg = s;
  e->prev = nullptr;
  e->next = l.head;
  if (l.head) l.head->prev = e;
  l.head = e;
  if (!l.tail) l.tail = e;
  l.bytes += e->charge;
  l.items++;
  e->stamp = tick_;
}

void Tier::unlink(Entry* e) {
  List& l = segs_[e->seg];
  if (e->prev) e->prev->next = e->next;
  else l.head = e->next;
  if (e->next) e->next->prev = e->prev;
  else l.tail = e->prev;
  l.bytes -= e->charge;
  l.items--;
}

uint32_t Tier::freq_of(const Entry* e) const {
  uint32_t halvings = uint8_t(uint8_t(sketch_->resets()) - e->epoch);
  return halvings >= 4 ? 0 : e->freq >> halvings;
}

void Tier::destroy(Entry* e) {
  unlink(e);
  table_remove(e);
  items_--;
  give_block(e);
}

void Tier::touch(Entry* e) {
  if (e->seg == Probation) {
    unlink(e);
    link(e, Protected);
    demote_protected(e);
  } else if (tick_ - e->stamp > segs_[e->seg].items / 4) {
    // Moved to the head fewer than items/4 lookups ago, it is still in the list's most recent
    // quarter: leaving it there saves the list writes of most hits on hot entries.
    Seg s = e->seg;
    unlink(e);
    link(e, s);
  }
}

void Tier::offer(uint64_t hash, uint64_t off, const ItemHeader* item) {
  if (!budget_) return;
  uint64_t size = item_size(item->klen, item->vlen);
  uint64_t charge = charge_of(item->klen, item->vlen);
  // A value that would take over an eighth of the tier is not worth a copy: it is served from the pool.
  if (charge > budget_ / 8) {
    rejected_++;
    return;
  }
  // A key seen for the first time since the sketch's last reset (its doorkeeper bit only) is not
  // copied once the window is full: most such keys are never read again (the one-hit wonders
  // TinyLFU's doorkeeper exists for), and a copy that the next contest drops costs a copy and a free.
  if (last_freq_ <= 1 && segs_[Window].bytes + charge > window_budget_) {
    rejected_++;
    return;
  }
  auto* e = static_cast<Entry*>(take_block(charge - MAP_OVERHEAD));
  if (!e) return;
  e->hash = hash;
  e->off = off;
  e->charge = charge;
  e->freq = uint8_t(last_freq_);
  e->epoch = uint8_t(sketch_->resets());
  memcpy(e->item(), item, size);
  table_insert(e);
  items_++;
  link(e, Window);
  rebalance();
  trim_kept();
}

// W-TinyLFU's contest: the window's LRU entry against the main area's victim.
void Tier::admit_candidate(Entry* c) {
  unlink(c);
  uint64_t main_limit = entry_budget_ - window_budget_;
  uint32_t cf = freq_of(c);
  while (main_bytes() + c->charge > main_limit) {
    Entry* v = segs_[Probation].tail ? segs_[Probation].tail : segs_[Protected].tail;
    if (!v || cf <= freq_of(v)) {
      link(c, Probation);  // (destroy unlinks it again)
      destroy(c);
      rejected_++;
      return;
    }
    destroy(v);
    evicted_++;
  }
  link(c, Probation);
  admitted_++;
}

void Tier::rebalance() {
  while (segs_[Window].bytes > window_budget_ && segs_[Window].tail) admit_candidate(segs_[Window].tail);
  demote_protected(nullptr);
}

// Protected over its share: its least recent entries go back to probation (still in the tier),
// never `keep` (the entry just promoted).
void Tier::demote_protected(const Entry* keep) {
  while (segs_[Protected].bytes > protected_budget_ && segs_[Protected].tail && segs_[Protected].tail != keep) {
    Entry* d = segs_[Protected].tail;
    unlink(d);
    link(d, Probation);
  }
}

void Tier::evict_main_to(uint64_t limit) {
  while (main_bytes() > limit) {
    Entry* v = segs_[Probation].tail ? segs_[Probation].tail : segs_[Protected].tail;
    if (!v) break;
    destroy(v);
    evicted_++;
  }
}

void Tier::item_gone(uint64_t off, uint64_t hash) {
  for (Entry* e = slot(hash); e; e = e->hnext)
    if (e->off == off) {
      destroy(e);
      return;
    }
}

void Tier::clear() {
  for (List& l : segs_) {
    for (Entry* e = l.head; e;) {
      Entry* n = e->next;
      std::free(e);
      e = n;
    }
    l = List{};
  }
  std::fill(table_.begin(), table_.end(), nullptr);
  items_ = 0;
  for (int i = 0; i < nkept_; i++) std::free(kept_[i].p);
  nkept_ = 0;
  kept_bytes_ = 0;
}

TierStats Tier::stats() const {
  return {budget_, segs_[Window].bytes + main_bytes() + kept_bytes_, items_, hits_, misses_, admitted_, rejected_, evicted_};
}

}  // namespace dax

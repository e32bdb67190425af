#include "index.h"

#include <cstring>

#include "crc32c.h"

namespace dax {

Index::Index(Pool& pool, Allocator& alloc, DirtyRanges& dirty) : pool_(pool), alloc_(alloc), dirty_(dirty) {
  index_off_ = pool.hdr().index_off;
  n0_ = pool.hdr().index_buckets;
  // The split state is read by recover_log(), after the redo log (which may hold the meta line of
  // a batch of splits, torn in the pool) has been applied.
  log_off_ = pool.hdr().log_off;
  log_cap_ = (pool.hdr().log_size - sizeof(LogHeader)) / sizeof(LogEntry);
  staged_.reserve(1024);
}

// A split index (version 2): the meta line and the directory, O(segments) at open, once the redo
// log has been applied.
void Index::load_meta() {
  const IndexMeta* m = pool_.at<IndexMeta>(IDX_META_OFF);
  if (pool_.hdr().version == LAYOUT_VERSION && m->dir_off) {
    const PoolHeaderStatic& h = pool_.hdr();
    bool ok = m->nsegs <= INDEX_MAX_SEGMENTS && m->level < 40 && m->split < (n0_ << m->level) &&
              m->dir_off >= h.slab_off && m->dir_off + 64 + INDEX_MAX_SEGMENTS * 8 <= h.pool_size &&
              (n0_ << m->level) + m->split - n0_ <= m->nsegs * INDEX_SEG_BUCKETS;
    const uint64_t* d = pool_.at<uint64_t>(align_line(m->dir_off));
    for (uint64_t i = 0; ok && i < m->nsegs; i++)
      ok = d[i] >= h.slab_off && d[i] + 64 + INDEX_SEG_BUCKETS * sizeof(Bucket) <= h.pool_size;
    if (!ok) throw PoolError(PoolErr::Invalid, "the key index's split state (index meta) is damaged; refusing to open");
    level_ = m->level;
    split_ = m->split;
    dir_off_ = m->dir_off;
    dir_.assign(d, d + m->nsegs);
  }
}

Bucket* Index::edit(uint64_t boff) {
  auto it = staged_.find(boff);
  if (it != staged_.end()) {
    if (op_active_ && op_prev_.find(boff) == op_prev_.end()) {
      // Staged before this operation began (not one of the operation's own new entries)?
      if (!op_own_.count(boff)) op_prev_.emplace(boff, it->second);
    }
    return &it->second;
  }
  order_.push_back(boff);
  if (op_active_) op_own_.insert(boff);
  Bucket& b = staged_[boff];
  memcpy(&b, pool_.at<Bucket>(boff), sizeof(Bucket));
  return &b;
}

// A new segment for the buckets past the last one: its chunk zeroed in the pool now (persistent in
// phase 1, before the directory line naming it is published), the directory made at the first.
bool Index::stage_segment() {
  // Chunks start on 8 bytes: each takes a line more, and its lines start at align_line.
  if (dir_.size() >= INDEX_MAX_SEGMENTS) return false;
  if (!dir_off_) {
    uint64_t d = alloc_.alloc(INDEX_MAX_SEGMENTS * 8 + 64);
    if (!d) return false;
    memset(pool_.at<uint8_t>(align_line(d)), 0, INDEX_MAX_SEGMENTS * 8);
    dirty_.add(align_line(d), INDEX_MAX_SEGMENTS * 8);
    dir_off_ = d;
  }
  uint64_t seg = alloc_.alloc(INDEX_SEG_BUCKETS * sizeof(Bucket) + 64);
  if (!seg) return false;
  memset(pool_.at<uint8_t>(align_line(seg)), 0, INDEX_SEG_BUCKETS * sizeof(Bucket));
  dirty_.add(align_line(seg), INDEX_SEG_BUCKETS * sizeof(Bucket));
  uint64_t k = dir_.size();
  reinterpret_cast<uint64_t*>(edit(align_line(dir_off_) + k / 8 * 64))[k % 8] = seg;
  dir_.push_back(seg);
  return true;
}

bool Index::valid_overflow(uint64_t off) const {
  return off >= pool_.hdr().slab_off && off % 64 == 0 && alloc_.capacity(off) == MIN_CHUNK && !alloc_.is_large(off);
}

bool Index::insert(uint64_t home, uint64_t slot, uint64_t* boff_out, int* idx_out, bool main_index) {
  uint64_t boff = home, last = home;
  int guard = 0;
  while (boff) {
    const Bucket* b = view(boff);
    for (int i = 0; i < BUCKET_SLOTS; i++) {
      if (b->slot[i] == 0) {
        edit(boff)->slot[i] = slot;
        if (boff_out) *boff_out = boff;
        if (idx_out) *idx_out = i;
        return true;
      }
    }
    last = boff;
    boff = b->next;
    if (boff && !valid_overflow(boff)) break;  // damaged link: stop here, it will be replaced
    if (++guard > 1 << 20) break;
  }
  // Chain full: a new overflow bucket, zeroed IN THE POOL now (persisted in phase 1, before the
  // link to it is published in phase 2), then staged with the new slot.
  uint64_t nb = alloc_.alloc(sizeof(Bucket));
  if (!nb) return false;
  if (op_active_) op_new_overflow_.push_back(nb);
  if (main_index) {
    overflow_++;
    if (op_active_) op_main_overflow_++;
  }
  memset(pool_.at<Bucket>(nb), 0, sizeof(Bucket));
  dirty_.add(nb, sizeof(Bucket));
  Bucket* fresh = edit(nb);
  fresh->slot[0] = slot;
  edit(last)->next = nb;
  if (boff_out) *boff_out = nb;
  if (idx_out) *idx_out = 0;
  return true;
}

void Index::op_begin() {
  op_active_ = true;
  op_mark_ = order_.size();
}

void Index::op_rollback() {
  for (size_t i = op_mark_; i < order_.size(); i++) staged_.erase(order_[i]);
  order_.resize(op_mark_);
  for (auto& kv : op_prev_) staged_[kv.first] = kv.second;
  for (uint64_t nb : op_new_overflow_) alloc_.free(nb);  // never published
  overflow_ -= op_main_overflow_;
  op_end();
}

void Index::op_end() {
  op_active_ = false;
  // Every operation passes here: clear only what was used (clear() is O(bucket count)), and drop
  // tables a large MSET grew.
  if (!op_own_.empty()) {
    if (op_own_.bucket_count() > 8192) std::unordered_set<uint64_t>().swap(op_own_);
    else op_own_.clear();
  }
  if (!op_prev_.empty()) {
    if (op_prev_.bucket_count() > 8192) std::unordered_map<uint64_t, Bucket>().swap(op_prev_);
    else op_prev_.clear();
  }
  op_new_overflow_.clear();
  op_main_overflow_ = 0;
}

static inline void store_bucket(Bucket* dst, const Bucket& src) {
  // Slot by slot, each an aligned 8-byte store: failure-atomic per slot.
  for (int i = 0; i < BUCKET_SLOTS; i++)
    if (dst->slot[i] != src.slot[i]) __atomic_store_n(&dst->slot[i], src.slot[i], __ATOMIC_RELAXED);
  if (dst->next != src.next) __atomic_store_n(&dst->next, src.next, __ATOMIC_RELAXED);
}

void Index::commit(bool atomic, uint64_t* hint_word, uint64_t hint_value, uint64_t* epoch_word, uint64_t epoch) {
  Persist& ps = pool_.persist();
  bool page = ps.granularity() == Granularity::Page;
  LogHeader* lh = pool_.at<LogHeader>(log_off_);
  // Never write past the log (the Store keeps an atomic turn within it: Store::guard_log); should
  // that ever fail, losing the turn's atomicity beats overwriting the page table.
  if (order_.size() > log_cap_) atomic = false;
  if (atomic && !order_.empty()) {
    // Redo log: entries, then the commit word, each persistent before the next step.
    LogEntry* e = reinterpret_cast<LogEntry*>(lh + 1);
    uint32_t crc = 0;
    for (size_t i = 0; i < order_.size(); i++) {
      e[i].bucket_off = order_[i];
      memcpy(&e[i].image, &staged_[order_[i]], sizeof(Bucket));
      crc = crc32c(crc, &e[i], sizeof(LogEntry));
    }
    lh->crc = crc;
    lh->seq++;
    lh->flush_epoch = epoch_word ? epoch : 0;
    // Header and entries are contiguous: one flush (one msync where persistence is page-granular).
    ps.flush(lh, sizeof(LogHeader) + order_.size() * sizeof(LogEntry));
    ps.drain();
    __atomic_store_n(&lh->state, uint64_t(order_.size()), __ATOMIC_RELEASE);
    ps.flush(&lh->state, 8);
    ps.drain();
  }
  // A flush of this turn: after the commit word (recovery sets it from the log), else before any
  // slot that publishes an item of the new epoch.
  if (epoch_word) {
    __atomic_store_n(epoch_word, epoch, __ATOMIC_RELAXED);
    ps.flush(epoch_word, 8);
    ps.drain();
  }
  uint64_t lo = UINT64_MAX, hi = 0;
  for (uint64_t boff : order_) {
    Bucket* dst = pool_.at<Bucket>(boff);
    store_bucket(dst, staged_[boff]);
    if (page) {
      lo = std::min(lo, boff);
      hi = std::max(hi, boff + sizeof(Bucket));
    } else {
      ps.flush(dst, sizeof(Bucket));
    }
  }
  if (hint_word) {
    __atomic_store_n(hint_word, hint_value, __ATOMIC_RELAXED);
    ps.flush(hint_word, 8);
  }
  // Page granularity: one msync over the span of touched buckets (msync cost is per call).
  if (page && hi > lo) ps.flush(pool_.at<uint8_t>(lo), hi - lo);
  ps.drain();
  if (atomic && !order_.empty()) {
    __atomic_store_n(&lh->state, uint64_t(0), __ATOMIC_RELEASE);
    ps.flush(&lh->state, 8);
    ps.drain();
  }
  // clear() of an unordered_map costs O(bucket count): after a large turn, start small again.
  if (staged_.bucket_count() > 8192) {
    std::unordered_map<uint64_t, Bucket>().swap(staged_);
    staged_.reserve(1024);
  } else {
    staged_.clear();
  }
  order_.clear();
}

uint64_t Index::recover_log(uint64_t* epoch_word) {
  LogHeader* lh = pool_.at<LogHeader>(log_off_);
  uint64_t n = lh->state;
  if (n == 0) {
    load_meta();
    return 0;
  }
  Persist& ps = pool_.persist();
  LogEntry* e = reinterpret_cast<LogEntry*>(lh + 1);
  bool ok = n <= log_cap_;
  if (ok) {
    uint32_t crc = 0;
    for (uint64_t i = 0; i < n; i++) crc = crc32c(crc, &e[i], sizeof(LogEntry));
    ok = crc == lh->crc;
  }
  uint64_t applied = 0;
  if (ok && lh->flush_epoch != 0) pool_.persist_word(epoch_word, lh->flush_epoch);
  if (ok) {
    for (uint64_t i = 0; i < n; i++) {
      uint64_t boff = e[i].bucket_off;
      bool in_index = (boff >= index_off_ && boff < index_off_ + n0_ * sizeof(Bucket) && (boff - index_off_) % 64 == 0) ||
                      boff == IDX_META_OFF;
      bool in_slab = boff >= pool_.hdr().slab_off && boff + 64 <= pool_.size() && boff % 64 == 0;
      if (!in_index && !in_slab) continue;
      Bucket* dst = pool_.at<Bucket>(boff);
      store_bucket(dst, e[i].image);
      ps.flush(dst, sizeof(Bucket));
      applied++;
    }
    ps.drain();
  }
  // A log whose checksum fails was never committed (the commit word is written after the entries
  // are persistent), so it is discarded.
  __atomic_store_n(&lh->state, uint64_t(0), __ATOMIC_RELEASE);
  ps.flush(&lh->state, 8);
  ps.drain();
  load_meta();
  return applied;
}

}  // namespace dax

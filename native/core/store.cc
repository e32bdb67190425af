#include "store.h"

#include <time.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "crc32c.h"
#include "access.h"
#include "hash.h"

namespace dax {

int64_t now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t coarse_now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t mono_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

static constexpr uint64_t CAS_BLOCK = 1ull << 20;
static constexpr uint64_t COUNT_UNKNOWN = UINT64_MAX;

Store::Store(const std::string& path, const PoolOptions& opt)
    : pool_(new Pool(path, opt)), alloc_(*pool_, dirty_), index_(*pool_, alloc_, dirty_), zorder_(pool_.get()) {
  dyn_ = pool_->dyn();
  fault_ = pool_->fault();
  log_replayed_ = index_.recover_log(&dyn_->flush_epoch);
  opened_clean_ = dyn_->clean_shutdown == 1;
  pool_->persist_word(&dyn_->open_count, dyn_->open_count + 1);
  if (!opened_clean_) pool_->persist_word(&dyn_->crash_count, dyn_->crash_count + 1);
  alloc_.load(pool_->created());
  // The split index's directory and segments are chunks the rebuild's sweep must keep.
  index_.own_chunks([&](uint64_t off) {
    if (alloc_.mark(off, false) != 1)
      throw PoolError(PoolErr::Invalid, "the key index names a segment that is no chunk; refusing to open");
  });
  removals_.resize(alloc_.nclasses() + 1);
  flush_epoch_ = dyn_->flush_epoch;
  // Every CAS handed out before is below cas_reserved; reserve a block ahead of use.
  next_cas_ = std::max<uint64_t>(1, dyn_->cas_reserved);
  cas_limit_ = next_cas_ + CAS_BLOCK;
  pool_->persist_word(&dyn_->cas_reserved, cas_limit_);
  if (opened_clean_ && dyn_->items_at_close != COUNT_UNKNOWN) {
    live_count_ = dyn_->items_at_close;
    count_exact_ = true;
  } else {
    live_count_ = dyn_->items_hint;
  }
  phase_ = pool_->created() ? RebuildPhase::Done : RebuildPhase::Mark;
  if (pool_->created()) count_exact_ = true;
  pool_->persist_word(&dyn_->clean_shutdown, 0);
}

Store::~Store() = default;

uint64_t Store::next_cas() {
  if (next_cas_ >= cas_limit_) {
    cas_limit_ += CAS_BLOCK;
    __atomic_store_n(&dyn_->cas_reserved, cas_limit_, __ATOMIC_RELAXED);
    dirty_.add(pool_->off_of(&dyn_->cas_reserved), 8);  // persistent before any item using it is published
  }
  return next_cas_++;
}

const ItemHeader* Store::item_at(uint64_t off, uint64_t* cap_out) const {
  uint64_t cap = alloc_.capacity(off);
  if (cap < sizeof(ItemHeader)) return nullptr;
  const ItemHeader* h = pool_->at<ItemHeader>(off);
  if (h->klen > MAX_KEY_LEN || h->vlen > cap || item_size(h->klen, h->vlen) > cap) return nullptr;
  if (cap_out) *cap_out = cap;
  return h;
}

bool Store::verify_item(uint64_t off, const ItemHeader* h) {
  if (alloc_.verified(off)) return true;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(h);
  uint32_t crc = crc32c(0, p + 4, item_size(h->klen, h->vlen) - 4);
  if (crc != h->crc) return false;
  alloc_.set_verified(off);
  return true;
}

void Store::count_delta(uint64_t hash, int64_t d) {
  live_count_ += d;
  if (phase_ == RebuildPhase::Mark && index_.home_no(hash) < mark_cursor_) walked_ += d;
}

void Store::count_expired(uint64_t off) {
  expired_++;
  ClassRemovals& r = removals_of(off);
  (crawling_ ? r.crawler_reclaimed : r.reclaimed)++;
}

std::vector<ClassStats> Store::class_stats() const {
  std::vector<ClassStats> cs = alloc_.class_stats();
  for (size_t c = 0; c < cs.size() && c < removals_.size(); c++) cs[c].removed = removals_[c];
  return cs;
}

void Store::drop(uint64_t hash, uint64_t boff, int idx, uint64_t off, bool was_live, bool free_it) {
  index_.edit(boff)->slot[idx] = 0;
  expiry_.dead(off);
  if (free_it) {
    release_if_root(off, item_at(off, nullptr));
    retire(off);
  }
  else if (observer_) observer_->item_gone(off, item_at(off, nullptr));
  if (was_live) count_delta(hash, -1);
}

bool Store::find(const uint8_t* k, uint64_t kl, uint64_t hash, Found& f, bool verify) {
  using W = Index::Walk;
  uint16_t fp = uint16_t(hash >> 48);
  int64_t now = 0;
  bool found = false;
  index_.walk_chain(index_.home(hash), [&](uint64_t boff, int i, uint64_t s) {
    if (slot_fp(s) != fp) return W::Next;
    uint64_t off = slot_off(s);
    const ItemHeader* h = item_at(off, nullptr);
    if (!h) {  // points at no valid chunk: damaged slot
      corrupt_++;
      drop(hash, boff, i, off, false, false);
      return W::Edited;
    }
    if (h->klen != kl || memcmp(h + 1, k, kl) != 0) return W::Next;
    if (verify && !verify_item(off, h)) {
      corrupt_++;
      drop(hash, boff, i, off, !stale(h), true);
      return W::Stop;
    }
    if (stale(h)) {
      flushed_removed_++;
      drop(hash, boff, i, off, false, true);
      return W::Stop;
    }
    if (h->expire_ms) {
      if (!now) now = now_ms();
      if (expired(h, now)) {
        count_expired(off);
        drop(hash, boff, i, off, true, true);
        return W::Stop;
      }
    }
    f = {boff, i, off, h};
    if (!no_touch_) touch_access(off);
    found = true;
    return W::Stop;
  });
  return found;
}

bool Store::get(const uint8_t* k, uint64_t kl, ItemView& out) { return get_hashed(k, kl, hash_key(k, kl), out); }

bool Store::get_hashed(const uint8_t* k, uint64_t kl, uint64_t hash, ItemView& out, uint64_t* off) {
  guard_log();  // a lookup may drop expired items: it stages buckets too
  if (__builtin_expect(read_delay_ns_ != 0, 0)) {
    int64_t until = mono_ns() + read_delay_ns_;
    while (mono_ns() < until) {
    }
  }
  Found f;
  if (!find(k, kl, hash, f, true)) return false;
  if (off) *off = f.off;
  out.h = f.h;
  out.key = reinterpret_cast<const uint8_t*>(f.h + 1);
  out.val = out.key + f.h->klen;
  return true;
}

uint64_t Store::write_item(const uint8_t* k, uint64_t kl, const Slice* parts, int nparts, uint64_t vlen,
                           uint32_t flags, int64_t expire_ms, uint8_t type) {
  uint64_t size = item_size(kl, vlen);
  uint64_t off = alloc_.alloc(size);
  if (!off) return 0;
  ItemHeader* h = pool_->at<ItemHeader>(off);
  h->klen = uint32_t(kl);
  h->vlen = vlen;
  h->cas = next_cas();
  h->expire_ms = expire_ms;
  h->flags = flags;
  h->epoch = uint32_t(flush_epoch_);
  h->type = type;
  memset(h->pad, 0, sizeof(h->pad));
  uint8_t* p = reinterpret_cast<uint8_t*>(h + 1);
  memcpy(p, k, kl);
  p += kl;
  for (int i = 0; i < nparts; i++) {
    if (parts[i].p) memmove(p, parts[i].p, parts[i].n);
    else memset(p, 0, parts[i].n);
    p += parts[i].n;
  }
  h->crc = crc32c(0, reinterpret_cast<uint8_t*>(h) + 4, size - 4);
  if (__builtin_expect(fault_ != Fault::SkipItemPersist, 1)) dirty_.add(off, size);  // fault: test-only
  alloc_.set_verified(off);
  // A new item starts at "just used": LFU_INIT_VAL (no increment, as Redis) or the LRU clock now.
  alloc_.set_access(off, lfu_policy(policy_) ? lfu_word(now_ms(), LFU_INIT_VAL) : lru_word(coarse_now_ms()));
  if (maxmemory_ && alloc_.used_bytes() > maxmemory_) {  // over the configured limit: as if full
    alloc_.free(off);
    return 0;
  }
  return off;
}

bool Store::publish(uint64_t hash, const Found* old, uint64_t off) {
  uint64_t slot = make_slot(uint16_t(hash >> 48), off);
  if (old) {
    index_.edit(old->boff)->slot[old->idx] = slot;
    // A large collection replaced by anything but a copy of its own root (TOUCH, EXPIRE) goes.
    const ItemHeader* nh = pool_->at<ItemHeader>(off);
    if (!(is_root(nh->type) && is_root(old->h->type) && root_header(nh) == root_header(old->h)))
      release_if_root(old->off, old->h);
    retire(old->off);
    if (old->h->expire_ms) expiry_.dead(old->off);  // only items with a TTL are in the expiry index
  } else {
    if (!index_.insert(index_.home(hash), slot, nullptr, nullptr, true)) return false;
    count_delta(hash, +1);
  }
  if (int64_t exp = pool_->at<ItemHeader>(off)->expire_ms) expiry_.live(off, exp);
  return true;
}

bool Store::reserve_log(uint64_t buckets) {
  if (buckets > index_.log_capacity()) return false;
  // Inside a transaction no barrier may split the turn: begin_atomic() made room for what MULTI
  // expected, and a write larger than the room left fails alone rather than overflow the log.
  if (in_atomic_) return index_.staged_count() + buckets <= index_.log_capacity();
  if (index_.staged_count() + buckets + LOG_OP_MARGIN > index_.log_capacity()) barrier();
  return true;
}

bool Store::begin_atomic(uint64_t buckets, uint64_t bytes) {
  if (closed_ || buckets > atomic_capacity()) return false;
  // The turn so far and the transaction must fit in the log together: else commit the turn now.
  if (index_.staged_count() + buckets + LOG_OP_MARGIN > index_.log_capacity()) barrier();
  // Room for what the transaction writes, made while barriers are still allowed.
  uint64_t limit = maxmemory_ ? std::min(maxmemory_, alloc_.total_bytes()) : alloc_.total_bytes();
  // Bytes under the limit are not enough when the values are large: an item over half a page takes
  // whole free pages, which evicting small items on partly used pages does not give back.
  auto short_of_room = [&]() {
    if (alloc_.used_bytes() + bytes > limit) return true;
    return bytes > SLAB_PAGE_SIZE / 2 && alloc_.free_pages() * SLAB_PAGE_SIZE < bytes + SLAB_PAGE_SIZE;
  };
  if (short_of_room() && (!pending_free_.empty() || index_.staged())) barrier();
  for (int round = 0; short_of_room() && policy_ != EvictPolicy::NoEviction && round < 1024; round++) {
    int n = 0;
    for (int i = 0; i < 8; i++) n += evict_one();
    if (!n) break;
    barrier();
  }
  atomic_turn_ = true;
  in_atomic_ = true;
  return true;
}

// Every bucket staged in a turn that holds a multi-key write goes through the intent log at the
// barrier. Before another op adds to such a turn, make sure the log keeps room for it: a pipeline of
// an MSET then thousands of SETs would otherwise write log entries past the log, over the page
// table and the index. A barrier between two ops is always allowed.
void Store::guard_log() {
  if (atomic_turn_ && !in_atomic_ && index_.staged_count() + LOG_OP_MARGIN > index_.log_capacity()) barrier();
}

// Frees what can be freed when the pool looks full; true if anything may have changed.
bool Store::reclaim() {
  bool any = false;
  if (coll_free_head_ < coll_free_.size()) {
    barrier();  // the roots' unlinking first
    free_walk(UINT64_MAX);
    any = true;
  }
  if (!pending_free_.empty() || index_.staged() || !dirty_.empty()) {
    barrier();
    any = true;
  }
  if (phase_ != RebuildPhase::Done) {
    finish_rebuild();
    any = true;
  }
  if (cleanup_pending_) {
    while (cleanup_pending_) clean_walk(1 << 16);
    barrier();
    any = true;
  }
  return any;
}

// An op that fails (no memory) is undone whole: its staged slot edits, and also what it queued to
// free or counted on the way (an expired item its lookup dropped). Freeing that chunk while the
// rollback restores the slot pointing to it would leave a dangling slot, and the chunk reused.
void Store::op_begin() {
  index_.op_begin();
  expiry_.op_begin();
  op_frees_ = pending_free_.size();
  op_live_ = live_count_;
  op_walked_ = walked_;
  op_allocs_.clear();
  op_coll_free_ = coll_free_.size();
  zorder_.op_begin();
}

void Store::op_rollback() {
  index_.op_rollback();
  expiry_.op_rollback();
  if (pending_free_.size() > op_frees_) pending_free_.resize(op_frees_);
  live_count_ = op_live_;
  walked_ = op_walked_;
  coll_free_.resize(op_coll_free_);  // a collection the op deleted is there again
  for (uint64_t off : op_allocs_) alloc_.free(off);  // never published
  op_allocs_.clear();
  zorder_.op_rollback();  // an order tree the op changed would disagree with the pool
}


St Store::set(const uint8_t* k, uint64_t kl, const uint8_t* v, uint64_t vl, const SetOpts& o, uint64_t* cas_out) {
  if (kl > MAX_KEY_LEN || vl > MAX_VALUE_LEN) return St::TooLarge;
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    Found f;
    bool need = o.mode != SetOpts::Any || o.keep_ttl || o.keep_flags || o.cas_cmp;
    bool found = find(k, kl, hash, f, need);
    if (o.mode == SetOpts::NX && found) return St::Exists;
    if (o.mode == SetOpts::XX && !found) return St::NotFound;
    if (o.cas_cmp) {
      if (!found) return St::NotFound;
      if (f.h->cas != o.cas_cmp) return St::CasMismatch;
    }
    int64_t exp = o.keep_ttl && found ? f.h->expire_ms : o.expire_ms;
    uint32_t flags = o.keep_flags && found ? f.h->flags : o.flags;
    Slice part{v, vl};
    uint64_t off = write_item(k, kl, &part, 1, vl, flags, exp);
    if (!off) return St::NoMem;
    if (!publish(hash, found ? &f : nullptr, off)) {
      alloc_.free(off);
      return St::NoMem;
    }
    if (cas_out) *cas_out = pool_->at<ItemHeader>(off)->cas;
    return St::Ok;
  });
}

St Store::del(const uint8_t* k, uint64_t kl) {
  guard_log();
  return del_key(k, kl);
}

St Store::del_key(const uint8_t* k, uint64_t kl) {
  uint64_t hash = hash_key(k, kl);
  Found f;
  if (!find(k, kl, hash, f, true)) return St::NotFound;
  drop(hash, f.boff, f.idx, f.off, true, true);
  return St::Ok;
}

uint64_t Store::del_many(const std::vector<Slice>& keys, St* st) {
  *st = St::Ok;
  if (keys.size() == 1) return del(keys[0].p, keys[0].n) == St::Ok ? 1 : 0;
  if (!reserve_log(keys.size() + 1)) {
    *st = St::TooManyKeys;
    return 0;
  }
  uint64_t n = 0;
  for (auto& s : keys) n += del_key(s.p, s.n) == St::Ok;  // no barrier inside: one atomic write
  atomic_turn_ = true;
  return n;
}

St Store::touch(const uint8_t* k, uint64_t kl, int64_t expire_ms, uint64_t* cas_out) {
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    Found f;
    if (!find(k, kl, hash, f, true)) return St::NotFound;
    // The expiry is covered by the item checksum, so a new copy is written (never in place).
    Slice part{reinterpret_cast<const uint8_t*>(f.h + 1) + f.h->klen, f.h->vlen};
    uint64_t off = write_item(k, kl, &part, 1, f.h->vlen, f.h->flags, expire_ms, f.h->type);
    if (!off) return St::NoMem;
    publish(hash, &f, off);
    if (cas_out) *cas_out = pool_->at<ItemHeader>(off)->cas;
    return St::Ok;
  });
}

St Store::append(const uint8_t* k, uint64_t kl, const uint8_t* d, uint64_t dl, bool prepend, uint64_t* newlen,
                 uint64_t* cas_out) {
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    Found f;
    if (!find(k, kl, hash, f, true)) return St::NotFound;
    if (f.h->type != ITEM_STRING) return St::WrongType;
    uint64_t vl = f.h->vlen + dl;
    if (vl > MAX_VALUE_LEN) return St::TooLarge;
    Slice old{reinterpret_cast<const uint8_t*>(f.h + 1) + f.h->klen, f.h->vlen};
    Slice add{d, dl};
    Slice parts[2] = {prepend ? add : old, prepend ? old : add};
    uint64_t off = write_item(k, kl, parts, 2, vl, f.h->flags, f.h->expire_ms);
    if (!off) return St::NoMem;
    publish(hash, &f, off);
    *newlen = vl;
    if (cas_out) *cas_out = pool_->at<ItemHeader>(off)->cas;
    return St::Ok;
  });
}

St Store::setrange(const uint8_t* k, uint64_t kl, uint64_t at, const uint8_t* d, uint64_t dl, uint64_t* newlen) {
  uint64_t hash = hash_key(k, kl);
  uint64_t patch_at = 0;  // the item to change in place, found by the one lookup below (0 = none)
  St st = with_reclaim([&]() -> St {
    Found f;
    bool found = find(k, kl, hash, f, true);
    if (found && f.h->type != ITEM_STRING) return St::WrongType;
    uint64_t oldlen = found ? f.h->vlen : 0;
    if (dl == 0) {  // nothing to write: report the length, create nothing
      *newlen = oldlen;
      return St::Ok;
    }
    // A few bytes within a large value: in place (patch_range, after this attempt, which must
    // stage nothing of its own).
    if (found && at + dl <= oldlen && dl <= INPLACE_MAX_SPAN && oldlen >= inplace_min() && !in_atomic_ &&
        fault_ == Fault::None) {
      patch_at = f.off;
      *newlen = oldlen;
      return St::Ok;
    }
    if (at + dl > MAX_VALUE_LEN) return St::TooLarge;
    const uint8_t* oldv = found ? reinterpret_cast<const uint8_t*>(f.h + 1) + f.h->klen : nullptr;
    uint64_t vl = std::max(oldlen, at + dl);
    Slice parts[4];
    int n = 0;
    if (oldlen) parts[n++] = {oldv, std::min(oldlen, at)};
    if (at > oldlen) parts[n++] = {nullptr, at - oldlen};
    parts[n++] = {d, dl};
    if (at + dl < oldlen) parts[n++] = {oldv + at + dl, oldlen - at - dl};
    uint64_t off = write_item(k, kl, parts, n, vl, found ? f.h->flags : 0, found ? f.h->expire_ms : 0);
    if (!off) return St::NoMem;
    if (!publish(hash, found ? &f : nullptr, off)) {
      alloc_.free(off);
      return St::NoMem;
    }
    *newlen = vl;
    return St::Ok;
  });
  if (patch_at) patch_range(patch_at, at, d, dl);
  return st;
}

St Store::setbit(const uint8_t* k, uint64_t kl, uint64_t byte_off, uint8_t mask, bool on, bool* was_set) {
  uint64_t hash = hash_key(k, kl);
  guard_log();
  Found f;
  bool found = find(k, kl, hash, f, true);
  if (found && f.h->type != ITEM_STRING) return St::WrongType;
  bool inside = found && byte_off < f.h->vlen;
  uint8_t old = inside ? reinterpret_cast<const uint8_t*>(f.h + 1)[f.h->klen + byte_off] : 0;
  *was_set = (old & mask) != 0;
  uint8_t nb = on ? uint8_t(old | mask) : uint8_t(old & ~mask);
  if (inside && nb == old) return St::Ok;  // Redis writes only when the bit flips or the string grows
  uint64_t newlen;  // in place within a large value, else a copy (setrange decides)
  return setrange(k, kl, byte_off, &nb, 1, &newlen);
}

uint64_t Store::inplace_min() const {
  return pool_->persist().granularity() == Granularity::Page ? INPLACE_MIN_VALUE_PAGE : INPLACE_MIN_VALUE;
}

// Bytes [at, at + dl) of the live item at `off` changed in place, crash-atomically. The cache
// lines it changes (the bytes', and the header's crc and cas) are staged as 64-byte images like
// index buckets, the turn becomes atomic, and the barrier that ends this write commits them with
// the turn's other writes through the intent log: the home locations are untouched until the log
// holds their new images, so a crash leaves the old item or the new one, never one whose crc
// fails. The barrier comes at once because reads go to the pool, not to staged images. The crc is
// patched (crc32c_patch), so the cost grows with dl, not with the value.
void Store::patch_range(uint64_t off, uint64_t at, const uint8_t* d, uint64_t dl) {
  // Room in the log for the turn so far and these lines (the span's and two of the header's).
  reserve_log(dl / CACHE_LINE + 4);
  const ItemHeader* h = pool_->at<ItemHeader>(off);
  uint64_t pos = off + sizeof(ItemHeader) + h->klen + at;  // pool offset of the first byte
  uint64_t covered = item_size(h->klen, h->vlen) - 4;       // the crc covers [off + 4, end)
  uint64_t cas = next_cas();
  uint64_t dcas = h->cas ^ cas;
  std::vector<uint8_t> delta(dl);
  const uint8_t* old = pool_->at<uint8_t>(pos);
  for (uint64_t i = 0; i < dl; i++) delta[i] = old[i] ^ d[i];
  uint32_t crc = crc32c_patch(h->crc, covered, offsetof(ItemHeader, cas) - 4, &dcas, 8);
  crc = crc32c_patch(crc, covered, pos - off - 4, delta.data(), dl);
  if (observer_) observer_->item_gone(off, h);  // a DRAM copy of the old value must not be served
  auto put = [&](uint64_t dst, const void* src, size_t n) {
    for (size_t i = 0; i < n; i++) {
      uint64_t a = dst + i;
      reinterpret_cast<uint8_t*>(index_.edit(a & ~(CACHE_LINE - 1)))[a & (CACHE_LINE - 1)] = static_cast<const uint8_t*>(src)[i];
    }
  };
  put(off + offsetof(ItemHeader, crc), &crc, 4);
  put(off + offsetof(ItemHeader, cas), &cas, 8);
  put(pos, d, dl);
  atomic_turn_ = true;
  inplace_writes_++;
  barrier();
}

St Store::rename(const uint8_t* s, uint64_t sl, const uint8_t* d, uint64_t dl, bool nx) {
  uint64_t hs = hash_key(s, sl), hd = hash_key(d, dl);
  if (!reserve_log(4)) return St::TooManyKeys;
  return with_reclaim([&]() -> St {
    Found fs, fd;
    if (!find(s, sl, hs, fs, true)) return St::NotFound;
    if (sl == dl && memcmp(s, d, sl) == 0) return nx ? St::Exists : St::Ok;
    bool dst = find(d, dl, hd, fd, true);
    if (dst && nx) return St::Exists;
    Slice part{reinterpret_cast<const uint8_t*>(fs.h + 1) + fs.h->klen, fs.h->vlen};
    uint64_t off = write_item(d, dl, &part, 1, fs.h->vlen, fs.h->flags, fs.h->expire_ms, fs.h->type);
    if (!off) return St::NoMem;
    moving_root_ = true;  // a large collection's structure moves with its root
    drop(hs, fs.boff, fs.idx, fs.off, true, true);
    moving_root_ = false;
    if (!publish(hd, dst ? &fd : nullptr, off)) {
      alloc_.free(off);
      pending_free_.pop_back();
      count_delta(hs, +1);
      return St::NoMem;
    }
    atomic_turn_ = true;
    return St::Ok;
  });
}

St Store::copy(const uint8_t* s, uint64_t sl, const uint8_t* d, uint64_t dl, bool replace) {
  uint64_t hs = hash_key(s, sl), hd = hash_key(d, dl);
  return with_reclaim([&]() -> St {
    Found fs, fd;
    if (!find(s, sl, hs, fs, true)) return St::NotFound;
    bool dst = find(d, dl, hd, fd, true);
    if (dst && !replace) return St::Exists;
    if (sl == dl && memcmp(s, d, sl) == 0) return St::Exists;
    uint64_t off;
    if (is_root(fs.h->type)) {  // a large collection: a structure of its own (O(n), as in Redis)
      St st = copy_collection(fs.h, d, dl, &off);
      if (st != St::Ok) return st;
    } else {
      Slice part{reinterpret_cast<const uint8_t*>(fs.h + 1) + fs.h->klen, fs.h->vlen};
      off = write_item(d, dl, &part, 1, fs.h->vlen, fs.h->flags, fs.h->expire_ms, fs.h->type);
    }
    if (!off) return St::NoMem;
    if (!publish(hd, dst ? &fd : nullptr, off)) {
      alloc_.free(off);
      return St::NoMem;
    }
    return St::Ok;
  });
}

St Store::mset(const std::vector<Slice>& kv, bool nx) {
  size_t n = kv.size() / 2;
  if (!reserve_log(2 * n + 1)) return St::TooManyKeys;
  std::vector<uint64_t> offs(n);
  std::vector<uint64_t> hashes(n);
  for (size_t i = 0; i < n; i++) {
    if (kv[2 * i].n > MAX_KEY_LEN || kv[2 * i + 1].n > MAX_VALUE_LEN) return St::TooLarge;
    hashes[i] = hash_key(kv[2 * i].p, kv[2 * i].n);
  }
  St st = with_reclaim([&]() -> St {
    if (nx) {
      for (size_t i = 0; i < n; i++) {
        Found f;
        if (find(kv[2 * i].p, kv[2 * i].n, hashes[i], f, true)) return St::Exists;
      }
    }
    // All items first (a failure frees them, nothing published), then all slots.
    for (size_t i = 0; i < n; i++) {
      offs[i] = write_item(kv[2 * i].p, kv[2 * i].n, &kv[2 * i + 1], 1, kv[2 * i + 1].n, 0, 0);
      if (!offs[i]) {
        for (size_t j = 0; j < i; j++) alloc_.free(offs[j]);
        return St::NoMem;
      }
    }
    size_t frees = pending_free_.size();
    int64_t counted = 0;
    for (size_t i = 0; i < n; i++) {
      Found f;
      bool found = find(kv[2 * i].p, kv[2 * i].n, hashes[i], f, false);
      if (!publish(hashes[i], found ? &f : nullptr, offs[i])) {
        pending_free_.resize(frees);
        live_count_ -= counted;
        for (size_t j = 0; j < n; j++) alloc_.free(offs[j]);
        return St::NoMem;
      }
      if (!found) counted++;
    }
    return St::Ok;
  });
  if (st == St::Ok) atomic_turn_ = true;
  return st;
}

void Store::flush_all() {
  // One failure-atomic word: items of older epochs are invisible at once and removed in the
  // background. The word is persisted in phase 1, before anything written after it is published.
  flush_epoch_++;
  if (in_atomic_) {
    // In a transaction the new epoch is committed with the transaction's writes (through the
    // intent log, see Index::commit): persisted in phase 1, it would hide every old key before
    // the writes queued after the FLUSHALL are published.
    epoch_in_turn_ = true;
  } else {
    __atomic_store_n(&dyn_->flush_epoch, flush_epoch_, __ATOMIC_RELAXED);
    dirty_.add(pool_->off_of(&dyn_->flush_epoch), 8);
  }
  live_count_ = 0;
  walked_ = 0;
  expiry_.clear();  // every item is of an older epoch now: none will be served, none needs expiring
  zorder_.clear();
  if (observer_) observer_->all_gone();
  if (phase_ != RebuildPhase::Mark) count_exact_ = true;
  cleanup_pending_ = true;
  clean_start_ = clean_cursor_;
}

uint64_t Store::scan(uint64_t cursor, uint64_t count, std::vector<Slice>& out) {
  uint64_t nb = index_.nbuckets();
  if (cursor >= nb) return 0;
  int64_t now = now_ms();
  uint64_t visited = 0, max_visit = std::max<uint64_t>(count * 10, 100);
  uint64_t b = cursor;
  while (b < nb && out.size() < count && visited < max_visit) {
    index_.walk_chain(index_.bucket_off(b), [&](uint64_t, int, uint64_t s) {
      uint64_t off = slot_off(s);
      const ItemHeader* h = item_at(off, nullptr);
      if (h && !stale(h) && !expired(h, now) && verify_item(off, h))
        out.push_back({reinterpret_cast<const uint8_t*>(h + 1), h->klen});
      return Index::Walk::Next;
    });
    b++;
    visited++;
  }
  return b >= nb ? 0 : b;
}

bool Store::random_key(Slice& out) {
  if (live_count_ == 0) return false;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t nb = index_.nbuckets();
  uint64_t start = rng() % nb;
  std::vector<Slice> keys;
  for (uint64_t i = 0; i < nb; i++) {
    uint64_t c = (start + i) % nb;
    keys.clear();
    scan(c, 1, keys);
    if (!keys.empty()) {
      out = keys[rng() % keys.size()];
      return true;
    }
    // scan() visited up to 100 buckets from c; skip what it saw
    i += 99;
  }
  return false;
}

void Store::barrier() {
  // Inside a transaction the turn's barrier comes after end_atomic() (a command such as SAVE in an
  // EXEC must not split it).
  if (in_atomic_) return;
  if (dirty_.empty() && !index_.staged() && pending_free_.empty() && !epoch_in_turn_) return;
  Persist& ps = pool_->persist();
  uint64_t* epoch_word = epoch_in_turn_ ? &dyn_->flush_epoch : nullptr;
  // Test-only fault: publish before what is published is persistent (the classic PMEM bug).
  if (__builtin_expect(fault_ == Fault::PublishBeforePersist, 0) && index_.staged())
    index_.commit(atomic_turn_, &dyn_->items_hint, live_count_, epoch_word, flush_epoch_);
  // Phase 1: everything that will be pointed to.
  if (!dirty_.empty()) {
    ps.flush_ranges(pool_->at<uint8_t>(0), dirty_.ranges);
    if (__builtin_expect(fault_ != Fault::SkipPhase1Drain, 1)) ps.drain();  // fault: test-only
    dirty_.clear();
  }
  // Phase 2: publish.
  if (index_.staged() || epoch_word) index_.commit(atomic_turn_, &dyn_->items_hint, live_count_, epoch_word, flush_epoch_);
  atomic_turn_ = false;
  epoch_in_turn_ = false;
  // Unlinked chunks are reusable only now that their unlinking is persistent.
  for (uint64_t off : pending_free_) alloc_.free(off);
  pending_free_.clear();
  barriers_++;
  if (!splitting_) split_index(SPLITS_PER_BARRIER);
}

void Store::split_index(uint32_t max_splits) {
  // Not while the rebuild marks (a slot moved behind its cursor would be marked twice), inside a
  // transaction, or from the barrier that commits a batch of splits.
  if (phase_ != RebuildPhase::Done || in_atomic_ || splitting_ || closed_) return;
  auto due = [&] { return live_count_ > SPLIT_LOAD * index_.nbuckets(); };
  if (!due()) return;
  splitting_ = true;
  int64_t t0 = mono_ns();
  pool_->upgrade_layout();  // a build that reads version 1 only must refuse a split index
  auto hash_of = [&](uint64_t slot) -> uint64_t {
    const ItemHeader* h = item_at(slot_off(slot), nullptr);
    return h ? hash_key(reinterpret_cast<const uint8_t*>(h + 1), h->klen) : UINT64_MAX;
  };
  uint32_t n = 0;
  // Keep the batch well inside the redo log (a split stages two chains, the meta line and at most
  // a directory line).
  while (n < max_splits && due() && index_.staged_count() + 512 < index_.log_capacity() &&
         index_.split_next(hash_of, pending_free_))
    n++;
  if (index_.staged()) {
    atomic_turn_ = true;
    barrier();
  }
  // What the batch cost the turn it ran after (INFO index_split_batch_max_us).
  split_batch_max_ns_ = std::max<int64_t>(split_batch_max_ns_, mono_ns() - t0);
  splitting_ = false;
}

void Store::close() {
  if (closed_) return;
  in_atomic_ = false;  // SHUTDOWN inside an EXEC: its writes are committed now
  barrier();
  uint64_t n = count_exact_ && phase_ != RebuildPhase::Mark ? live_count_ : COUNT_UNKNOWN;
  pool_->persist_word(&dyn_->items_hint, live_count_);
  pool_->persist_word(&dyn_->items_at_close, n);
  pool_->persist_word(&dyn_->clean_shutdown, 1);
  closed_ = true;
  zorder_.clear();
  pool_.reset();
}

StoreStats Store::stats() const {
  StoreStats s{};
  s.items = live_count_;
  s.used_bytes = alloc_.used_bytes();
  s.total_bytes = alloc_.total_bytes();
  s.free_pages = alloc_.free_pages();
  s.pool_size = pool_ ? pool_->size() : 0;
  s.pool_growths = pool_ ? pool_->hdr().growths : 0;
  s.pool_max_size = pool_ ? pool_->max_size() : 0;
  s.corrupt_dropped = corrupt_;
  s.expired_removed = expired_;
  s.flushed_removed = flushed_removed_;
  s.barriers = barriers_;
  s.flushes = pool_ ? pool_->persist().flushes : 0;
  s.drains = pool_ ? pool_->persist().drains : 0;
  s.log_replayed = log_replayed_;
  s.next_cas = next_cas_;
  s.open_count = pool_ ? dyn_->open_count : 0;
  s.crash_count = pool_ ? dyn_->crash_count : 0;
  s.rebuild_phase = int(phase_);
  s.count_exact = count_exact_;
  s.opened_clean = opened_clean_;
  s.created = pool_ ? pool_->created() : false;
  s.mark_cursor = mark_cursor_;
  s.nbuckets = index_.nbuckets();
  s.index_overflow = index_.overflow();
  s.index_splits = index_.splits();
  s.index_split_batch_max_us = uint64_t(split_batch_max_ns_ / 1000);
  s.evicted = evicted_;
  s.maxmemory = maxmemory_;
  s.expires = expiry_.size();
  s.inplace_writes = inplace_writes_;
  s.colls_freeing = coll_free_.size() - coll_free_head_;
  s.zset_order_bytes = zorder_.bytes();
  s.zset_order_trees = zorder_.trees();
  s.zset_order_builds = zorder_.builds();
  s.avg_ttl_ms = expiry_.avg_ttl_ms(now_ms());
  return s;
}

}  // namespace dax

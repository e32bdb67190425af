// Maps in the pool: hashes, sets and sorted sets' members (coll.h has the layout, why, and the
// encodings). A small map is one packed item, rewritten copy-on-write like a string (bounded by
// MapLimits); past a limit it becomes a large map in one step: its elements, table and header
// written unreachable, then its root published by one slot, replacing the packed item.
//
// A large map changes element by element. A new element: its item written (persisted in barrier
// phase 1), its slot staged in the table's bucket and the header's count staged, both committed
// through the intent log in phase 2 (the turn is atomic), so after a crash the element is there with
// the count that counts it, or neither. Growing the table splits one bucket per insert at most:
// the slots that move and the header's bucket count change in the same log step.
#include <algorithm>
#include <random>

#include "hash.h"
#include "store.h"

namespace dax {

namespace {

const uint8_t* value_of(const ItemHeader* h) { return reinterpret_cast<const uint8_t*>(h + 1) + h->klen; }
const uint8_t* key_of(const ItemHeader* h) { return reinterpret_cast<const uint8_t*>(h + 1); }

bool same(const uint8_t* a, uint64_t al, const uint8_t* b, uint64_t bl) { return al == bl && (al == 0 || memcmp(a, b, al) == 0); }

std::mt19937_64& rng() {
  static std::mt19937_64 r{std::random_device{}()};
  return r;
}

}  // namespace

uint64_t Store::root_header(const ItemHeader* h) const {
  if (h->vlen < sizeof(CollRoot)) return 0;
  CollRoot r;
  memcpy(&r, value_of(h), sizeof r);
  return r.header;
}

uint64_t Store::read_word(uint64_t off) const {
  const uint8_t* line = reinterpret_cast<const uint8_t*>(index_.view(off & ~(CACHE_LINE - 1)));
  uint64_t w;
  memcpy(&w, line + (off & (CACHE_LINE - 1)), 8);
  return w;
}

uint64_t Store::map_bucket(const CollHeader* c, uint64_t b) const {
  uint64_t seg = read_word(dir_entry_off(c, b / SEG_BUCKETS));
  return align_line(seg) + (b % SEG_BUCKETS) * sizeof(Bucket);
}

// 1: the key holds a map of this kind (f filled); 0: absent; -1: another type.
int Store::find_map(const uint8_t* k, uint64_t kl, uint64_t hash, uint8_t kind, Found& f) {
  if (!find(k, kl, hash, f, true)) return 0;
  uint8_t t = f.h->type;
  if (item_kind(t) != kind || (item_enc(t) != ENC_PACKED && item_enc(t) != ENC_ROOT)) return -1;
  return 1;
}

bool Store::key_info(const uint8_t* k, uint64_t kl, KeyInfo& out) {
  guard_log();
  Found f;
  if (!find(k, kl, hash_key(k, kl), f, true)) return false;
  out.type = f.h->type;
  out.flags = 0;
  if (item_kind(f.h->type) == KIND_STRING) {
    out.count = f.h->vlen;
    return true;
  }
  out.count = elements_of(f.h);
  if (!is_root(f.h->type) && f.h->vlen >= PACK_HEADER) out.flags = value_of(f.h)[4];
  return true;
}

// A collection's element count: its header's for a large one, the packed item's own.
uint64_t Store::elements_of(const ItemHeader* h) const {
  if (is_root(h->type)) return coll(root_header(h))->count;
  if (h->vlen < PACK_HEADER) return 0;
  uint32_t n;
  memcpy(&n, value_of(h), 4);
  return n;
}

bool Store::map_find(uint64_t ch, const uint8_t* fld, uint64_t fl, uint64_t fh, MapHit& out) {
  const CollHeader* c = coll(ch);
  uint64_t boff = map_bucket(c, map_bucket_no(fh, c->nbuckets));
  uint16_t fp = uint16_t(fh >> 48);
  bool found = false;
  index_.walk_chain(boff, [&](uint64_t bo, int i, uint64_t s) {
    if (slot_fp(s) != fp) return Index::Walk::Next;
    const ItemHeader* h = item_at(slot_off(s), nullptr);
    if (!h || !same(key_of(h), h->klen, fld, fl)) return Index::Walk::Next;
    if (!verify_item(slot_off(s), h)) {  // damaged: never served (daxcache check reports it)
      corrupt_++;
      return Index::Walk::Next;
    }
    out = {bo, i, slot_off(s), h};
    found = true;
    return Index::Walk::Stop;
  });
  return found;
}

uint64_t Store::new_chunk(uint64_t bytes) {
  uint64_t off = alloc_.alloc(bytes);
  if (off) op_allocs_.push_back(off);
  return off;
}

uint64_t Store::write_tracked(const uint8_t* k, uint64_t kl, const Slice* parts, int nparts, uint64_t vlen,
                              uint32_t flags, int64_t expire_ms, uint8_t type) {
  uint64_t off = write_item(k, kl, parts, nparts, vlen, flags, expire_ms, type);
  if (off) op_allocs_.push_back(off);
  return off;
}

St Store::map_split(uint64_t ch) {
  const CollHeader* c = coll(ch);
  uint64_t n = c->nbuckets;
  uint64_t base = 1ull << (63 - __builtin_clzll(n));
  uint64_t from = n - base;  // the bucket that splits; its slots with hash bit `base` go to bucket n
  if (n % SEG_BUCKETS == 0) {  // bucket n starts a new segment
    uint64_t segno = n / SEG_BUCKETS;
    if (segno >= c->dir_cap) {  // and the directory is full: a new one, twice as large
      uint64_t cap = c->dir_cap * 2;
      uint64_t nd = new_chunk(aligned_alloc_size(cap * 8));
      if (!nd) return St::NoMem;
      uint64_t* w = pool_->at<uint64_t>(align_line(nd));
      for (uint64_t i = 0; i < c->dir_cap; i++) w[i] = read_word(dir_entry_off(c, i));
      memset(w + c->dir_cap, 0, (cap - c->dir_cap) * 8);
      dirty_.add(align_line(nd), cap * 8);
      pending_free_.push_back(c->dir);
      CollHeader* ce = coll_edit(ch);
      ce->dir = nd;
      ce->dir_cap = cap;
      c = coll(ch);
    }
    uint64_t seg = new_chunk(aligned_alloc_size(SEG_BUCKETS * sizeof(Bucket)));
    if (!seg) return St::NoMem;
    memset(pool_->at<uint8_t>(align_line(seg)), 0, SEG_BUCKETS * sizeof(Bucket));
    dirty_.add(align_line(seg), SEG_BUCKETS * sizeof(Bucket));
    uint64_t e = dir_entry_off(c, segno);
    reinterpret_cast<uint64_t*>(index_.edit(e & ~(CACHE_LINE - 1)))[(e & (CACHE_LINE - 1)) / 8] = seg;
  }
  coll_edit(ch)->nbuckets = n + 1;
  c = coll(ch);
  uint64_t to = map_bucket(c, n);
  bool ok = true;
  index_.walk_chain(map_bucket(c, from), [&](uint64_t bo, int i, uint64_t s) {
    const ItemHeader* h = item_at(slot_off(s), nullptr);
    if (!h) return Index::Walk::Next;
    if ((hash_key(key_of(h), h->klen) & (2 * base - 1)) != n) return Index::Walk::Next;
    if (!index_.insert(to, s)) {
      ok = false;
      return Index::Walk::Stop;
    }
    index_.edit(bo)->slot[i] = 0;
    return Index::Walk::Edited;
  });
  return ok ? St::Ok : St::NoMem;
}

St Store::map_put_one(uint64_t ch, uint8_t kind, const uint8_t* f, uint64_t fl, const uint8_t* v, uint64_t vl, bool nx,
                      bool* added) {
  uint64_t fh = hash_key(f, fl);
  MapHit m;
  bool there = map_find(ch, f, fl, fh, m);
  *added = !there;
  if (there && nx) return St::Ok;
  if (there && same(value_of(m.h), m.h->vlen, v, vl)) return St::Ok;  // nothing changes
  Slice part{v, vl};
  uint64_t off = write_tracked(f, fl, &part, 1, vl, 0, 0, uint8_t(kind | ENC_ELEMENT));
  if (!off) return St::NoMem;
  uint64_t slot = make_slot(uint16_t(fh >> 48), off);
  if (there) {  // a new version of the element: one slot store
    index_.edit(m.boff)->slot[m.idx] = slot;
    // Through the log too: one command may update several elements (HSET f1 v1 f2 v2, ZADD of
    // existing members) in buckets that would otherwise be committed one by one.
    atomic_turn_ = true;
    pending_free_.push_back(m.off);
    if (kind == KIND_ZSET) {
      zorder_.erased(ch, zscore_of(value_of(m.h), m.h->vlen), m.off);
      zorder_.inserted(ch, zscore_of(v, vl), off);
    }
    return St::Ok;
  }
  const CollHeader* c = coll(ch);
  if (!index_.insert(map_bucket(c, map_bucket_no(fh, c->nbuckets)), slot)) return St::NoMem;
  CollHeader* ce = coll_edit(ch);
  ce->count++;
  atomic_turn_ = true;  // the slot and the count: one log step
  if (kind == KIND_ZSET) zorder_.inserted(ch, zscore_of(v, vl), off);
  if (ce->count > ce->nbuckets * MAP_LOAD) return map_split(ch);
  return St::Ok;
}

St Store::build_large(uint8_t kind, const std::vector<PackedEntry>& es, uint64_t* ch_out) {
  uint64_t nb = MAP_MIN_BUCKETS;
  while (es.size() > nb * MAP_LOAD) nb *= 2;
  uint64_t segs = (nb + SEG_BUCKETS - 1) / SEG_BUCKETS;
  uint64_t cap = DIR_MIN_CAP;
  while (cap < segs) cap *= 2;
  uint64_t ch = new_chunk(sizeof(CollHeader));
  uint64_t dir = ch ? new_chunk(aligned_alloc_size(cap * 8)) : 0;
  if (!dir) return St::NoMem;
  uint64_t* dw = pool_->at<uint64_t>(align_line(dir));
  memset(dw, 0, cap * 8);
  for (uint64_t i = 0; i < segs; i++) {
    uint64_t seg = new_chunk(aligned_alloc_size(SEG_BUCKETS * sizeof(Bucket)));
    if (!seg) return St::NoMem;
    memset(pool_->at<uint8_t>(align_line(seg)), 0, SEG_BUCKETS * sizeof(Bucket));
    dw[i] = seg;
  }
  // Nothing reaches this structure until its root is published: written in place, persisted in
  // phase 1 with the elements.
  for (auto& e : es) {
    Slice part{e.v, e.vl};
    uint64_t off = write_tracked(e.f, e.fl, &part, 1, e.vl, 0, 0, uint8_t(kind | ENC_ELEMENT));
    if (!off) return St::NoMem;
    uint64_t fh = hash_key(e.f, e.fl);
    uint64_t b = map_bucket_no(fh, nb);
    Bucket* bk = pool_->at<Bucket>(align_line(dw[b / SEG_BUCKETS]) + (b % SEG_BUCKETS) * sizeof(Bucket));
    for (;;) {
      int i = 0;
      while (i < BUCKET_SLOTS && bk->slot[i]) i++;
      if (i < BUCKET_SLOTS) {
        bk->slot[i] = make_slot(uint16_t(fh >> 48), off);
        break;
      }
      if (!bk->next) {
        uint64_t ob = new_chunk(sizeof(Bucket));
        if (!ob) return St::NoMem;
        memset(pool_->at<Bucket>(ob), 0, sizeof(Bucket));
        dirty_.add(ob, sizeof(Bucket));
        bk->next = ob;
      }
      bk = pool_->at<Bucket>(bk->next);
    }
  }
  for (uint64_t i = 0; i < segs; i++) dirty_.add(align_line(dw[i]), SEG_BUCKETS * sizeof(Bucket));
  dirty_.add(align_line(dir), cap * 8);
  CollHeader* c = pool_->at<CollHeader>(ch);
  memset(c, 0, sizeof *c);
  c->magic = COLL_MAGIC;
  c->kind = kind;
  c->count = es.size();
  c->nbuckets = nb;
  c->dir = dir;
  c->dir_cap = cap;
  dirty_.add(ch, sizeof *c);
  *ch_out = ch;
  return St::Ok;
}

// Writes the packed item, or, past the limits, a large collection with its root, and publishes it
// under the key in place of `old`.
St Store::put_packed(uint64_t hash, const Found* old, const uint8_t* k, uint64_t kl, uint8_t kind, uint8_t flags,
                     const std::vector<PackedEntry>& es, int64_t expire_ms) {
  const MapLimits& lim = map_limits_[kind & 3];
  bool fits = es.size() <= ((flags & PACK_INTS) ? std::max(lim.int_entries, lim.entries) : lim.entries);
  if (!(flags & PACK_INTS))
    // A sorted set's bound is on its members (Redis's zset-max-listpack-value); its values are scores.
    for (size_t i = 0; fits && i < es.size(); i++) fits = es[i].fl <= lim.value && (kind == KIND_ZSET || es[i].vl <= lim.value);
  uint64_t off;
  if (fits) {
    // Redis 7.0 keeps a listpack's scores as text, where -0 is written "0": a packed sorted set
    // holds +0 for it too (a large one keeps -0, as a skiplist's double does).
    static const double kZero = 0.0;
    std::vector<PackedEntry> zs;
    if (kind == KIND_ZSET) {
      zs = es;
      for (auto& e : zs)
        if (e.vl == 8 && zscore_of(e.v, 8) == 0) e.v = reinterpret_cast<const uint8_t*>(&kZero);
    }
    const std::vector<PackedEntry>& pe = kind == KIND_ZSET ? zs : es;
    uint64_t n = packed_size(pe);
    std::vector<uint8_t> buf(n);
    pack_into(buf.data(), flags, pe);
    Slice part{buf.data(), n};
    off = write_tracked(k, kl, &part, 1, n, 0, expire_ms, uint8_t(kind | ENC_PACKED));
  } else {
    uint64_t ch;
    St st = build_large(kind, es, &ch);
    if (st != St::Ok) return st;
    CollRoot r{ch, 0};
    Slice part{reinterpret_cast<const uint8_t*>(&r), sizeof r};
    off = write_tracked(k, kl, &part, 1, sizeof r, 0, expire_ms, uint8_t(kind | ENC_ROOT));
  }
  if (!off) return St::NoMem;
  if (!publish(hash, old, off)) return St::NoMem;
  return St::Ok;
}

St Store::map_get(const uint8_t* k, uint64_t kl, uint8_t kind, const uint8_t* f, uint64_t fl, Slice* val) {
  guard_log();
  Found fd;
  int r = find_map(k, kl, hash_key(k, kl), kind, fd);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::NotFound;
  if (is_root(fd.h->type)) {
    MapHit m;
    if (!map_find(root_header(fd.h), f, fl, hash_key(f, fl), m)) return St::NotFound;
    *val = {value_of(m.h), m.h->vlen};
    return St::Ok;
  }
  PackedEntry e;
  if (!packed_find(value_of(fd.h), fd.h->vlen, f, fl, &e)) return St::NotFound;
  *val = {e.v, e.vl};
  return St::Ok;
}

St Store::map_put(const uint8_t* k, uint64_t kl, uint8_t kind, const std::vector<Slice>& fv, bool nx, uint64_t* added,
                  bool replace) {
  if (kl > MAX_KEY_LEN) return St::TooLarge;
  for (auto& s : fv)
    if (s.n > MAX_KEY_LEN) return St::TooLarge;
  uint64_t hash = hash_key(k, kl);
  size_t pairs = fv.size() / 2;
  *added = 0;
  // Lines one element may stage: its bucket and a new overflow bucket, a split's two chains and a
  // directory line, the header. Many fields of one command go in groups the log holds.
  constexpr uint64_t LINES_PER_FIELD = 8;
  uint64_t group = std::max<uint64_t>(1, (index_.log_capacity() - 2 * LOG_OP_MARGIN) / LINES_PER_FIELD);
  if (in_atomic_) group = pairs;  // begin_atomic reserved the room for the whole transaction
  St st = St::Ok;
  for (size_t start = 0; start < pairs && st == St::Ok; start += group) {
    size_t end = std::min<size_t>(pairs, start + group);
    if (!reserve_log(std::min<uint64_t>(index_.log_capacity(), (end - start) * LINES_PER_FIELD + 4))) return St::TooManyKeys;
    uint64_t n_added = 0;
    st = with_reclaim([&]() -> St {
      n_added = 0;
      if (replace && start == 0) del_key(k, kl);  // undone with the op if it runs out of memory
      Found f;
      int r = find_map(k, kl, hash, kind, f);
      if (r < 0) return St::WrongType;
      if (r == 1 && is_root(f.h->type)) {
        uint64_t ch = root_header(f.h);
        for (size_t i = start; i < end; i++) {
          bool a;
          St s1 = map_put_one(ch, kind, fv[2 * i].p, fv[2 * i].n, fv[2 * i + 1].p, fv[2 * i + 1].n, nx, &a);
          if (s1 != St::Ok) return s1;
          n_added += a;
        }
        return St::Ok;
      }
      // Packed (or new): the merged entries, then one new item.
      Packed pk;
      if (r == 1 && !unpack(value_of(f.h), f.h->vlen, pk)) pk.entries.clear();
      if (r == 0) pk.flags = kind == KIND_SET ? PACK_INTS : 0;
      bool changed = false;
      for (size_t i = start; i < end; i++) {
        PackedEntry ne{fv[2 * i].p, fv[2 * i].n, fv[2 * i + 1].p, fv[2 * i + 1].n};
        auto it = std::find_if(pk.entries.begin(), pk.entries.end(), [&](const PackedEntry& e) { return same(e.f, e.fl, ne.f, ne.fl); });
        if (it != pk.entries.end()) {
          if (!nx && !same(it->v, it->vl, ne.v, ne.vl)) {
            it->v = ne.v;
            it->vl = ne.vl;
            changed = true;
          }
          continue;
        }
        n_added++;
        changed = true;
        int64_t iv;
        if ((pk.flags & PACK_INTS) && canonical_int(ne.f, ne.fl, &iv)) {  // an intset: numeric order
          auto pos = std::lower_bound(pk.entries.begin(), pk.entries.end(), iv, [](const PackedEntry& e, int64_t x) {
            int64_t ev = 0;
            canonical_int(e.f, e.fl, &ev);
            return ev < x;
          });
          pk.entries.insert(pos, ne);
        } else {
          pk.flags &= uint8_t(~PACK_INTS);  // as Redis: once not all integers, never an intset again
          pk.entries.push_back(ne);
        }
      }
      if (!changed) return St::Ok;
      return put_packed(hash, r == 1 ? &f : nullptr, k, kl, kind, pk.flags, pk.entries, r == 1 ? f.h->expire_ms : 0);
    });
    *added += n_added;
  }
  return st;
}

St Store::map_del(const uint8_t* k, uint64_t kl, uint8_t kind, const std::vector<Slice>& fields, uint64_t* removed) {
  uint64_t hash = hash_key(k, kl);
  *removed = 0;
  // A removal stages the element's bucket line and the header's: many fields go in groups the log
  // holds (in a transaction begin_atomic reserved the room for all of them).
  uint64_t group = in_atomic_ ? fields.size() : std::max<uint64_t>(1, (index_.log_capacity() - 2 * LOG_OP_MARGIN) / 2);
  St st = St::Ok;
  for (size_t start = 0; start < fields.size() && st == St::Ok; start += group) {
    size_t end = std::min<size_t>(fields.size(), start + group);
    if (!reserve_log(std::min<uint64_t>(index_.log_capacity(), (end - start) * 2 + 4))) return St::TooManyKeys;
    uint64_t n = 0;
    bool gone = false;
    st = with_reclaim([&]() -> St {
      n = 0;
      Found f;
      int r = find_map(k, kl, hash, kind, f);
      if (r < 0) return St::WrongType;
      if (r == 0) {
        gone = true;
        return St::Ok;
      }
      if (is_root(f.h->type)) {
        uint64_t ch = root_header(f.h);
        for (size_t i = start; i < end; i++) {
          MapHit m;
          if (!map_find(ch, fields[i].p, fields[i].n, hash_key(fields[i].p, fields[i].n), m)) continue;
          index_.edit(m.boff)->slot[m.idx] = 0;
          pending_free_.push_back(m.off);
          if (kind == KIND_ZSET) zorder_.erased(ch, zscore_of(value_of(m.h), m.h->vlen), m.off);
          coll_edit(ch)->count--;
          atomic_turn_ = true;
          n++;
        }
        // The last element: the key goes (its structure is freed in the background).
        if (n && coll(ch)->count == 0) {
          drop(hash, f.boff, f.idx, f.off, true, true);
          gone = true;
        }
        return St::Ok;
      }
      Packed pk;
      if (!unpack(value_of(f.h), f.h->vlen, pk)) return St::Ok;
      for (size_t i = start; i < end; i++) {
        auto it = std::find_if(pk.entries.begin(), pk.entries.end(),
                               [&](const PackedEntry& e) { return same(e.f, e.fl, fields[i].p, fields[i].n); });
        if (it == pk.entries.end()) continue;
        pk.entries.erase(it);
        n++;
      }
      if (!n) return St::Ok;
      if (pk.entries.empty()) {
        drop(hash, f.boff, f.idx, f.off, true, true);
        gone = true;
        return St::Ok;
      }
      return put_packed(hash, &f, k, kl, kind, pk.flags, pk.entries, f.h->expire_ms);
    });
    *removed += n;
    if (gone) break;
  }
  return st;
}

St Store::map_len(const uint8_t* k, uint64_t kl, uint8_t kind, uint64_t* n) {
  guard_log();
  Found f;
  *n = 0;
  int r = find_map(k, kl, hash_key(k, kl), kind, f);
  if (r < 0) return St::WrongType;
  if (r == 1) *n = elements_of(f.h);
  return St::Ok;
}

St Store::map_scan(const uint8_t* k, uint64_t kl, uint8_t kind, uint64_t cursor, uint64_t count,
                   std::vector<MapEntry>& out, uint64_t* next) {
  guard_log();
  *next = 0;
  Found f;
  int r = find_map(k, kl, hash_key(k, kl), kind, f);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::Ok;
  if (!is_root(f.h->type)) {
    Packed pk;
    if (cursor == 0 && unpack(value_of(f.h), f.h->vlen, pk))
      for (auto& e : pk.entries) out.push_back({{e.f, e.fl}, {e.v, e.vl}});
    return St::Ok;
  }
  const CollHeader* c = coll(root_header(f.h));
  uint64_t b = cursor;
  for (; b < c->nbuckets && out.size() < count; b++) {
    index_.walk_chain(map_bucket(c, b), [&](uint64_t, int, uint64_t s) {
      const ItemHeader* h = item_at(slot_off(s), nullptr);
      if (h && verify_item(slot_off(s), h)) out.push_back({{key_of(h), h->klen}, {value_of(h), h->vlen}});
      return Index::Walk::Next;
    });
  }
  *next = b < c->nbuckets ? b : 0;
  return St::Ok;
}

St Store::map_random(const uint8_t* k, uint64_t kl, uint8_t kind, MapEntry* out) {
  guard_log();
  Found f;
  int r = find_map(k, kl, hash_key(k, kl), kind, f);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::NotFound;
  if (!is_root(f.h->type)) {
    Packed pk;
    if (!unpack(value_of(f.h), f.h->vlen, pk) || pk.entries.empty()) return St::NotFound;
    const PackedEntry& e = pk.entries[rng()() % pk.entries.size()];
    *out = {{e.f, e.fl}, {e.v, e.vl}};
    return St::Ok;
  }
  // A random bucket, then a random slot of its chain; empty buckets are passed over (the table
  // holds MAP_LOAD elements per bucket on average, so few are).
  const CollHeader* c = coll(root_header(f.h));
  uint64_t n = c->nbuckets, start = rng()() % n;
  std::vector<uint64_t> slots;
  for (uint64_t i = 0; i < n; i++) {
    slots.clear();
    index_.walk_chain(map_bucket(c, (start + i) % n), [&](uint64_t, int, uint64_t s) {
      slots.push_back(slot_off(s));
      return Index::Walk::Next;
    });
    if (slots.empty()) continue;
    uint64_t off = slots[rng()() % slots.size()];
    const ItemHeader* h = item_at(off, nullptr);
    if (!h || !verify_item(off, h)) continue;
    *out = {{key_of(h), h->klen}, {value_of(h), h->vlen}};
    return St::Ok;
  }
  return St::NotFound;
}

void Store::collect_entries(uint64_t ch, std::vector<PackedEntry>& out) {
  const CollHeader* c = coll(ch);
  for (uint64_t b = 0; b < c->nbuckets; b++)
    index_.walk_chain(map_bucket(c, b), [&](uint64_t, int, uint64_t s) {
      const ItemHeader* h = item_at(slot_off(s), nullptr);
      if (h && verify_item(slot_off(s), h)) out.push_back({key_of(h), h->klen, value_of(h), h->vlen});
      return Index::Walk::Next;
    });
}

St Store::copy_collection(const ItemHeader* src, const uint8_t* d, uint64_t dl, uint64_t* off_out) {
  if (item_kind(src->type) == KIND_LIST) return copy_list(src, d, dl, off_out);
  std::vector<PackedEntry> es;
  collect_entries(root_header(src), es);
  uint64_t ch;
  St st = build_large(item_kind(src->type), es, &ch);
  if (st != St::Ok) return st;
  CollRoot r{ch, 0};
  Slice part{reinterpret_cast<const uint8_t*>(&r), sizeof r};
  *off_out = write_tracked(d, dl, &part, 1, sizeof r, src->flags, src->expire_ms, src->type);
  return *off_out ? St::Ok : St::NoMem;
}

// ---- Deleting large collections and reaching them in the rebuild.

void Store::release_if_root(uint64_t off, const ItemHeader* h) {
  // Only a checked root's pointer is followed; a damaged one's structure is left to the sweep.
  if (!h || !is_root(h->type) || moving_root_ || !alloc_.verified(off)) return;
  release_coll(root_header(h));
}

void Store::release_coll(uint64_t ch) {
  zorder_.drop(ch);
  // While the rebuild marks, a structure it has not reached would be freed by the sweep too: mark it
  // now, so the background free is its only owner.
  if (phase_ == RebuildPhase::Mark && !alloc_.in_use(ch) && !mark_coll(ch, coll(ch)->kind)) return;
  coll_free_.push_back({ch, 0});
}

void Store::free_walk(uint64_t budget) {
  while (budget && coll_free_head_ < coll_free_.size()) {
    CollFree& q = coll_free_[coll_free_head_];
    const CollHeader* c = coll(q.ch);
    if (c->kind == KIND_LIST) {
      if (!free_list_walk(q, &budget)) break;
      coll_free_head_++;
      continue;
    }
    for (; q.bucket < c->nbuckets && budget; q.bucket++) {
      uint64_t boff = map_bucket(c, q.bucket);
      bool home = true;
      for (int guard = 0; boff && guard < (1 << 20); guard++) {
        const Bucket* b = index_.view(boff);
        for (int i = 0; i < BUCKET_SLOTS; i++)
          if (b->slot[i]) pending_free_.push_back(slot_off(b->slot[i]));
        if (!home) pending_free_.push_back(boff);
        home = false;
        budget -= std::min<uint64_t>(budget, BUCKET_SLOTS);
        boff = b->next && index_.valid_overflow(b->next) ? b->next : 0;
      }
    }
    if (q.bucket < c->nbuckets) break;
    uint64_t segs = (c->nbuckets + SEG_BUCKETS - 1) / SEG_BUCKETS;
    for (uint64_t i = 0; i < segs; i++) pending_free_.push_back(read_word(dir_entry_off(c, i)));
    pending_free_.push_back(c->dir);
    pending_free_.push_back(q.ch);
    coll_free_head_++;
  }
  if (coll_free_head_ == coll_free_.size()) {
    coll_free_.clear();
    coll_free_head_ = 0;
  }
}

// Marks every chunk of a large collection (header, directory, segments, overflow buckets, elements)
// for the rebuild, dropping slots that point at no valid element and setting the count to the
// elements found. False when the header or directory is not valid: the caller drops the root.
bool Store::mark_coll(uint64_t ch, uint8_t kind) {
  if (!index_.valid_overflow(ch)) return false;  // a header is a 64-byte chunk, as a bucket is
  zorder_.drop(ch);  // built before the mark reached it: rebuilt from what the mark keeps
  const CollHeader* c = coll(ch);
  if (c->magic == COLL_MAGIC && c->kind == KIND_LIST && kind == KIND_LIST) return mark_list(ch);
  if (c->magic != COLL_MAGIC || c->kind != kind || c->nbuckets < 1 || c->dir_cap < 1 ||
      c->nbuckets > c->dir_cap * SEG_BUCKETS || alloc_.capacity(c->dir) < aligned_alloc_size(c->dir_cap * 8))
    return false;
  uint64_t segs = (c->nbuckets + SEG_BUCKETS - 1) / SEG_BUCKETS;
  for (uint64_t i = 0; i < segs; i++)
    if (alloc_.capacity(read_word(dir_entry_off(c, i))) < aligned_alloc_size(SEG_BUCKETS * sizeof(Bucket))) return false;
  if (alloc_.mark(ch, true) != 1 || alloc_.mark(c->dir, false) != 1) return false;
  for (uint64_t i = 0; i < segs; i++) alloc_.mark(read_word(dir_entry_off(c, i)), false);
  auto follow = [&](uint64_t boff, uint64_t next) -> uint64_t {
    if (index_.valid_overflow(next) && alloc_.mark(next, true) == 1) return next;
    corrupt_++;
    index_.edit(boff)->next = 0;
    return 0;
  };
  uint64_t found = 0;
  for (uint64_t b = 0; b < c->nbuckets; b++) {
    index_.walk_chain(map_bucket(c, b), [&](uint64_t boff, int i, uint64_t s) {
      uint64_t off = slot_off(s);
      const ItemHeader* h = item_at(off, nullptr);
      bool ok = h && h->type == uint8_t(kind | ENC_ELEMENT) && verify_item(off, h) &&
                map_bucket_no(hash_key(key_of(h), h->klen), c->nbuckets) == b && alloc_.mark(off, false) == 1;
      if (ok) {
        found++;
        return Index::Walk::Next;
      }
      corrupt_++;
      index_.edit(boff)->slot[i] = 0;
      return Index::Walk::Edited;
    }, follow);
  }
  if (found != c->count) {
    corrupt_++;
    coll_edit(ch)->count = found;
    atomic_turn_ = true;
  }
  return true;
}

}  // namespace dax

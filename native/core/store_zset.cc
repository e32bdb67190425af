// Sorted sets' ordered reads (ZRANGE, ZRANK, ZCOUNT ...). A sorted set is a map member -> score
// (store_map.cc writes it, crash-consistent like every map); its order is DRAM only: a packed one is
// sorted per call (at most zset-max-listpack-entries members), a large one has a counted B+tree
// built on first use and kept in step by the map's writes (zorder.h).
#include <algorithm>
#include <cmath>

#include "hash.h"
#include "store.h"

namespace dax {

namespace {

const uint8_t* value_of(const ItemHeader* h) { return reinterpret_cast<const uint8_t*>(h + 1) + h->klen; }

bool before(double as, Slice am, double bs, Slice bm) {
  if (as != bs) return as < bs;
  return zcmp_bytes(am.p, am.n, bm.p, bm.n) < 0;
}

// The two predicates of a range, each true on a prefix of the order: "below the minimum" and "not
// above the maximum". The range's ranks are [count(below min), count(not above max)).
struct RangePreds {
  const ZSpec& s;
  bool below_min(double sc, Slice m) const {
    if (!s.lex) return sc < s.min || (s.minex && sc == s.min);
    if (s.lmin_inf) return s.lmin_inf > 0;  // "-": nothing is below; "+": everything is
    int c = zcmp_bytes(m.p, m.n, s.lmin.p, s.lmin.n);
    return c < 0 || (s.minex && c == 0);
  }
  bool within_max(double sc, Slice m) const {
    if (!s.lex) return sc < s.max || (!s.maxex && sc == s.max);
    if (s.lmax_inf) return s.lmax_inf > 0;
    int c = zcmp_bytes(m.p, m.n, s.lmax.p, s.lmax.n);
    return c < 0 || (!s.maxex && c == 0);
  }
};

}  // namespace

double Store::zscore_of(const uint8_t* v, uint64_t vl) {
  double d = 0;
  if (vl == 8) memcpy(&d, v, 8);
  return d;
}

// The key's sorted set as an ordered view: its tree (built now if it has none) when large, else its
// packed members sorted into `packed`. 1: found; 0: absent; -1: another type.
int Store::zset_view(const uint8_t* k, uint64_t kl, ZTree** tree, std::vector<ZPacked>& packed) {
  Found f;
  int r = find_map(k, kl, hash_key(k, kl), KIND_ZSET, f);
  if (r != 1) return r;
  *tree = nullptr;
  if (is_root(f.h->type)) {
    uint64_t ch = root_header(f.h);
    ZTree* t = zorder_.find(ch);
    if (!t) {
      t = zorder_.create(ch);
      const CollHeader* c = coll(ch);
      // Gathered, sorted, then laid out leaf by leaf in one pass (ZTree::bulk_load).
      std::vector<ZKey> keys;
      keys.reserve(c->count);
      for (uint64_t b = 0; b < c->nbuckets; b++)
        index_.walk_chain(map_bucket(c, b), [&](uint64_t, int, uint64_t s) {
          uint64_t off = slot_off(s);
          const ItemHeader* h = item_at(off, nullptr);
          if (h && verify_item(off, h)) keys.push_back(ZKey{zscore_of(value_of(h), h->vlen), off});
          return Index::Walk::Next;
        });
      std::sort(keys.begin(), keys.end(), ZCmp{pool_.get()});
      t->bulk_load(keys);
      zorder_.count_build();
      zorder_.enforce(ch);
    }
    *tree = t;
    return 1;
  }
  Packed pk;
  packed.clear();
  if (unpack(value_of(f.h), f.h->vlen, pk))
    for (auto& e : pk.entries) packed.push_back({zscore_of(e.v, e.vl), {e.f, e.fl}, {e.v, e.vl}});
  std::sort(packed.begin(), packed.end(),
            [](const ZPacked& a, const ZPacked& b) { return before(a.score, a.m, b.score, b.m); });
  return 1;
}

St Store::zset_span(const uint8_t* k, uint64_t kl, const ZSpec& spec, uint64_t* start, uint64_t* end) {
  guard_log();
  *start = *end = 0;
  ZTree* t;
  std::vector<ZPacked> pm;
  int r = zset_view(k, kl, &t, pm);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::Ok;
  RangePreds p{spec};
  if (t) {
    auto member = [&](const ZKey& z) {
      uint64_t n;
      const uint8_t* m = zmember(pool_.get(), z.off, &n);
      return Slice{m, n};
    };
    *start = t->prefix([&](const ZKey& z) { return p.below_min(z.score, member(z)); });
    *end = t->prefix([&](const ZKey& z) { return p.within_max(z.score, member(z)); });
  } else {
    *start = std::partition_point(pm.begin(), pm.end(), [&](const ZPacked& e) { return p.below_min(e.score, e.m); }) - pm.begin();
    *end = std::partition_point(pm.begin(), pm.end(), [&](const ZPacked& e) { return p.within_max(e.score, e.m); }) - pm.begin();
  }
  if (*end < *start) *end = *start;  // an empty range (min above max)
  return St::Ok;
}

St Store::zset_slice(const uint8_t* k, uint64_t kl, uint64_t start, uint64_t end, std::vector<MapEntry>& out) {
  guard_log();
  ZTree* t;
  std::vector<ZPacked> pm;
  int r = zset_view(k, kl, &t, pm);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::Ok;
  if (t) {
    end = std::min<uint64_t>(end, t->size());
    if (start >= end) return St::Ok;
    out.reserve(end - start);
    t->visit(start, end, [&](const ZKey& z) {
      const ItemHeader* h = pool_->at<ItemHeader>(z.off);
      out.push_back({{reinterpret_cast<const uint8_t*>(h + 1), h->klen}, {value_of(h), h->vlen}});
    });
    return St::Ok;
  }
  end = std::min<uint64_t>(end, pm.size());
  // The packed entries point into the pool (the item), so the slices outlive the sorted vector.
  for (uint64_t i = start; i < end; i++) out.push_back({pm[i].m, pm[i].v});
  return St::Ok;
}

St Store::zset_rank(const uint8_t* k, uint64_t kl, const uint8_t* m, uint64_t ml, uint64_t* rank) {
  guard_log();
  Slice score;
  St st = map_get(k, kl, KIND_ZSET, m, ml, &score);
  if (st != St::Ok) return st;
  ZTree* t;
  std::vector<ZPacked> pm;
  if (zset_view(k, kl, &t, pm) != 1) return St::NotFound;
  double sc = zscore_of(score.p, score.n);
  Slice mm{m, ml};
  if (t) {
    *rank = t->prefix([&](const ZKey& z) {
      uint64_t n;
      const uint8_t* zm = zmember(pool_.get(), z.off, &n);
      return before(z.score, {zm, n}, sc, mm);
    });
  } else {
    *rank = std::partition_point(pm.begin(), pm.end(), [&](const ZPacked& e) { return before(e.score, e.m, sc, mm); }) - pm.begin();
  }
  return St::Ok;
}

bool Store::zset_order_check(std::string* why) {
  guard_log();
  bool ok = true;
  zorder_.each([&](uint64_t ch, const ZTree& t) {
    const char* w = nullptr;
    if (!ok) return;
    if (!t.check(&w)) *why = w, ok = false;
    else if (t.size() != coll(ch)->count) *why = "a tree whose size is not its set's count", ok = false;
  });
  return ok;
}

}  // namespace dax

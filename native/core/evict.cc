// Eviction by maxmemory-policy (Redis's names and sampling): a write that finds no room evicts keys
// chosen from samples of the index by LRU clock, LFU counter, TTL or at random, keeping the best
// candidates across samples (Redis's evictionPoolPopulate). The access metadata it scores by is
// volatile (access.h): after a restart every key starts as just used.
#include <algorithm>
#include <random>

#include "access.h"
#include "hash.h"
#include "store.h"

namespace dax {

void Store::touch_access(uint64_t off) {
  if (lfu_policy(policy_)) {
    int64_t now = now_ms();
    static thread_local std::mt19937 rng{12345};
    uint16_t v = alloc_.access(off);
    uint8_t counter = v == 0 ? LFU_INIT_VAL : lfu_decayed(v, now);
    if (counter < 255) {
      double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
      if (std::uniform_real_distribution<double>(0, 1)(rng) < 1.0 / (base * 10 + 1)) counter++;
    }
    alloc_.set_access(off, lfu_word(now, counter));
  } else {
    alloc_.set_access(off, lru_word(coarse_now_ms()));
  }
}

bool Store::access_info(const uint8_t* k, uint64_t kl, AccessInfo& out) {
  guard_log();
  Found f;
  no_touch_ = true;  // like Redis's LOOKUP_NOTOUCH: OBJECT must not reset what it reports
  bool found = find(k, kl, hash_key(k, kl), f, true);
  no_touch_ = false;
  if (!found) return false;
  uint16_t v = alloc_.access(f.off);
  int64_t now = now_ms();
  out.idle_s = lru_idle(now, v);
  out.freq = lfu_decayed(v, now);
  if (!lfu_policy(policy_)) out.freq = 0;
  if (lfu_policy(policy_)) out.idle_s = 0;
  return true;
}

// RESTORE ... IDLETIME / FREQ (Redis objectSetLRUOrLFU): under an LFU policy `freq` (0..255) becomes
// the key's counter, under any other its idle time becomes `idle_s` (at most the 16-bit clock's
// 65535 s); the other one is ignored, as in Redis. Negative = not given. False if the key is absent.
bool Store::set_access_hint(const uint8_t* k, uint64_t kl, int64_t idle_s, int freq) {
  guard_log();
  Found f;
  no_touch_ = true;
  bool found = find(k, kl, hash_key(k, kl), f, true);
  no_touch_ = false;
  if (!found) return false;
  int64_t now = now_ms();
  if (lfu_policy(policy_)) {
    if (freq >= 0) alloc_.set_access(f.off, lfu_word(now, uint8_t(std::min(freq, 255))));
  } else if (idle_s >= 0) {
    alloc_.set_access(f.off, lru_word(now, uint16_t(std::min<int64_t>(idle_s, 65535))));
  }
  return true;
}

bool Store::evict_one() {
  static std::mt19937_64 rng{std::random_device{}()};
  bool volatile_only = policy_ == EvictPolicy::VolatileLru || policy_ == EvictPolicy::VolatileRandom ||
                       policy_ == EvictPolicy::VolatileTtl || policy_ == EvictPolicy::VolatileLfu;
  uint64_t nb = index_.nbuckets();
  int64_t now = now_ms();
  // Samples up to 5 keys (Redis's maxmemory-samples) from `len` buckets at `from` into the eviction
  // pool, which keeps the best candidates across calls, as Redis's evictionPoolPopulate. Returns
  // the number of buckets looked at.
  auto sample = [&](uint64_t from, uint64_t len) -> uint64_t {
    int sampled = 0;
    uint64_t j = 0;
    for (; j < len && sampled < 5; j++) {
      uint64_t b = (from + j) % nb;
      index_.walk_chain(index_.bucket_off(b), [&](uint64_t boff, int i, uint64_t s) {
        uint64_t off = slot_off(s);
        const ItemHeader* h = item_at(off, nullptr);
        if (!h) return Index::Walk::Next;
        bool dead = stale(h) || expired(h, now);
        if (!dead && volatile_only && !h->expire_ms) return Index::Walk::Next;
        double score;
        uint16_t v = alloc_.access(off);
        if (dead) score = 1e300;
        else if (policy_ == EvictPolicy::VolatileTtl) score = 1e18 - double(h->expire_ms);
        else if (lfu_policy(policy_)) score = 255 - lfu_decayed(v, now);
        else if (policy_ == EvictPolicy::AllKeysRandom || policy_ == EvictPolicy::VolatileRandom) score = double(rng() % 1000000);
        else score = lru_idle(now, v);  // idle seconds
        sampled++;
        bool known = false;
        for (auto& c : evict_pool_) known = known || c.off == off;
        if (!known) evict_pool_.push_back({b, boff, off, i, score});
        return sampled < 5 ? Index::Walk::Next : Index::Walk::Stop;
      });
    }
    return j;
  };
  // Evicts the best candidate of the pool; false when it holds none still valid.
  auto evict_best = [&]() -> bool {
    std::sort(evict_pool_.begin(), evict_pool_.end(), [](const EvictCand& x, const EvictCand& y) { return x.score > y.score; });
    if (evict_pool_.size() > EVICT_POOL_SIZE) evict_pool_.resize(EVICT_POOL_SIZE);
    // Best first; a candidate whose slot changed since it was sampled is stale and skipped.
    while (!evict_pool_.empty()) {
      EvictCand c = evict_pool_.front();
      evict_pool_.erase(evict_pool_.begin());
      uint64_t s = index_.view(c.boff)->slot[c.idx];
      if (!s || slot_off(s) != c.off) continue;
      const ItemHeader* h = item_at(c.off, nullptr);
      if (!h) continue;
      bool live = !stale(h), was_expired = live && expired(h, now);
      if (was_expired) {
        count_expired(c.off);
      } else if (live) {
        evicted_++;
        ClassRemovals& r = removals_of(c.off);
        r.evicted++;
        if (h->expire_ms) r.evicted_nonzero++;
        // The access field holds the last-access clock only under the LRU policies.
        if (!lfu_policy(policy_)) r.evicted_time = lru_idle(now, alloc_.access(c.off));
      }
      drop(c.b, c.boff, c.idx, c.off, live, true);
      return true;
    }
    return false;
  };
  for (int attempt = 0; attempt < 16; attempt++) {
    sample(rng() % nb, 64);
    if (evict_best()) return true;
  }
  // Few keys in an index sized for the whole pool (large values, say): random stretches can miss
  // every one of them. Walk on from a cursor, over the whole index if need be, so that a key is
  // found whenever there is one.
  if ((volatile_only ? expiry_.size() : live_count_) > 0) {
    evict_cursor_ = (evict_cursor_ + sample(evict_cursor_ % nb, nb)) % nb;
    if (evict_best()) return true;
  }
  return false;
}

}  // namespace dax

// Active expiry: keys whose TTL has passed are removed without any client touching them.
//
// Redis's activeExpireCycle samples db->expires and goes on while more than 10% of a sample had
// expired, within a CPU budget per cycle. We keep the TTL keys ordered by expiry time (ExpiryIndex),
// so every key that is due is found at once, earliest first, and the work adapts by itself: a slice
// ends when nothing more is due or its time budget is spent, and in the second case the server runs
// the next slice on the next event-loop turn instead of waiting 1/hz (Redis's fast cycle does the
// same between its slow cycles). Requests are served between slices.
#include <cstring>

#include "hash.h"
#include "store.h"

namespace dax {

// The item at `off` is due: remove it through the ordinary lookup, which drops an expired key
// (counting it in expired_ and unlinking it from the expiry index). Returns true if it was removed.
bool Store::expire_at(uint64_t off, int64_t expire_ms) {
  const ItemHeader* h = item_at(off, nullptr);
  if (!h || h->expire_ms != expire_ms) {  // not the item that was registered: forget the entry
    expiry_.dead(off);
    return false;
  }
  const uint8_t* k = reinterpret_cast<const uint8_t*>(h + 1);
  uint64_t kl = h->klen;
  uint64_t before = expired_;
  Found f;
  removals_of(off).crawler_items_checked++;
  no_touch_ = crawling_ = true;
  bool alive = find(k, kl, hash_key(k, kl), f, false);
  no_touch_ = crawling_ = false;
  expiry_.dead(off);  // whatever the lookup found, this entry is done...
  if (alive && f.off == off) expiry_.live(off, expire_ms);  // ...unless the clock went back
  return expired_ != before;
}

uint64_t Store::expire_due(uint64_t max, int64_t deadline_ns, bool* more) {
  *more = false;
  if (closed_) return 0;
  uint64_t removed = 0;
  int64_t now = now_ms();
  uint64_t off;
  int64_t exp;
  for (uint64_t n = 0; n < max; n++) {
    if ((n & 31) == 31) {
      if (deadline_ns != INT64_MAX && mono_ns() >= deadline_ns) {
        *more = expiry_.any_due(now);
        return removed;
      }
      now = now_ms();
    }
    guard_log();
    if (!expiry_.next_due(now, &off, &exp)) return removed;
    removed += expire_at(off, exp);
    // Keep what one barrier publishes bounded when thousands of keys expire at once.
    if ((removed & 1023) == 1023) barrier();
  }
  *more = expiry_.any_due(now);
  return removed;
}

}  // namespace dax

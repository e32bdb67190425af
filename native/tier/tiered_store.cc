#include "tiered_store.h"

#include "hash.h"

namespace dax {

bool TieredStore::get(const uint8_t* k, uint64_t kl, ItemView& out) {
  if (!tier_.enabled()) return store_.get(k, kl, out);
  uint64_t hash = hash_key(k, kl), off = 0;
  store_.prefetch(hash);  // if the tier misses, the pool's bucket is on its way already
  if (const ItemHeader* h = tier_.lookup(k, kl, hash, &off, now_ms)) {
    store_.note_access(off);
    out.h = h;
    out.key = reinterpret_cast<const uint8_t*>(h + 1);
    out.val = out.key + h->klen;
    return true;
  }
  if (!store_.get_hashed(k, kl, hash, out, &off)) return false;
  if (out.h->type == ITEM_STRING) tier_.offer(hash, off, out.h);  // collections are reached through the pool
  return true;
}

void TieredStore::item_gone(uint64_t off, const ItemHeader* h) {
  // Only a valid item can have been copied; its key gives the hash the copy is filed under.
  if (!h || tier_.empty()) return;
  tier_.item_gone(off, hash_key(reinterpret_cast<const uint8_t*>(h + 1), h->klen));
}

}  // namespace dax

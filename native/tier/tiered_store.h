// Reads through the DRAM tier: the layer between the store and the addon. A read is answered from
// the tier when it holds the key; otherwise from the pool, and the item is offered to the tier.
// Writes go to the store directly: the store tells this layer (ItemObserver) about every item it
// unlinks, and about FLUSHALL, in the same step, so a copy never outlives its pool item.
#pragma once
#include <cstdint>

#include "store.h"
#include "tier.h"

namespace dax {

class TieredStore final : public ItemObserver {
 public:
  explicit TieredStore(Store& store) : store_(store) {}
  ~TieredStore() override { store_.set_observer(nullptr); }
  TieredStore(const TieredStore&) = delete;
  TieredStore& operator=(const TieredStore&) = delete;

  // As Store::get; the view stays valid until the next call on this object or on the store.
  bool get(const uint8_t* k, uint64_t kl, ItemView& out);

  // The store reports unlinked items only while the tier is on, so an off tier costs writes nothing.
  void set_budget(uint64_t bytes) {
    tier_.set_budget(bytes);
    store_.set_observer(bytes ? this : nullptr);
  }
  TierStats stats() const { return tier_.stats(); }

  void item_gone(uint64_t off, const ItemHeader* h) override;
  void all_gone() override { tier_.clear(); }

 private:
  Store& store_;
  Tier tier_;
};

}  // namespace dax

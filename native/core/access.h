// Per-item access metadata for eviction, kept volatile beside each chunk by the allocator (16 bits).
#pragma once
#include <cstdint>

#include "store.h"

namespace dax {

// LRU: seconds clock (16 bits, wrap-aware). LFU: Redis's logarithmic counter (8 bits) + minutes of
// the last decrement (8 bits), lfu-log-factor 10, lfu-decay-time 1 minute.
inline constexpr uint8_t LFU_INIT_VAL = 5;
inline bool lfu_policy(EvictPolicy p) { return p == EvictPolicy::AllKeysLfu || p == EvictPolicy::VolatileLfu; }
inline uint8_t lfu_decayed(uint16_t v, int64_t now) {
  uint8_t minutes = uint8_t(now / 60000), last = uint8_t(v >> 8), counter = uint8_t(v);
  uint8_t elapsed = uint8_t(minutes - last);
  return elapsed >= counter ? 0 : uint8_t(counter - elapsed);
}
// The access word of an item last used `idle_s` seconds before `now` (LRU policies).
inline uint16_t lru_word(int64_t now, uint16_t idle_s = 0) { return uint16_t(uint16_t(now / 1000) - idle_s); }
// Seconds since the access recorded in an LRU word (wrap-aware over the 16-bit clock).
inline uint16_t lru_idle(int64_t now, uint16_t v) { return uint16_t(uint16_t(now / 1000) - v); }
// The access word of an LFU counter, decremented last at `now` (LFU policies).
inline uint16_t lfu_word(int64_t now, uint8_t counter) { return uint16_t((uint16_t(uint8_t(now / 60000)) << 8) | counter); }

}  // namespace dax

// Redis maxmemory-policy names, in the order of the native store's EvictPolicy (native/core/store.h).
// A leaf module (no addon loading), so configuration code can validate names with it.
export const EVICTION_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'volatile-lru',
  'allkeys-random',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lfu',
  'volatile-lfu',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

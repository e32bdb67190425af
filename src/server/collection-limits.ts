// The *-max-listpack-* / set-max-intset-entries settings, zset-order-memory and
// list-max-listpack-size, handed to the store's collections (at open and on CONFIG SET).
import type { Config } from '../ops/settings.js';
import type { Store } from '../store/store.js';

export const COLLECTION_LIMIT_SETTINGS = [
  'hash-max-listpack-entries', 'hash-max-listpack-value', 'set-max-intset-entries', 'set-max-listpack-entries',
  'set-max-listpack-value', 'zset-max-listpack-entries', 'zset-max-listpack-value', 'zset-order-memory',
  'list-max-listpack-size',
];

export function applyCollectionLimits(store: Store, c: Config): void {
  store.hashes.setLimits({ entries: c.hashMaxListpackEntries, value: c.hashMaxListpackValue, intEntries: 0 });
  store.sets.setLimits({ entries: c.setMaxListpackEntries, value: c.setMaxListpackValue, intEntries: c.setMaxIntsetEntries });
  store.zsets.setLimits({ entries: c.zsetMaxListpackEntries, value: c.zsetMaxListpackValue, intEntries: 0 });
  store.zsets.setOrderBudget(c.zsetOrderMemory);
  store.lists.setFill(c.listMaxListpackSize);
}

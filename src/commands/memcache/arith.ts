// memcached's incr/decr arithmetic (do_add_delta): the value must be a decimal u64 (safe_strtoull),
// incr wraps at 2^64 and decr stops at 0; flags and TTL are kept. The store only reads and writes.
import type { Store } from '../../store/store.js';
import { parseU64 } from '../../store/numeric.js';

/** The new value; null when the key is absent; 'non_numeric' when the value is not a u64. */
export function addDelta(store: Store, key: Buffer, delta: bigint, decr: boolean): bigint | null | 'non_numeric' {
  const cur = store.getValue(key);
  if (cur === null) return null;
  const v = parseU64(cur);
  if (v === null) return 'non_numeric';
  const next = decr ? (delta > v ? 0n : v - delta) : (v + delta) & 0xffffffffffffffffn;
  store.set(key, Buffer.from(next.toString(), 'latin1'), { keepTtl: true, keepFlags: true });
  return next;
}

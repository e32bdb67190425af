// maxmemory / maxmemory-policy: noeviction fails writes with OOM; the eviction policies make room
// by removing sampled keys (LRU keeps recently read keys, volatile-* only touch keys with a TTL).
import { describe, it, expect, afterEach } from 'vitest';
import { Store, StoreError } from '../../src/store/store.js';
import { poolPath, removePool, useKind, MiB } from './pools.js';

const val = Buffer.alloc(1000, 0x61);
const key = (i: number) => Buffer.from(`key:${i}`);
let path = '';
let s: Store | undefined;
afterEach(() => {
  if (s && !s.isClosed) s.close();
  removePool(path);
});

function open(): Store {
  useKind('shm-cacheline');
  path = poolPath('shm-cacheline', 'evict');
  s = Store.open(path, { createSize: 32 * MiB });
  return s;
}

describe('eviction', () => {
  it('noeviction: OOM once full; maxmemory caps below the pool size', () => {
    const st = open();
    st.setEviction('noeviction', 4 * MiB);
    let n = 0;
    expect(() => {
      for (; n < 100_000; n++) st.set(key(n), val);
    }).toThrowError(StoreError);
    expect(st.stats().usedBytes).toBeLessThanOrEqual(4 * MiB);
    expect(n).toBeGreaterThan(2000);
    expect(n).toBeLessThan(5000);
    expect(st.stats().evicted).toBe(0);
  });

  it('allkeys-lru: writes keep succeeding, recently read keys survive', () => {
    const st = open();
    st.setEviction('allkeys-lru', 8 * MiB);
    const hot = Array.from({ length: 100 }, (_, i) => key(1_000_000 + i));
    for (const k of hot) st.set(k, val);
    for (let i = 0; i < 5000; i++) st.set(key(i), val);
    // the LRU clock has one-second resolution (as Redis's): let the cold keys age
    const t0 = Date.now();
    while (Date.now() - t0 < 2100) st.barrier();
    for (const k of hot) st.getValue(k);
    // ~7,100 values fit in 8 MiB: 3,000 more writes evict ~1,000 keys, so aged keys stay the larger
    // part of every 5-key sample and the pool never runs out of them. (With most aged keys gone the
    // sampling is approximate by design, as Redis's, and a recently read key can go too.)
    for (let i = 5000; i < 8000; i++) st.set(key(i), val);
    expect(st.stats().evicted).toBeGreaterThan(500);
    expect(st.stats().usedBytes).toBeLessThanOrEqual(8 * MiB);
    // 5 keys sampled per eviction into a pool of the 16 best candidates (as Redis): the aged keys go first
    expect(hot.filter((k) => st.exists(k)).length).toBe(100);
    expect(st.exists(key(7999))).toBe(true);
  });

  it('finds keys to evict in a sparse index: few large values in an index sized for the pool', () => {
    // A 64 MiB pool holds ~20 values of 2 MiB (three slab pages each) in an index of 65,536 buckets
    // made for many small keys: a random 64-bucket stretch misses every key ~98% of the time, so
    // eviction walks on from a cursor when its random samples find nothing. Every write must succeed.
    useKind('shm-cacheline');
    path = poolPath('shm-cacheline', 'evict-sparse');
    s = Store.open(path, { createSize: 64 * MiB });
    expect(s.stats().indexBuckets).toBe(65536);
    s.setEviction('allkeys-lru', 0);
    const big = Buffer.alloc(2 * MiB, 7);
    for (let i = 0; i < 300; i++) s.set(key(i), big);
    expect(s.stats().evicted).toBeGreaterThan(250);
    expect(s.exists(key(299))).toBe(true);
  });

  it('volatile-ttl evicts only keys with a TTL, soonest first; OOM when none is left', () => {
    const st = open();
    st.setEviction('volatile-ttl', 4 * MiB);
    for (let i = 0; i < 1000; i++) st.set(key(i), val); // no TTL: never evicted
    const now = Date.now();
    let stored = 0;
    for (let i = 1000; i < 20_000; i++) {
      try {
        st.set(key(i), val, { expireMs: now + 3_600_000 + i * 1000 });
        stored++;
      } catch (e) {
        expect((e as StoreError).code).toBe('OOM');
        break;
      }
    }
    for (let i = 0; i < 1000; i++) expect(st.exists(key(i))).toBe(true);
    expect(st.stats().evicted).toBeGreaterThan(0);
    expect(stored).toBeGreaterThan(3000);
  });

  it('allkeys-lfu counts accesses; OBJECT-style access info', () => {
    const st = open();
    st.setEviction('allkeys-lfu', 0);
    st.set(key(1), val);
    for (let i = 0; i < 200; i++) st.getValue(key(1));
    st.set(key(2), val);
    const hot = st.accessInfo(key(1))!;
    const cold = st.accessInfo(key(2))!;
    expect(hot.frequency).toBeGreaterThan(cold.frequency);
    expect(cold.frequency).toBe(5); // Redis's LFU_INIT_VAL
    st.setEviction('allkeys-lru', 0);
    st.getValue(key(1));
    expect(st.accessInfo(key(1))!.idleSeconds).toBe(0);
    expect(st.accessInfo(key(99))).toBeNull();
  });
});

// Active expiry in the native store: keys whose TTL has passed are found through the expiry index
// (not by walking the hash index) and removed by maintenance slices; a full pool under noeviction
// reclaims expired keys before failing a write with OOM; the index survives replaced and
// rolled-back writes; after a reopen the rebuild registers the TTL keys it finds.
import { describe, it, expect, afterEach } from 'vitest';
import { Store, StoreError } from '../../src/store/store.js';
import { poolPath, removePool, useKind, MiB, POOL_KINDS, type PoolKind } from './pools.js';

const val = Buffer.alloc(1000, 0x61);
const key = (i: number) => Buffer.from(`key:${i}`);
let path = '';
let s: Store | undefined;
afterEach(() => {
  if (s && !s.isClosed) s.close();
  removePool(path);
});

function open(kind: PoolKind = 'shm-cacheline', size = 64 * MiB): Store {
  useKind(kind);
  path = poolPath(kind, 'expire');
  s = Store.open(path, { createSize: size });
  return s;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe.each(POOL_KINDS)('active expiry (%s)', (kind) => {
  it('one maintenance slice removes every due key of a large index, untouched; others stay', () => {
    const st = open(kind);
    const at = Date.now() + 150;
    for (let i = 0; i < 2000; i++) st.set(key(i), val, { expireMs: at });
    for (let i = 2000; i < 2100; i++) st.set(key(i), val, { expireMs: Date.now() + 3_600_000 });
    for (let i = 2100; i < 2200; i++) st.set(key(i), val);
    st.barrier();
    expect(st.stats().expires).toBe(2100);
    const used = st.stats().usedBytes;
    sleep(200);
    // Budget of 1 index bucket for the walks: the old sweep could never find 2000 keys with it.
    let slices = 0;
    while (st.maintenance(1, 5000) && ++slices < 1000);
    expect(st.count()).toBe(200);
    expect(st.stats().expiredRemoved).toBe(2000);
    expect(st.stats().expires).toBe(100);
    expect(st.stats().usedBytes).toBeLessThan(used - 1000 * 1900);
    expect(st.getValue(key(2050))).not.toBeNull();
    expect(st.getValue(key(2150))).not.toBeNull();
  });

  it('noeviction: memory of expired keys is reclaimed before a write fails with OOM', () => {
    const st = open(kind, 32 * MiB);
    st.setEviction('noeviction', 4 * MiB);
    const at = Date.now() + 300;
    let n = 0;
    expect(() => {
      for (; n < 100_000; n++) st.set(key(n), val, { expireMs: at });
    }).toThrowError(StoreError);
    expect(n).toBeGreaterThan(2000);
    sleep(350);
    // No maintenance ran: the write itself must find the room the expired keys hold.
    for (let i = 0; i < n; i++) st.set(Buffer.from(`new:${i}`), val);
    expect(st.stats().evicted).toBe(0);
    expect(st.stats().expiredRemoved).toBeGreaterThanOrEqual(n - 10);
    expect(st.getValue(Buffer.from(`new:${n - 1}`))).not.toBeNull();
  });

  it('replaced, persisted and deleted TTL keys leave the index; avg_ttl is the mean remaining TTL', () => {
    const st = open(kind);
    const now = Date.now();
    for (let i = 0; i < 10; i++) st.set(key(i), val, { expireMs: now + 100_000 });
    st.set(key(0), val); // replaced without a TTL
    st.delete(key(1));
    st.touch(key(2), 0); // PERSIST
    st.set(key(3), val, { expireMs: now + 200_000 }); // replaced with another TTL
    st.barrier();
    const stats = st.stats();
    expect(stats.expires).toBe(7);
    const expected = (6 * 100_000 + 200_000) / 7;
    expect(stats.avgTtlMs).toBeGreaterThan(expected - 2000);
    expect(stats.avgTtlMs).toBeLessThanOrEqual(expected);
    st.flushAll();
    expect(st.stats().expires).toBe(0);
    expect(st.stats().avgTtlMs).toBe(0);
  });

  it('after a reopen, the rebuild registers the TTL keys it finds and they are expired actively', () => {
    const st = open(kind);
    const at = Date.now() + 400;
    for (let i = 0; i < 500; i++) st.set(key(i), val, { expireMs: at });
    for (let i = 500; i < 600; i++) st.set(key(i), val);
    st.close();
    s = Store.open(path, { createSize: 64 * MiB });
    let slices = 0;
    while (s.maintenance(64, 1000) && ++slices < 100_000);
    expect(s.stats().rebuild).toBe('done');
    expect(s.stats().expires).toBe(500);
    sleep(Math.max(0, at - Date.now()) + 50);
    s.maintenance(64, 5000);
    while (s.maintenance(64, 5000) && ++slices < 200_000);
    expect(s.count()).toBe(100);
    expect(s.stats().expires).toBe(0);
  });
});

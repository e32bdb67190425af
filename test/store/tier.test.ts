// The DRAM tier in the native store: every write path replaces or drops the copy of the key it
// changes in the same step (each case first proves the key is served from the tier, so a missing
// invalidation reads stale); an expired key is never served from it; its bytes never pass the
// budget; a one-pass scan does not displace the hot set; it is empty after a reopen.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { MiB, poolPath, removePool, useKind, POOL_KINDS, type PoolKind } from './pools.js';

let path = '';
let s: Store | undefined;
afterEach(() => {
  if (s && !s.isClosed) s.close();
  removePool(path);
});

function open(kind: PoolKind, tierBytes = 4 * MiB, size = 64 * MiB): Store {
  useKind(kind);
  path = poolPath(kind, 'tier');
  s = Store.open(path, { createSize: size });
  s.setTier(tierBytes);
  return s;
}

const b = (x: string) => Buffer.from(x);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Reads the key until the tier answers it (a pool read, then tier hits); fails if it never does. */
function makeHot(st: Store, key: string): void {
  const before = st.stats().tier.hits;
  for (let i = 0; i < 3; i++) expect(st.getValue(b(key))).not.toBeNull();
  expect(st.stats().tier.hits, `${key} is served from the tier`).toBeGreaterThan(before);
}

function value(st: Store, key: string): string | null {
  return st.getValue(b(key))?.toString() ?? null;
}

describe.each(POOL_KINDS)('DRAM tier coherence (%s)', (kind) => {
  const cases: Array<[string, (st: Store) => void, Record<string, string | null>]> = [
    ['SET over it', (st) => st.set(b('k'), b('new')), { k: 'new' }],
    ['a failed SET NX leaves it', (st) => st.set(b('k'), b('x'), { condition: 'NX' }), { k: 'old' }],
    ['DEL', (st) => st.delete(b('k')), { k: null }],
    ['APPEND', (st) => st.append(b('k'), b('+a')), { k: 'old+a' }],
    ['prepend', (st) => st.append(b('k'), b('p+'), true), { k: 'p+old' }],
    ['SETRANGE', (st) => st.setRange(b('k'), 1, b('XY')), { k: 'oXY' }],
    ['RENAME away', (st) => st.rename(b('k'), b('k2')), { k: null, k2: 'old' }],
    ['RENAME onto it', (st) => st.rename(b('other'), b('k')), { k: 'o', other: null }],
    ['COPY onto it', (st) => st.copy(b('other'), b('k'), true), { k: 'o', other: 'o' }],
    ['MSET', (st) => st.mset([b('k'), b('m1'), b('other'), b('m2')]), { k: 'm1', other: 'm2' }],
    ['DEL of several keys', (st) => st.deleteMany([b('k'), b('other')]), { k: null, other: null }],
    ['FLUSHALL', (st) => st.flushAll(), { k: null, other: null }],
  ];
  it.each(cases)('%s: the next read sees the pool', (_name, write, want) => {
    const st = open(kind);
    st.set(b('k'), b('old'));
    st.set(b('other'), b('o'));
    makeHot(st, 'k');
    makeHot(st, 'other');
    write(st);
    st.barrier();
    for (const [k, v] of Object.entries(want)) expect(value(st, k), k).toBe(v);
  });

  it('SETRANGE and SETBIT made in place within a large value drop the copy', () => {
    const st = open(kind, 8 * MiB);
    const big = Buffer.alloc(300 * 1024, 0x61); // in place on both kinds (256 KiB on msync)
    st.set(b('big'), big);
    makeHot(st, 'big');
    const inplace = st.stats().inplaceWrites;
    st.setRange(b('big'), 10, b('XYZ'));
    expect(st.stats().inplaceWrites).toBe(inplace + 1);
    expect(st.getValue(b('big'))!.subarray(9, 14).toString()).toBe('aXYZa');
    makeHot(st, 'big');
    expect(st.setBit(b('big'), 20, 0x80, false)).toBe(false); // 'a' = 0x61: the top bit is clear
    expect(st.setBit(b('big'), 20, 0x02, false)).toBe(false);
    expect(st.setBit(b('big'), 20, 0x01, false)).toBe(true);
    expect(st.getValue(b('big'))![20]).toBe(0x60);
  });

  it('TOUCH: the copy takes the new expiry and CAS', () => {
    const st = open(kind);
    st.set(b('k'), b('v'));
    makeHot(st, 'k');
    const at = Date.now() + 3_600_000;
    expect(st.touch(b('k'), at)).toBe(true);
    const cas = st.lastWriteCas;
    expect(st.get(b('k'))).toMatchObject({ expireMs: at, cas });
  });

  it('an expired key is never served from the tier, and lazy expiry removes it from the pool', () => {
    const st = open(kind);
    st.set(b('k'), b('v'), { expireMs: Date.now() + 150 });
    makeHot(st, 'k');
    sleep(200);
    const hits = st.stats().tier.hits;
    expect(st.getValue(b('k'))).toBeNull();
    expect(st.stats().tier.hits).toBe(hits);
    expect(st.count()).toBe(0);
  });

  it('active expiry drops the copy with the pool item', () => {
    const st = open(kind);
    st.set(b('k'), b('v'), { expireMs: Date.now() + 100 });
    makeHot(st, 'k');
    const items = st.stats().tier.items;
    sleep(150);
    st.maintenance(1, 10_000);
    st.barrier();
    expect(st.count()).toBe(0);
    expect(st.stats().tier.items).toBe(items - 1);
  });

  it('keys evicted from the pool by maxmemory-policy are gone from the tier too', () => {
    const st = open(kind, 4 * MiB, 64 * MiB);
    st.setEviction('allkeys-random', 2 * MiB);
    const v = Buffer.alloc(2000, 0x62);
    // Each key is read until the tier serves it, while later writes evict keys from the pool.
    for (let i = 0; i < 3000; i++) {
      st.set(b(`fill:${i}`), v);
      for (let r = 0; r < 3; r++) st.getValue(b(`fill:${i}`));
      if (i % 100 === 99) st.barrier();
    }
    st.barrier();
    expect(st.stats().evicted).toBeGreaterThan(1000);
    // The pool's own view (SCAN walks the index): a read through the tier must agree with it.
    const inPool = new Set<string>();
    let cursor = 0;
    do {
      const [next, keys] = st.scan(cursor, 1000);
      for (const k of keys) inPool.add(k.toString());
      cursor = next;
    } while (cursor !== 0);
    let served = 0;
    for (let i = 0; i < 3000; i++) {
      const got = st.getValue(b(`fill:${i}`));
      expect(got !== null, `fill:${i}`).toBe(inPool.has(`fill:${i}`));
      if (got) served++;
    }
    expect(served).toBe(inPool.size);
  });
});

describe('DRAM tier budget and admission', () => {
  it('its bytes never pass the budget, whatever is read', () => {
    const st = open('shm-cacheline', 256 * 1024);
    for (let i = 0; i < 3000; i++) st.set(b(`k:${i}`), Buffer.alloc(50 + (i % 7) * 300, 0x63));
    st.barrier();
    for (let r = 0; r < 20_000; r++) {
      const i = r % 7 === 0 ? r % 50 : (r * 7919) % 3000;
      expect(st.lookup(b(`k:${i}`))).toBeGreaterThan(0);
      if (r % 500 === 0) {
        const t = st.stats().tier;
        expect(t.bytes).toBeLessThanOrEqual(t.budget);
      }
    }
    const t = st.stats().tier;
    expect(t.bytes).toBeLessThanOrEqual(t.budget);
    expect(t.items).toBeGreaterThan(0);
    expect(t.evicted + t.rejected).toBeGreaterThan(0);
    // A smaller budget evicts down to it at once; 0 empties it.
    st.setTier(64 * 1024);
    expect(st.stats().tier.bytes).toBeLessThanOrEqual(64 * 1024);
    st.setTier(0);
    expect(st.stats().tier).toMatchObject({ budget: 0, bytes: 0, items: 0 });
  });

  it('a scan of 200k cold keys read once leaves the hot set served from the tier', () => {
    const st = open('shm-cacheline', 1 * MiB, 128 * MiB);
    const v = Buffer.alloc(100, 0x64);
    for (let i = 0; i < 1000; i++) st.set(b(`hot:${i}`), v);
    for (let i = 0; i < 200_000; i++) {
      st.set(b(`cold:${i}`), v);
      if (i % 1000 === 999) st.barrier();
    }
    st.barrier();
    for (let r = 0; r < 5; r++) for (let i = 0; i < 1000; i++) st.lookup(b(`hot:${i}`));
    let hotReads = 0;
    let hotHits = 0;
    for (let i = 0; i < 200_000; i++) {
      expect(st.lookup(b(`cold:${i}`))).toBe(100);
      if (i % 2 === 0) {
        const before = st.stats().tier.hits;
        st.lookup(b(`hot:${(i / 2) % 1000}`));
        hotReads++;
        hotHits += st.stats().tier.hits - before;
      }
    }
    expect(hotHits / hotReads).toBeGreaterThanOrEqual(0.9);
    expect(st.stats().tier.bytes).toBeLessThanOrEqual(1 * MiB);
  });

  it('is empty after a reopen and fills again by use', () => {
    const st = open('disk-page');
    st.set(b('k'), b('v'));
    makeHot(st, 'k');
    st.close();
    s = Store.open(path, {});
    s.setTier(4 * MiB);
    expect(s.stats().tier).toMatchObject({ items: 0, bytes: 0, hits: 0 });
    makeHot(s, 'k');
    expect(value(s, 'k')).toBe('v');
  });

  it('the pool says whether its file is in DRAM (tmpfs) or not', () => {
    const st = open('shm-cacheline');
    expect(st.stats().poolInDram).toBe(true);
    st.close();
    removePool(path);
    expect(open('disk-page').stats().poolInDram).toBe(false);
  });
});

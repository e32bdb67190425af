// The key index grows by linear hashing (issue #16, native/core/index.h): a pool created with a
// 64-bucket index takes tens of thousands of keys, splitting a batch of buckets after each turn,
// and stays at about 5 keys per bucket; every key reads back through the splits, after reopen
// (O(1): the meta line and the directory) and `check` finds every slot in its home bucket. A SCAN
// that runs across splits returns every key present from its start to its end. A pool whose index
// split is layout version 2, and a damaged split state refuses to open.
import { closeSync, openSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { MiB, POOL_KINDS, poolPath, removePool, useKind, type PoolKind } from './pools.js';

const paths: string[] = [];
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (!s.isClosed) s.close();
  for (const p of paths.splice(0)) removePool(p);
});
function create(kind: PoolKind, indexBuckets = 64): { path: string; s: Store } {
  useKind(kind);
  const path = poolPath(kind, 'isplit');
  paths.push(path);
  const s = Store.open(path, { createSize: 32 * MiB, indexBuckets });
  open.push(s);
  return { path, s };
}
function reopen(path: string): Store {
  const s = Store.open(path);
  open.push(s);
  for (let i = 0; i < 200 && s.stats().rebuild !== 'done'; i++) s.maintenance(1 << 16);
  return s;
}
const key = (i: number) => Buffer.from(`key:${i}:${'k'.repeat(i % 13)}`);
const value = (i: number) => Buffer.from(`value ${i} `.repeat(1 + (i % 5)));

function expectAll(s: Store, n: number): void {
  for (let i = 0; i < n; i++) if (!value(i).equals(s.getValue(key(i)) ?? Buffer.alloc(0))) throw new Error(`key ${i} lost or wrong`);
}

describe.each(POOL_KINDS)('key index splits (%s)', (kind) => {
  it('a 64-bucket index grows with 30,000 keys at ~5 per bucket; every key reads back, after reopen too', () => {
    const { path, s } = create(kind);
    expect(s.stats().indexBuckets).toBe(64);
    expect(Store.info(path).version).toBe(1);
    const n = 30_000;
    for (let i = 0; i < n; i++) {
      s.set(key(i), value(i));
      if (i % 16 === 15) s.barrier(); // a turn: its barrier splits what the turn made due
    }
    s.barrier();
    const st = s.stats();
    expect(st.indexSplits).toBeGreaterThan(5000);
    expect(st.indexBuckets).toBe(64 + st.indexSplits);
    expect(n / st.indexBuckets).toBeLessThanOrEqual(5);
    expect(n / st.indexBuckets).toBeGreaterThan(4.5);
    expectAll(s, n);
    // Deletes and overwrites through the split buckets.
    for (let i = 0; i < n; i += 3) expect(s.delete(key(i))).toBe(true);
    for (let i = 1; i < n; i += 3) s.set(key(i), value(i));
    s.barrier();
    expect(s.count()).toBe(n - Math.ceil(n / 3));
    s.close();

    const report = Store.check(path);
    expect(report.messages).toEqual([]);
    expect(report.buckets).toBe(st.indexBuckets);
    expect(report.items).toBe(n - Math.ceil(n / 3));
    expect(Store.info(path).version).toBe(2); // a build that reads version 1 only must refuse it
    const again = reopen(path);
    expect(again.stats().indexBuckets).toBe(st.indexBuckets);
    expect(again.stats().corruptDropped).toBe(0);
    expect(again.count()).toBe(n - Math.ceil(n / 3));
    for (let i = 0; i < n; i++) {
      const got = again.getValue(key(i));
      if (i % 3 === 0) expect(got).toBeNull();
      else if (!value(i).equals(got ?? Buffer.alloc(0))) throw new Error(`key ${i} lost after reopen`);
    }
    // Splitting goes on from where it was.
    for (let i = n; i < n + 20_000; i++) again.set(key(i), value(i));
    again.barrier();
    expect(again.stats().indexSplits).toBeGreaterThan(0);
  });
});

describe('key index splits and SCAN', () => {
  it('a SCAN across splits returns every key present from its start to its end', () => {
    const { s } = create('shm-cacheline');
    for (let i = 0; i < 2000; i++) s.set(key(i), value(i));
    s.barrier();
    const seen = new Set<string>();
    let cursor = 0;
    let next = 2000;
    let rounds = 0;
    do {
      const [c, keys] = s.scan(cursor, 100);
      for (const k of keys) seen.add(k.toString());
      cursor = c;
      // Between two SCAN calls: more keys, so buckets split under the cursor.
      for (let j = 0; j < 40; j++, next++) s.set(key(next), value(next));
      s.barrier();
      rounds++;
    } while (cursor !== 0 && rounds < 100_000);
    expect(s.stats().indexSplits).toBeGreaterThan(300);
    for (let i = 0; i < 2000; i++) expect(seen.has(key(i).toString()), `key ${i}`).toBe(true);
  });

  it('a damaged split state refuses to open rather than lose keys', () => {
    const { path, s } = create('shm-cacheline');
    for (let i = 0; i < 2000; i++) s.set(key(i), value(i));
    s.close();
    const fd = openSync(path, 'r+');
    const bad = Buffer.alloc(8);
    bad.writeBigUInt64LE(1n << 40n); // nsegs far past the directory
    writeSync(fd, bad, 0, 8, 2560 + 24);
    closeSync(fd);
    useKind('shm-cacheline');
    let code: string | undefined;
    try {
      open.push(Store.open(path));
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('EPOOLINVALID');
  });
});

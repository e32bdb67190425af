// Pool growth (issue #16, docs/growth.md) in the store, on both media: a pool filled to OOM grows
// while open and the write that failed succeeds at once, every old key stays readable (addresses
// never move), the new size survives close and reopen, `check` finds the grown layout sound, a
// grown pool's torn primary header is read from its copy (and repaired), and what cannot be done
// is refused with the size unchanged.
import { closeSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { MiB, POOL_KINDS, poolPath, removePool, useKind, type PoolKind } from './pools.js';

const paths: string[] = [];
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (!s.isClosed) s.close();
  for (const p of paths.splice(0)) removePool(p);
});

function create(kind: PoolKind, size: number, reserveSize?: number): { path: string; s: Store } {
  useKind(kind);
  const path = poolPath(kind, 'growth');
  paths.push(path);
  const s = Store.open(path, { createSize: size, ...(reserveSize ? { reserveSize } : {}) });
  open.push(s);
  return { path, s };
}
function reopen(path: string): Store {
  const s = Store.open(path);
  open.push(s);
  return s;
}

const key = (i: number) => Buffer.from(`key:${i}`);
const value = (i: number) => Buffer.alloc(900 + (i % 200), String.fromCharCode(97 + (i % 26)));

/** SETs keys from.. until the pool is full; returns the first that did not go in. A barrier per
 * 64 writes, as group commit shares one among a batch (an msync per key would take minutes). */
function fillToOom(s: Store, from = 0): number {
  for (let i = from; ; i++) {
    try {
      s.set(key(i), value(i));
      if (i % 64 === 63) s.barrier();
    } catch (e) {
      expect((e as { code?: string }).code).toBe('OOM');
      s.barrier();
      return i;
    }
  }
}

function expectAll(s: Store, n: number, from = 0): void {
  for (let i = from; i < n; i++) if (!value(i).equals(s.getValue(key(i)) ?? Buffer.alloc(0))) throw new Error(`key ${i} lost or wrong`);
}

/** The code of what `fn` throws. */
function thrownCode(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe.each(POOL_KINDS)('pool growth (%s)', (kind) => {
  it('fills 64 MiB to OOM, grows to 256 MiB: the failed write succeeds at once, old keys stay, the size persists', () => {
    const { path, s } = create(kind, 64 * MiB);
    const n = fillToOom(s);
    expect(n).toBeGreaterThan(40_000);
    expect(s.stats().poolGrowths).toBe(0);
    expect(Store.info(path).version).toBe(1); // a pool that never grew keeps the layout older builds read

    s.grow(256 * MiB);
    const st = s.stats();
    expect(st.poolSize).toBe(256 * MiB);
    expect(st.poolGrowths).toBe(1);
    // 192 new pages less the page-table extension's one.
    expect(st.freePages).toBe(191);
    s.set(key(n), value(n));
    s.barrier();
    expectAll(s, n + 1);
    const m = fillToOom(s, n + 1);
    expect(m - n).toBeGreaterThan(3 * n * 0.9); // the new space holds about three times the old
    expectAll(s, m);
    s.close();

    const report = Store.check(path);
    expect(report.messages).toEqual([]);
    const info = Store.info(path);
    expect([info.version, info.poolSize, info.createdSize, info.growths]).toEqual([2, 256 * MiB, 64 * MiB, 1]);
    const again = reopen(path);
    expect(again.stats().poolSize).toBe(256 * MiB);
    expect(again.count()).toBe(m);
    again.maintenance(1 << 20); // the rebuild after open finds every item where the index says
    expectAll(again, m);
    expect(again.stats().corruptDropped).toBe(0);
    // A second growth extends the same page-table extension.
    again.grow(300 * MiB);
    again.set(key(m), value(m));
    again.close();
    expect(Store.check(path).messages).toEqual([]);
    expect(Store.info(path)).toMatchObject({ poolSize: 300 * MiB, growths: 2, createdSize: 64 * MiB });
  });

  it('refuses to shrink, to stay the same size, and to grow past its page table; the size stays', () => {
    const { s } = create(kind, 64 * MiB);
    s.set(key(1), value(1));
    s.barrier();
    expect(thrownCode(() => s.grow(32 * MiB))).toBe('EPOOLINVALID');
    expect(thrownCode(() => s.grow(64 * MiB))).toBe('EPOOLINVALID');
    // Address space reserved by default: a little headroom (the server reserves pool-size-max).
    expect(s.stats().poolMaxSize).toBe(2046 * MiB);
    // A first growth's page-table extension reaches 128 GiB of pages past the created size.
    expect(thrownCode(() => s.grow(200 * 1024 * MiB))).toBe('EPOOLINVALID');
    expect(s.stats()).toMatchObject({ poolSize: 64 * MiB, poolGrowths: 0 });
    // Sizes are whole 2 MiB units: a request rounds up.
    s.grow(65 * MiB);
    expect(s.stats().poolSize).toBe(66 * MiB);
    expectAll(s, 2, 1);
  });

  it('past the reserved address space it extends the reservation in place, or refuses with the size unchanged', () => {
    const { s } = create(kind, 32 * MiB, 64 * MiB);
    expect(s.stats().poolMaxSize).toBe(64 * MiB);
    s.set(key(1), value(1));
    const code = thrownCode(() => s.grow(96 * MiB));
    if (code === undefined) expect(s.stats().poolSize).toBe(96 * MiB);
    else expect([code, s.stats().poolSize]).toEqual(['EPOOLINVALID', 32 * MiB]);
    expectAll(s, 2, 1);
  });
});

describe('preallocate', () => {
  it('allocates the file ahead on a worker thread without changing the pool; a grow to it then succeeds', async () => {
    const { path, s } = create('shm-cacheline', 32 * MiB);
    s.set(key(1), value(1));
    await s.preallocate(96 * MiB);
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(96 * MiB);
    expect(s.stats()).toMatchObject({ poolSize: 32 * MiB, poolGrowths: 0 });
    expectAll(s, 2, 1);
    s.grow(96 * MiB);
    expect(s.stats().poolSize).toBe(96 * MiB);
    expectAll(s, 2, 1);
  });
});

describe('a grown pool header', () => {
  const HDR_CRC_OFF = 1024;
  const COPY_OFF = 3072;
  function grown(): string {
    const { path, s } = create('shm-cacheline', 32 * MiB);
    for (let i = 0; i < 100; i++) s.set(key(i), value(i));
    s.grow(48 * MiB);
    for (let i = 100; i < 200; i++) s.set(key(i), value(i));
    s.close();
    return path;
  }
  const header = (path: string) => readFileSync(path).subarray(0, 4096);
  function scribble(path: string, off: number, n: number): void {
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(n, 0x5a), 0, n, off);
    closeSync(fd);
  }

  it('torn primary (a crash while a growth rewrote it): opens from the copy at the new size and repairs the primary', () => {
    const path = grown();
    const before = Buffer.from(header(path));
    scribble(path, 40, 200); // the size fields and the checksummed bytes after them
    const s = reopen(path);
    expect(s.stats().poolSize).toBe(48 * MiB);
    expectAll(s, 200);
    s.close();
    const after = header(path);
    expect(after.subarray(0, HDR_CRC_OFF + 4).equals(before.subarray(0, HDR_CRC_OFF + 4))).toBe(true);
    expect(Store.check(path).messages).toEqual([]);
  });

  it('torn copy with a whole primary: the primary decides', () => {
    const path = grown();
    scribble(path, COPY_OFF + 16, 300);
    const s = reopen(path);
    expect(s.stats().poolSize).toBe(48 * MiB);
    expectAll(s, 200);
  });

  it('both copies damaged: refused as a damaged header, never opened at a guessed size', () => {
    const path = grown();
    scribble(path, 40, 8);
    scribble(path, COPY_OFF + 40, 8);
    useKind('shm-cacheline');
    expect(thrownCode(() => reopen(path))).toBe('EPOOLCHECKSUM');
    // The file is as it was: nothing was written to it.
    const fd = openSync(path, 'r');
    const b = Buffer.alloc(8);
    readSync(fd, b, 0, 8, 40);
    closeSync(fd);
    expect(b.equals(Buffer.alloc(8, 0x5a))).toBe(true);
  });
});

describe('index reporting', () => {
  it('counts the key index overflow buckets as check finds them, live and after reopen (rebuild marks them)', () => {
    const { path, s } = create('shm-cacheline', 16 * MiB);
    const st0 = s.stats();
    expect(st0.indexBuckets).toBe(16384);
    expect(st0.indexOverflowBuckets).toBe(0);
    // More keys than home slots (16384 x 7): chains must grow past their home buckets.
    const n = 140_000;
    for (let i = 0; i < n; i++) {
      s.set(Buffer.from(`k${i}`), Buffer.from('v'));
      if (i % 256 === 255) s.barrier();
    }
    // The index splits as keys pass 5 per bucket; let it catch up (close's barrier would split more).
    for (let k = 0, before = -1; k < 100 && before !== s.stats().indexSplits; k++) {
      before = s.stats().indexSplits;
      s.maintenance(1 << 10);
    }
    expect(s.stats().indexSplits).toBeGreaterThan(0);
    const live = s.stats().indexOverflowBuckets;
    expect(live).toBeGreaterThan(1000);
    s.close();
    const report = Store.check(path);
    expect(report.messages).toEqual([]);
    expect(report.overflowBuckets).toBe(live);
    const again = reopen(path);
    for (let i = 0; i < 100 && again.stats().rebuild !== 'done'; i++) again.maintenance(1 << 16);
    expect(again.stats().rebuild).toBe('done');
    expect(again.stats().indexOverflowBuckets).toBe(live);
    expect(again.count()).toBe(n);
  });
});

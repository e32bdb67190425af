// Unit tests of every store operation and its edges, in both granularities.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Store, StoreError } from '../../src/store/store.js';
import { POOL_KINDS, poolPath, removePool, useKind, MiB } from './pools.js';

const b = (s: string) => Buffer.from(s, 'latin1');

for (const kind of POOL_KINDS) {
  describe(`store operations (${kind})`, () => {
    let path: string;
    let s: Store;
    beforeEach(() => {
      useKind(kind);
      path = poolPath(kind, 'ops');
      s = Store.open(path, { createSize: 160 * MiB });
    });
    afterEach(() => {
      if (!s.isClosed) s.close();
      removePool(path);
    });

    it('getRange copies only the bytes asked for, cut at the value\'s end', () => {
      s.set(b('r'), b('0123456789'), { flags: 3 });
      expect(s.getRange(b('missing'), 0, 5)).toBeNull();
      expect(s.getRange(b('r'), 2, 3)).toEqual(b('234'));
      expect(s.lastLength).toBe(10);
      expect(s.lastFlags).toBe(3);
      expect(s.getRange(b('r'), 8, 100)).toEqual(b('89'));
      expect(s.getRange(b('r'), 10, 1)).toEqual(b(''));
      expect(s.getRange(b('r'), 1e12, 1)).toEqual(b(''));
      expect(s.getRange(b('r'), 0, 0)).toEqual(b(''));
      const big = Buffer.alloc(3 * MiB, 1);
      big[2 * MiB + 5] = 9;
      s.set(b('big'), big);
      expect(s.getRange(b('big'), 2 * MiB + 5, 2)).toEqual(Buffer.from([9, 1]));
    });

    it('lookup + copyFoundValue copy a value into a caller buffer; any other call invalidates the lookup', () => {
      s.set(b('v'), b('hello'), { flags: 7 });
      expect(s.lookup(b('missing'))).toBe(-1);
      expect(s.lookup(b('v'))).toBe(5);
      expect(s.lastFlags).toBe(7);
      const dst = Buffer.alloc(8, '.');
      s.copyFoundValue(dst, 2);
      expect(dst.toString()).toBe('..hello.');
      // No room at that position: refused, nothing written.
      expect(() => s.copyFoundValue(dst, 4)).toThrow(RangeError);
      // Another call in between (here a write that replaces the item) ends the lookup's validity.
      expect(s.lookup(b('v'))).toBe(5);
      s.set(b('v'), b('other'));
      expect(() => s.copyFoundValue(dst, 0)).toThrow(/must directly follow/);
      expect(s.lookup(b('missing'))).toBe(-1);
      expect(() => s.copyFoundValue(dst, 0)).toThrow(/must directly follow/);
    });

    it('reports the granularity it was opened with', () => {
      expect(s.stats().granularity).toBe(kind === 'shm-cacheline' ? 'cache_line' : 'page');
      expect(s.stats().created).toBe(true);
    });

    it('get/set/delete/exists with flags, expiry and increasing CAS', () => {
      expect(s.get(b('a'))).toBeNull();
      expect(s.set(b('a'), b('1'), { flags: 0xfffffff0, expireMs: Date.now() + 60_000 })).toBe('stored');
      const c1 = s.lastWriteCas;
      const e = s.get(b('a'))!;
      expect(e.value.toString()).toBe('1');
      expect(e.flags).toBe(0xfffffff0);
      expect(e.expireMs).toBeGreaterThan(Date.now());
      expect(e.cas).toBe(c1);
      s.set(b('a'), b('2'));
      expect(s.lastWriteCas).toBeGreaterThan(c1);
      expect(s.get(b('a'))!.flags).toBe(0);
      expect(s.exists(b('a'))).toBe(true);
      expect(s.delete(b('a'))).toBe(true);
      expect(s.delete(b('a'))).toBe(false);
      expect(s.exists(b('a'))).toBe(false);
      expect(s.count()).toBe(0);
    });

    it('empty value, binary keys and values with CR LF and NUL', () => {
      s.set(b(''), b(''));
      expect(s.get(b(''))!.value.length).toBe(0);
      const k = Buffer.from([0, 13, 10, 255, 0, 32]);
      const v = Buffer.from([13, 10, 0, 0, 13, 10, 1]);
      s.set(k, v);
      expect(s.get(k)!.value.equals(v)).toBe(true);
      expect(s.get(Buffer.from([0, 13, 10, 255, 0]))).toBeNull();
      expect(s.count()).toBe(2);
    });

    it('64 KiB key and 64 MiB value', () => {
      const key = Buffer.alloc(64 * 1024, 'k');
      const val = Buffer.alloc(64 * MiB);
      for (let i = 0; i < val.length; i += 4096) val.writeUInt32LE(i, i);
      expect(s.set(key, val)).toBe('stored');
      const got = s.get(key)!;
      expect(got.value.length).toBe(64 * MiB);
      expect(got.value.equals(val)).toBe(true);
      expect(s.delete(key)).toBe(true);
      s.barrier();
      // the run of pages is free again: another 64 MiB value fits
      expect(s.set(b('big2'), val)).toBe('stored');
    });

    it('NX / XX / KEEPTTL / keepFlags', () => {
      expect(s.set(b('k'), b('v'), { condition: 'XX' })).toBe('not_found');
      expect(s.set(b('k'), b('v'), { condition: 'NX', expireMs: Date.now() + 100_000, flags: 7 })).toBe('stored');
      expect(s.set(b('k'), b('w'), { condition: 'NX' })).toBe('exists');
      const exp = s.get(b('k'))!.expireMs;
      expect(s.set(b('k'), b('x'), { condition: 'XX', keepTtl: true, keepFlags: true })).toBe('stored');
      const e = s.get(b('k'))!;
      expect(e.value.toString()).toBe('x');
      expect(e.expireMs).toBe(exp);
      expect(e.flags).toBe(7);
      s.set(b('k'), b('y'));
      expect(s.get(b('k'))!.expireMs).toBe(0);
    });

    it('CAS compare: match stores, mismatch and missing refuse', () => {
      s.set(b('c'), b('1'));
      const cas = s.get(b('c'))!.cas;
      expect(s.set(b('c'), b('2'), { cas: cas + 1 })).toBe('cas_mismatch');
      expect(s.set(b('c'), b('2'), { cas })).toBe('stored');
      expect(s.set(b('c'), b('3'), { cas })).toBe('cas_mismatch');
      expect(s.set(b('nope'), b('3'), { cas })).toBe('not_found');
    });

    it('expired keys are absent and counted', () => {
      s.set(b('e'), b('1'), { expireMs: Date.now() - 1 });
      expect(s.get(b('e'))).toBeNull();
      expect(s.count()).toBe(0);
      expect(s.stats().expiredRemoved).toBe(1);
      s.set(b('t'), b('1'));
      expect(s.touch(b('t'), Date.now() + 50_000)).toBe(true);
      expect(s.get(b('t'))!.expireMs).toBeGreaterThan(Date.now());
      expect(s.touch(b('t'), 0)).toBe(true);
      expect(s.get(b('t'))!.expireMs).toBe(0);
      expect(s.touch(b('missing'), 5)).toBe(false);
    });

    it('append / prepend / setRange', () => {
      expect(s.append(b('a'), b('x'))).toBeNull();
      s.set(b('a'), b('mid'), { flags: 9 });
      expect(s.append(b('a'), b('-end'))).toBe(7);
      expect(s.append(b('a'), b('start-'), true)).toBe(13);
      expect(s.get(b('a'))!.value.toString()).toBe('start-mid-end');
      expect(s.get(b('a'))!.flags).toBe(9);
      expect(s.setRange(b('r'), 0, b(''))).toBe(0);
      expect(s.exists(b('r'))).toBe(false);
      expect(s.setRange(b('r'), 3, b('ab'))).toBe(5);
      expect([...s.get(b('r'))!.value]).toEqual([0, 0, 0, 97, 98]);
      s.set(b('h'), b('Hello World'));
      expect(s.setRange(b('h'), 6, b('Redis'))).toBe(11);
      expect(s.get(b('h'))!.value.toString()).toBe('Hello Redis');
    });

    it('rename / copy / mset / msetnx / deleteMany', () => {
      s.set(b('src'), b('v'), { expireMs: Date.now() + 100_000 });
      expect(s.rename(b('nope'), b('x'))).toBe('not_found');
      expect(s.rename(b('src'), b('dst'))).toBe('ok');
      expect(s.get(b('src'))).toBeNull();
      expect(s.get(b('dst'))!.expireMs).toBeGreaterThan(0);
      s.set(b('other'), b('o'));
      expect(s.rename(b('dst'), b('other'), true)).toBe('exists');
      expect(s.rename(b('dst'), b('other'))).toBe('ok');
      expect(s.get(b('other'))!.value.toString()).toBe('v');
      expect(s.count()).toBe(1);
      expect(s.copy(b('other'), b('c2'))).toBe('ok');
      expect(s.copy(b('other'), b('c2'))).toBe('exists');
      expect(s.copy(b('other'), b('c2'), true)).toBe('ok');
      expect(s.mset([b('m1'), b('1'), b('m2'), b('2'), b('m1'), b('3')])).toBe(true);
      expect(s.get(b('m1'))!.value.toString()).toBe('3');
      expect(s.mset([b('m3'), b('x'), b('m2'), b('y')], true)).toBe(false);
      expect(s.exists(b('m3'))).toBe(false);
      expect(s.mset([b('m3'), b('x'), b('m4'), b('y')], true)).toBe(true);
      expect(s.count()).toBe(6);
      expect(s.deleteMany([b('m1'), b('m2'), b('zz'), b('m1')])).toBe(2);
      expect(s.count()).toBe(4);
    });

    it('scan visits every key present throughout, even with inserts during the scan', () => {
      const before = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        s.set(b(`k${i}`), b('v'));
        before.add(`k${i}`);
      }
      const seen = new Set<string>();
      let cursor = 0;
      let round = 0;
      do {
        const [next, keys] = s.scan(cursor, 50);
        for (const k of keys) seen.add(k.toString());
        for (let j = 0; j < 20; j++) s.set(b(`new${round}-${j}`), b('v'));
        cursor = next;
        round++;
      } while (cursor !== 0 && round < 100_000);
      for (const k of before) expect(seen.has(k)).toBe(true);
      expect(s.count()).toBe(5000 + round * 20);
    });

    it('flushAll removes everything at once and memory comes back', () => {
      for (let i = 0; i < 2000; i++) s.set(b(`k${i}`), Buffer.alloc(500));
      s.barrier();
      const used = s.stats().usedBytes;
      s.flushAll();
      expect(s.count()).toBe(0);
      expect(s.get(b('k1'))).toBeNull();
      s.set(b('after'), b('1'));
      expect(s.get(b('after'))!.value.toString()).toBe('1');
      let guard = 0;
      while (s.maintenance(4096) && guard++ < 10_000);
      expect(s.stats().usedBytes).toBeLessThan(used / 10);
      expect(s.count()).toBe(1);
    });

    it('pool full gives OOM without damage, and deletes make room again', () => {
      const val = Buffer.alloc(100 * 1024, 1);
      let stored = 0;
      let err: unknown;
      for (let i = 0; i < 100_000; i++) {
        try {
          s.set(b(`fill${i}`), val);
          stored++;
        } catch (e) {
          err = e;
          break;
        }
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('OOM');
      expect(stored).toBeGreaterThan(100);
      expect(s.count()).toBe(stored);
      expect(s.get(b('fill0'))!.value.equals(val)).toBe(true);
      expect(s.get(b(`fill${stored - 1}`))!.value.equals(val)).toBe(true);
      for (let i = 0; i < 10; i++) s.delete(b(`fill${i}`));
      expect(s.set(b('again'), val)).toBe('stored');
      expect(() => s.mset([b('x1'), val, b('x2'), val, b('x3'), Buffer.alloc(8 * MiB)])).toThrowError(expect.objectContaining({ code: 'OOM' }));
      expect(s.exists(b('x1'))).toBe(false);
    });

    it('randomKey returns an existing key', () => {
      expect(s.randomKey()).toBeNull();
      for (let i = 0; i < 10; i++) s.set(b(`r${i}`), b('v'));
      for (let i = 0; i < 20; i++) expect(s.randomKey()!.toString()).toMatch(/^r\d$/);
    });

    it('reopen after close: everything is there, count exact, CAS keeps increasing', () => {
      s.set(b('x'), b('1'), { flags: 42, expireMs: Date.now() + 3_600_000 });
      s.set(b('gone'), b('1'), { expireMs: Date.now() + 1 });
      const cas = s.lastWriteCas;
      s.close();
      s = Store.open(path);
      const st = s.stats();
      expect(st.openedClean).toBe(true);
      expect(st.created).toBe(false);
      expect(s.get(b('x'))!.flags).toBe(42);
      s.set(b('y'), b('2'));
      expect(s.lastWriteCas).toBeGreaterThan(cas);
      // a second writer would corrupt the pool: refused while this one has it open
      expect(() => Store.open(path)).toThrowError(expect.objectContaining({ code: 'EPOOLBUSY' }));
    });
  });
}

describe('pool creation', () => {
  it('rounds an odd size up to whole 2 MiB and opens it', () => {
    useKind('shm-cacheline');
    const path = poolPath('shm-cacheline', 'odd');
    try {
      const s = Store.open(path, { createSize: 20 * MiB + 12345 });
      expect(s.stats().poolSize).toBe(22 * MiB);
      s.close();
      expect(Store.info(path).poolSize).toBe(22 * MiB);
    } finally {
      removePool(path);
    }
  });

  it('refuses a size below the minimum', () => {
    const path = poolPath('shm-cacheline', 'small');
    expect(() => Store.open(path, { createSize: 1 * MiB })).toThrowError(expect.objectContaining({ code: 'EPOOLINVALID' }));
    removePool(path);
  });
});

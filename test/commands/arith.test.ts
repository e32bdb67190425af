// The integer arithmetic of each protocol, in its own family over a real store: Redis INCRBY
// (string2ll, int64 overflow, TTL kept) and memcached incr/decr (u64 wrap, floor at 0, flags kept).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Store } from '../../src/store/store.js';
import { incrByValue } from '../../src/commands/redis/strings.js';
import { addDelta } from '../../src/commands/memcache/arith.js';
import { poolPath, removePool, useKind, MiB } from '../store/pools.js';

const b = (s: string) => Buffer.from(s);
let s: Store;
let path = '';
beforeEach(() => {
  useKind('shm-cacheline');
  path = poolPath('shm-cacheline', 'arith');
  s = Store.open(path, { createSize: 32 * MiB });
});
afterEach(() => {
  s.close();
  removePool(path);
});

describe('Redis INCRBY (strings family)', () => {
  it('int64 rules, overflow, non-integers; keeps TTL and flags', () => {
    expect(incrByValue(s, b('n'), 5n)).toBe(5n);
    expect(incrByValue(s, b('n'), -7n)).toBe(-2n);
    s.set(b('max'), b('9223372036854775807'));
    expect(incrByValue(s, b('max'), 1n)).toBe('overflow');
    expect(s.getValue(b('max'))!.toString()).toBe('9223372036854775807');
    for (const bad of ['1.5', ' 1', '01', '+1', '', 'abc', '99999999999999999999']) {
      s.set(b('bad'), b(bad));
      expect(incrByValue(s, b('bad'), 1n), bad).toBe('not_integer');
    }
    s.set(b('ttl'), b('1'), { expireMs: Date.now() + 100_000, flags: 7 });
    expect(incrByValue(s, b('ttl'), 1n)).toBe(2n);
    expect(s.get(b('ttl'))!.expireMs).toBeGreaterThan(0);
    expect(s.get(b('ttl'))!.flags).toBe(7);
  });
});

describe('memcached incr/decr (memcached family)', () => {
  it('u64 wrap, decr floor at 0, absent and non-numeric values; keeps flags', () => {
    s.set(b('u'), b('18446744073709551615'), { flags: 3 });
    expect(addDelta(s, b('u'), 2n, false)).toBe(1n);
    expect(s.get(b('u'))!.flags).toBe(3);
    expect(addDelta(s, b('u'), 5n, true)).toBe(0n);
    expect(addDelta(s, b('absent'), 1n, false)).toBeNull();
    s.set(b('nn'), b('x1'));
    expect(addDelta(s, b('nn'), 1n, false)).toBe('non_numeric');
    s.set(b('pad'), b('10  ')); // memcached pads values shrunk by decr with spaces
    expect(addDelta(s, b('pad'), 1n, false)).toBe(11n);
  });
});

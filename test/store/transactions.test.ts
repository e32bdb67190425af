// Store transactions (what EXEC runs in): the bound from the intent log, no barrier inside, writes
// that find the pool full fail alone, and room made by eviction before the transaction starts.
// Crash atomicity itself is checked by the crash-image harness ('exec' ops) and test/server/multi.
import { afterEach, describe, expect, it } from 'vitest';
import { Store, StoreError, ATOMIC_BUCKETS_PER_KEY, ATOMIC_BUCKETS_PER_WRITE } from '../../src/store/store.js';
import { MiB, poolPath, removePool, useKind, POOL_KINDS } from './pools.js';

let path = '';
let s: Store | undefined;
afterEach(() => {
  if (s && !s.isClosed) s.close();
  removePool(path);
});

const b = (x: string) => Buffer.from(x);
const PER_WRITE = ATOMIC_BUCKETS_PER_WRITE + ATOMIC_BUCKETS_PER_KEY;

describe.each(POOL_KINDS)('store transactions (%s)', (kind) => {
  function open(size = 64 * MiB): Store {
    useKind(kind);
    path = poolPath(kind, 'tx');
    s = Store.open(path, { createSize: size });
    return s;
  }

  it('the bound is the intent log: 1 MiB on a 64 MiB pool, 128 bytes an entry, less one op margin', () => {
    const st = open();
    expect(st.atomicCapacity).toBe(Math.floor((1 * MiB - 64) / 128) - 64);
    let ran = false;
    expect(st.atomically(st.atomicCapacity + 1, 0, () => (ran = true))).toBe(false);
    expect(ran).toBe(false);
    expect(st.atomically(st.atomicCapacity, 0, () => (ran = true))).toBe(true);
    expect(ran).toBe(true);
  });

  it('runs no barrier inside; the next barrier commits every write', () => {
    const st = open();
    const before = st.stats().barriers;
    const n = Math.floor(st.atomicCapacity / PER_WRITE);
    expect(st.atomically(n * PER_WRITE, n * 200, () => {
      for (let i = 0; i < n; i++) st.set(b(`k${i}`), b(`v${i}`));
      st.barrier(); // as SAVE inside an EXEC would: deferred to the end
      expect(st.stats().barriers).toBe(before);
    })).toBe(true);
    st.barrier();
    expect(st.stats().barriers).toBe(before + 1);
    for (let i = 0; i < n; i++) expect(st.getValue(b(`k${i}`))).toEqual(b(`v${i}`));
  });

  it('inside, a write that finds the pool full fails alone (noeviction)', () => {
    const st = open();
    const big = Buffer.alloc(512 * 1024, 7);
    let filled = 0;
    try {
      for (;; filled++) st.set(b(`fill${filled}`), big);
    } catch (e) {
      expect((e as StoreError).code).toBe('OOM');
    }
    expect(filled).toBeGreaterThan(10);
    st.barrier();
    const outcome: string[] = [];
    st.atomically(2 * PER_WRITE, big.length, () => {
      st.delete(b('fill0'));
      try {
        st.set(b('new'), big); // the chunk fill0 frees is reusable only after a barrier
        outcome.push('stored');
      } catch (e) {
        outcome.push((e as StoreError).code);
      }
    });
    st.barrier();
    expect(outcome).toEqual(['OOM']);
    expect(st.exists(b('fill0'))).toBe(false);
    expect(st.exists(b('new'))).toBe(false);
  });

  it('with an eviction policy, room for the transaction is made before it starts', () => {
    const st = open();
    st.setEviction('allkeys-lru');
    const big = Buffer.alloc(512 * 1024, 7);
    for (let i = 0; i < 400; i++) st.set(b(`fill${i}`), big); // evicts as it goes
    st.barrier();
    const outcome: string[] = [];
    st.atomically(4 * PER_WRITE, 4 * (big.length + 1024), () => {
      for (let i = 0; i < 4; i++) {
        try {
          st.set(b(`tx${i}`), big);
          outcome.push('stored');
        } catch (e) {
          outcome.push((e as StoreError).code);
        }
      }
    });
    st.barrier();
    expect(outcome).toEqual(['stored', 'stored', 'stored', 'stored']);
    for (let i = 0; i < 4; i++) expect(st.exists(b(`tx${i}`))).toBe(true);
  });
});

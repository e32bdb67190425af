// The DRAM order of large sorted sets (native/core/ztree.h, a counted B+tree) against a model:
// random streams of adds, score changes and removals on sets of a few to several thousand members
// (splits, merges, redistribution, the root growing and shrinking), with many tied scores so order
// falls to the member bytes, every rank, span and slice compared with a sorted array, and the
// tree's own invariants (exact first entries, counts, fill, depth) checked after each step.
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { Store } from '../../src/store/store.js';
import { poolPath, removePool, useKind, MiB } from './pools.js';

let path = '';
let s: Store | undefined;
afterEach(() => {
  if (s && !s.isClosed) s.close();
  removePool(path);
});

function open(): Store {
  useKind('shm-cacheline');
  path = poolPath('shm-cacheline', 'zorder');
  s = Store.open(path, { createSize: 64 * MiB });
  return s;
}

const cmpBytes = (a: Buffer, b: Buffer) => Buffer.compare(a, b);
type Entry = { m: Buffer; sc: number };
const sorted = (model: Map<string, number>): Entry[] =>
  [...model]
    .map(([m, sc]) => ({ m: Buffer.from(m, 'latin1'), sc }))
    .sort((x, y) => (x.sc !== y.sc ? x.sc - y.sc : cmpBytes(x.m, y.m)));

const key = Buffer.from('z');

/** Compares ranks, score spans and a few slices with the model's order. */
function compare(st: Store, model: Map<string, number>, pick: () => number): void {
  const order = sorted(model);
  expect(st.zsets.size(key)).toBe(order.length);
  const all = st.zsets.slice(key, 0, order.length + 1);
  expect(all.members.map((m) => m.toString('latin1'))).toEqual(order.map((e) => e.m.toString('latin1')));
  expect(all.scores).toEqual(order.map((e) => e.sc));
  for (let i = 0; i < 8 && order.length; i++) {
    const r = pick() % order.length;
    expect(st.zsets.rank(key, order[r]!.m)).toBe(r);
    const lo = order[r]!.sc;
    const hi = order[pick() % order.length]!.sc;
    const minEx = pick() % 2 === 0;
    const maxEx = pick() % 2 === 0;
    const start = order.filter((e) => e.sc < lo || (minEx && e.sc === lo)).length;
    const end = Math.max(start, order.filter((e) => e.sc < hi || (!maxEx && e.sc === hi)).length);
    expect(st.zsets.spanByScore(key, { min: lo, max: hi, minEx, maxEx })).toEqual([start, end]);
    const a = pick() % (order.length + 1);
    const b = a + (pick() % 100);
    const part = st.zsets.slice(key, a, b);
    expect(part.members.map((m) => m.toString('latin1'))).toEqual(order.slice(a, b).map((e) => e.m.toString('latin1')));
  }
  expect(st.zsets.checkOrder()).toBeNull();
}

describe('sorted set order trees', () => {
  it('agree with a sorted model through random adds, score changes and removals', () => {
    const st = open();
    const op = fc.record({
      kind: fc.constantFrom('add', 'add', 'add', 'rem', 'rem', 'bulkrem'),
      n: fc.integer({ min: 1, max: 400 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops) => {
        st.flushAll();
        const model = new Map<string, number>();
        for (const o of ops) {
          let x = o.seed;
          const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
          // ~3000 distinct members, scores from a small set (ties) or wide
          const member = () => `m${next() % 3000}${'x'.repeat(next() % 3)}`;
          const score = () => (next() % 3 === 0 ? next() % 5 : (next() % 100000) / 7);
          if (o.kind === 'add') {
            const ms: Buffer[] = [];
            const ss: number[] = [];
            const batch = new Map<string, number>();
            for (let i = 0; i < o.n * 3; i++) batch.set(member(), score());
            for (const [m, sc] of batch) {
              ms.push(Buffer.from(m, 'latin1'));
              ss.push(sc);
              model.set(m, sc);
            }
            st.zsets.putScores(key, ms, ss);
          } else {
            const present = [...model.keys()];
            const take = o.kind === 'bulkrem' ? Math.min(present.length, o.n * 8) : Math.min(present.length, o.n);
            const gone = new Set<string>();
            for (let i = 0; i < take; i++) gone.add(present[next() % present.length]!);
            for (const m of gone) model.delete(m);
            if (gone.size) st.zsets.delete(key, [...gone].map((m) => Buffer.from(m, 'latin1')));
          }
          if (model.size) compare(st, model, next);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a tree built from the pool after a restart equals the one kept in step before it', () => {
    let st = open();
    const model = new Map<string, number>();
    const ms: Buffer[] = [];
    const ss: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const m = `member:${(i * 7919) % 20000}`;
      const sc = i % 10; // ten scores: order within a score is by member
      model.set(m, sc);
      ms.push(Buffer.from(m));
      ss.push(sc);
    }
    for (let i = 0; i < ms.length; i += 1000) st.zsets.putScores(key, ms.slice(i, i + 1000), ss.slice(i, i + 1000));
    let r = 1;
    const pick = () => (r = (Math.imul(r, 48271) + 11) >>> 0);
    compare(st, model, pick); // kept in step from the first ordered read
    st.close();
    st = s = Store.open(path, {});
    const builds = st.stats().zsetOrderBuilds;
    compare(st, model, pick); // built in one pass from the pool
    expect(st.stats().zsetOrderBuilds).toBe(builds + 1);
    // ~21 bytes per member at the usual fill of 64-entry leaves, far under the 64 of a node per member
    expect(st.stats().zsetOrderBytes).toBeLessThan(20000 * 32);
    expect(st.stats().zsetOrderBytes).toBeGreaterThan(20000 * 16);
  });
});

// Hashes and sets are crash-consistent at every instant: a seeded workload of HSET/HDEL/SADD/SREM
// (crossing the packed bound, so conversions, table splits and directory growth happen), DEL and
// RENAME on a crash-simulation pool takes an image at every few persist events (flush or drain);
// every image must pass `check` (structure, elements, count = elements), open, and hold for every
// key exactly the state before or after the op that was running when the image was taken, with
// the count matching the elements. One op per barrier, so each op is one step.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { crashDir } from '../harness/crash/proc.js';
import { Rng } from '../harness/crash/rng.js';

const dir = mkdtempSync(join(crashDir('daxcache-map-crash'), 't-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HASHES = ['h0', 'h1'];
const SETS = ['s0'];
const KEYS = [...HASHES, ...SETS];
const kb = (s: string): Buffer => Buffer.from(s, 'latin1');

type State = Map<string, Map<string, string>>; // key -> field -> value

function canon(m: Map<string, string> | undefined): string {
  if (!m || m.size === 0) return '-';
  return JSON.stringify([...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function clone(s: State): State {
  return new Map([...s].map(([k, m]) => [k, new Map(m)]));
}

/** What the store holds under key: canonical content, and whether its count matches it. */
function read(store: Store, key: string): { c: string; countOk: boolean } {
  const info = store.keyInfo(kb(key));
  if (info === null) return { c: '-', countOk: true };
  const maps = info.kind === 1 ? store.hashes : store.sets;
  const all = maps.all(kb(key), true);
  const m = new Map<string, string>();
  for (let i = 0; i < all.length; i += 2) m.set(all[i]!.toString('latin1'), all[i + 1]!.toString('latin1'));
  return { c: canon(m), countOk: maps.size(kb(key)) === m.size && info.count === m.size };
}

function value(rng: Rng, i: number): string {
  const len = rng.chance(0.1) ? rng.range(65, 120) : rng.range(0, 40); // > 64 bytes: no longer packed
  return `v${i}:`.padEnd(len, String.fromCharCode(97 + (i % 26)));
}

function runCampaign(mode: 'sim-adr' | 'sim-page', seed: number, ops: number): { images: number; large: number } {
  const rng = new Rng(seed);
  const pool = join(dir, `${mode}-${seed}.pool`);
  const prefix = `${pool}-`;
  const store = Store.open(pool, { createSize: 16 << 20, mode, seed, imagePrefix: prefix, imageEvery: 5, writeback: 0.3 });
  let state: State = new Map();
  let images = 0;
  let large = 0;
  for (let i = 0; i < ops; i++) {
    const before = clone(state);
    const op = rng.weighted({ hset: 30, hbulk: 4, hupd: 6, hdel: 14, sadd: 14, sbulk: 2, srem: 8, del: 2, rename: 2 });
    const hk = rng.pick(HASHES);
    const m = state.get(hk) ?? new Map<string, string>();
    const sm = state.get('s0') ?? new Map<string, string>();
    switch (op) {
      case 'hset':
      case 'hbulk': {
        const n = op === 'hbulk' ? rng.range(40, 160) : rng.range(1, 3);
        const fv: Buffer[] = [];
        for (let j = 0; j < n; j++) {
          const f = `f${rng.range(0, 700)}`;
          const v = value(rng, i);
          fv.push(kb(f), kb(v));
          m.set(f, v);
        }
        store.hashes.put(kb(hk), fv);
        state.set(hk, m);
        break;
      }
      case 'hupd': {
        // New values for fields already there, in one write: all of them after a crash, or none
        // (they sit in different buckets: the write must still be one log step).
        const fields = [...m.keys()];
        if (fields.length < 2) break;
        const fv: Buffer[] = [];
        for (let j = 0; j < rng.range(2, 4); j++) {
          const f = rng.pick(fields);
          const v = `u${i}:${j}`;
          fv.push(kb(f), kb(v));
          m.set(f, v);
        }
        store.hashes.put(kb(hk), fv);
        state.set(hk, m);
        break;
      }
      case 'hdel': {
        const fields = [...m.keys()];
        const del = Array.from({ length: rng.range(1, 3) }, () => (fields.length && rng.chance(0.9) ? rng.pick(fields) : `f${rng.range(0, 700)}`));
        store.hashes.delete(kb(hk), del.map(kb));
        for (const f of del) m.delete(f);
        state.set(hk, m);
        break;
      }
      case 'sadd':
      case 'sbulk': {
        const n = op === 'sbulk' ? rng.range(100, 600) : rng.range(1, 4);
        const members = Array.from({ length: n }, () => (rng.chance(0.7) ? String(rng.range(0, 2000)) : `m${rng.range(0, 500)}`));
        store.sets.put(kb('s0'), members.flatMap((x) => [kb(x), Buffer.alloc(0)]));
        for (const x of members) sm.set(x, '');
        state.set('s0', sm);
        break;
      }
      case 'srem': {
        const members = [...sm.keys()];
        const del = Array.from({ length: rng.range(1, 5) }, () => (members.length ? rng.pick(members) : '0'));
        store.sets.delete(kb('s0'), del.map(kb));
        for (const x of del) sm.delete(x);
        state.set('s0', sm);
        break;
      }
      case 'del': {
        const k = rng.pick(KEYS);
        store.delete(kb(k));
        state.delete(k);
        break;
      }
      case 'rename': {
        const [src, dst] = rng.chance(0.5) ? ['h0', 'h1'] : ['h1', 'h0'];
        if (state.get(src)?.size) {
          store.rename(kb(src), kb(dst));
          state.set(dst, state.get(src)!);
          state.delete(src);
        }
        break;
      }
    }
    for (const [k, mm] of state) if (mm.size === 0) state.delete(k);
    store.barrier();
    if (rng.chance(0.1)) store.maintenance(64); // background frees of deleted collections
    for (const k of KEYS) if (store.keyInfo(kb(k))?.large) large++;
    // The images taken since the last op's were checked: during this op or its barrier.
    const imgs = readdirSync(dir).filter((f) => f.startsWith(`${mode}-${seed}.pool-`) && f.endsWith('.img'));
    for (const f of imgs) {
      const path = join(dir, f);
      const report = Store.check(path);
      expect(report.messages, `${f} after op ${i} ${op}`).toEqual([]);
      const img = Store.open(path);
      img.maintenance(1 << 16); // the rebuild must find nothing damaged either
      for (const k of KEYS) {
        const got = read(img, k);
        const allowed = [canon(before.get(k)), canon(state.get(k))];
        expect(allowed, `${f}: key ${k} after op ${i} ${op}`).toContain(got.c);
        expect(got.countOk, `${f}: key ${k} count`).toBe(true);
      }
      expect(img.stats().corruptDropped, f).toBe(0);
      img.close();
      rmSync(path);
      images++;
    }
  }
  // The live store itself, then a clean reopen.
  for (const k of KEYS) expect(read(store, k).c).toBe(canon(state.get(k)));
  store.close();
  const again = Store.open(pool);
  for (const k of KEYS) expect(read(again, k)).toEqual({ c: canon(state.get(k)), countOk: true });
  again.close();
  expect(Store.check(pool).problems).toBe(0);
  return { images, large };
}

describe('hashes and sets in crash images', () => {
  it.each([
    ['sim-adr', 11],
    ['sim-adr', 12],
    ['sim-page', 13],
  ] as const)('%s seed %d: every image holds each key before or after the running op, count matching', (mode, seed) => {
    const { images, large } = runCampaign(mode, seed, 220);
    expect(images).toBeGreaterThan(50); // the campaign really crashed, often
    expect(large).toBeGreaterThan(0); // and inside large collections, not only packed ones
  }, 240_000);
});

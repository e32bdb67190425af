// Lists and sorted sets are crash-consistent at every instant: a seeded workload of end pushes
// (1-3 values, and bulks of 50-300 so a list spans many ~4 KiB nodes, with values now and then
// larger than a node), pops (one or many), LSET, LINSERT, LREM, LTRIM, LMOVE between two lists and
// onto the same list, DEL and RENAME, and of ZADD (small and bulk, crossing the packed bound by
// count and by member length, and new scores for several present members), ZREM and
// ZPOPMIN/ZPOPMAX, on a crash-simulation pool takes an image at every few persist events (flush or
// drain). Every image must pass `check`, open (and rebuild with nothing damaged), and hold for
// every key exactly the state before or after the op that was running when the image was taken —
// a list's elements in order, a sorted set's members and scores in order — with the count matching
// the elements; the keys together are all before or all after (LMOVE and RENAME change two keys in
// one crash-atomic step). One op per barrier, so each op is one step. A JS model with Redis's
// semantics gives the states.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kind, Store } from '../../src/store/store.js';
import { crashDir } from '../harness/crash/proc.js';
import { Rng } from '../harness/crash/rng.js';

const dir = mkdtempSync(join(crashDir('daxcache-list-crash'), 't-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LISTS = ['l0', 'l1'];
const ZSET = 'z0';
const KEYS = [...LISTS, ZSET];
const kb = (s: string): Buffer => Buffer.from(s, 'latin1');
const str = (b: Buffer): string => b.toString('latin1');

interface State {
  lists: Map<string, string[]>; // key -> elements, head first; an empty list is absent
  z: Map<string, number>; // member -> score; empty = absent
}

function clone(s: State): State {
  return { lists: new Map([...s.lists].map(([k, a]) => [k, [...a]])), z: new Map(s.z) };
}

/** Redis's order of a sorted set: score, then member bytes (latin1 strings compare as bytes). */
function zorder(z: Map<string, number>): Array<[string, number]> {
  return [...z].sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A key's canonical state in the model: '-' when absent. */
function canon(s: State, key: string): string {
  if (key === ZSET) return s.z.size ? JSON.stringify(zorder(s.z).map(([m, v]) => [m, String(v)])) : '-';
  const a = s.lists.get(key);
  return a && a.length ? JSON.stringify(a) : '-';
}

/** What the store holds under key, canonical as in the model, and whether its counts agree with it. */
function read(store: Store, key: string): { c: string; countOk: boolean } {
  const info = store.keyInfo(kb(key));
  if (info === null) return { c: '-', countOk: true };
  if (key === ZSET) {
    if (info.kind !== Kind.Zset) return { c: `kind ${info.kind}`, countOk: false };
    const { members, scores } = store.zsets.slice(kb(key), 0, info.count + 1); // one past: nothing more is there
    const c = JSON.stringify(members.map((m, i) => [str(m), String(scores[i])]));
    // The unordered view (the map's scan) holds the same members and scores as the ordered one.
    const all = store.zsets.all(kb(key), true);
    const byScan = new Map<string, number>();
    for (let i = 0; i < all.length; i += 2) byScan.set(str(all[i]!), all[i + 1]!.readDoubleLE(0));
    const scanOk = byScan.size === members.length && members.every((m, i) => Object.is(byScan.get(str(m)), scores[i]));
    return { c, countOk: scanOk && members.length === info.count && store.zsets.size(kb(key)) === info.count };
  }
  if (info.kind !== Kind.List) return { c: `kind ${info.kind}`, countOk: false };
  const a = store.lists.range(kb(key), 0, -1).map(str);
  const ends = a.length > 0 && str(store.lists.index(kb(key), 0)!) === a[0] && str(store.lists.index(kb(key), -1)!) === a[a.length - 1];
  return { c: JSON.stringify(a), countOk: ends && info.count === a.length && store.lists.length(kb(key)) === a.length };
}

const SHORT = 40; // short values repeat (LREM and LINSERT find matches), a few are unique

function value(rng: Rng, i: number, rareBig: number): string {
  const r = rng.float();
  if (r < rareBig) return `B${i}:`.padEnd(rng.range(5000, 9000), String.fromCharCode(97 + (i % 26))); // larger than a node
  if (r < rareBig + 0.1) return `M${i}:`.padEnd(rng.range(200, 600), String.fromCharCode(65 + (i % 26)));
  return rng.chance(0.7) ? `v${rng.range(0, SHORT)}` : `u${i}.${rng.range(0, 999)}`;
}

function score(rng: Rng): number {
  const r = rng.float();
  if (r < 0.02) return rng.chance(0.5) ? Infinity : -Infinity;
  if (r < 0.3) return rng.range(-400, 400) / 4;
  return rng.range(-30, 30); // ties: the member bytes order them
}

function member(rng: Rng): string {
  if (rng.chance(0.04)) return `long${rng.range(0, 20)}:`.padEnd(rng.range(65, 100), 'x'); // > 64 bytes: no longer packed
  return rng.chance(0.6) ? `m${rng.range(0, 600)}` : String(rng.range(0, 300));
}

/** Redis's index rule: a negative one counts from the end; null when out of range. */
function at(len: number, idx: number): number | null {
  const i = idx < 0 ? idx + len : idx;
  return i >= 0 && i < len ? i : null;
}

/** LTRIM's range after Redis's clamping, or null when nothing is kept. */
function trimRange(len: number, start: number, stop: number): [number, number] | null {
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return null;
  if (stop >= len) stop = len - 1;
  return [start, stop];
}

interface Outcome {
  images: number;
  maxLen: number;
  zLarge: number;
}

function runCampaign(mode: 'sim-adr' | 'sim-page', seed: number, ops: number): Outcome {
  const rng = new Rng(seed);
  const pool = join(dir, `${mode}-${seed}.pool`);
  const prefix = `${pool}-`;
  // 32 MiB, not the map test's 16: list nodes, values past a node and zset elements use many slab
  // classes, each holding a 1 MiB page; 16 MiB runs out of pages (OOM) on some seeds.
  const store = Store.open(pool, { createSize: 32 << 20, mode, seed, imagePrefix: prefix, imageEvery: 5, writeback: 0.3 });
  const state: State = { lists: new Map(), z: new Map() };
  let images = 0;
  let maxLen = 0;
  let zLarge = 0;
  const L = store.lists;
  const Z = store.zsets;
  for (let i = 0; i < ops; i++) {
    const before = clone(state);
    const op = rng.weighted({
      push: 20, pbulk: 7, pop: 12, lset: 6, linsert: 5, lrem: 5, ltrim: 3, lmove: 8, del: 2, rename: 2,
      zadd: 12, zbulk: 2, zupd: 6, zrem: 6, zpop: 4,
    });
    const lk = rng.pick(LISTS);
    const a = state.lists.get(lk) ?? [];
    const what = `op ${i} ${op} ${lk}`;
    switch (op) {
      case 'push':
      case 'pbulk': {
        const left = rng.chance(0.5);
        const xx = op === 'push' && rng.chance(0.1);
        const n = op === 'pbulk' ? rng.range(50, 300) : rng.range(1, 3);
        const vals = Array.from({ length: n }, () => value(rng, i, op === 'pbulk' ? 0.005 : 0.02));
        const len = L.push(kb(lk), left, vals.map(kb), xx);
        if (xx && a.length === 0) {
          expect(len, what).toBe(0);
          break;
        }
        if (left) a.unshift(...vals.reverse());
        else a.push(...vals);
        state.lists.set(lk, a);
        expect(len, what).toBe(a.length);
        break;
      }
      case 'pop': {
        const left = rng.chance(0.5);
        const count = rng.chance(0.25) ? rng.range(5, 40) : 1;
        const got = L.pop(kb(lk), left, count);
        if (a.length === 0) {
          expect(got, what).toBeNull();
          break;
        }
        const m = Math.min(count, a.length);
        const want = left ? a.splice(0, m) : a.splice(a.length - m, m).reverse();
        expect(got?.map(str), what).toEqual(want);
        break;
      }
      case 'lset': {
        const idx = a.length && rng.chance(0.9) ? rng.range(-a.length, a.length - 1) : rng.range(a.length, a.length + 3);
        const v = value(rng, i, 0.03);
        const r = L.set(kb(lk), idx, kb(v));
        const j = at(a.length, idx);
        expect(r, what).toBe(a.length === 0 ? 'no-key' : j === null ? 'out-of-range' : 'ok');
        if (j !== null) a[j] = v;
        break;
      }
      case 'linsert': {
        const ahead = rng.chance(0.5);
        const pivot = a.length && rng.chance(0.85) ? rng.pick(a) : `v${rng.range(SHORT + 1, SHORT + 9)}`;
        const v = value(rng, i, 0.03);
        const r = L.insert(kb(lk), ahead, kb(pivot), kb(v));
        const j = a.indexOf(pivot);
        if (a.length && j >= 0) a.splice(ahead ? j : j + 1, 0, v);
        expect(r, what).toBe(a.length === 0 ? 0 : j < 0 ? -1 : a.length);
        break;
      }
      case 'lrem': {
        const count = rng.pick([0, 1, 2, 5, -1, -2, -5]);
        const v = a.length && rng.chance(0.8) ? rng.pick(a) : `v${rng.range(0, SHORT)}`;
        const r = L.remove(kb(lk), count, kb(v));
        let left = count === 0 ? Infinity : Math.abs(count);
        let removed = 0;
        if (count >= 0) {
          for (let j = 0; j < a.length && left > 0; )
            if (a[j] === v) {
              a.splice(j, 1);
              left--;
              removed++;
            } else j++;
        } else {
          for (let j = a.length - 1; j >= 0 && left > 0; j--)
            if (a[j] === v) {
              a.splice(j, 1);
              left--;
              removed++;
            }
        }
        expect(r, what).toBe(removed);
        break;
      }
      case 'ltrim': {
        let start: number;
        let stop: number;
        if (rng.chance(0.9)) {
          // A little off each end, in either index form.
          start = rng.chance(0.5) ? rng.range(0, 4) : -a.length + rng.range(0, 4) - rng.range(0, 2);
          stop = rng.chance(0.5) ? -1 - rng.range(0, 4) : a.length - 1 - rng.range(-2, 4);
        } else {
          start = rng.range(-a.length - 5, a.length + 5);
          stop = rng.range(-a.length - 5, a.length + 5);
        }
        L.trim(kb(lk), start, stop);
        const r = trimRange(a.length, start, stop);
        const kept = r ? a.slice(r[0], r[1] + 1) : [];
        a.splice(0, a.length, ...kept);
        break;
      }
      case 'lmove': {
        const rotate = rng.chance(0.25);
        const src = lk;
        const dst = rotate ? lk : LISTS.find((k) => k !== lk)!;
        const fromLeft = rng.chance(0.5);
        const toLeft = rng.chance(0.5);
        const got = L.move(kb(src), kb(dst), fromLeft, toLeft);
        if (a.length === 0) {
          expect(got, `${what} -> ${dst}`).toBeNull();
          break;
        }
        const v = fromLeft ? a.shift()! : a.pop()!;
        if (a.length === 0) state.lists.delete(src);
        const d = state.lists.get(dst) ?? [];
        if (toLeft) d.unshift(v);
        else d.push(v);
        state.lists.set(dst, d);
        expect(got && str(got), `${what} -> ${dst}`).toBe(v);
        break;
      }
      case 'del': {
        const k = rng.pick(KEYS);
        const had = k === ZSET ? state.z.size > 0 : (state.lists.get(k)?.length ?? 0) > 0;
        expect(store.delete(kb(k)), `${what}: DEL ${k}`).toBe(had);
        if (k === ZSET) state.z.clear();
        else state.lists.delete(k);
        break;
      }
      case 'rename': {
        const [src, dst] = rng.chance(0.5) ? ['l0', 'l1'] : ['l1', 'l0'];
        if (state.lists.get(src)?.length) {
          expect(store.rename(kb(src), kb(dst)), what).toBe('ok');
          state.lists.set(dst, state.lists.get(src)!);
          state.lists.delete(src);
        }
        break;
      }
      case 'zadd':
      case 'zbulk': {
        const n = op === 'zbulk' ? rng.range(150, 300) : rng.range(1, 3);
        const ms: string[] = [];
        const ss: number[] = [];
        for (let j = 0; j < n; j++) {
          ms.push(member(rng));
          ss.push(score(rng));
        }
        Z.putScores(kb(ZSET), ms.map(kb), ss);
        ms.forEach((m, j) => state.z.set(m, ss[j]!)); // a member given twice: the last score
        break;
      }
      case 'zupd': {
        // New scores for members already there (a leaderboard's ZADD): several elements of the
        // large form change in one write, all or none.
        const present = [...state.z.keys()];
        if (present.length === 0) break;
        const ms = [...new Set(Array.from({ length: rng.range(2, 4) }, () => rng.pick(present)))];
        const ss = ms.map(() => score(rng));
        expect(Z.putScores(kb(ZSET), ms.map(kb), ss), `${what}: ZADD of present members`).toBe(0);
        ms.forEach((m, j) => state.z.set(m, ss[j]!));
        break;
      }
      case 'zrem': {
        const present = [...state.z.keys()];
        const del = [
          ...new Set(Array.from({ length: rng.range(1, 4) }, () => (present.length && rng.chance(0.85) ? rng.pick(present) : member(rng)))),
        ];
        const want = del.filter((m) => state.z.has(m)).length;
        expect(Z.delete(kb(ZSET), del.map(kb)), `${what}: ZREM`).toBe(want);
        for (const m of del) state.z.delete(m);
        break;
      }
      case 'zpop': {
        // ZPOPMIN/ZPOPMAX as the command does it: the ranks' members read, then removed in one write.
        const min = rng.chance(0.6);
        const count = rng.chance(0.7) ? 1 : rng.range(2, 12);
        const len = Z.size(kb(ZSET));
        expect(len, what).toBe(state.z.size);
        const n = Math.min(count, len);
        if (n === 0) break;
        const r = min ? Z.slice(kb(ZSET), 0, n) : Z.slice(kb(ZSET), len - n, len);
        const order = zorder(state.z);
        const want = min ? order.slice(0, n) : order.slice(len - n);
        expect(r.members.map((m, j) => [str(m), r.scores[j]]), `${what}: ZPOP${min ? 'MIN' : 'MAX'} ${count}`).toEqual(want);
        Z.delete(kb(ZSET), r.members);
        for (const [m] of want) state.z.delete(m);
        break;
      }
    }
    for (const [k, l] of state.lists) if (l.length === 0) state.lists.delete(k);
    store.barrier();
    if (rng.chance(0.1)) store.maintenance(64); // background frees of deleted lists' nodes and maps
    for (const k of LISTS) maxLen = Math.max(maxLen, state.lists.get(k)?.length ?? 0);
    if (store.keyInfo(kb(ZSET))?.large) zLarge++;
    // The images taken since the last op's were checked: during this op, its barrier or the
    // maintenance after it.
    const imgs = readdirSync(dir).filter((f) => f.startsWith(`${mode}-${seed}.pool-`) && f.endsWith('.img'));
    const beforeKeys = KEYS.map((k) => canon(before, k));
    const afterKeys = KEYS.map((k) => canon(state, k));
    for (const f of imgs) {
      const path = join(dir, f);
      const report = Store.check(path);
      expect(report.messages, `${f} after ${what}`).toEqual([]);
      const img = Store.open(path);
      img.maintenance(1 << 16); // the rebuild must find nothing damaged either
      const got = KEYS.map((k) => read(img, k));
      KEYS.forEach((k, j) => {
        expect([beforeKeys[j], afterKeys[j]], `${f}: key ${k} after ${what}`).toContain(got[j]!.c);
        expect(got[j]!.countOk, `${f}: key ${k} count after ${what}`).toBe(true);
      });
      // All keys from one side: a two-key op (LMOVE, RENAME) is one crash-atomic step.
      const side = got.every((g, j) => g.c === beforeKeys[j]) || got.every((g, j) => g.c === afterKeys[j]);
      expect(side, `${f}: keys not all before or all after ${what}`).toBe(true);
      expect(img.stats().corruptDropped, f).toBe(0);
      img.close();
      rmSync(path);
      images++;
    }
  }
  // The differential check on the live store: each list's LRANGE 0 -1 and the sorted set's
  // members and scores in order are the model's.
  for (const k of LISTS) expect(L.range(kb(k), 0, -1).map(str), `live ${k}`).toEqual(state.lists.get(k) ?? []);
  const live = Z.slice(kb(ZSET), 0, state.z.size + 1);
  expect(live.members.map((m, j) => [str(m), live.scores[j]]), 'live z0').toEqual(zorder(state.z));
  for (const k of KEYS) expect(read(store, k), `live ${k}`).toEqual({ c: canon(state, k), countOk: true });
  store.close();
  // Then a clean reopen.
  const again = Store.open(pool);
  for (const k of KEYS) expect(read(again, k), `reopened ${k}`).toEqual({ c: canon(state, k), countOk: true });
  again.close();
  expect(Store.check(pool).problems).toBe(0);
  return { images, maxLen, zLarge };
}

describe('lists and sorted sets in crash images', () => {
  it.each([
    ['sim-adr', 21],
    ['sim-adr', 22],
    ['sim-page', 23],
  ] as const)('%s seed %d: every image holds each key before or after the running op, count matching', (mode, seed) => {
    const { images, maxLen, zLarge } = runCampaign(mode, seed, 220);
    expect(images).toBeGreaterThan(50); // the campaign really crashed, often
    expect(maxLen).toBeGreaterThan(400); // inside lists of many nodes, not only one
    expect(zLarge).toBeGreaterThan(0); // and inside a large sorted set, not only a packed one
  }, 240_000);
});

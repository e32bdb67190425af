// The collection load of the kill -9 soak: lists, hashes, sets and sorted sets written by a RESP
// load client beside its strings, each write with the exact reply it must get (coll-model.ts holds
// the model). The commands are chosen to cross the store's paths: packed -> large conversions (the
// soak lowers the *-max-listpack-* / set-max-intset-entries settings, and some values are longer
// than the packed value limits), list nodes filling (20-60 values of up to 300 bytes, rarely ~5000),
// pops and removals that empty a key (an emptied collection does not exist), intset widths (16,
// 32 and 64-bit members), LMOVE between two lists (one op on both keys) or rotating one. SPOP is
// not sent: an unacknowledged SPOP's effect is unknown. Random choices that depend on the state
// (an index, an existing field) are made when the command is built and kept as constants, so an
// op is a pure function of the state and replays the same.
import type { Rng } from '../crash/rng.js';
import type { Cmd } from './cmd.js';
import { CollModel, textOf, zsorted, type Content, type Expect, type GroupState, type Op } from './coll-model.js';
import { resp } from './conn.js';

export { CollModel, observedCanon, readCommands, type CollKind } from './coll-model.js';

/** `serve` settings that make packed -> large conversions frequent under the soak's sizes. */
export const COLLECTION_SERVER_ARGS = [
  '--hash-max-listpack-entries', '16',
  '--set-max-intset-entries', '32',
  '--set-max-listpack-entries', '16',
  '--zset-max-listpack-entries', '16',
];

/** The collection keys of one RESP load client. */
export interface CollGroups {
  /** Two lists: LMOVE moves between them (or rotates one). */
  lists: CollModel;
  hashes: CollModel[];
  /** sets[0] holds integers (intset), rarely a string; sets[1] strings and integers. */
  sets: CollModel[];
  zsets: CollModel[];
  all: CollModel[];
}

export function collectionGroups(prefix: string): CollGroups {
  const lists = new CollModel(`${prefix}:L0+L1`, 'list', [`${prefix}:L0`, `${prefix}:L1`]);
  const hashes = [0, 1].map((i) => new CollModel(`${prefix}:H${i}`, 'hash', [`${prefix}:H${i}`]));
  const sets = [0, 1].map((i) => new CollModel(`${prefix}:S${i}`, 'set', [`${prefix}:S${i}`]));
  const zsets = [0, 1].map((i) => new CollModel(`${prefix}:Z${i}`, 'zset', [`${prefix}:Z${i}`]));
  return { lists, hashes, sets, zsets, all: [lists, ...hashes, ...sets, ...zsets] };
}

const ok: Expect = { type: '+', value: 'OK' };
const int = (n: number): Expect => ({ type: ':', value: String(n) });
const bulk = (v: string | null): Expect => ({ type: '$', value: v });
const arr = (v: string[] | null): Expect => ({ type: '*', value: v === null ? null : JSON.stringify(v) });

/** Key k's content in st, created empty if absent (apply() makes an emptied key absent again). */
function list(st: GroupState, k: number): string[] {
  return (st[k] ??= []) as string[];
}
function hash(st: GroupState): Map<string, string> {
  return (st[0] ??= new Map<string, string>()) as Map<string, string>;
}
function set(st: GroupState): Set<string> {
  return (st[0] ??= new Set<string>()) as Set<string>;
}
function zset(st: GroupState): Map<string, number> {
  return (st[0] ??= new Map<string, number>()) as Map<string, number>;
}

function command(g: CollModel, args: string[], op: Op): Cmd {
  const { index, expect } = g.push(args, op);
  // The text is only needed for a failure report: built then.
  return { data: resp(...args), expect, writes: [{ key: g, index }], get text() { return textOf(args); }, type: g.kind };
}

/** DEL of key k of the group. */
function del(g: CollModel, k: number): Cmd {
  return command(g, ['DEL', g.keys[k]!], (st) => {
    const had = st[k] !== null;
    st[k] = null;
    return int(had ? 1 : 0);
  });
}

/** A value of `len` bytes that starts with `tag` (which names its write and position). */
function filler(tag: string, len: number, seq: number): string {
  return tag.length >= len ? tag : tag + String.fromCharCode(97 + (seq % 26)).repeat(len - tag.length);
}

/** A list value: 5-300 bytes, 1 in 100 about 5000 (larger than a node's ~4 KiB). */
function listValue(rng: Rng, seq: number, j: number): string {
  return filler(`${seq}.${j}:`, rng.chance(0.01) ? rng.range(4800, 5200) : rng.range(5, 300), seq);
}

/** n distinct strings from gen (bounded tries: fewer when gen's range is small). */
function distinct(n: number, gen: () => string): string[] {
  const out = new Set<string>();
  for (let t = 0; out.size < n && t < n * 20; t++) out.add(gen());
  return [...out];
}

/** A random member of a (live) collection, or undefined when it is empty; no copy of the collection. */
function anyOf(rng: Rng, c: Content | null): string | undefined {
  if (c === null || Array.isArray(c) || c.size === 0) return undefined;
  let i = rng.int(c.size);
  for (const k of c.keys()) if (i-- === 0) return k;
  return undefined;
}

/** LTRIM's kept range (ltrimCommand): empty when nothing is left. */
function trimmed(l: string[], start: number, stop: number): string[] {
  const len = l.length;
  let s = start < 0 ? len + start : start;
  let e = stop < 0 ? len + stop : stop;
  if (s < 0) s = 0;
  if (s > e || s >= len) return [];
  if (e >= len) e = len - 1;
  return l.slice(s, e + 1);
}

function listCommand(rng: Rng, g: CollModel, seq: number): Cmd {
  const k = rng.int(2);
  const key = g.keys[k]!;
  const len = (g.live[k] as string[] | null)?.length ?? 0;
  let r = rng.float();
  // A long list mostly shrinks (trim or a counted pop), so node chains come and go.
  if (len > 400) r = rng.chance(0.5) ? 0.7 : 0.4;
  if (r < 0.35 || (r >= 0.55 && r < 0.65 && len === 0)) {
    const left = rng.chance(0.5);
    const vals = Array.from({ length: rng.chance(0.1) ? rng.range(20, 60) : rng.range(1, 3) }, (_v, j) => listValue(rng, seq, j));
    return command(g, [left ? 'LPUSH' : 'RPUSH', key, ...vals], (st) => {
      const l = list(st, k);
      if (left) for (const v of vals) l.unshift(v);
      else l.push(...vals);
      return int(l.length);
    });
  }
  if (r < 0.55) {
    const left = rng.chance(0.5);
    const name = left ? 'LPOP' : 'RPOP';
    if (rng.chance(0.6) && len <= 400) {
      return command(g, [name, key], (st) => {
        const l = list(st, k);
        return bulk((left ? l.shift() : l.pop()) ?? null);
      });
    }
    const count = len > 400 ? rng.range(20, 60) : rng.range(1, 5);
    return command(g, [name, key, String(count)], (st) => {
      const l = list(st, k);
      if (l.length === 0) return arr(null);
      const c = Math.min(count, l.length);
      // RPOP with a count replies from the tail inwards.
      const popped = left ? l.splice(0, c) : l.splice(l.length - c, c).reverse();
      return arr(popped);
    });
  }
  if (r < 0.65) {
    const i = rng.range(-len, len - 1);
    const v = listValue(rng, seq, 0);
    return command(g, ['LSET', key, String(i), v], (st) => {
      const l = list(st, k);
      l[i < 0 ? l.length + i : i] = v;
      return ok;
    });
  }
  if (r < 0.75) {
    const start = len > 400 ? 0 : rng.chance(0.8) ? rng.range(0, 3) : -rng.range(1, len + 2);
    const stop = len > 400 ? rng.range(50, 200) : rng.chance(0.7) ? -rng.range(1, 4) : rng.range(0, len + 2);
    return command(g, ['LTRIM', key, String(start), String(stop)], (st) => {
      st[k] = trimmed(list(st, k), start, stop);
      return ok;
    });
  }
  if (r < 0.97) {
    // Between the pair (one write on both keys) or, 1 in 5, a rotation of one list.
    const d = rng.chance(0.2) ? k : 1 - k;
    const fromLeft = rng.chance(0.5);
    const toLeft = rng.chance(0.5);
    return command(g, ['LMOVE', key, g.keys[d]!, fromLeft ? 'LEFT' : 'RIGHT', toLeft ? 'LEFT' : 'RIGHT'], (st) => {
      const v = fromLeft ? list(st, k).shift() : list(st, k).pop();
      if (v === undefined) return bulk(null);
      if (toLeft) list(st, d).unshift(v);
      else list(st, d).push(v);
      return bulk(v);
    });
  }
  return del(g, k);
}

function hashCommand(rng: Rng, g: CollModel, seq: number): Cmd {
  const key = g.keys[0]!;
  const live = g.live[0] as Map<string, string> | null;
  const n0 = live?.size ?? 0;
  let r = rng.float();
  if (n0 > 250) r = rng.chance(0.8) ? 0.5 : 0.99;
  if (r < 0.45) {
    // f* fields hold strings (1 in 20 longer than hash-max-listpack-value); c* fields are HINCRBY's.
    const fields = distinct(rng.chance(0.08) ? rng.range(100, 200) : rng.range(1, 4), () => `f${rng.int(400)}`);
    const pairs = fields.map((f) => [f, rng.chance(0.05) ? filler(`${seq}:`, rng.range(65, 120), seq) : `v${seq}`] as const);
    return command(g, ['HSET', key, ...pairs.flat()], (st) => {
      const h = hash(st);
      let added = 0;
      for (const [f, v] of pairs) {
        if (!h.has(f)) added++;
        h.set(f, v);
      }
      return int(added);
    });
  }
  if (r < 0.7) {
    const fields = distinct(n0 > 250 ? rng.range(20, 60) : rng.range(1, 3), () => (rng.chance(0.7) && anyOf(rng, live)) || `f${rng.int(400)}`);
    return command(g, ['HDEL', key, ...fields], (st) => {
      const h = hash(st);
      let removed = 0;
      for (const f of fields) if (h.delete(f)) removed++;
      return int(removed);
    });
  }
  if (r < 0.95) {
    const f = `c${rng.int(4)}`;
    const by = rng.range(-5, 20);
    return command(g, ['HINCRBY', key, f, String(by)], (st) => {
      const h = hash(st);
      const v = Number(h.get(f) ?? 0) + by;
      h.set(f, String(v));
      return int(v);
    });
  }
  return del(g, 0);
}

/** Integer members of all intset widths (16, 32, 64 bit). */
const WIDE = ['70000', '-70000', '5000000000', '-5000000000', '9223372036854775807', '-9223372036854775808'];

function setMember(rng: Rng, ints: boolean, seq: number): string {
  if (ints ? rng.chance(0.02) : rng.chance(0.5)) {
    // A string member (in the integer set it turns the intset into a listpack or hashtable).
    return rng.chance(0.05) ? filler(`s${rng.int(50)}:`, rng.range(65, 100), seq % 3) : `s${rng.int(300)}`;
  }
  return rng.chance(0.05) ? rng.pick(WIDE) : String(rng.range(-300, 300));
}

function setCommand(rng: Rng, g: CollModel, ints: boolean, seq: number): Cmd {
  const key = g.keys[0]!;
  const live = g.live[0] as Set<string> | null;
  const n0 = live?.size ?? 0;
  let r = rng.float();
  if (n0 > 200) r = rng.chance(0.8) ? 0.6 : 0.99;
  if (r < 0.5) {
    const members = distinct(rng.chance(0.08) ? rng.range(30, 80) : rng.range(1, 4), () => setMember(rng, ints, seq));
    return command(g, ['SADD', key, ...members], (st) => {
      const s = set(st);
      const before = s.size;
      for (const m of members) s.add(m);
      return int(s.size - before);
    });
  }
  if (r < 0.97) {
    const members = distinct(n0 > 200 ? rng.range(30, 60) : rng.range(1, 3), () => (rng.chance(0.7) && anyOf(rng, live)) || setMember(rng, ints, seq));
    return command(g, ['SREM', key, ...members], (st) => {
      const s = set(st);
      let removed = 0;
      for (const m of members) if (s.delete(m)) removed++;
      return int(removed);
    });
  }
  return del(g, 0);
}

/** Scores: integers and halves in [-200, 200], exact in binary and formatted alike by Redis and JS. */
const score = (rng: Rng): number => rng.range(-200, 200) / (rng.chance(0.3) ? 2 : 1);
const zMember = (rng: Rng, seq: number): string =>
  rng.chance(0.05) ? filler(`m${rng.int(40)}:`, rng.range(65, 100), seq % 2) : `m${rng.int(250)}`;

/** The `count` lowest members in Redis order (a scan per member when few, else a sort). */
function lowest(z: Map<string, number>, count: number): Array<[string, number]> {
  if (count > 4) return zsorted(z).slice(0, count);
  const out: Array<[string, number]> = [];
  const taken = new Set<string>();
  for (let i = 0; i < count; i++) {
    let best: [string, number] | undefined;
    for (const e of z) {
      if (taken.has(e[0])) continue;
      if (!best || e[1] < best[1] || (e[1] === best[1] && e[0] < best[0])) best = e;
    }
    if (!best) break;
    taken.add(best[0]);
    out.push(best);
  }
  return out;
}

function zsetCommand(rng: Rng, g: CollModel, seq: number): Cmd {
  const key = g.keys[0]!;
  const live = g.live[0] as Map<string, number> | null;
  const n0 = live?.size ?? 0;
  let r = rng.float();
  if (n0 > 200) r = rng.chance(0.8) ? 0.85 : 0.99;
  const member = (pExisting: number): string => (rng.chance(pExisting) && anyOf(rng, live)) || zMember(rng, seq);
  if (r < 0.4) {
    // New members and updated scores; with CH the reply counts changed scores too.
    const members = distinct(rng.chance(0.08) ? rng.range(30, 60) : rng.range(1, 4), () => member(0.4));
    const ch = rng.chance(0.2);
    const pairs = members.map((m) => [score(rng), m] as const);
    return command(g, ['ZADD', key, ...(ch ? ['CH'] : []), ...pairs.flatMap(([s, m]) => [String(s), m])], (st) => {
      const z = zset(st);
      let added = 0;
      let changed = 0;
      for (const [s, m] of pairs) {
        const old = z.get(m);
        if (old === undefined) added++;
        else if (old !== s) changed++;
        z.set(m, s);
      }
      return int(ch ? added + changed : added);
    });
  }
  if (r < 0.55) {
    const members = distinct(rng.range(1, 3), () => member(0.7));
    return command(g, ['ZREM', key, ...members], (st) => {
      const z = zset(st);
      let removed = 0;
      for (const m of members) if (z.delete(m)) removed++;
      return int(removed);
    });
  }
  if (r < 0.8) {
    const m = member(0.7);
    const by = rng.range(-10, 10) / 2;
    return command(g, ['ZINCRBY', key, String(by), m], (st) => {
      const z = zset(st);
      const s = (z.get(m) ?? 0) + by;
      z.set(m, s);
      return bulk(String(s));
    });
  }
  if (r < 0.97) {
    // ZPOPMIN removes the lowest members: deterministic given the state.
    const count = n0 > 200 ? rng.range(30, 60) : rng.chance(0.5) ? 1 : rng.range(1, 4);
    const args = count === 1 && rng.chance(0.5) ? ['ZPOPMIN', key] : ['ZPOPMIN', key, String(count)];
    return command(g, args, (st) => {
      const z = zset(st);
      const popped = lowest(z, count);
      for (const [m] of popped) z.delete(m);
      return arr(popped.flatMap(([m, s]) => [m, String(s)]));
    });
  }
  return del(g, 0);
}

/** One write on one of the client's collection keys. */
export function collectionCommand(rng: Rng, groups: CollGroups, seq: number): Cmd {
  switch (rng.weighted({ list: 30, hash: 25, set: 20, zset: 25 })) {
    case 'list':
      return listCommand(rng, groups.lists, seq);
    case 'hash':
      return hashCommand(rng, rng.pick(groups.hashes), seq);
    case 'set': {
      const i = rng.int(2);
      return setCommand(rng, groups.sets[i]!, i === 0, seq);
    }
    case 'zset':
      return zsetCommand(rng, rng.pick(groups.zsets), seq);
  }
}

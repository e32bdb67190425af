// A seeded randomized workload against a crash-simulation pool. Ops run in turns; after each turn's
// barrier() the turn is acknowledged in the trace. Every op is first written to the trace with the
// state it leaves (predicted by the model), then run; its outcome must match the prediction (a
// mismatch is a store bug found without any crash), except "pool full", which is recorded as a
// failed op without effect.
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Store, StoreError } from '../../../src/store/store.js';
import { parseInt64, inInt64 } from '../../../src/store/numeric.js';
import { incrByValue } from '../../../src/commands/redis/strings.js';
import { Model, fpOf, type Cell } from './model.js';
import { Rng } from './rng.js';
import { TraceWriter, type Effect, type WorkloadSpec } from './trace.js';
import { fingerprint, makeValue } from './values.js';

/** Every key the workload may write (short, long, binary, empty, counters). */
export const KEYS: readonly string[] = [
  ...Array.from({ length: 36 }, (_, i) => `k${i}`),
  ...Array.from({ length: 6 }, (_, i) => `c${i}`),
  ...Array.from({ length: 3 }, (_, i) => `long${i}:${'x'.repeat(60 + 200 * i)}`),
  'bin\u0000\u00ff\u0001key',
  '',
];
const COUNTERS = KEYS.filter((k) => k.startsWith('c'));

const HOUR = 3_600_000;

export interface SimKnobs {
  imagePrefix?: string;
  imageEvery?: number;
  crashAtDrain?: number;
  crashAtFlush?: number;
  writeback?: number;
}

export interface FlowControl {
  /** Pause after a turn while more than this many crash images wait to be checked (bounds disk use). */
  maxPendingImages?: number;
}

export interface WorkloadSummary {
  ops: number;
  fails: number;
  turns: number;
  /** SETBIT/SETRANGE writes the store made in place (Store::patch_range). */
  inplace: number;
  events: number;
  flushes: number;
  drains: number;
}

interface Planned {
  op: string;
  args: string;
  expect: string; // the outcome if the op succeeds
  fx: Array<[string, Cell | null]>;
  atomic?: boolean;
  run: () => string;
}

const kb = (k: string): Buffer => Buffer.from(k, 'latin1');

export class Workload {
  private readonly rng: Rng;
  private readonly model = new Model();
  private seq = 0;
  private fails = 0;
  private turns = 0;

  constructor(
    private readonly store: Store,
    private readonly spec: WorkloadSpec,
    private readonly trace: TraceWriter,
    private readonly flow: FlowControl & { imagePrefix?: string } = {},
  ) {
    this.rng = new Rng(spec.seed);
  }

  private events(): number {
    const s = this.store.stats();
    return s.flushes + s.drains;
  }

  /** Runs spec.ops ops in turns; throws on a live mismatch between store and model. */
  run(): WorkloadSummary {
    const { rng } = this;
    while (this.seq < this.spec.ops) {
      const n = this.turns++;
      this.trace.write({ t: 'turn', n, ev: this.events() });
      const len = rng.chance(0.05) ? rng.range(10, 40) : rng.range(1, 6);
      for (let j = 0; j < len && this.seq < this.spec.ops; j++) this.step(n);
      this.store.barrier();
      this.trace.write({ t: 'ack', n, ev: this.events() });
      this.throttle();
      if (rng.chance(0.3)) this.liveCheck(rng.pick(KEYS));
      if (rng.chance(0.05)) {
        const budget = rng.pick([1, 16, 256, 4096]);
        for (let r = rng.range(1, 3); r > 0; r--) this.store.maintenance(budget);
      }
    }
    for (const k of KEYS) this.liveCheck(k);
    const st = this.store.stats();
    return { ops: this.seq, fails: this.fails, turns: this.turns, inplace: st.inplaceWrites, events: st.flushes + st.drains, flushes: st.flushes, drains: st.drains };
  }

  /** Waits while the checker is behind: images are ~pool-sized files. */
  private throttle(): void {
    const { imagePrefix: prefix, maxPendingImages: max } = this.flow;
    if (!prefix || !max) return;
    const dir = dirname(prefix);
    const base = basename(prefix);
    const pending = (): number => readdirSync(dir).filter((f) => f.startsWith(base) && f.endsWith('.img')).length;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; pending() > max; waited += 20) {
      if (waited > 300_000) throw new Error(`crash images are not being checked (${pending()} pending in ${dir})`);
      Atomics.wait(sleeper, 0, 0, 20);
    }
  }

  private liveCheck(k: string): void {
    const e = this.store.get(kb(k));
    const got = e ? fingerprint(e.value, e.flags, e.expireMs) : fingerprint(null);
    const want = fpOf(this.model.get(k, Date.now()), Date.now());
    if (got !== want) throw new Error(`live mismatch on key ${JSON.stringify(k)} after op ${this.seq - 1}: store ${got}, model ${want}`);
  }

  private step(n: number): void {
    const i = this.seq++;
    const now = Date.now();
    const p = this.plan(i, now);
    const fx: Effect[] = p.fx.map(([k, c]) => [k, fpOf(c, now)]);
    this.trace.write({ t: 'op', i, n, op: p.op, args: p.args, fx, ...(p.atomic ? { atomic: 1 as const } : {}) });
    let out: string;
    try {
      out = p.run();
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      out = `err:${e.code}`;
    }
    if (out === 'err:OOM') {
      this.fails++;
      this.trace.write({ t: 'fail', i, why: 'OOM' });
      return;
    }
    if (out !== p.expect) throw new Error(`op ${i} ${p.op} ${p.args}: store answered ${out}, model expected ${p.expect}`);
    for (const [k, c] of p.fx) this.model.put(k, c);
  }

  private valueLen(): number {
    const r = this.rng.float();
    if (r < 0.7) return this.rng.range(0, 200);
    if (r < 0.9) return this.rng.range(200, 8 << 10);
    if (r < 0.97) return this.rng.range(8 << 10, 200 << 10);
    return this.rng.range(300 << 10, 3 << 20); // large objects: runs of slab pages
  }

  private expiry(now: number): number {
    const r = this.rng.float();
    if (r < 0.8) return 0;
    if (r < 0.93) return now + this.rng.range(1, 48) * HOUR;
    return now - this.rng.range(1, 1000) * 1000; // already expired: the key reads as absent
  }

  /** The key with the longest live value: SETBIT changes values in place from 4 KiB (256 KiB on msync). */
  private longest(now: number): string {
    let best = KEYS[0]!;
    let len = -1;
    for (const k of KEYS) {
      const c = this.model.get(k, now);
      if (c && c.v.length > len) [best, len] = [k, c.v.length];
    }
    return best;
  }

  private distinct(n: number): string[] {
    const out = new Set<string>();
    while (out.size < n) out.add(this.rng.pick(KEYS));
    return [...out];
  }

  private plan(i: number, now: number): Planned {
    const { rng, model, store } = this;
    const op = rng.weighted({
      set: 30, setnx: 3, setxx: 3, del: 8, delmany: 3, incr: 8, append: 6, prepend: 2, setrange: 6, setbit: 6,
      touch: 6, mset: 6, msetnx: 1, rename: 5, renamenx: 1, copy: 2, flushall: 0.4, exec: 5,
    });
    const k = op === 'incr' && rng.chance(0.8) ? rng.pick(COUNTERS) : (op === 'setbit' || op === 'setrange') && rng.chance(0.5) ? this.longest(now) : rng.pick(KEYS);
    const cur = model.get(k, now);
    switch (op) {
      case 'set':
      case 'setnx':
      case 'setxx': {
        const len = this.valueLen();
        const v = makeValue(k, i, len);
        const flags = rng.chance(0.3) ? rng.u32() : 0;
        const expireMs = this.expiry(now);
        const keepTtl = op === 'set' && rng.chance(0.1);
        const condition = op === 'setnx' ? 'NX' : op === 'setxx' ? 'XX' : undefined;
        const args = `${JSON.stringify(k)} len=${len} flags=${flags} exp=${expireMs}${keepTtl ? ' keepttl' : ''}`;
        const run = (): string => store.set(kb(k), v, { condition, expireMs, flags, keepTtl });
        if (condition === 'NX' && cur) return { op, args, expect: 'exists', fx: [], run };
        if (condition === 'XX' && !cur) return { op, args, expect: 'not_found', fx: [], run };
        const exp = keepTtl && cur ? cur.exp : expireMs;
        return { op, args, expect: 'stored', fx: [[k, { v, flags, exp }]], run };
      }
      case 'del':
        return { op, args: JSON.stringify(k), expect: String(!!cur), fx: cur ? [[k, null]] : [], run: () => String(store.delete(kb(k))) };
      case 'delmany': {
        const keys = this.distinct(rng.range(2, 5));
        const live = keys.filter((x) => model.get(x, now));
        return {
          op, args: JSON.stringify(keys), expect: String(live.length), atomic: true,
          fx: live.map((x) => [x, null]),
          run: () => String(store.deleteMany(keys.map(kb))),
        };
      }
      case 'incr': {
        const delta = BigInt(rng.range(-1000, 1000));
        const run = (): string => {
          const r = incrByValue(store, kb(k), delta);
          return r === 'not_integer' ? 'err:NOT_INTEGER' : r === 'overflow' ? 'err:OVERFLOW' : String(r);
        };
        const args = `${JSON.stringify(k)} ${delta}`;
        const old = cur ? parseInt64(cur.v) : 0n;
        if (old === null) return { op, args, expect: 'err:NOT_INTEGER', fx: [], run };
        const next = old + delta;
        if (!inInt64(next)) return { op, args, expect: 'err:OVERFLOW', fx: [], run };
        const v = Buffer.from(next.toString(), 'latin1');
        return { op, args, expect: next.toString(), fx: [[k, { v, flags: cur?.flags ?? 0, exp: cur?.exp ?? 0 }]], run };
      }
      case 'append':
      case 'prepend': {
        const d = makeValue(k, i, rng.chance(0.9) ? rng.range(0, 300) : rng.range(300, 64 << 10));
        const prepend = op === 'prepend';
        const run = (): string => String(store.append(kb(k), d, prepend));
        const args = `${JSON.stringify(k)} len=${d.length}`;
        if (!cur) return { op, args, expect: 'null', fx: [], run };
        const v = prepend ? Buffer.concat([d, cur.v]) : Buffer.concat([cur.v, d]);
        return { op, args, expect: String(v.length), fx: [[k, { ...cur, v }]], run };
      }
      case 'setrange': {
        const oldLen = cur ? cur.v.length : 0;
        const off = rng.chance(0.9) ? rng.range(0, oldLen + 100) : rng.range(0, 64 << 10);
        const d = makeValue(k, i, rng.range(0, 200));
        const run = (): string => String(store.setRange(kb(k), off, d));
        const args = `${JSON.stringify(k)} off=${off} len=${d.length}`;
        if (d.length === 0) return { op, args, expect: String(oldLen), fx: [], run };
        const v = Buffer.alloc(Math.max(oldLen, off + d.length));
        cur?.v.copy(v);
        d.copy(v, off);
        return { op, args, expect: String(v.length), fx: [[k, { v, flags: cur?.flags ?? 0, exp: cur?.exp ?? 0 }]], run };
      }
      case 'setbit': {
        // Values of 4 KiB and more that hold the byte are changed in place through the intent log
        // (Store::patch_range, as SETRANGEs of up to 4 KiB within them); others are copied. Either way a crash leaves the old value or the new.
        const oldLen = cur ? cur.v.length : 0;
        const byte = oldLen > 0 && rng.chance(0.85) ? rng.range(0, oldLen - 1) : rng.range(0, oldLen + 100);
        const bit = rng.range(0, 7);
        const mask = 1 << (7 - bit);
        const on = rng.chance(0.5);
        const old = byte < oldLen ? cur!.v[byte]! : 0;
        const run = (): string => String(store.setBit(kb(k), byte, mask, on));
        const args = `${JSON.stringify(k)} byte=${byte} bit=${bit} ${on ? 'on' : 'off'} len=${oldLen}`;
        const next = on ? old | mask : old & ~mask;
        const expect = String((old & mask) !== 0);
        if (byte < oldLen && next === old) return { op, args, expect, fx: [], run };
        const v = Buffer.alloc(Math.max(oldLen, byte + 1));
        cur?.v.copy(v);
        v[byte] = next;
        return { op, args, expect, fx: [[k, { v, flags: cur?.flags ?? 0, exp: cur?.exp ?? 0 }]], run };
      }
      case 'touch': {
        const exp = rng.chance(0.2) ? 0 : rng.chance(0.7) ? now + rng.range(1, 48) * HOUR : now - rng.range(1, 1000) * 1000;
        const run = (): string => String(store.touch(kb(k), exp));
        const args = `${JSON.stringify(k)} exp=${exp}`;
        if (!cur) return { op, args, expect: 'false', fx: [], run };
        return { op, args, expect: 'true', fx: [[k, { ...cur, exp }]], run };
      }
      case 'mset':
      case 'msetnx': {
        const keys = this.distinct(rng.range(2, 6));
        const vals = keys.map((x) => makeValue(x, i, rng.chance(0.9) ? rng.range(0, 300) : this.valueLen()));
        const nx = op === 'msetnx';
        const run = (): string => String(store.mset(keys.flatMap((x, j) => [kb(x), vals[j]!]), nx));
        const args = `${JSON.stringify(keys)} lens=${vals.map((v) => v.length).join(',')}`;
        if (nx && keys.some((x) => model.get(x, now))) return { op, args, expect: 'false', fx: [], run };
        return { op, args, expect: 'true', atomic: true, fx: keys.map((x, j) => [x, { v: vals[j]!, flags: 0, exp: 0 }]), run };
      }
      case 'rename':
      case 'renamenx': {
        const dst = rng.chance(0.05) ? k : rng.pick(KEYS);
        const nx = op === 'renamenx';
        const run = (): string => store.rename(kb(k), kb(dst), nx);
        const args = `${JSON.stringify(k)} -> ${JSON.stringify(dst)}`;
        if (!cur) return { op, args, expect: 'not_found', fx: [], run };
        if (dst === k) return { op, args, expect: nx ? 'exists' : 'ok', fx: [], run };
        if (nx && model.get(dst, now)) return { op, args, expect: 'exists', fx: [], run };
        return { op, args, expect: 'ok', atomic: true, fx: [[k, null], [dst, { ...cur }]], run };
      }
      case 'copy': {
        const dst = rng.pick(KEYS);
        const replace = rng.chance(0.5);
        const run = (): string => store.copy(kb(k), kb(dst), replace);
        const args = `${JSON.stringify(k)} -> ${JSON.stringify(dst)}${replace ? ' replace' : ''}`;
        if (!cur) return { op, args, expect: 'not_found', fx: [], run };
        if ((model.get(dst, now) && !replace) || dst === k) return { op, args, expect: 'exists', fx: [], run };
        return { op, args, expect: 'ok', fx: [[dst, { ...cur }]], run };
      }
      case 'exec': {
        // A MULTI/EXEC: sets and deletes of distinct keys, sometimes with a FLUSHALL among them, in
        // one store transaction, found whole or not at all after a crash. Its sets are small, and
        // made only while whole slab pages are free: a set that found the pool full would fail
        // alone (as in an EXEC), which the model's all-or-nothing effects cannot say. Each set may
        // open a new page for its size class, so there must be a free page for every key.
        const keys = this.distinct(rng.range(2, 8));
        const room = store.stats().freePages >= keys.length + 1;
        const writes = keys.map((x) => (!room || rng.chance(0.25) ? null : makeValue(x, i, rng.range(0, 300))));
        const exps = keys.map(() => this.expiry(now));
        const flushAt = rng.chance(0.15) ? rng.range(0, keys.length) : -1; // the FLUSHALL runs before write flushAt
        const run = (): string => {
          const ok = store.atomically(66 * keys.length, writes.reduce((a, v) => a + (v ? v.length + 128 : 0), 0), () => {
            keys.forEach((x, j) => {
              if (j === flushAt) store.flushAll();
              const v = writes[j];
              if (v) store.set(kb(x), v, { expireMs: exps[j]! });
              else store.delete(kb(x));
            });
            if (flushAt === keys.length) store.flushAll();
          });
          return ok ? 'ok' : 'too-large';
        };
        const args = `${JSON.stringify(keys)} ${writes.map((v, j) => (v ? `set:${v.length}:${exps[j]}` : 'del')).join(',')}${flushAt >= 0 ? ` flushall@${flushAt}` : ''}`;
        const fx = new Map<string, Cell | null>();
        if (flushAt >= 0) for (const x of model.keys(now)) fx.set(x, null);
        keys.forEach((x, j) => fx.set(x, writes[j] && j >= flushAt ? { v: writes[j]!, flags: 0, exp: exps[j]! } : null));
        return { op, args, expect: 'ok', atomic: true, fx: [...fx], run };
      }
      case 'flushall':
        return {
          op, args: '', expect: 'ok', atomic: true,
          fx: model.keys(now).map((x) => [x, null]),
          run: () => (store.flushAll(), 'ok'),
        };
    }
  }
}

/**
 * The DRAM tier is on in every harness store, small enough that its admission and eviction run all
 * the time: live checks and verification read through it, so a stale copy shows as a mismatch.
 */
export const HARNESS_TIER_BYTES = 256 * 1024;

/** Creates the pool and runs the workload, writing the trace; returns the summary. */
export function runWorkload(poolPath: string, spec: WorkloadSpec, sim: SimKnobs, tracePath: string, flow: FlowControl = {}): WorkloadSummary {
  const trace = new TraceWriter(tracePath);
  trace.write({ t: 'head', spec });
  const store = Store.open(poolPath, {
    createSize: spec.poolSize,
    mode: spec.mode,
    seed: spec.seed,
    fault: spec.fault ?? 'none',
    ...sim,
  });
  store.setTier(HARNESS_TIER_BYTES);
  const sum = new Workload(store, spec, trace, { ...flow, imagePrefix: sim.imagePrefix }).run();
  store.close();
  trace.write({ t: 'end', ev: sum.events, ops: sum.ops, fails: sum.fails, turns: sum.turns });
  trace.close();
  return sum;
}

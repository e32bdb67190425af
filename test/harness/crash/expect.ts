// What a crash image taken at persist event `ev` may hold, derived from the trace: per key, the state
// after the last acknowledged op ("base"), or the state after any op of the one turn that was in
// flight ("window"); and which window ops must be all-or-nothing across their keys.
import type { TraceRecord } from './trace.js';
import { ABSENT, type Fingerprint } from './values.js';
import { KEYS } from './workload.js';

type OpRecord = Extract<TraceRecord, { t: 'op' }>;

export interface Allowed {
  i: number; // op index, -1 for the acknowledged base state
  fp: Fingerprint;
}

export interface Expectation {
  ev: number;
  acked: number; // ops acknowledged before the image
  window: OpRecord[]; // ops that may or may not be in the image
  keys: Map<string, Allowed[]>;
  atomic: OpRecord[];
  ops: OpRecord[]; // every op of the trace (for failure reports)
  failed: Set<number>;
  ackedOps: Set<number>;
}

/** ev = Infinity for the image a real (killed) run left behind. */
export function expectationAt(trace: TraceRecord[], ev: number): Expectation {
  const base = new Map<string, Fingerprint>();
  const ops: OpRecord[] = [];
  const failed = new Set<number>();
  for (const r of trace) {
    if (r.t === 'op') ops.push(r);
    else if (r.t === 'fail') failed.add(r.i);
  }
  const byTurn = new Map<number, OpRecord[]>();
  for (const o of ops) {
    const l = byTurn.get(o.n);
    if (l) l.push(o);
    else byTurn.set(o.n, [o]);
  }
  let acked = 0;
  const ackedOps = new Set<number>();
  let window: OpRecord[] = [];
  const turnStart = new Map<number, number>();
  const ackedTurns = new Set<number>();
  for (const r of trace) {
    if (r.t === 'turn') turnStart.set(r.n, r.ev);
    if (r.t === 'ack' && r.ev < ev) ackedTurns.add(r.n);
  }
  for (const [n, start] of [...turnStart].sort((a, b) => a[0] - b[0])) {
    const list = (byTurn.get(n) ?? []).filter((o) => !failed.has(o.i));
    if (ackedTurns.has(n)) {
      for (const o of list) for (const [k, fp] of o.fx) base.set(k, fp);
      for (const o of list) ackedOps.add(o.i);
      acked += list.length;
      continue;
    }
    if (start < ev) window = list; // the turn in flight at the image
    break;
  }
  const keys = new Map<string, Allowed[]>();
  for (const k of KEYS) keys.set(k, [{ i: -1, fp: base.get(k) ?? ABSENT }]);
  for (const [k, fp] of base) if (!keys.has(k)) keys.set(k, [{ i: -1, fp }]);
  for (const o of window) {
    for (const [k, fp] of o.fx) {
      const l = keys.get(k) ?? [{ i: -1, fp: ABSENT }];
      l.push({ i: o.i, fp });
      keys.set(k, l);
    }
  }
  return { ev, acked, window, keys, atomic: window.filter((o) => o.atomic), ops, failed, ackedOps };
}

/**
 * All-or-nothing check of one multi-key op: each key's observed state tells whether the op is
 * surely applied (only matches states at or after it), surely not applied (only before it), or
 * either; a violation is one key surely applied and another surely not.
 */
export function atomicViolation(o: OpRecord, exp: Expectation, observed: Map<string, Fingerprint>): string | null {
  let applied: string | null = null;
  let notApplied: string | null = null;
  for (const [k] of o.fx) {
    const hist = exp.keys.get(k)!;
    const at = hist.findIndex((a) => a.i === o.i);
    const fp = observed.get(k);
    const idx = hist.map((a, j) => (a.fp === fp ? j : -1)).filter((j) => j >= 0);
    if (idx.length === 0) continue; // reported as a bad value already
    if (idx.every((j) => j >= at)) applied = k;
    if (idx.every((j) => j < at)) notApplied = k;
  }
  if (applied !== null && notApplied !== null)
    return `op ${o.i} ${o.op} ${o.args} is not all-or-nothing: applied to ${JSON.stringify(applied)}, not to ${JSON.stringify(notApplied)}`;
  return null;
}

/** The trace lines about one key up to the image (the last `max`), for a failure report. */
export function historyOf(k: string, exp: Expectation, max = 12): string[] {
  const inWindow = new Set(exp.window.map((o) => o.i));
  const upTo = Math.max(-1, ...exp.window.map((o) => o.i), ...exp.ackedOps);
  const lines = exp.ops
    .filter((o) => o.i <= upTo && (o.fx.some(([x]) => x === k) || o.op === 'flushall'))
    .map((o) => {
      const tag = exp.failed.has(o.i) ? 'failed' : exp.ackedOps.has(o.i) ? 'acked' : inWindow.has(o.i) ? 'in flight' : 'not acked';
      const fp = o.fx.find(([x]) => x === k)?.[1] ?? '(no change)';
      return `  op ${o.i} turn ${o.n} [${tag}] ${o.op} ${o.args.slice(0, 160)} -> ${fp}`;
    });
  return lines.slice(-max);
}

// The model of a group of collection keys in the kill -9 soak (a pair of lists, or one hash / set /
// sorted set), owned by one load client. A group has one history of writes, so a write that changes
// two keys at once (LMOVE between the pair) is one op: after a crash every key of the group must show
// the state of one and the same prefix of that history, at least as long as the acknowledged one.
// Each write is an op that mutates a state and returns the reply it must get. Under load only the
// live state is kept (no copy per write: the load client shares its CPU with the server, and copies
// of large hashes cost as much as the writes); the states after each prefix are rebuilt by replaying
// the ops from the empty state when the group is verified. Also here: the canonical text of a key
// (the model's and the one read back), so the two compare as strings.
import { short, type Ackable, type Cmd } from './cmd.js';
import { resp, type Reply } from './conn.js';

export type CollKind = 'list' | 'hash' | 'set' | 'zset';
export type Content = string[] | Map<string, string> | Set<string> | Map<string, number>;
/** One entry per key of the group; null: the key does not exist. */
export type GroupState = Array<Content | null>;
export type Expect = Cmd['expect'];
/** A write: mutates the state (an emptied key is made absent afterwards) and returns its reply. */
export type Op = (st: GroupState) => Expect;

interface CollEntry {
  args: string[];
  op: Op;
  acked: boolean;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byFirst = (a: [string, unknown], b: [string, unknown]): number => cmp(a[0], b[0]);

/** A sorted set's members in Redis order: score, then member bytes (ASCII members here). */
export function zsorted(z: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...z].sort((a, b) => a[1] - b[1] || cmp(a[0], b[0]));
}

/** Canonical items of one key: list order; hash `f=v` and set members sorted; zset `m=score` in score order. */
function items(kind: CollKind, c: Content): string[] {
  switch (kind) {
    case 'list':
      return [...(c as string[])];
    case 'hash':
      return [...(c as Map<string, string>)].sort(byFirst).map(([f, v]) => `${f}=${v}`);
    case 'set':
      return [...(c as Set<string>)].sort(cmp);
    case 'zset':
      return zsorted(c as Map<string, number>).map(([m, s]) => `${m}=${s}`);
  }
}

/** One key's canonical text: 'null' for an absent key, else the JSON of its items. */
function canonOf(kind: CollKind, c: Content | null): string {
  return c === null ? 'null' : JSON.stringify(items(kind, c));
}

function size(c: Content): number {
  return Array.isArray(c) ? c.length : c.size;
}

/** A short summary of one key's content for a report. */
function summary(kind: CollKind, c: Content | null): string {
  if (c === null) return 'absent';
  const it = items(kind, c).map((s) => short(s, 16));
  const shown = it.length <= 6 ? it.join(', ') : `${it.slice(0, 3).join(', ')}, … ${it.slice(-2).join(', ')}`;
  return `${kind}(${it.length}) [${shown}]`;
}

/** The first difference between two canonical texts of one key, for a report. */
function diffText(got: string, want: string): string {
  if (got === want) return 'same';
  if (!got.startsWith('[') || !want.startsWith('[')) return `got ${short(got, 80)}, want ${short(want, 80)}`;
  const a = JSON.parse(got) as string[];
  const b = JSON.parse(want) as string[];
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const extra = a.filter((x) => !b.includes(x)).map((x) => short(x, 24));
  const missing = b.filter((x) => !a.includes(x)).map((x) => short(x, 24));
  return `${a.length} items vs ${b.length}; first difference at ${i}: ${JSON.stringify(short(a[i] ?? '<end>', 30))} vs ${JSON.stringify(short(b[i] ?? '<end>', 30))}; ` +
    `extra ${JSON.stringify(extra.slice(0, 6))}, missing ${JSON.stringify(missing.slice(0, 6))}`;
}

/** The command as text for a report: long arguments shortened, long argument lists cut. */
export function textOf(args: string[]): string {
  const a = args.map((s) => short(s, 24));
  return a.length <= 10 ? a.join(' ') : `${a.slice(0, 8).join(' ')} … (${a.length - 1} args)`;
}

export class CollModel implements Ackable {
  readonly history: CollEntry[] = [];
  /** The state after every sent write. */
  readonly live: GroupState;
  acked = 0;
  constructor(readonly name: string, readonly kind: CollKind, readonly keys: string[]) {
    this.live = keys.map(() => null);
  }

  /** Applies a sent write to the live state; returns its index and the reply it must get. */
  push(args: string[], op: Op): { index: number; expect: Expect } {
    const expect = apply(this.live, op);
    this.history.push({ args, op, acked: false });
    return { index: this.history.length - 1, expect };
  }

  ack(index: number): void {
    if (index !== this.acked) throw new Error(`${this.name}: acknowledgement out of order (${index}, expected ${this.acked})`);
    this.history[index]!.acked = true;
    this.acked++;
  }

  /** Replays the writes from the empty state; visit(i, state) sees the state after the first i (stop: true ends it). */
  private replay(visit: (i: number, st: GroupState) => boolean | void): void {
    const st: GroupState = this.keys.map(() => null);
    if (visit(0, st)) return;
    for (let i = 0; i < this.history.length; i++) {
      apply(st, this.history[i]!.op);
      if (visit(i + 1, st)) return;
    }
  }

  private canon(st: GroupState): string[] {
    return st.map((c) => canonOf(this.kind, c));
  }

  /** The latest prefix in [from, to] whose state reads as `observed` (canonical texts per key), or -1. */
  findPrefix(observed: string[], from: number, to: number): number {
    let found = -1;
    this.replay((i, st) => {
      if (i > to) return true;
      if (i >= from && this.canon(st).every((s, k) => s === observed[k])) found = i;
      return false;
    });
    return found;
  }

  /** A failure report: what was read, how it differs from the last acknowledged state, the history. */
  report(observed: string[]): string {
    let lastAcked: string[] = [];
    this.replay((i, st) => {
      if (i === this.acked) lastAcked = this.canon(st);
      return i >= this.acked;
    });
    const lines = this.keys.map((k, i) => `    ${k}: read back ${short(observed[i]!, 120)}\n      vs last acked state: ${diffText(observed[i]!, lastAcked[i]!)}`);
    return `${lines.join('\n')}\n  allowed: the states after ${this.acked}..${this.history.length} writes\n${this.describe()}`;
  }

  describe(max = 16): string {
    const from = Math.max(0, this.history.length - max);
    const lines: string[] = [];
    if (from > 0) lines.push(`    ... ${from} earlier writes (all ${this.acked >= from ? 'acked' : 'partly acked'})`);
    this.replay((i, st) => {
      if (i <= from) return false;
      const e = this.history[i - 1]!;
      const s = st.map((c, k) => `${this.keys[k]!.slice(this.keys[k]!.lastIndexOf(':') + 1)}=${summary(this.kind, c)}`).join('  ');
      lines.push(`    #${i} ${e.acked ? 'ACKED  ' : 'unacked'} ${textOf(e.args)}  -> ${s}`);
      return false;
    });
    return lines.join('\n');
  }
}

/** Runs an op; a key it left empty no longer exists (Redis deletes an emptied collection). */
function apply(st: GroupState, op: Op): Expect {
  const r = op(st);
  for (let k = 0; k < st.length; k++) if (st[k] !== null && size(st[k]!) === 0) st[k] = null;
  return r;
}

const READ: Record<CollKind, (key: string) => Buffer> = {
  list: (k) => resp('LRANGE', k, 0, -1),
  hash: (k) => resp('HGETALL', k),
  set: (k) => resp('SMEMBERS', k),
  zset: (k) => resp('ZRANGE', k, 0, -1, 'WITHSCORES'),
};

/** The two commands that read one key back: TYPE, then the whole content. */
export function readCommands(kind: CollKind, key: string): Buffer[] {
  return [resp('TYPE', key), READ[kind](key)];
}

/** The canonical text of a key from its TYPE and read replies (the model's form). */
export function observedCanon(kind: CollKind, type: Reply, read: Reply): string {
  if (type.error || read.error) return `<error ${type.error ? type.value : read.value}>`;
  if (read.type !== '*' || !read.items) return `<unexpected reply ${read.type}${short(String(read.value), 60)}>`;
  const it = read.items.map((s) => s ?? '<nil>');
  if (type.value === 'none') return it.length ? `<type none with ${it.length} items>` : 'null';
  if (type.value !== kind) return `<type ${type.value}>`;
  if (kind === 'list') return JSON.stringify(it);
  if (kind === 'set') return JSON.stringify(it.sort(cmp));
  if (it.length % 2) return `<odd reply length ${it.length}>`;
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < it.length; i += 2) pairs.push([it[i]!, kind === 'zset' ? String(Number(it[i + 1])) : it[i + 1]!]);
  // A hash's field order is the server's choice; a sorted set's order is part of its content.
  if (kind === 'hash') pairs.sort(byFirst);
  return JSON.stringify(pairs.map(([a, b]) => `${a}=${b}`));
}

// Child process: damaged-pool cases against one base pool (argv[2] = JSON job). Per case: copy the
// base, damage the copy, then `check` it, open it, read every key, scan, rebuild to the end, write,
// close and `check` again. A read may return a value that was once written, or nothing: never
// anything else. Prints {"start":...} before each case (so a crash or hang is pinned on it) and a
// verdict line after.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { liveItems, mutate, PoolFile, readLayout, type Mutation } from './corrupt.js';
import { Rng } from './rng.js';
import { readTrace } from './trace.js';
import { ABSENT, fingerprint, makeValue, type Fingerprint } from './values.js';
import { KEYS } from './workload.js';

export interface CorruptJob {
  base: string; // never modified
  trace: string; // the workload that built it: every value ever written
  dir: string;
  cases: number[]; // case seeds
}

export interface CorruptVerdict {
  seed: number;
  region: Mutation['region'];
  what: string;
  outcome: 'refused' | 'opened';
  code?: string;
  fails: string[];
  dropped: number; // stats().corruptDropped after the rebuild
  missing: number; // keys present in the undamaged pool, absent after the rebuild
  lostWrites: number; // new writes after open that did not read back (damage reused)
  problemsAfter: number; // `check` problems after open, rebuild and close
}

const kb = (k: string): Buffer => Buffer.from(k, 'latin1');
const poolErr = (e: unknown): string | null => {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && c.startsWith('EPOOL') ? c : null;
};

function readAll(s: Store, keys: Iterable<string>): Map<string, Fingerprint> {
  const out = new Map<string, Fingerprint>();
  for (const k of keys) {
    const e = s.get(kb(k));
    out.set(k, e ? fingerprint(e.value, e.flags, e.expireMs) : ABSENT);
  }
  return out;
}

const job = JSON.parse(process.argv[2]!) as CorruptJob;
const written = new Map<string, Set<Fingerprint>>();
for (const r of readTrace(job.trace)) {
  if (r.t !== 'op') continue;
  for (const [k, fp] of r.fx) {
    if (!written.has(k)) written.set(k, new Set([ABSENT]));
    written.get(k)!.add(fp);
  }
}
for (const k of KEYS) if (!written.has(k)) written.set(k, new Set([ABSENT]));

// What the undamaged pool holds (opening a copy: recovery may apply a pending log).
const truthPath = join(job.dir, `truth-${process.pid}.pool`);
copyFileSync(job.base, truthPath);
const t = Store.open(truthPath, {});
const truth = readAll(t, written.keys());
t.close();
rmSync(truthPath);
const pf = new PoolFile(job.base, 'r');
const items = liveItems(pf, readLayout(pf));
pf.close();

for (const seed of job.cases) {
  const path = join(job.dir, `case-${seed}.pool`);
  copyFileSync(job.base, path);
  const m = mutate(path, new Rng(seed), items);
  process.stdout.write(JSON.stringify({ start: seed, region: m.region, what: m.what }) + '\n');
  const v: CorruptVerdict = { seed, region: m.region, what: m.what, outcome: 'opened', fails: [], dropped: 0, missing: 0, lostWrites: 0, problemsAfter: 0 };
  const garbage = (when: string, got: Map<string, Fingerprint>, allowed: Map<string, Set<Fingerprint>>): void => {
    for (const [k, fp] of got)
      if (fp !== ABSENT && !allowed.get(k)?.has(fp)) v.fails.push(`${when}: key ${JSON.stringify(k)} returned a value never written: ${fp}`);
  };
  try {
    Store.check(path);
  } catch (e) {
    if (!poolErr(e)) v.fails.push(`check threw an unclear error: ${(e as Error).message}`);
  }
  let s: Store | null = null;
  try {
    s = Store.open(path, {});
  } catch (e) {
    v.outcome = 'refused';
    v.code = poolErr(e) ?? undefined;
    if (!v.code) v.fails.push(`open refused with an unclear error (no EPOOL* code): ${(e as Error).message}`);
  }
  if (s) {
    try {
      checkOpened(s, v, m, seed, garbage);
    } catch (e) {
      v.fails.push(`exception on an opened pool: ${(e as Error).stack ?? e}`);
    }
    try {
      const c = Store.check(path);
      v.problemsAfter = c.problems;
      // The rebuild drops every damaged slot and link: what it leaves must be sound.
      if (c.problems) v.fails.push(`check after open, rebuild and close: ${c.problems} problems: ${c.messages.slice(0, 3).join('; ')}`);
    } catch (e) {
      v.fails.push(`check after a clean close refused the pool: ${(e as Error).message}`);
    }
  }
  rmSync(path, { force: true });
  process.stdout.write(JSON.stringify(v) + '\n');
}

type Garbage = (when: string, got: Map<string, Fingerprint>, allowed: Map<string, Set<Fingerprint>>) => void;

function checkOpened(s: Store, v: CorruptVerdict, m: Mutation, seed: number, garbage: Garbage): void {
  try {
    if (m.mustRefuse) v.fails.push('opened a pool that must be refused');
    garbage('after open', readAll(s, written.keys()), written);
    const scanned: string[] = [];
    let cursor = 0;
    do {
      const [next, keys] = s.scan(cursor, 256);
      scanned.push(...keys.map((x) => x.toString('latin1')));
      cursor = next;
    } while (cursor !== 0);
    for (const k of scanned) if (!written.has(k)) v.fails.push(`scan returned a key never written: ${JSON.stringify(k)}`);
    // Writes before the rebuild has run: they may only use memory the damaged pool shows as free.
    const posts = new Map<string, Set<Fingerprint>>();
    const write = (k: string, len: number, seq: number): void => {
      const val = makeValue(k, seq, len);
      try {
        s.set(kb(k), val);
        posts.set(k, new Set([fingerprint(val)]));
      } catch {
        // pool full
      }
    };
    write('fuzz-early0', 100, seed);
    write('fuzz-early1', 70 << 10, seed + 1);
    s.barrier();
    let slices = 0;
    while (s.maintenance(4096) && ++slices < 200_000);
    if (slices >= 200_000) v.fails.push('maintenance() does not finish');
    const after = readAll(s, written.keys());
    garbage('after the rebuild', after, written);
    v.dropped = s.stats().corruptDropped;
    for (const [k, fp] of truth) if (fp !== ABSENT && after.get(k) === ABSENT) v.missing++;
    if (m.region === 'item' && v.missing > v.dropped) v.fails.push(`${v.missing} keys lost to damaged items, only ${v.dropped} counted in corruptDropped`);
    for (let j = 0; j < 4; j++) write(`fuzz-new${j}`, j === 3 ? 300 << 10 : 30 + j * 500, seed + 2 + j);
    s.barrier();
    const back = readAll(s, posts.keys());
    garbage('new writes', back, posts);
    for (const fp of back.values()) if (fp === ABSENT) v.lostWrites++;
  } finally {
    s.close();
  }
}

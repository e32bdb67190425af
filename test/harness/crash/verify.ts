// Checks one crash image against what the trace allows: `check` of the raw image, open, every key's
// state, multi-key atomicity, no unknown keys, the rebuild to completion (nothing dropped as
// corrupt, exact count), writes after recovery that must not disturb old keys, `check` after a
// clean close, and a reopen. Returns the failures (empty = sound).
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import type { SimMode } from './trace.js';
import { HARNESS_TIER_BYTES } from './workload.js';
import { atomicViolation, historyOf, type Expectation } from './expect.js';
import { ABSENT, fingerprint, makeValue, type Fingerprint } from './values.js';

const kb = (k: string): Buffer => Buffer.from(k, 'latin1');

function read(store: Store, keys: Iterable<string>): Map<string, Fingerprint> {
  const out = new Map<string, Fingerprint>();
  for (const k of keys) {
    const e = store.get(kb(k));
    out.set(k, e ? fingerprint(e.value, e.flags, e.expireMs) : ABSENT);
  }
  return out;
}

function scanAll(store: Store): Set<string> {
  const out = new Set<string>();
  let cursor = 0;
  do {
    const [next, keys] = store.scan(cursor, 256);
    for (const k of keys) out.add(k.toString('latin1'));
    cursor = next;
  } while (cursor !== 0);
  return out;
}

function errText(e: unknown): string {
  const err = e as Error & { code?: string };
  return `${err.code ?? ''} ${err.message}`.trim();
}

export interface VerifyOptions {
  postWrites: boolean; // write new keys after recovery, then re-check the old ones
  reopen: boolean;
}

export function verifyImage(path: string, exp: Expectation, o: VerifyOptions): string[] {
  const fails: string[] = [];
  try {
    const pre = Store.check(path);
    if (pre.problems) fails.push(`check of the raw image: ${pre.problems} problems: ${pre.messages.slice(0, 5).join('; ')}`);
  } catch (e) {
    return [`check of the raw image refused it: ${errText(e)}`];
  }
  let store: Store;
  try {
    store = Store.open(path, {});
    store.setTier(HARNESS_TIER_BYTES);
  } catch (e) {
    fails.push(`open refused the image: ${errText(e)}`);
    return fails;
  }
  let present = new Set<string>();
  let seen = new Map<string, Fingerprint>();
  const posts = new Map<string, Fingerprint>();
  try {
    seen = read(store, exp.keys.keys());
    for (const [k, fp] of seen) {
      const allowed = exp.keys.get(k)!;
      if (!allowed.some((a) => a.fp === fp)) {
        const what = allowed[0]!.fp !== ABSENT && fp === ABSENT ? 'acknowledged write lost' : 'value never written (torn or stale)';
        fails.push(`key ${JSON.stringify(k)}: ${what}: holds ${fp}, allowed ${allowed.map((a) => `${a.fp}@${a.i}`).join(' | ')}\n${historyOf(k, exp).join('\n')}`);
      }
    }
    for (const op of exp.atomic) {
      const v = atomicViolation(op, exp, seen);
      if (v) fails.push(v);
    }
    present = new Set([...seen].filter(([, fp]) => fp !== ABSENT).map(([k]) => k));
    const scanned = scanAll(store);
    for (const k of scanned) if (!exp.keys.has(k)) fails.push(`scan returns a key never written: ${JSON.stringify(k)}`);
    for (const k of present) if (!scanned.has(k)) fails.push(`scan misses key ${JSON.stringify(k)}`);

    let slices = 0;
    while (store.maintenance(4096)) {
      if (++slices > 100_000) {
        fails.push('maintenance() does not finish');
        break;
      }
    }
    const st = store.stats();
    if (st.rebuild !== 'done') fails.push(`rebuild not done after maintenance: ${st.rebuild}`);
    if (st.corruptDropped) fails.push(`rebuild dropped ${st.corruptDropped} damaged items/links in a crash image`);
    if (store.count() !== present.size) fails.push(`count() ${store.count()} after the rebuild, ${present.size} keys readable`);
    const after = read(store, exp.keys.keys());
    for (const [k, fp] of after) if (fp !== seen.get(k)) fails.push(`key ${JSON.stringify(k)} changed during the rebuild: ${seen.get(k)} -> ${fp}`);

    if (o.postWrites) {
      // New writes reuse what the rebuild found free: they must not land on a live item.
      for (let j = 0; j < 6; j++) {
        const k = `post${j}`;
        const v = makeValue(k, 1e9 + j, j === 5 ? 1 << 20 : 40 + j * 700);
        try {
          store.set(kb(k), v);
          posts.set(k, fingerprint(v));
        } catch {
          // pool full: fine, as long as nothing else changes
        }
      }
      store.barrier();
      const again = read(store, exp.keys.keys());
      for (const [k, fp] of again) if (fp !== seen.get(k)) fails.push(`key ${JSON.stringify(k)} changed by writes after recovery: ${seen.get(k)} -> ${fp}`);
      for (const [k, fp] of read(store, posts.keys())) if (fp !== posts.get(k)) fails.push(`new key ${k} reads ${fp} after recovery, wrote ${posts.get(k)}`);
    }
    store.close();
  } catch (e) {
    fails.push(`exception while checking: ${(e as Error).stack ?? e}`);
    try {
      store.close();
    } catch {
      // already reported
    }
    return fails;
  }
  try {
    const post = Store.check(path);
    if (post.problems) fails.push(`check after recovery and close: ${post.problems} problems: ${post.messages.slice(0, 5).join('; ')}`);
    if (post.items !== present.size + posts.size) fails.push(`check after close counts ${post.items} items, expected ${present.size + posts.size}`);
  } catch (e) {
    fails.push(`check after close refused the pool: ${errText(e)}`);
  }
  if (o.reopen) {
    try {
      const s2 = Store.open(path, {});
      s2.setTier(HARNESS_TIER_BYTES);
      if (!s2.stats().openedClean) fails.push('reopen after a clean close is not clean');
      if (s2.count() !== present.size + posts.size) fails.push(`count() ${s2.count()} after reopen, expected ${present.size + posts.size}`);
      const r = read(s2, [...exp.keys.keys(), ...posts.keys()]);
      for (const [k, fp] of r) {
        const want = posts.get(k) ?? seen.get(k);
        if (fp !== want) fails.push(`key ${JSON.stringify(k)} after reopen: ${fp}, before close ${want}`);
      }
      s2.close();
    } catch (e) {
      fails.push(`reopen failed: ${errText(e)}`);
    }
  }
  return fails;
}

/**
 * Crashes during recovery: a copy of the image is opened in the same simulation model, rebuilt and
 * closed, with a crash image at every persist call on the way; each must hold what the original
 * image may hold (recovery changes nothing a client can see, so the same expectation applies).
 */
export function verifyRecoveryCrashes(path: string, exp: Expectation, mode: SimMode): { images: number; fails: string[] } {
  const copy = `${path}.rec`;
  const prefix = `${path}.rec-`;
  copyFileSync(path, copy);
  const fails: string[] = [];
  try {
    const s = Store.open(copy, { mode, seed: exp.ev === Infinity ? 1 : exp.ev, imagePrefix: prefix, imageEvery: 1 });
    let slices = 0;
    while (s.maintenance(64) && ++slices < 100_000);
    s.close();
  } catch (e) {
    fails.push(`recovery of the image in ${mode} failed: ${errText(e)}`);
  }
  const dir = dirname(path);
  const base = basename(prefix);
  const subs = readdirSync(dir)
    .filter((f) => f.startsWith(base) && f.endsWith('.img'))
    .map((f) => ({ f: join(dir, f), ev: Number(f.slice(base.length, -4)) }))
    .sort((x, y) => x.ev - y.ev);
  for (const sub of subs) {
    const f = verifyImage(sub.f, exp, { postWrites: false, reopen: false });
    for (const m of f) fails.push(`crash during recovery, at its persist call ${sub.ev}: ${m}`);
    rmSync(sub.f, { force: true });
  }
  rmSync(copy, { force: true });
  return { images: subs.length, fails };
}

// What the differential suites of collections (hashes, sets) share: scripts whose steps may ask for
// a reply to be put in a canonical order on both servers before the comparison (a hashtable's
// order is each server's own), a seeded generator for random scripts, RESP3 helpers, and a SCAN
// loop over the keyspace.
import { expect } from 'vitest';
import { RawClient, decodeOne, encodeCommand, type RespValue } from '../helpers/resp.js';
import { RespClient, type Wire } from './resp-client.js';
import { runOnBoth, type RespPair } from './real-redis.js';

export type Arg = string | Buffer;

type Order = 'members' | 'pairs' | 'scan' | 'scanPairs';
export interface Unordered {
  order: Order;
  cmd: Arg[];
}
export type Step = Arg[] | Unordered;
/** An array reply whose elements come in any order (HKEYS of a hashtable, SMEMBERS, SINTER...). */
export const members = (...cmd: Arg[]): Unordered => ({ order: 'members', cmd });
/** A flat field/value array in any pair order (HGETALL of a hashtable, HRANDFIELD WITHVALUES). */
export const pairs = (...cmd: Arg[]): Unordered => ({ order: 'pairs', cmd });
/** A [cursor, elements] reply: the cursor as it is, the elements in any order. */
export const scan = (...cmd: Arg[]): Unordered => ({ order: 'scan', cmd });
/** An HSCAN reply: the cursor as it is, field/value pairs in any pair order. */
export const scanPairs = (...cmd: Arg[]): Unordered => ({ order: 'scanPairs', cmd });

const byText = (a: Wire, b: Wire): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Errors and nulls are left as they are. */
function canonical(w: Wire, order: Order): Wire {
  if (!Array.isArray(w)) return w;
  switch (order) {
    case 'members':
      return [...w].sort(byText);
    case 'pairs': {
      const chunks: Wire[][] = [];
      for (let i = 0; i < w.length; i += 2) chunks.push(w.slice(i, i + 2));
      return chunks.sort((a, b) => byText(a, b)).flat();
    }
    case 'scan':
    case 'scanPairs':
      if (w.length !== 2) return w;
      return [w[0]!, canonical(w[1]!, order === 'scan' ? 'members' : 'pairs')];
  }
}

/** Runs the script on both servers (runOnBoth) and wants the same replies, unordered steps sorted first. */
export async function runUnordered(pair: RespPair, script: Step[]): Promise<void> {
  const cmds = script.map((s) => (Array.isArray(s) ? s : s.cmd));
  const { got, want } = await runOnBoth(pair.dax, pair.ref, cmds);
  script.forEach((s, i) => {
    if (Array.isArray(s)) return;
    got[i] = [got[i]![0], canonical(got[i]![1], s.order)];
    want[i] = [want[i]![0], canonical(want[i]![1], s.order)];
  });
  expect(got).toEqual(want);
}

/** A small seeded generator (mulberry32), so the random scripts are the same on every run. */
export function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
  };
}

/** One RESP3 command's reply, the raw bytes as received (one command in flight). */
export async function raw3(c: RawClient, ...args: Arg[]): Promise<string> {
  c.write(encodeCommand(...args));
  const b = await c.raw((buf) => buf.length > 0 && decodeOne(buf, 0) !== undefined);
  return b.toString('latin1');
}

/** A decoded RESP3 reply with map entries and set items (and with `arrays`, array items) in a canonical order. */
export function sorted3(v: RespValue, opts: { arrays?: boolean } = {}): RespValue {
  const text = (x: RespValue) => (Buffer.isBuffer(x) ? x.toString('latin1') : JSON.stringify(x));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sort = (xs: RespValue[]) => [...xs].sort((a, b) => cmp(text(a), text(b)));
  if (Array.isArray(v)) return opts.arrays ? sort(v) : v;
  if (!v || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if ('map' in v) return { map: [...v.map].sort((a, b) => cmp(text(a[0]), text(b[0]))) };
  if ('set' in v) return { set: sort(v.set) };
  return v;
}

/** Every key of a SCAN over the whole keyspace (cursor followed to 0, bounded), sorted. */
export async function scanAll(c: RespClient, ...opts: Arg[]): Promise<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  for (let calls = 0; calls < 10_000; calls++) {
    const r = (await c.call('scan', cursor, ...opts)) as [{ b: string }, Array<{ b: string }>];
    for (const k of r[1]) seen.add(k.b);
    cursor = r[0].b;
    if (cursor === '0') return [...seen].sort();
  }
  throw new Error('SCAN did not return to cursor 0');
}

// Shared helpers for the memcache protocol tests.
import { MemcacheParser, type ParseError, type ParserOptions, type Request } from '../../../src/protocol/memcache/index.js';

export type Out = Request | ParseError;

/** Feeds everything at once and drains the parser. */
export function parseAll(input: string | Buffer, opts?: ParserOptions): Out[] {
  const p = new MemcacheParser(opts);
  p.feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  return drain(p);
}

export function drain(p: MemcacheParser): Out[] {
  const out: Out[] = [];
  for (let r = p.next(); r !== undefined; r = p.next()) out.push(r);
  return out;
}

/** Feeds `input` in pieces cut at `cuts`, draining after each piece. */
export function parseSplit(input: Buffer, cuts: number[], opts?: ParserOptions): Out[] {
  const p = new MemcacheParser(opts);
  const out: Out[] = [];
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    p.feed(input.subarray(prev, c));
    out.push(...drain(p));
    prev = c;
  }
  return out;
}

/** The single result of one command line. */
export function one(input: string | Buffer, opts?: ParserOptions): Out {
  const r = parseAll(input, opts);
  if (r.length !== 1) throw new Error(`expected 1 result, got ${r.length}: ${JSON.stringify(r)}`);
  return r[0]!;
}

/** The error line of a single-result parse (fails the test if it is not an error). */
export function errLine(input: string | Buffer, opts?: ParserOptions): string {
  const r = one(input, opts);
  if (r.kind !== 'error') throw new Error(`expected error, got ${r.kind}`);
  return r.line;
}

/** Comparable form: Buffers as latin1 strings, bigints as strings. */
export function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return `<${v.toString('latin1')}>`;
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = plain(x);
    return o;
  }
  return v;
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

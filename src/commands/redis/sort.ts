// SORT and SORT_RO (Redis 7.0 sort.c, sortCommandGeneric) over lists, sets and sorted sets.
// Redis's rules are kept to the byte: options parsed in order (the first bad one answers), LIMIT
// clamped as Redis clamps it, numbers read as glibc strtod reads them, ALPHA comparing as strcoll
// (C-string, i.e. up to a NUL; redis-server runs under a C/C.UTF-8 collation, where strcoll is
// strcmp) unless STORE is given (then memcmp), ties in numeric order broken by the elements, and
// BY with LIMIT sorting with Redis's partial quicksort (pqsort.c), since with ALPHA ties its order
// is what the client sees. STORE replaces the destination with a list in one crash-atomic write.
import { ErrorReply, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { WRONGTYPE } from '../../protocol/resp/index.js';
import { Kind, StoreError, type Store } from '../../store/store.js';
import { optIs, parseLongLong } from './args.js';
import { CLOSED, atomicWrite, spec } from './collections.js';
import type { CommandContext, CommandSpec } from './types.js';

const NOT_DOUBLE = new ErrorReply("ERR One or more scores can't be converted into double");
const EMPTY = Buffer.alloc(0);

/** Where a C string function stops: the first NUL, or the end. */
function cEnd(b: Buffer): number {
  const nul = b.indexOf(0);
  return nul < 0 ? b.length : nul;
}

/** The bytes strcmp/strcoll see. */
function cPart(b: Buffer): Buffer {
  const e = cEnd(b);
  return e === b.length ? b : b.subarray(0, e);
}

// ---- Patterns (lookupKeyByPattern)

/** A BY/GET pattern, taken apart once per command rather than once per element. */
interface Pattern {
  /** "#": the element itself. */
  self: boolean;
  /** No '*' (before a NUL): nothing to look up (GET answers nil; BY means "do not sort"). */
  constant: boolean;
  prefix: Buffer;
  postfix: Buffer;
  /** "key->field": the hash field to read, else null (a string key). */
  field: Buffer | null;
}

function parsePattern(p: Buffer): Pattern {
  const end = cEnd(p);
  const self = end === 1 && p[0] === 0x23; // spat[0] == '#' && spat[1] == '\0'
  const star = p.subarray(0, end).indexOf(0x2a);
  if (self || star < 0) return { self, constant: star < 0, prefix: EMPTY, postfix: EMPTY, field: null };
  // strstr(p+1, "->") on the C string, and a field only when something follows the arrow.
  const arrow = p.subarray(0, end).indexOf('->', star + 1, 'latin1');
  const hasField = arrow >= 0 && arrow + 2 < end;
  return {
    self,
    constant: false,
    prefix: p.subarray(0, star),
    postfix: p.subarray(star + 1, hasField ? arrow : p.length),
    field: hasField ? p.subarray(arrow + 2) : null,
  };
}

/** The value the pattern names for the element: a string key's value or a hash field; null when none. */
function lookupByPattern(store: Store, pat: Pattern, elem: Buffer): Buffer | null {
  if (pat.self) return elem;
  if (pat.constant) return null;
  const key = Buffer.concat([pat.prefix, elem, pat.postfix]);
  if (pat.field === null) return store.getValue(key); // null for a missing key and for a collection
  try {
    return store.hashes.get(key, pat.field);
  } catch (e) {
    if (e instanceof StoreError && e.code === 'WRONGTYPE') return null; // not a hash: no value, as Redis
    throw e;
  }
}

// ---- Numbers as strtod reads them

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF = /^[+-]?inf(?:inity)?$/i;
const DBL_MIN = 2.2250738585072014e-308;

/** x * 2^e, without overflowing the power on the way. */
function scale2(x: number, e: number): number {
  while (e > 1000) { x *= 2 ** 1000; e -= 1000; }
  while (e < -1000) { x *= 2 ** -1000; e += 1000; }
  return x * 2 ** e;
}

/**
 * The double sort.c gets from strtod(s, &eptr) where it accepts it (the whole C string used, no
 * ERANGE, not NaN), else null. strtod skips leading white space, takes decimal and hex floats and
 * inf/infinity; "" converts to 0 and is accepted, as eptr is then at the NUL.
 */
export function sortScore(b: Buffer): number | null {
  const end = cEnd(b);
  if (end === 0) return 0;
  let i = 0;
  // isspace() in the C locale
  while (i < end && (b[i] === 0x20 || (b[i]! >= 0x09 && b[i]! <= 0x0d))) i++;
  const s = b.toString('latin1', i, end);
  let v: number;
  let nonzeroDigits: boolean;
  if (DECIMAL.test(s)) {
    v = Number(s);
    nonzeroDigits = /[1-9]/.test(s.replace(/[eE].*$/, ''));
  } else {
    const h = HEX.exec(s);
    if (h !== null) {
      const int = h[2]!, frac = h[3] ?? '';
      if (int.length + frac.length === 0) return null; // "0x" alone: strtod stops at the 'x'
      const digits = (int + frac).replace(/^0+/, '') || '0';
      v = scale2(Number(BigInt('0x' + digits)), Number(h[4] ?? '0') - 4 * frac.length);
      if (h[1] === '-') v = -v;
      nonzeroDigits = digits !== '0';
    } else if (INF.test(s)) {
      return s[0] === '-' ? -Infinity : Infinity;
    } else {
      return null; // not a number, trailing bytes, or nan (rejected by isnan)
    }
  }
  if (!Number.isFinite(v)) return null; // overflow: ERANGE
  if (nonzeroDigits && Math.abs(v) < DBL_MIN) return null; // underflow: ERANGE
  return v;
}

// ---- Sorting

/** One element of the vector to sort (redisSortObject). */
interface SortItem {
  obj: Buffer;
  score: number;
  /** ALPHA: the bytes compared (null: a BY weight that is missing, which sorts first). */
  key: Buffer | null;
}

type Compare = (a: SortItem, b: SortItem) => number;

/** sortCompare, for numeric or ALPHA order, ascending or not. */
function comparator(alpha: boolean, desc: boolean): Compare {
  if (!alpha) {
    return (a, b) => {
      // Equal scores compare the elements (compareStringObjects: memcmp, then length).
      const c = a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.obj, b.obj);
      return desc ? -c : c;
    };
  }
  return (a, b) => {
    const x = a.key, y = b.key;
    const c = x === null || y === null ? (x === y ? 0 : x === null ? -1 : 1) : Buffer.compare(x, y);
    return desc ? -c : c;
  };
}

function med3(v: SortItem[], a: number, b: number, c: number, cmp: Compare): number {
  return cmp(v[a]!, v[b]!) < 0
    ? cmp(v[b]!, v[c]!) < 0 ? b : cmp(v[a]!, v[c]!) < 0 ? c : a
    : cmp(v[b]!, v[c]!) > 0 ? b : cmp(v[a]!, v[c]!) < 0 ? a : c;
}

function swap(v: SortItem[], i: number, j: number): void {
  const t = v[i]!;
  v[i] = v[j]!;
  v[j] = t;
}

function insertionSort(v: SortItem[], base: number, n: number, cmp: Compare): void {
  for (let pm = base + 1; pm < base + n; pm++) {
    for (let pl = pm; pl > base && cmp(v[pl - 1]!, v[pl]!) > 0; pl--) swap(v, pl, pl - 1);
  }
}

/**
 * Redis's pqsort (NetBSD's Bentley-McIlroy qsort that skips partitions outside ranks lo..hi), on
 * indexes instead of pointers. It is not stable, so with ALPHA ties its exact steps decide the
 * order the client sees. Recursion depth is bounded as in C: one side recurses, the other loops.
 */
function pqsort(v: SortItem[], base: number, n: number, cmp: Compare, lo: number, hi: number): void {
  for (;;) {
    let swapped = false;
    if (n < 7) {
      insertionSort(v, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(v, pm - d, pm, pm + d, cmp);
        pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(v, pl, pm, pn, cmp);
    }
    swap(v, base, pm);
    let pa = base + 1, pb = base + 1;
    let pc = base + n - 1, pd = base + n - 1;
    for (;;) {
      let r = 0;
      while (pb <= pc && (r = cmp(v[pb]!, v[base]!)) <= 0) {
        if (r === 0) {
          swapped = true;
          swap(v, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc]!, v[base]!)) >= 0) {
        if (r === 0) {
          swapped = true;
          swap(v, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb, pc);
      swapped = true;
      pb++;
      pc--;
    }
    if (!swapped) {
      insertionSort(v, base, n, cmp);
      return;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    for (let i = 0; i < r; i++) swap(v, base + i, pb - r + i);
    r = Math.min(pd - pc, pn - pd - 1);
    for (let i = 0; i < r; i++) swap(v, pb + i, pn - r + i);
    // A partition is sorted further only when it holds some of ranks lo..hi.
    const wanted = (from: number, count: number): boolean =>
      !((lo < from && hi < from) || (lo >= from + count && hi >= from + count));
    r = pb - pa;
    if (r > 1 && wanted(base, r)) pqsort(v, base, r, cmp, lo, hi);
    r = pd - pc;
    if (r > 1) {
      base = pn - r;
      n = r;
      if (wanted(base, n)) continue;
    }
    return;
  }
}

// ---- The command

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: bigint;
  limitCount: bigint;
  /** The last BY pattern, or null. */
  sortby: Pattern | null;
  /** A BY pattern without '*' was given: keep the source's order (sticky, as in Redis). */
  dontsort: boolean;
  store: Buffer | null;
  gets: Pattern[];
}

function parseOptions(argv: Buffer[], readonly: boolean): SortOptions | ErrorReply {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0n, limitCount: -1n, sortby: null, dontsort: false, store: null, gets: [] };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j]!;
    if (optIs(a, 'asc')) o.desc = false;
    else if (optIs(a, 'desc')) o.desc = true;
    else if (optIs(a, 'alpha')) o.alpha = true;
    else if (optIs(a, 'limit') && left >= 2) {
      const s = parseLongLong(argv[j + 1]!);
      if (s === null) return NOT_INTEGER;
      const c = parseLongLong(argv[j + 2]!);
      if (c === null) return NOT_INTEGER;
      o.limitStart = s;
      o.limitCount = c;
      j += 2;
    } else if (!readonly && optIs(a, 'store') && left >= 1) {
      o.store = argv[++j]!;
    } else if (optIs(a, 'by') && left >= 1) {
      o.sortby = parsePattern(argv[++j]!);
      if (o.sortby.constant) o.dontsort = true;
      // BY and GET with a pattern are refused in cluster mode only; daxcache is not a cluster.
    } else if (optIs(a, 'get') && left >= 1) {
      o.gets.push(parsePattern(argv[++j]!));
    } else return SYNTAX_ERR;
  }
  return o;
}

const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);

function sortGeneric(ctx: CommandContext, argv: Buffer[], readonly: boolean): Reply {
  const o = parseOptions(argv, readonly);
  if (o instanceof ErrorReply) return o;
  const store = ctx.store;
  const src = argv[1]!;
  const info = store.keyInfo(src);
  // A missing key sorts as an empty list.
  const kind = info === null ? Kind.List : info.kind;
  if (kind !== Kind.List && kind !== Kind.Set && kind !== Kind.Zset) return WRONGTYPE;
  const len = info === null ? 0 : info.count;

  let { alpha, dontsort, sortby } = o;
  const desc = o.desc;
  // A set has no order of its own: with BY nosort and STORE, Redis sorts it ALPHA so replicas agree.
  if (dontsort && kind === Kind.Set && o.store !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  // LIMIT, clamped as sortCommandGeneric does.
  const n = BigInt(len);
  let start = bmin(bmax(o.limitStart, 0n), n);
  const count = bmin(bmax(o.limitCount, -1n), n);
  let end = count < 0n ? n - 1n : start + count - 1n;
  if (start >= n) {
    start = n - 1n;
    end = n - 2n;
  }
  if (end >= n) end = n - 1n;
  let from = Number(start), to = Number(end); // output ranks from..to of the vector

  let elems: Buffer[];
  if (len === 0) elems = [];
  else if (dontsort && (kind === Kind.List || kind === Kind.Zset)) {
    // The source's own order (reversed by DESC), and only the ranks LIMIT selects.
    if (to < from) elems = [];
    else {
      const lo = desc ? len - 1 - to : from, hi = desc ? len - 1 - from : to;
      elems = kind === Kind.List ? store.lists.range(src, lo, hi) : store.zsets.slice(src, lo, hi + 1).members;
      if (desc) elems.reverse();
    }
    to -= from;
    from = 0;
  } else if (kind === Kind.List) elems = store.lists.range(src, 0, -1);
  else if (kind === Kind.Set) elems = store.sets.all(src, false);
  else elems = store.zsets.slice(src, 0, len).members;

  let vector: SortItem[] | null = null;
  if (!dontsort) {
    const storing = o.store !== null;
    vector = new Array<SortItem>(elems.length);
    for (let j = 0; j < elems.length; j++) {
      const obj = elems[j]!;
      const item: SortItem = { obj, score: 0, key: null };
      vector[j] = item;
      const byval = sortby !== null ? lookupByPattern(store, sortby, obj) : obj;
      if (byval === null) continue; // a missing weight: 0, or first in ALPHA order
      if (alpha) {
        // strcoll sees a C string; with STORE Redis compares whole values (memcmp).
        item.key = storing ? byval : cPart(byval);
      } else {
        const s = sortScore(byval);
        if (s === null) return NOT_DOUBLE; // Redis replies this after sorting; nothing else differs
        item.score = s;
      }
    }
    const cmp = comparator(alpha, desc);
    if (sortby !== null && (from !== 0 || to !== vector.length - 1)) pqsort(vector, 0, vector.length, cmp, from, to);
    else vector.sort(cmp); // glibc qsort is a stable merge sort, as Array.prototype.sort is
  }

  const gets = o.gets;
  const out: Array<Buffer | null> = [];
  for (let j = from; j <= to; j++) {
    const obj = vector !== null ? vector[j]!.obj : elems[j]!;
    if (gets.length === 0) out.push(obj);
    for (const g of gets) out.push(lookupByPattern(store, g, obj));
  }
  if (o.store === null) return out;

  const dst = o.store;
  // STORE keeps a missing GET value as an empty string.
  const values = out.map((v) => v ?? EMPTY);
  let bytes = 256;
  for (const v of values) bytes += v.length * 2 + 64;
  if (!atomicWrite(ctx, bytes, () => {
    // one undoable op: out of memory, the destination keeps what it held
    if (values.length) store.lists.replaceWith(dst, values);
    else store.delete(dst);
  })) return CLOSED;
  return values.length;
}

const sort = (ctx: CommandContext, argv: Buffer[]): Reply => sortGeneric(ctx, argv, false);
const sortRo = (ctx: CommandContext, argv: Buffer[]): Reply => sortGeneric(ctx, argv, true);

// Key positions as Redis's legacy triple (1 1 1); STORE's destination comes anywhere in the
// arguments (Redis finds it with a getkeys procedure). Redis's ACL categories beyond the group's.
const CATEGORIES = ['@set', '@sortedset', '@list', '@dangerous'];

export const sortCommands: CommandSpec[] = [
  { ...spec('sort', -2, ['write', 'denyoom'], sort, 1, 1, 1, () => 16), categories: CATEGORIES },
  { ...spec('sort_ro', -2, ['readonly'], sortRo), categories: CATEGORIES },
];

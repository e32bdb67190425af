// Reading the collection values of a DUMP payload (rdb.c rdbLoadObject, Redis 7.0 and 7.2), every
// form Redis 7 loads for a hash, set, sorted set or list:
//   1 list, 2 set, 3 zset (scores as text), 4 hash, 5 zset_2 (scores as binary doubles): a count,
//     then RDB strings (and scores);
//   10 list_ziplist, 12 zset_ziplist, 13 hash_ziplist: one RDB string holding a ziplist;
//   11 set_intset: one RDB string holding an intset;
//   14 list_quicklist: a count of nodes, each an RDB string holding a ziplist;
//   16 hash_listpack, 17 zset_listpack, 20 set_listpack (7.2): one RDB string holding a listpack;
//   18 list_quicklist_2: a count of nodes, each a container (1 plain: the string is one element,
//     2 packed: it is a listpack) and an RDB string.
// 9 (zipmap, Redis 2.4) and the stream and module types are refused.
//
// Redis loads these with sanitize-dump-payload; we always validate as its deep mode does (listpack.ts,
// ziplist.ts, intset.ts) and refuse what it refuses at load: an empty collection (its "emptykey"),
// duplicate set members, hash fields or zset members, a NaN score. Scores stored as text (types 3,
// 12, 17) must be a whole number: Redis reads them with strtod/sscanf, which stops at the first bad
// byte; we do not take a prefix of a corrupt score.
import { Reader, readString } from './rdb-reader.js';
import { readListpack } from './listpack.js';
import { readZiplist } from './ziplist.js';
import { readIntset } from './intset.js';

/** A value read from a DUMP payload, in the shape the store takes it. */
export type RestoredValue =
  | { type: 'string'; value: Buffer }
  /** field, value, field, value ... */
  | { type: 'hash'; items: Buffer[] }
  | { type: 'set'; items: Buffer[] }
  | { type: 'zset'; members: Buffer[]; scores: number[] }
  /** head first */
  | { type: 'list'; items: Buffer[] };

const RDB_TYPE_LIST = 1;
const RDB_TYPE_SET = 2;
const RDB_TYPE_ZSET = 3;
const RDB_TYPE_HASH = 4;
const RDB_TYPE_ZSET_2 = 5;
const RDB_TYPE_LIST_ZIPLIST = 10;
const RDB_TYPE_SET_INTSET = 11;
const RDB_TYPE_ZSET_ZIPLIST = 12;
const RDB_TYPE_HASH_ZIPLIST = 13;
const RDB_TYPE_LIST_QUICKLIST = 14;
const RDB_TYPE_HASH_LISTPACK = 16;
const RDB_TYPE_ZSET_LISTPACK = 17;
const RDB_TYPE_LIST_QUICKLIST_2 = 18;
const RDB_TYPE_SET_LISTPACK = 20;

const CONTAINER_PLAIN = 1;
const CONTAINER_PACKED = 2;

/** rdbLoadLen(rdb, NULL): a count (Redis ignores the "encoded" flag here), or null. */
function count(r: Reader): number | null {
  const l = r.length();
  return l === null ? null : l[0];
}

/** True when no two of the buffers (every `step`-th from 0) are equal. */
function distinct(items: Buffer[], step: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i += step) {
    const k = items[i]!.toString('latin1');
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/** A score written as text (d2string's "1.5", "-inf", an integer), or null when it is not one. */
function parseScore(b: Buffer): number | null {
  if (b.length === 0 || b.length > 255) return null;
  const s = b.toString('latin1');
  if (DECIMAL.test(s)) return Number(s);
  const inf = INFINITY.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return null; // NaN included: Redis refuses a NaN score at load
}

/** member, score, member, score ... (from a ziplist or listpack) as a zset, or null. */
function zsetFromPairs(items: Buffer[] | null): RestoredValue | null {
  if (items === null || items.length === 0 || items.length % 2 !== 0 || !distinct(items, 2)) return null;
  const members: Buffer[] = [];
  const scores: number[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const score = parseScore(items[i + 1]!);
    if (score === null) return null;
    members.push(items[i]!);
    scores.push(score);
  }
  return { type: 'zset', members, scores };
}

/** field, value ... (from a ziplist or listpack) as a hash, or null. */
function hashFromPairs(items: Buffer[] | null): RestoredValue | null {
  if (items === null || items.length === 0 || items.length % 2 !== 0 || !distinct(items, 2)) return null;
  return { type: 'hash', items };
}

/** A blob (one RDB string) read by `parse`. */
function blob(r: Reader, parse: (b: Buffer) => Buffer[] | null): Buffer[] | null {
  const b = readString(r);
  return b === null ? null : parse(b);
}

/** n RDB strings, or null. */
function strings(r: Reader, n: number): Buffer[] | null {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const s = readString(r);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** rdbLoadDoubleValue: a length byte (253 NaN, 254 +inf, 255 -inf) and that many bytes of text. */
function textScore(r: Reader): number | null {
  const len = r.byte();
  if (len === null || len === 253) return null;
  if (len === 254) return Infinity;
  if (len === 255) return -Infinity;
  const b = r.bytes(len);
  return b === null ? null : parseScore(b);
}

/** The quicklist's nodes (types 14 and 18) as the list's elements, or null. */
function quicklist(r: Reader, v2: boolean): Buffer[] | null {
  const nodes = count(r);
  if (nodes === null || nodes === 0) return null;
  const out: Buffer[] = [];
  for (let i = 0; i < nodes; i++) {
    let container = CONTAINER_PACKED;
    if (v2) {
      const c = count(r);
      if (c !== CONTAINER_PLAIN && c !== CONTAINER_PACKED) return null;
      container = c;
    }
    const data = readString(r);
    if (data === null || data.length === 0) return null;
    if (container === CONTAINER_PLAIN) {
      out.push(data);
      continue;
    }
    const items = v2 ? readListpack(data) : readZiplist(data);
    if (items === null) return null;
    for (const e of items) out.push(e); // an empty node is skipped, as Redis does
  }
  return out.length === 0 ? null : out;
}

/** The collection of RDB type `type` at the reader, or null (unknown type, malformed, or refused). */
export function readCollection(type: number, r: Reader): RestoredValue | null {
  switch (type) {
    case RDB_TYPE_LIST: {
      const n = count(r);
      const items = n === null || n === 0 ? null : strings(r, n);
      return items === null ? null : { type: 'list', items };
    }
    case RDB_TYPE_SET: {
      const n = count(r);
      const items = n === null || n === 0 ? null : strings(r, n);
      return items === null || !distinct(items, 1) ? null : { type: 'set', items };
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = count(r);
      if (n === null || n === 0) return null;
      const members: Buffer[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        const m = readString(r);
        if (m === null) return null;
        let score: number | null;
        if (type === RDB_TYPE_ZSET_2) {
          const b = r.bytes(8);
          score = b === null ? null : b.readDoubleLE(0);
        } else {
          score = textScore(r);
        }
        if (score === null || Number.isNaN(score)) return null;
        members.push(m);
        scores.push(score);
      }
      return distinct(members, 1) ? { type: 'zset', members, scores } : null;
    }
    case RDB_TYPE_HASH: {
      const n = count(r);
      if (n === null || n === 0) return null;
      const items: Buffer[] = [];
      for (let i = 0; i < 2 * n; i++) {
        const s = readString(r);
        if (s === null) return null;
        items.push(s);
      }
      return distinct(items, 2) ? { type: 'hash', items } : null;
    }
    case RDB_TYPE_LIST_ZIPLIST: {
      const items = blob(r, readZiplist);
      return items === null || items.length === 0 ? null : { type: 'list', items };
    }
    case RDB_TYPE_SET_INTSET: {
      const items = blob(r, readIntset);
      return items === null ? null : { type: 'set', items };
    }
    case RDB_TYPE_SET_LISTPACK: {
      const items = blob(r, readListpack);
      return items === null || items.length === 0 || !distinct(items, 1) ? null : { type: 'set', items };
    }
    case RDB_TYPE_ZSET_ZIPLIST:
      return zsetFromPairs(blob(r, readZiplist));
    case RDB_TYPE_ZSET_LISTPACK:
      return zsetFromPairs(blob(r, readListpack));
    case RDB_TYPE_HASH_ZIPLIST:
      return hashFromPairs(blob(r, readZiplist));
    case RDB_TYPE_HASH_LISTPACK:
      return hashFromPairs(blob(r, readListpack));
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const items = quicklist(r, type === RDB_TYPE_LIST_QUICKLIST_2);
      return items === null ? null : { type: 'list', items };
    }
    default:
      return null;
  }
}

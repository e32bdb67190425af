// What the collection families (hashes.ts, sets.ts, zsets.ts, lists.ts) share: the *SCAN arguments
// and walk, the count argument of HRANDFIELD/SRANDMEMBER/SPOP/ZRANDMEMBER, the arguments of
// LMPOP/ZMPOP and their blocking forms, multi-key atomic writes, and the shape of their command specs.
import { ErrorReply, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { ATOMIC_BUCKETS_PER_WRITE, type MapStore, type Store } from '../../store/store.js';
import { INVALID_CURSOR, optIs, parseLongLong, parseScanCursor, parseScanOptions, scanStart, stringMatch } from './args.js';
import type { CommandContext, CommandSpec } from './types.js';

export const NUMKEYS = new ErrorReply('ERR numkeys should be greater than 0');
export const COUNT_NOT_POSITIVE = new ErrorReply('ERR count should be greater than 0');

/** members -> a set's field/value list (every value empty), the form the map store takes. */
export function asFields(members: Buffer[]): Buffer[] {
  const fv: Buffer[] = new Array(members.length * 2);
  for (let i = 0; i < members.length; i++) {
    fv[2 * i] = members[i]!;
    fv[2 * i + 1] = NO_VALUE;
  }
  return fv;
}
const NO_VALUE = Buffer.alloc(0);

/** LMPOP/ZMPOP (and BLMPOP/BZMPOP) after numkeys: the keys, the end word, the count (1 when not given). */
export interface MpopArgs<W> {
  keys: Buffer[];
  where: W;
  count: number;
}

/**
 * The arguments from numkeys_idx on, checked in Redis's order (mpopGenericCommand): numkeys, the end
 * word (`where` parses LEFT|RIGHT or MIN|MAX, null when it is neither), at most one COUNT.
 */
export function parseMpop<W>(argv: Buffer[], numkeysIdx: number, where: (arg: Buffer) => W | null): MpopArgs<W> | ErrorReply {
  const numkeys = parseLongLong(argv[numkeysIdx]!);
  if (numkeys === null || numkeys < 1n) return NUMKEYS;
  const whereIdx = BigInt(numkeysIdx) + numkeys + 1n;
  if (whereIdx >= BigInt(argv.length)) return SYNTAX_ERR;
  const wi = Number(whereIdx);
  const w = where(argv[wi]!);
  if (w === null) return SYNTAX_ERR;
  let count = -1;
  for (let j = wi + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && optIs(argv[j]!, 'count') && more) {
      const c = parseLongLong(argv[++j]!);
      if (c === null || c < 1n) return COUNT_NOT_POSITIVE;
      count = c > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(c);
    } else {
      return SYNTAX_ERR;
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, wi), where: w, count: count === -1 ? 1 : count };
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
export const CLOSED = new ErrorReply('ERR server is shutting down');

/** Runs writes to several keys as one crash-atomic step (false when the store is closing). */
export function atomicWrite(ctx: CommandContext, bytes: number, fn: () => void): boolean {
  return ctx.store.atomically(4 * ATOMIC_BUCKETS_PER_WRITE, bytes, fn);
}

type Flag = CommandSpec['flags'][number];

export function spec(name: string, arity: number, flags: Flag[], handler: CommandSpec['handler'], firstKey = 1, lastKey = 1, step = 1, logLines?: (argv: Buffer[]) => number): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, handler, ...(logLines ? { logLines } : {}) };
}

/** Intent-log lines a write of the members from argument `first` on may stage (store_map.cc). */
export const perMember = (first: number) => (argv: Buffer[]) => 8 * Math.max(0, argv.length - first);


/**
 * HSCAN/SSCAN key cursor [MATCH pattern] [COUNT count] (Redis's scanGenericCommand): a page of
 * [cursor, items]. The cursor is the map's bucket number, valid as the map grows; a small (packed)
 * map answers whole with cursor 0, as a listpack/intset does in Redis. `values`: field-value pairs.
 */
export function scanMap(maps: MapStore, argv: Buffer[], values: boolean, showValue?: (v: Buffer) => Reply): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) return INVALID_CURSOR;
  // As hscanCommand: a missing key answers an empty page and a wrong type WRONGTYPE before the
  // options are parsed.
  if (maps.size(argv[1]!) === 0) return ['0', []];
  const opts = parseScanOptions(argv, 3, false);
  if (opts instanceof ErrorReply) return opts;
  const { pattern } = opts;
  const { next, items } = maps.scan(argv[1]!, scanStart(cursor), opts.count, values);
  if (pattern === null && !showValue) return [String(next), items];
  const step = values ? 2 : 1;
  const out: Reply[] = [];
  for (let i = 0; i < items.length; i += step) {
    if (pattern !== null && !stringMatch(pattern, items[i]!)) continue;
    out.push(items[i]!);
    if (values) out.push(showValue ? showValue(items[i + 1]!) : items[i + 1]!);
  }
  return [String(next), out];
}

const LONG_MAX = 9223372036854775807n;
const COUNT_OUT_OF_RANGE = new ErrorReply(`ERR value is out of range, value must between -${LONG_MAX} and ${LONG_MAX}`);

/** The count of HRANDFIELD/SRANDMEMBER (getRangeLongFromObjectOrReply, -LONG_MAX..LONG_MAX). */
export function parseRandomCount(arg: Buffer): bigint | ErrorReply {
  const v = parseLongLong(arg);
  if (v === null) return NOT_INTEGER;
  if (v < -LONG_MAX) return COUNT_OUT_OF_RANGE;
  return v;
}

/**
 * `n` random entries of a map, repeats allowed (a negative count): independent draws. A packed map
 * is read once and drawn from here, rather than unpacked again for every draw.
 */
export function randomWithRepeats(store: Store, maps: MapStore, key: Buffer, n: number): Array<[Buffer, Buffer]> {
  const out: Array<[Buffer, Buffer]> = new Array(n);
  if (store.keyInfo(key)?.large === false) {
    const all = maps.all(key, true);
    const entries = all.length / 2;
    for (let i = 0; i < n; i++) {
      const j = 2 * Math.floor(Math.random() * entries);
      out[i] = [all[j]!, all[j + 1]!];
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = maps.random(key)!;
  return out;
}

/**
 * `want` distinct random entries of a map of `size` (0 < want < size): Redis picks them by
 * random draws while the map is much larger than the count, else takes all and drops random ones.
 */
export function distinctRandom(maps: MapStore, key: Buffer, want: number, size: number, values: boolean): Buffer[][] {
  if (want * 3 > size) {
    const all = maps.all(key, true);
    const entries: Buffer[][] = [];
    for (let i = 0; i < all.length; i += 2) entries.push(values ? [all[i]!, all[i + 1]!] : [all[i]!]);
    while (entries.length > want) {
      const j = Math.floor(Math.random() * entries.length);
      entries[j] = entries[entries.length - 1]!;
      entries.pop();
    }
    return entries;
  }
  const seen = new Map<string, Buffer[]>();
  // Bounded: each draw is a random element, so `want` distinct ones come in about want draws.
  for (let tries = 0; seen.size < want && tries < want * 64; tries++) {
    const e = maps.random(key);
    if (e === null) break;
    const id = e[0].toString('latin1');
    if (!seen.has(id)) seen.set(id, values ? e : [e[0]]);
  }
  if (seen.size < want) {
    // Unlucky draws (or a very uneven table): fill from a walk.
    const all = maps.all(key, true);
    for (let i = 0; i < all.length && seen.size < want; i += 2) {
      const id = all[i]!.toString('latin1');
      if (!seen.has(id)) seen.set(id, values ? [all[i]!, all[i + 1]!] : [all[i]!]);
    }
  }
  return [...seen.values()];
}

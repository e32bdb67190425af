// Redis list commands (t_list.c) over the store's lists (store.lists: a chain of nodes of packed
// entries, native/core/store_list.cc). Arguments are checked in pushGenericCommand's,
// lrangeCommand's, ... order, so a bad call gets Redis's error; a push or pop at an end is O(1)
// and crash-atomic, LMOVE/RPOPLPUSH move an element between keys in one crash-atomic step.
import { BulkArray, ErrorReply, FillBulk, NullArray, OK, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { Kind, StoreError, type Store } from '../../store/store.js';
import { optIs, parseLongLong } from './args.js';
import { parseMpop, spec, type MpopArgs } from './collections.js';
import type { CommandContext, CommandSpec } from './types.js';

const NOT_POSITIVE = new ErrorReply('ERR value is out of range, must be positive');
const NO_SUCH_KEY = new ErrorReply('ERR no such key');
const INDEX_OUT_OF_RANGE = new ErrorReply('ERR index out of range');
const RANK_ZERO = new ErrorReply(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
const COUNT_NEGATIVE = new ErrorReply("ERR COUNT can't be negative");
const MAXLEN_NEGATIVE = new ErrorReply("ERR MAXLEN can't be negative");
const LONG_MAX = 9223372036854775807n;

/** getLongFromObjectOrReply: an index as a JS number (past 2^53 the list is far shorter anyway). */
function parseIndex(arg: Buffer): number | null {
  const v = parseLongLong(arg);
  return v === null ? null : Number(v);
}

/** getPositiveLongFromObjectOrReply: one message for a non-integer and a negative value alike. */
function parsePositive(arg: Buffer, msg: ErrorReply = NOT_POSITIVE): number | ErrorReply {
  const v = parseLongLong(arg);
  if (v === null || v < 0n) return msg;
  return Number(v);
}

/** LEFT|RIGHT (getListPositionFromObjectOrReply): true for LEFT. */
export function parseEnd(arg: Buffer): boolean | null {
  if (optIs(arg, 'left')) return true;
  if (optIs(arg, 'right')) return false;
  return null;
}

function push(left: boolean, xx: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => ctx.store.lists.push(argv[1]!, left, argv.slice(2), xx);
}

/** LPOP/RPOP key [count] (popGenericCommand). */
function pop(left: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    if (argv.length > 3) return new ErrorReply(`ERR wrong number of arguments for '${left ? 'lpop' : 'rpop'}' command`);
    let count = -1;
    if (argv.length === 3) {
      const c = parsePositive(argv[2]!);
      if (c instanceof ErrorReply) return c;
      count = c;
    }
    const lists = ctx.store.lists;
    if (count === 0) {
      // Redis answers the key's absence or type before the empty reply of a zero count.
      if (lists.length(argv[1]!) === 0) return NullArray;
      return [];
    }
    if (count === -1) {
      // One value, copied into the reply when it is written (FillBulk): no Buffer, no array.
      const n = lists.popOne(argv[1]!, left);
      return n < 0 ? null : new FillBulk(n, ctx.store.copyFoundValue);
    }
    return lists.pop(argv[1]!, left, count) ?? NullArray;
  };
}

function llen(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.lists.length(argv[1]!);
}

function lindex(ctx: CommandContext, argv: Buffer[]): Reply {
  // lookupKeyReadOrReply and checkType come before the index is parsed.
  if (ctx.store.lists.length(argv[1]!) === 0) return null;
  const i = parseIndex(argv[2]!);
  if (i === null) return NOT_INTEGER;
  return ctx.store.lists.index(argv[1]!, i);
}

function lset(ctx: CommandContext, argv: Buffer[]): Reply {
  if (ctx.store.lists.length(argv[1]!) === 0) return NO_SUCH_KEY;
  const i = parseIndex(argv[2]!);
  if (i === null) return NOT_INTEGER;
  const r = ctx.store.lists.set(argv[1]!, i, argv[3]!);
  if (r === 'no-key') return NO_SUCH_KEY;
  if (r === 'out-of-range') return INDEX_OUT_OF_RANGE;
  return OK;
}

function lrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const start = parseIndex(argv[2]!);
  const stop = parseIndex(argv[3]!);
  if (start === null || stop === null) return NOT_INTEGER;
  const r = ctx.store.lists.rangePacked(argv[1]!, start, stop);
  return new BulkArray(r.data, r.lengths);
}

function ltrim(ctx: CommandContext, argv: Buffer[]): Reply {
  const start = parseIndex(argv[2]!);
  const stop = parseIndex(argv[3]!);
  if (start === null || stop === null) return NOT_INTEGER;
  ctx.store.lists.trim(argv[1]!, start, stop);
  return OK;
}

function linsert(ctx: CommandContext, argv: Buffer[]): Reply {
  let before: boolean;
  if (optIs(argv[2]!, 'before')) before = true;
  else if (optIs(argv[2]!, 'after')) before = false;
  else return SYNTAX_ERR;
  return ctx.store.lists.insert(argv[1]!, before, argv[3]!, argv[4]!);
}

function lrem(ctx: CommandContext, argv: Buffer[]): Reply {
  const count = parseIndex(argv[2]!);
  if (count === null) return NOT_INTEGER;
  return ctx.store.lists.remove(argv[1]!, count, argv[3]!);
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] (lposCommand). */
function lpos(ctx: CommandContext, argv: Buffer[]): Reply {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const more = argv.length - 1 - j;
    if (optIs(opt, 'rank') && more) {
      const r = parseLongLong(argv[++j]!);
      if (r === null) return NOT_INTEGER;
      if (r === 0n) return RANK_ZERO;
      // Redis 7.0 negates a negative rank in a long: LONG_MIN stays negative and then every
      // match passes `matches >= rank`, so it answers as rank -1 does (7.2 made it an error).
      rank = r === -LONG_MAX - 1n ? -1 : Number(r);
    } else if (optIs(opt, 'count') && more) {
      const c = parsePositive(argv[++j]!, COUNT_NEGATIVE);
      if (c instanceof ErrorReply) return c;
      count = c;
    } else if (optIs(opt, 'maxlen') && more) {
      const m = parsePositive(argv[++j]!, MAXLEN_NEGATIVE);
      if (m instanceof ErrorReply) return m;
      maxlen = m;
    } else {
      return SYNTAX_ERR;
    }
  }
  const found = ctx.store.lists.positions(argv[1]!, argv[2]!, rank, count === -1 ? 1 : count, maxlen);
  if (count !== -1) return found;
  return found.length ? found[0]! : null;
}

function lmove(ctx: CommandContext, argv: Buffer[]): Reply {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from === null || to === null) return SYNTAX_ERR;
  return ctx.store.lists.move(argv[1]!, argv[2]!, from, to);
}

function rpoplpush(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.lists.move(argv[1]!, argv[2]!, false, true);
}

/** LMPOP/BLMPOP's arguments from numkeys_idx: `where` is true for LEFT. */
export function parseLmpop(argv: Buffer[], numkeysIdx: number): MpopArgs<boolean> | ErrorReply {
  return parseMpop(argv, numkeysIdx, parseEnd);
}

/** The length of a list key, 0 when absent; WRONGTYPE for another type unless `lenient` (then 0). */
function listLength(store: Store, key: Buffer, lenient = false): number {
  const info = store.keyInfo(key);
  if (info === null) return 0;
  if (info.kind !== Kind.List) {
    if (lenient) return 0;
    throw new StoreError('WRONGTYPE', 'the key holds another type');
  }
  return info.count;
}

/**
 * mpopGenericCommand: [key, [values]] from the first non-empty key, or null when none is.
 * `serving` (a blocked client served from a ready key): a key of another type is skipped.
 */
export function mpop(ctx: CommandContext, a: MpopArgs<boolean>, serving = false): Reply | null {
  for (const k of a.keys) {
    if (listLength(ctx.store, k, serving) === 0) continue;
    const r = ctx.store.lists.pop(k, a.where, a.count);
    if (r !== null) return [k, r];
  }
  return null;
}

/** One element from an end of a list, null when the key is absent (or, `serving`, not a list). */
export function popOne(ctx: CommandContext, key: Buffer, left: boolean, serving = false): Buffer | null {
  if (listLength(ctx.store, key, serving) === 0) return null;
  return ctx.store.lists.pop(key, left, 1)?.[0] ?? null;
}

/**
 * LMOVE's move for BLMOVE: null when the source is absent (or, `serving`, not a list); a
 * destination of another type is WRONGTYPE (Redis checks it only once the source has elements).
 */
export function moveOne(ctx: CommandContext, src: Buffer, dst: Buffer, fromLeft: boolean, toLeft: boolean, serving = false): Buffer | null {
  if (listLength(ctx.store, src, serving) === 0) return null;
  return ctx.store.lists.move(src, dst, fromLeft, toLeft);
}

function lmpop(ctx: CommandContext, argv: Buffer[]): Reply {
  const a = parseLmpop(argv, 1);
  if (a instanceof ErrorReply) return a;
  return mpop(ctx, a) ?? NullArray;
}

/** Intent-log lines a push of the values from argument 2 on may stage (store_list.cc). */
const pushLines = (argv: Buffer[]): number => 3 * Math.max(0, argv.length - 2);
const fewLines = (): number => 16;

export const listCommands: CommandSpec[] = [
  spec('lpush', -3, ['write', 'denyoom', 'fast'], push(true, false), 1, 1, 1, pushLines),
  spec('rpush', -3, ['write', 'denyoom', 'fast'], push(false, false), 1, 1, 1, pushLines),
  spec('lpushx', -3, ['write', 'denyoom', 'fast'], push(true, true), 1, 1, 1, pushLines),
  spec('rpushx', -3, ['write', 'denyoom', 'fast'], push(false, true), 1, 1, 1, pushLines),
  spec('lpop', -2, ['write', 'fast'], pop(true), 1, 1, 1, fewLines),
  spec('rpop', -2, ['write', 'fast'], pop(false), 1, 1, 1, fewLines),
  spec('llen', 2, ['readonly', 'fast'], llen),
  spec('lindex', 3, ['readonly'], lindex),
  spec('lset', 4, ['write', 'denyoom'], lset, 1, 1, 1, fewLines),
  spec('lrange', 4, ['readonly'], lrange),
  spec('ltrim', 4, ['write'], ltrim, 1, 1, 1, fewLines),
  spec('linsert', 5, ['write', 'denyoom'], linsert, 1, 1, 1, fewLines),
  spec('lrem', 4, ['write'], lrem, 1, 1, 1, fewLines),
  spec('lpos', -3, ['readonly'], lpos),
  spec('lmove', 5, ['write', 'denyoom'], lmove, 1, 2, 1, fewLines),
  spec('rpoplpush', 3, ['write', 'denyoom'], rpoplpush, 1, 2, 1, fewLines),
  spec('lmpop', -4, ['write'], lmpop, 0, 0, 0, fewLines),
];

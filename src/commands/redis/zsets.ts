// Redis sorted-set commands (t_zset.c) over store.zsets: a map member -> score in the pool (packed
// in one item while small, a table of member items when large) with its order kept in DRAM
// (native/core/zorder.h). Option parsing, checks and errors come in Redis 7.0's order, so the same
// bad call gets the same error. Commands that write several keys (the *STORE forms) run as one
// crash-atomic write.
import { DoubleReply, ErrorReply, NullArray, type Reply } from '../../protocol/resp/reply.js';
import { NOT_FLOAT, NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { Kind, StoreError, type LexRange, type ScoreRange, type Store } from '../../store/store.js';
import { decodeScore, encodeScore } from '../../store/zsets.js';
import { LLONG_MAX, optIs, parseLongLong } from './args.js';
import { CLOSED, atomicWrite, distinctRandom, randomWithRepeats, parseMpop, parseRandomCount, perMember, scanMap, spec, type MpopArgs } from './collections.js';
import { parseLexRange, parseScore, parseScoreRange } from './scores.js';
import type { CommandContext, CommandSpec } from './types.js';

const NOT_POSITIVE = new ErrorReply('ERR value is out of range, must be positive');
const OUT_OF_RANGE = new ErrorReply('ERR value is out of range');
const NAN_SCORE = new ErrorReply('ERR resulting score is not a number (NaN)');
const XX_NX = new ErrorReply('ERR XX and NX options at the same time are not compatible');
const GT_LT_NX = new ErrorReply('ERR GT, LT, and/or NX options at the same time are not compatible');
const INCR_PAIRS = new ErrorReply('ERR INCR option supports a single increment-element pair');
const LIMIT_RANK = new ErrorReply('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
const WITHSCORES_LEX = new ErrorReply('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
const WEIGHT_NOT_FLOAT = new ErrorReply('ERR weight value is not a float');
const LIMIT_NEGATIVE = new ErrorReply("ERR LIMIT can't be negative");
const WRONGTYPE = () => new StoreError('WRONGTYPE', 'the key holds another type');

/** A bigint argument as a JS number, clamped where only its sign or a huge size matters. */
function clampNumber(v: bigint): number {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(v > max ? max : v < -max ? -max : v);
}

/** Members with scores as a reply: RESP2 one flat array, RESP3 [member, score] pairs. */
function withScores(ctx: CommandContext, members: Buffer[], scores: number[]): Reply {
  const out: Reply[] = [];
  for (let i = 0; i < members.length; i++) {
    if (ctx.client.resp === 3) out.push([members[i]!, new DoubleReply(scores[i]!)]);
    else out.push(members[i]!, new DoubleReply(scores[i]!));
  }
  return out;
}

/** Elements of a size (0 when absent); WRONGTYPE when the key holds another type. */
function zcardOf(store: Store, key: Buffer): number {
  return store.zsets.size(key);
}

// ---- ZADD / ZINCRBY (zaddGenericCommand, zsetAdd)

const IN_NX = 1, IN_XX = 2, IN_GT = 4, IN_LT = 8, IN_INCR = 16;

function zaddGeneric(ctx: CommandContext, argv: Buffer[], flags0: number): Reply {
  const key = argv[1]!;
  let flags = flags0;
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const a = argv[idx]!;
    if (optIs(a, 'nx')) flags |= IN_NX;
    else if (optIs(a, 'xx')) flags |= IN_XX;
    else if (optIs(a, 'ch')) ch = true;
    else if (optIs(a, 'incr')) flags |= IN_INCR;
    else if (optIs(a, 'gt')) flags |= IN_GT;
    else if (optIs(a, 'lt')) flags |= IN_LT;
    else break;
  }
  const incr = (flags & IN_INCR) !== 0, nx = (flags & IN_NX) !== 0, xx = (flags & IN_XX) !== 0;
  const gt = (flags & IN_GT) !== 0, lt = (flags & IN_LT) !== 0;
  let elements = argv.length - idx;
  if (elements % 2 || !elements) return SYNTAX_ERR;
  elements /= 2;
  if (nx && xx) return XX_NX;
  if ((gt && nx) || (lt && nx) || (gt && lt)) return GT_LT_NX;
  if (incr && elements > 1) return INCR_PAIRS;
  const scores: number[] = [];
  for (let j = 0; j < elements; j++) {
    const s = parseScore(argv[idx + 2 * j]!);
    if (s === null) return NOT_FLOAT;
    scores.push(s);
  }
  const zsets = ctx.store.zsets;
  const exists = zcardOf(ctx.store, key) > 0;
  if (!exists && xx) return incr ? null : 0;
  // Each pair sees the ones before it (ZADD k 1 a 2 a updates a twice): the changes so far.
  const changed = new Map<string, { member: Buffer; score: number }>();
  let added = 0, updated = 0, processed = 0;
  let last = 0;
  for (let j = 0; j < elements; j++) {
    const member = argv[idx + 2 * j + 1]!;
    const id = member.toString('latin1');
    let score = scores[j]!;
    const pending = changed.get(id);
    const cur = pending ? pending.score : exists ? zsets.score(key, member) : null;
    if (cur !== null) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) return NAN_SCORE;
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      processed++;
      last = score;
      if (score !== cur) {
        changed.set(id, { member, score });
        updated++;
      }
    } else if (!xx) {
      changed.set(id, { member, score });
      added++;
      processed++;
      last = score;
    }
  }
  if (changed.size) {
    const list = [...changed.values()];
    zsets.putScores(key, list.map((c) => c.member), list.map((c) => c.score));
  }
  if (incr) return processed ? new DoubleReply(last) : null;
  return ch ? added + updated : added;
}

const zadd = (ctx: CommandContext, argv: Buffer[]): Reply => zaddGeneric(ctx, argv, 0);
const zincrby = (ctx: CommandContext, argv: Buffer[]): Reply => zaddGeneric(ctx, argv, IN_INCR);

function zrem(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.zsets.delete(argv[1]!, argv.slice(2));
}

function zcard(ctx: CommandContext, argv: Buffer[]): Reply {
  return zcardOf(ctx.store, argv[1]!);
}

function zscore(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = ctx.store.zsets.score(argv[1]!, argv[2]!);
  return s === null ? null : new DoubleReply(s);
}

function zmscore(ctx: CommandContext, argv: Buffer[]): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const s = ctx.store.zsets.score(argv[1]!, argv[i]!);
    out.push(s === null ? null : new DoubleReply(s));
  }
  return out;
}

function zrankGeneric(rev: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const r = ctx.store.zsets.rank(argv[1]!, argv[2]!);
    if (r === null) return null;
    return rev ? zcardOf(ctx.store, argv[1]!) - 1 - r : r;
  };
}

// ---- Ranges: ZRANGE and its older forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/** Ranks [from, to) of a rank range start..end (inclusive, negatives from the end), or null when empty. */
function rankWindow(len: number, start: bigint, end: bigint): [number, number] | null {
  const n = BigInt(len);
  if (start < 0n) start += n;
  if (end < 0n) end += n;
  if (start < 0n) start = 0n;
  if (start > end || start >= n) return null;
  if (end >= n) end = n - 1n;
  return [Number(start), Number(end) + 1];
}

/**
 * Members and scores of a by-score or by-lex range after LIMIT offset count (a negative offset
 * selects nothing, a negative count everything after the offset), in the direction asked.
 */
function spanWithLimit(store: Store, key: Buffer, span: [number, number], offset: number, limit: number, reverse: boolean) {
  const [s, e] = span;
  if (offset < 0 || s >= e) return { members: [] as Buffer[], scores: [] as number[] };
  if (!reverse) {
    const from = s + offset;
    if (from >= e) return { members: [], scores: [] };
    return store.zsets.slice(key, from, limit < 0 ? e : Math.min(e, from + limit));
  }
  const hi = e - 1 - offset;
  if (hi < s) return { members: [], scores: [] };
  const lo = limit < 0 ? s : Math.max(s, hi - limit + 1);
  const r = store.zsets.slice(key, lo, hi + 1);
  r.members.reverse();
  r.scores.reverse();
  return r;
}

function sliceRanks(store: Store, key: Buffer, w: [number, number], reverse: boolean) {
  const len = zcardOf(store, key);
  const [a, b] = reverse ? [len - w[1], len - w[0]] : w;
  const r = store.zsets.slice(key, a, b);
  if (reverse) {
    r.members.reverse();
    r.scores.reverse();
  }
  return r;
}

/** The result of a ZRANGESTORE/Z*STORE: it replaces the destination, or deletes it when empty. */
function storeResult(ctx: CommandContext, dst: Buffer, members: Buffer[], scores: number[]): Reply {
  let bytes = 256;
  for (const m of members) bytes += m.length * 2 + 96;
  if (!atomicWrite(ctx, bytes, () => {
    // one undoable op: out of memory, the destination keeps what it held
    if (members.length) ctx.store.zsets.replaceWithScores(dst, members, scores);
    else ctx.store.delete(dst);
  })) return CLOSED;
  return members.length;
}

/** zrangeGenericCommand: argument `argcStart` is the source key; the range follows it. */
function zrangeGeneric(ctx: CommandContext, argv: Buffer[], argcStart: number, store: boolean, type0: RangeType, dir0: Direction): Reply {
  let type = type0, dir = dir0;
  let withscores = false;
  let offset = 0n, limit = -1n;
  for (let j = argcStart + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j]!;
    if (!store && optIs(a, 'withscores')) withscores = true;
    else if (optIs(a, 'limit') && left >= 2) {
      const o = parseLongLong(argv[j + 1]!), l = parseLongLong(argv[j + 2]!);
      if (o === null || l === null) return NOT_INTEGER;
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === 'auto' && optIs(a, 'rev')) dir = 'reverse';
    else if (type === 'auto' && optIs(a, 'bylex')) type = 'lex';
    else if (type === 'auto' && optIs(a, 'byscore')) type = 'score';
    else return SYNTAX_ERR;
  }
  if (dir === 'auto') dir = 'forward';
  if (type === 'auto') type = 'rank';
  if (limit !== -1n && type === 'rank') return LIMIT_RANK;
  if (withscores && type === 'lex') return WITHSCORES_LEX;
  const reverse = dir === 'reverse';
  let minArg = argv[argcStart + 1]!, maxArg = argv[argcStart + 2]!;
  if (reverse && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let range: ScoreRange | LexRange | [bigint, bigint];
  if (type === 'rank') {
    const a = parseLongLong(minArg), b = parseLongLong(maxArg);
    if (a === null || b === null) return NOT_INTEGER;
    range = [a, b];
  } else {
    const r = type === 'score' ? parseScoreRange(minArg, maxArg) : parseLexRange(minArg, maxArg);
    if (r instanceof ErrorReply) return r;
    range = r;
  }
  const src = argv[argcStart]!;
  const len = zcardOf(ctx.store, src);
  const dst = argv[1]!;
  if (len === 0) return store ? storeResult(ctx, dst, [], []) : [];
  let res: { members: Buffer[]; scores: number[] };
  if (type === 'rank') {
    const w = rankWindow(len, ...(range as [bigint, bigint]));
    res = w === null ? { members: [], scores: [] } : sliceRanks(ctx.store, src, w, reverse);
  } else {
    const span = type === 'score' ? ctx.store.zsets.spanByScore(src, range as ScoreRange) : ctx.store.zsets.spanByLex(src, range as LexRange);
    res = spanWithLimit(ctx.store, src, span, clampNumber(offset), clampNumber(limit), reverse);
  }
  if (store) return storeResult(ctx, dst, res.members, res.scores);
  return withscores ? withScores(ctx, res.members, res.scores) : res.members;
}

const zrangeCmd = (type: RangeType, dir: Direction) => (ctx: CommandContext, argv: Buffer[]): Reply => zrangeGeneric(ctx, argv, 1, false, type, dir);
const zrangestore = (ctx: CommandContext, argv: Buffer[]): Reply => zrangeGeneric(ctx, argv, 2, true, 'auto', 'auto');

function zcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const r = parseScoreRange(argv[2]!, argv[3]!);
  if (r instanceof ErrorReply) return r;
  if (zcardOf(ctx.store, argv[1]!) === 0) return 0;
  const [s, e] = ctx.store.zsets.spanByScore(argv[1]!, r);
  return e - s;
}

function zlexcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const r = parseLexRange(argv[2]!, argv[3]!);
  if (r instanceof ErrorReply) return r;
  if (zcardOf(ctx.store, argv[1]!) === 0) return 0;
  const [s, e] = ctx.store.zsets.spanByLex(argv[1]!, r);
  return e - s;
}

/** ZREMRANGEBYRANK/SCORE/LEX (zremrangeGenericCommand): the range parsed, then the key looked up. */
function zremrange(type: 'rank' | 'score' | 'lex') {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const key = argv[1]!;
    let range: ScoreRange | LexRange | [bigint, bigint];
    if (type === 'rank') {
      const a = parseLongLong(argv[2]!), b = parseLongLong(argv[3]!);
      if (a === null || b === null) return NOT_INTEGER;
      range = [a, b];
    } else {
      const r = type === 'score' ? parseScoreRange(argv[2]!, argv[3]!) : parseLexRange(argv[2]!, argv[3]!);
      if (r instanceof ErrorReply) return r;
      range = r;
    }
    const len = zcardOf(ctx.store, key);
    if (len === 0) return 0;
    let w: [number, number] | null;
    if (type === 'rank') w = rankWindow(len, ...(range as [bigint, bigint]));
    else w = type === 'score' ? ctx.store.zsets.spanByScore(key, range as ScoreRange) : ctx.store.zsets.spanByLex(key, range as LexRange);
    if (w === null || w[0] >= w[1]) return 0;
    const { members } = ctx.store.zsets.slice(key, w[0], w[1]);
    return ctx.store.zsets.delete(key, members);
  };
}

/**
 * Intent-log lines for MULTI's sizing of a write whose size shows only when it runs (a range
 * removal, a pop from several keys, a store): a new destination is published by one slot, and a
 * removal too large for what the transaction has left fails alone (Store::reserve_log).
 */
const storeLines = (): number => 16;

// ---- Pops: ZPOPMIN/ZPOPMAX/ZMPOP (genericZpopCommand)

/**
 * Pops up to `count` lowest (min) or highest members of the first non-empty key (count -1: one,
 * unwrapped in RESP2/RESP3 flat form). emitKey: the key leads the reply (ZMPOP); nested: pairs.
 */
function zpopGeneric(ctx: CommandContext, keys: Buffer[], min: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean): Reply {
  let key: Buffer | null = null;
  let len = 0;
  for (const k of keys) {
    len = zcardOf(ctx.store, k);
    if (len === 0) continue;
    key = k;
    break;
  }
  if (key === null) return nilWhenEmpty ? NullArray : [];
  if (count === 0) return [];
  if (count === -1) count = 1;
  const n = Math.min(count, len);
  const r = min ? ctx.store.zsets.slice(key, 0, n) : ctx.store.zsets.slice(key, len - n, len);
  if (!min) {
    r.members.reverse();
    r.scores.reverse();
  }
  ctx.store.zsets.delete(key, r.members);
  const pairs: Reply[] = [];
  for (let i = 0; i < r.members.length; i++) {
    if (nested) pairs.push([r.members[i]!, new DoubleReply(r.scores[i]!)]);
    else pairs.push(r.members[i]!, new DoubleReply(r.scores[i]!));
  }
  if (!emitKey) return pairs;
  return nested ? [key, pairs] : [key, ...pairs];
}

function zpopMinMax(min: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    if (argv.length > 3) return SYNTAX_ERR;
    let count = -1;
    if (argv.length === 3) {
      const c = parseLongLong(argv[2]!);
      if (c === null || c < 0n) return NOT_POSITIVE;
      count = clampNumber(c);
    }
    // RESP3 with a count answers [member, score] pairs; otherwise one flat array.
    return zpopGeneric(ctx, [argv[1]!], min, false, count, ctx.client.resp === 3 && count !== -1, false);
  };
}

/** MIN|MAX: true for MIN. */
function parseMinMax(arg: Buffer): boolean | null {
  if (optIs(arg, 'min')) return true;
  if (optIs(arg, 'max')) return false;
  return null;
}

/** ZMPOP/BZMPOP's arguments from numkeys_idx: `where` is true for MIN. */
export function parseZmpop(argv: Buffer[], numkeysIdx: number): MpopArgs<boolean> | ErrorReply {
  return parseMpop(argv, numkeysIdx, parseMinMax);
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] (zmpopGenericCommand). */
function zmpop(ctx: CommandContext, argv: Buffer[]): Reply {
  const a = parseZmpop(argv, 1);
  if (a instanceof ErrorReply) return a;
  return zpopGeneric(ctx, a.keys, a.where, true, a.count, true, true);
}

/**
 * The blocking pops' non-blocking try: from the first non-empty sorted set among keys, with the
 * key first — [key, member, score] for count -1 (BZPOPMIN/BZPOPMAX), [key, [[member, score] ...]]
 * otherwise (BZMPOP); null when every key is empty. `serving` (a blocked client served from a
 * ready key): a key of another type is skipped instead of WRONGTYPE.
 */
export function zpopFirst(ctx: CommandContext, keys: Buffer[], min: boolean, count: number, serving: boolean): Reply | null {
  const found = keys.find((k) => {
    if (serving && ctx.store.keyInfo(k)?.kind !== Kind.Zset) return false;
    return zcardOf(ctx.store, k) > 0;
  });
  if (found === undefined) return null;
  return zpopGeneric(ctx, [found], min, true, count, count !== -1, true);
}

// ---- ZRANDMEMBER (zrandmemberCommand / zrandmemberWithCountCommand)

function zrandmember(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1]!;
  const zsets = ctx.store.zsets;
  if (argv.length === 2) return zsets.random(key)?.[0] ?? null;
  const l = parseRandomCount(argv[2]!);
  if (l instanceof ErrorReply) return l;
  let scores = false;
  if (argv.length > 4 || (argv.length === 4 && !optIs(argv[3]!, 'withscores'))) return SYNTAX_ERR;
  if (argv.length === 4) {
    scores = true;
    if (l < -(LLONG_MAX / 2n) || l > LLONG_MAX / 2n) return OUT_OF_RANGE;
  }
  const size = zsets.size(key);
  if (size === 0 || l === 0n) return [];
  let picked: Buffer[][];
  if (l < 0n) {
    picked = randomWithRepeats(ctx.store, zsets, key, Number(-l));
  } else if (l >= BigInt(size)) {
    const r = zsets.slice(key, 0, size);
    picked = r.members.map((m, i) => [m, encodeScore(r.scores[i]!)]);
  } else {
    picked = distinctRandom(zsets, key, Number(l), size, true);
  }
  if (!scores) return picked.map((e) => e[0]!);
  return withScores(ctx, picked.map((e) => e[0]!), picked.map((e) => decodeScore(e[1]!)));
}

// ---- ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD (zunionInterDiffGenericCommand)

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

interface Source {
  key: Buffer;
  kind: Kind | null; // null: missing
  size: number;
  weight: number;
}

function aggregateInto(cur: number, val: number, agg: Aggregate): number {
  if (agg === 'sum') {
    const s = cur + val;
    return Number.isNaN(s) ? 0 : s; // +inf + -inf: Redis's convention is 0
  }
  if (agg === 'min') return val < cur ? val : cur;
  return val > cur ? val : cur;
}

/** A source's members with their scores (a plain set's members score 1). */
function members(store: Store, s: Source): Map<string, { m: Buffer; s: number }> {
  const out = new Map<string, { m: Buffer; s: number }>();
  if (s.kind === Kind.Zset) {
    const all = store.zsets.all(s.key, true);
    for (let i = 0; i < all.length; i += 2) out.set(all[i]!.toString('latin1'), { m: all[i]!, s: decodeScore(all[i + 1]!) });
  } else if (s.kind === Kind.Set) {
    for (const m of store.sets.all(s.key, false)) out.set(m.toString('latin1'), { m, s: 1 });
  }
  return out;
}

/** A member's score in a source, or null (a plain set's members score 1). */
function scoreIn(store: Store, s: Source, m: Buffer): number | null {
  if (s.kind === Kind.Zset) return store.zsets.score(s.key, m);
  if (s.kind === Kind.Set) return store.sets.get(s.key, m) === null ? null : 1;
  return null;
}

function combine(store: Store, srcs: Source[], op: SetOp, agg: Aggregate, limit = 0): Map<string, { m: Buffer; s: number }> {
  const acc = new Map<string, { m: Buffer; s: number }>();
  if (op === 'diff') {
    if (srcs[0]!.size === 0) return acc;
    const rest = srcs.slice(1).filter((s) => s.size > 0);
    for (const [id, e] of members(store, srcs[0]!)) {
      if (rest.every((s) => scoreIn(store, s, e.m) === null)) acc.set(id, e);
    }
    return acc;
  }
  // Smallest first, as Redis orders them (the order scores are summed in).
  const sorted = [...srcs].sort((a, b) => a.size - b.size);
  if (op === 'inter') {
    if (sorted[0]!.size === 0) return acc;
    for (const [id, e] of members(store, sorted[0]!)) {
      let score = sorted[0]!.weight * e.s;
      if (Number.isNaN(score)) score = 0;
      let all = true;
      for (let j = 1; j < sorted.length; j++) {
        const v = scoreIn(store, sorted[j]!, e.m);
        if (v === null) {
          all = false;
          break;
        }
        score = aggregateInto(score, v * sorted[j]!.weight, agg);
      }
      if (!all) continue;
      acc.set(id, { m: e.m, s: score });
      if (limit && acc.size >= limit) break;
    }
    return acc;
  }
  for (const src of sorted) {
    if (src.size === 0) continue;
    for (const [id, e] of members(store, src)) {
      let score = src.weight * e.s;
      if (Number.isNaN(score)) score = 0;
      const have = acc.get(id);
      if (have) have.s = aggregateInto(have.s, score, agg);
      else acc.set(id, { m: e.m, s: score });
    }
  }
  return acc;
}

function byScoreThenMember(a: { m: Buffer; s: number }, b: { m: Buffer; s: number }): number {
  if (a.s !== b.s) return a.s < b.s ? -1 : 1;
  return Buffer.compare(a.m, b.m);
}

function setOpGeneric(op: SetOp, store: boolean, cardinality: boolean, name: string) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const numkeysIndex = store ? 2 : 1;
    const setnum = parseLongLong(argv[numkeysIndex]!);
    if (setnum === null) return NOT_INTEGER;
    if (setnum < 1n) return new ErrorReply(`ERR at least 1 input key is needed for '${name}' command`);
    if (setnum > BigInt(argv.length - (numkeysIndex + 1))) return SYNTAX_ERR;
    const n = Number(setnum);
    const srcs: Source[] = [];
    let j = numkeysIndex + 1;
    for (let i = 0; i < n; i++, j++) {
      const info = ctx.store.keyInfo(argv[j]!);
      if (info !== null && info.kind !== Kind.Zset && info.kind !== Kind.Set) throw WRONGTYPE();
      srcs.push({ key: argv[j]!, kind: info?.kind ?? null, size: info?.count ?? 0, weight: 1 });
    }
    let agg: Aggregate = 'sum';
    let withscores = false;
    let limit = 0;
    while (j < argv.length) {
      const remaining = argv.length - j;
      const a = argv[j]!;
      if (op !== 'diff' && !cardinality && remaining >= n + 1 && optIs(a, 'weights')) {
        j++;
        for (let i = 0; i < n; i++, j++) {
          const w = parseScore(argv[j]!);
          if (w === null) return WEIGHT_NOT_FLOAT;
          srcs[i]!.weight = w;
        }
      } else if (op !== 'diff' && !cardinality && remaining >= 2 && optIs(a, 'aggregate')) {
        const v = argv[j + 1]!;
        if (optIs(v, 'sum')) agg = 'sum';
        else if (optIs(v, 'min')) agg = 'min';
        else if (optIs(v, 'max')) agg = 'max';
        else return SYNTAX_ERR;
        j += 2;
      } else if (remaining >= 1 && !store && !cardinality && optIs(a, 'withscores')) {
        j++;
        withscores = true;
      } else if (cardinality && remaining >= 2 && optIs(a, 'limit')) {
        const l = parseLongLong(argv[j + 1]!);
        if (l === null || l < 0n) return LIMIT_NEGATIVE;
        limit = clampNumber(l);
        j += 2;
      } else {
        return SYNTAX_ERR;
      }
    }
    const acc = combine(ctx.store, srcs, op, agg, cardinality ? limit : 0);
    if (cardinality) return acc.size;
    const res = [...acc.values()].sort(byScoreThenMember);
    const ms = res.map((e) => e.m), ss = res.map((e) => e.s);
    if (store) return storeResult(ctx, argv[1]!, ms, ss);
    return withscores ? withScores(ctx, ms, ss) : ms;
  };
}

function zscan(ctx: CommandContext, argv: Buffer[]): Reply {
  return scanMap(ctx.store.zsets, argv, true, (v) => new DoubleReply(decodeScore(v)));
}

/** ZPOPMIN/ZPOPMAX key count: two log lines per member removed, as SPOP. */
function popLines(argv: Buffer[]): number {
  const n = argv.length > 2 ? parseLongLong(argv[2]!) : 1n;
  return n === null || n < 0n ? 0 : 2 * Number(n > 1_000_000_000n ? 1_000_000_000n : n) + 8;
}

// Arity, flags and key positions as Redis 7.0's COMMAND INFO reports them.
export const zsetCommands: CommandSpec[] = [
  spec('zadd', -4, ['write', 'denyoom', 'fast'], zadd, 1, 1, 1, perMember(2)),
  spec('zincrby', 4, ['write', 'denyoom', 'fast'], zincrby, 1, 1, 1, () => 16),
  spec('zrem', -3, ['write', 'fast'], zrem, 1, 1, 1, perMember(2)),
  spec('zcard', 2, ['readonly', 'fast'], zcard),
  spec('zscore', 3, ['readonly', 'fast'], zscore),
  spec('zmscore', -3, ['readonly', 'fast'], zmscore),
  spec('zrank', 3, ['readonly', 'fast'], zrankGeneric(false)),
  spec('zrevrank', 3, ['readonly', 'fast'], zrankGeneric(true)),
  spec('zcount', 4, ['readonly', 'fast'], zcount),
  spec('zlexcount', 4, ['readonly', 'fast'], zlexcount),
  spec('zrange', -4, ['readonly'], zrangeCmd('auto', 'auto')),
  spec('zrangestore', -5, ['write', 'denyoom'], zrangestore, 1, 2, 1, storeLines),
  spec('zrevrange', -4, ['readonly'], zrangeCmd('rank', 'reverse')),
  spec('zrangebyscore', -4, ['readonly'], zrangeCmd('score', 'forward')),
  spec('zrevrangebyscore', -4, ['readonly'], zrangeCmd('score', 'reverse')),
  spec('zrangebylex', -4, ['readonly'], zrangeCmd('lex', 'forward')),
  spec('zrevrangebylex', -4, ['readonly'], zrangeCmd('lex', 'reverse')),
  spec('zremrangebyrank', 4, ['write'], zremrange('rank'), 1, 1, 1, storeLines),
  spec('zremrangebyscore', 4, ['write'], zremrange('score'), 1, 1, 1, storeLines),
  spec('zremrangebylex', 4, ['write'], zremrange('lex'), 1, 1, 1, storeLines),
  spec('zpopmin', -2, ['write', 'fast'], zpopMinMax(true), 1, 1, 1, popLines),
  spec('zpopmax', -2, ['write', 'fast'], zpopMinMax(false), 1, 1, 1, popLines),
  spec('zmpop', -4, ['write'], zmpop, 0, 0, 0, storeLines),
  spec('zrandmember', -2, ['readonly'], zrandmember),
  spec('zunion', -3, ['readonly'], setOpGeneric('union', false, false, 'zunion'), 0, 0, 0),
  spec('zinter', -3, ['readonly'], setOpGeneric('inter', false, false, 'zinter'), 0, 0, 0),
  spec('zdiff', -3, ['readonly'], setOpGeneric('diff', false, false, 'zdiff'), 0, 0, 0),
  spec('zunionstore', -4, ['write', 'denyoom'], setOpGeneric('union', true, false, 'zunionstore'), 1, 1, 1, storeLines),
  spec('zinterstore', -4, ['write', 'denyoom'], setOpGeneric('inter', true, false, 'zinterstore'), 1, 1, 1, storeLines),
  spec('zdiffstore', -4, ['write', 'denyoom'], setOpGeneric('diff', true, false, 'zdiffstore'), 1, 1, 1, storeLines),
  spec('zintercard', -3, ['readonly'], setOpGeneric('inter', false, true, 'zintercard'), 0, 0, 0),
  spec('zscan', -3, ['readonly'], zscan),
];

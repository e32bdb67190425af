// Redis set commands (t_set.c) over the store's maps (store.sets, members with empty values). A
// small set is packed in one item (integers in numeric order, as an intset), a large one is a table
// of member items (native/core/store_map.cc). Commands that write several keys (SMOVE, the
// *STORE forms) run as one crash-atomic write.
import { ErrorReply, SetReply, type Reply } from '../../protocol/resp/reply.js';
import { SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { Kind, StoreError, type Store } from '../../store/store.js';
import { optIs, parseLongLong } from './args.js';
import { CLOSED, NUMKEYS, asFields, atomicWrite, distinctRandom, randomWithRepeats, parseRandomCount, perMember, scanMap, spec } from './collections.js';
import type { CommandContext, CommandSpec } from './types.js';

const NOTHING = Buffer.alloc(0);
const NOT_POSITIVE = new ErrorReply('ERR value is out of range, must be positive');
const TOO_MANY_NUMKEYS = new ErrorReply("ERR Number of keys can't be greater than number of args");
const LIMIT_NEGATIVE = new ErrorReply("ERR LIMIT can't be negative");


/** WRONGTYPE unless every key that exists holds a set (Redis checks them all before answering). */
function checkSets(store: Store, keys: Buffer[]): void {
  for (const k of keys) {
    const info = store.keyInfo(k);
    if (info !== null && info.kind !== Kind.Set) throw new StoreError('WRONGTYPE', 'the key holds another type');
  }
}


function sadd(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.sets.put(argv[1]!, asFields(argv.slice(2)));
}

function srem(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.sets.delete(argv[1]!, argv.slice(2));
}

function sismember(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.sets.get(argv[1]!, argv[2]!) === null ? 0 : 1;
}

function smismember(ctx: CommandContext, argv: Buffer[]): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(ctx.store.sets.get(argv[1]!, argv[i]!) === null ? 0 : 1);
  return out;
}

function scard(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.sets.size(argv[1]!);
}

function smembers(ctx: CommandContext, argv: Buffer[]): Reply {
  return new SetReply(ctx.store.sets.all(argv[1]!, false));
}

/** SPOP key [count] (spopCommand / spopWithCountCommand). */
function spop(ctx: CommandContext, argv: Buffer[]): Reply {
  const sets = ctx.store.sets;
  const key = argv[1]!;
  if (argv.length > 3) return SYNTAX_ERR;
  if (argv.length === 2) {
    const e = sets.random(key);
    if (e === null) return null;
    sets.delete(key, [e[0]]);
    return e[0];
  }
  const l = parseLongLong(argv[2]!);
  if (l === null || l < 0n) return NOT_POSITIVE;
  const size = sets.size(key);
  if (size === 0 || l === 0n) return new SetReply([]);
  let picked: Buffer[];
  if (l >= BigInt(size)) picked = sets.all(key, false);
  else picked = distinctRandom(sets, key, Number(l), size, false).map((e) => e[0]!);
  sets.delete(key, picked);
  return new SetReply(picked);
}

/** SRANDMEMBER key [count] (srandmemberCommand / srandmemberWithCountCommand). */
function srandmember(ctx: CommandContext, argv: Buffer[]): Reply {
  const sets = ctx.store.sets;
  const key = argv[1]!;
  if (argv.length > 3) return SYNTAX_ERR;
  if (argv.length === 2) return sets.random(key)?.[0] ?? null;
  const l = parseRandomCount(argv[2]!);
  if (l instanceof ErrorReply) return l;
  const size = sets.size(key);
  if (size === 0 || l === 0n) return [];
  if (l < 0n) {
    return randomWithRepeats(ctx.store, sets, key, Number(-l)).map((e) => e[0]);
  }
  if (l >= BigInt(size)) return sets.all(key, false);
  return distinctRandom(sets, key, Number(l), size, false).map((e) => e[0]!);
}

function smove(ctx: CommandContext, argv: Buffer[]): Reply {
  const [src, dst, member] = [argv[1]!, argv[2]!, argv[3]!];
  const sets = ctx.store.sets;
  const srcInfo = ctx.store.keyInfo(src);
  if (srcInfo === null) return 0;
  checkSets(ctx.store, [src, dst]);
  if (src.equals(dst)) return sets.get(src, member) === null ? 0 : 1;
  if (sets.get(src, member) === null) return 0;
  if (!atomicWrite(ctx, member.length * 2 + 256, () => {
    sets.delete(src, [member]);
    sets.put(dst, [member, NOTHING]);
  })) return CLOSED;
  return 1;
}

/** Members of the intersection, union or difference of the sets at `keys` (missing = empty). */
function combine(store: Store, keys: Buffer[], op: 'inter' | 'union' | 'diff', limit = 0): Buffer[] {
  checkSets(store, keys);
  const sets = store.sets;
  if (op === 'union') {
    const seen = new Map<string, Buffer>();
    for (const k of keys) for (const m of sets.all(k, false)) seen.set(m.toString('latin1'), m);
    return [...seen.values()];
  }
  if (op === 'diff') {
    const rest = keys.slice(1).filter((k) => sets.size(k) > 0);
    return sets.all(keys[0]!, false).filter((m) => rest.every((k) => sets.get(k, m) === null));
  }
  // Intersection: walk the smallest set, look each member up in the others.
  const sized = keys.map((k) => ({ k, n: sets.size(k) })).sort((a, b) => a.n - b.n);
  if (sized[0]!.n === 0) return [];
  const out: Buffer[] = [];
  for (const m of sets.all(sized[0]!.k, false)) {
    if (sized.every((s, i) => i === 0 || sets.get(s.k, m) !== null)) {
      out.push(m);
      if (limit && out.length >= limit) break;
    }
  }
  return out;
}

function readCombine(op: 'inter' | 'union' | 'diff') {
  return (ctx: CommandContext, argv: Buffer[]): Reply => new SetReply(combine(ctx.store, argv.slice(1), op));
}

/** SINTERSTORE/SUNIONSTORE/SDIFFSTORE: the result replaces the destination (of any type) in one step. */
function storeCombine(op: 'inter' | 'union' | 'diff') {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const dst = argv[1]!;
    const members = combine(ctx.store, argv.slice(2), op);
    let bytes = 256;
    for (const m of members) bytes += m.length * 2 + 80;
    if (!atomicWrite(ctx, bytes, () => {
      // one undoable op: out of memory, the destination keeps what it held
      if (members.length) ctx.store.sets.replaceWith(dst, asFields(members));
      else ctx.store.delete(dst);
    })) return CLOSED;
    return members.length;
  };
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(ctx: CommandContext, argv: Buffer[]): Reply {
  const numkeys = parseLongLong(argv[1]!);
  if (numkeys === null || numkeys < 1n) return NUMKEYS;
  if (numkeys > BigInt(argv.length - 2)) return TOO_MANY_NUMKEYS;
  const n = Number(numkeys);
  let limit = 0;
  for (let i = 2 + n; i < argv.length; i++) {
    if (optIs(argv[i]!, 'limit') && i + 1 < argv.length) {
      const l = parseLongLong(argv[++i]!);
      if (l === null || l < 0n) return LIMIT_NEGATIVE;
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(l);
    } else {
      return SYNTAX_ERR;
    }
  }
  return combine(ctx.store, argv.slice(2, 2 + n), 'inter', limit).length;
}

function sscan(ctx: CommandContext, argv: Buffer[]): Reply {
  return scanMap(ctx.store.sets, argv, false);
}


/** SPOP key count removes up to count members: two lines each (slot and header). */
function spopLines(argv: Buffer[]): number {
  const n = argv.length > 2 ? parseLongLong(argv[2]!) : 1n;
  return n === null || n < 0n ? 0 : 2 * Number(n > 1_000_000_000n ? 1_000_000_000n : n) + 8;
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const setCommands: CommandSpec[] = [
  spec('sadd', -3, ['write', 'denyoom', 'fast'], sadd, 1, 1, 1, perMember(2)),
  spec('srem', -3, ['write', 'fast'], srem, 1, 1, 1, perMember(2)),
  spec('sismember', 3, ['readonly', 'fast'], sismember),
  spec('smismember', -3, ['readonly', 'fast'], smismember),
  spec('scard', 2, ['readonly', 'fast'], scard),
  spec('smembers', 2, ['readonly'], smembers),
  spec('spop', -2, ['write', 'fast'], spop, 1, 1, 1, spopLines),
  spec('srandmember', -2, ['readonly'], srandmember),
  spec('smove', 4, ['write', 'fast'], smove, 1, 2, 1, () => 16),
  spec('sinter', -2, ['readonly'], readCombine('inter'), 1, -1, 1),
  spec('sintercard', -3, ['readonly'], sintercard, 0, 0, 0),
  spec('sinterstore', -3, ['write', 'denyoom'], storeCombine('inter'), 1, -1, 1, () => 16),
  spec('sunion', -2, ['readonly'], readCombine('union'), 1, -1, 1),
  spec('sunionstore', -3, ['write', 'denyoom'], storeCombine('union'), 1, -1, 1, () => 16),
  spec('sdiff', -2, ['readonly'], readCombine('diff'), 1, -1, 1),
  spec('sdiffstore', -3, ['write', 'denyoom'], storeCombine('diff'), 1, -1, 1, () => 16),
  spec('sscan', -3, ['readonly'], sscan),
];

// Redis hash commands (t_hash.c) over the store's maps (store.hashes). The store keeps a small hash
// packed in one item in insertion order, as a listpack does, and a large one as a table of element
// items whose single-field updates cost the same whatever the hash's size (native/core/store_map.cc).
import { ErrorReply, FillBulk, MapReply, OK, type Reply } from '../../protocol/resp/reply.js';
import { NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, OVERFLOW, SYNTAX_ERR, wrongArity } from '../../protocol/resp/errors.js';
import { LLONG_MAX, LLONG_MIN, optIs, parseLongLong } from './args.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from './longdouble.js';
import { distinctRandom, randomWithRepeats, parseRandomCount, scanMap } from './collections.js';
import type { CommandContext, CommandSpec } from './types.js';

const NOT_INTEGER_VALUE = new ErrorReply('ERR hash value is not an integer');
const NOT_FLOAT_VALUE = new ErrorReply('ERR hash value is not a float');
const NAN_INCREMENT = new ErrorReply('ERR value is NaN or Infinity');
const OUT_OF_RANGE = new ErrorReply('ERR value is out of range');
const EMPTY: Reply[] = [];

function hset(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length % 2 === 1) return wrongArity(argv[0]!.toString('latin1').toLowerCase());
  const added = ctx.store.hashes.put(argv[1]!, argv.slice(2));
  return argv[0]!.length === 5 ? OK : added; // HMSET answers OK
}

function hsetnx(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.hashes.put(argv[1]!, [argv[2]!, argv[3]!], true);
}

/** The value is copied from the pool straight into the reply when it is written (FillBulk). */
function hget(ctx: CommandContext, argv: Buffer[]): Reply {
  const n = ctx.store.hashes.lookup(argv[1]!, argv[2]!);
  return n < 0 ? null : new FillBulk(n, ctx.store.copyFoundValue);
}

function hmget(ctx: CommandContext, argv: Buffer[]): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(ctx.store.hashes.get(argv[1]!, argv[i]!));
  return out;
}

function hdel(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.hashes.delete(argv[1]!, argv.slice(2));
}

function hlen(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.hashes.size(argv[1]!);
}

function hstrlen(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.hashes.get(argv[1]!, argv[2]!)?.length ?? 0;
}

function hexists(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.hashes.get(argv[1]!, argv[2]!) === null ? 0 : 1;
}

function hkeys(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.hashes.all(argv[1]!, false);
}

function hvals(ctx: CommandContext, argv: Buffer[]): Reply {
  const all = ctx.store.hashes.all(argv[1]!, true);
  const out: Buffer[] = [];
  for (let i = 1; i < all.length; i += 2) out.push(all[i]!);
  return out;
}

function pairs(all: Buffer[]): Array<[Reply, Reply]> {
  const out: Array<[Reply, Reply]> = [];
  for (let i = 0; i < all.length; i += 2) out.push([all[i]!, all[i + 1]!]);
  return out;
}

function hgetall(ctx: CommandContext, argv: Buffer[]): Reply {
  return new MapReply(pairs(ctx.store.hashes.all(argv[1]!, true)));
}

function hincrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const by = parseLongLong(argv[3]!);
  if (by === null) return NOT_INTEGER;
  const cur = ctx.store.hashes.get(argv[1]!, argv[2]!);
  let value = 0n;
  if (cur !== null) {
    const v = parseLongLong(cur);
    if (v === null) return NOT_INTEGER_VALUE;
    value = v;
  }
  const sum = value + by;
  if (sum > LLONG_MAX || sum < LLONG_MIN) return OVERFLOW;
  ctx.store.hashes.put(argv[1]!, [argv[2]!, Buffer.from(String(sum), 'latin1')]);
  return sum;
}

function hincrbyfloat(ctx: CommandContext, argv: Buffer[]): Reply {
  const by = parseLongDouble(argv[3]!);
  if (by === null) return NOT_FLOAT;
  if (typeof by === 'number') return NAN_INCREMENT; // ±inf
  const cur = ctx.store.hashes.get(argv[1]!, argv[2]!);
  let value = { neg: false, mant: 0n, exp: 0 };
  if (cur !== null) {
    // Redis 7.0's string2ld takes the whole value: a NUL inside it is no end of the number here.
    const v = cur.includes(0) ? null : parseLongDouble(cur);
    if (v === null) return NOT_FLOAT_VALUE;
    if (typeof v === 'number') return NAN_OR_INFINITY; // an infinite value plus anything
    value = v;
  }
  const sum = addLongDouble(value, by);
  if (sum === null) return NAN_OR_INFINITY;
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  ctx.store.hashes.put(argv[1]!, [argv[2]!, text]);
  return text;
}

/** HRANDFIELD key [count [WITHVALUES]] (Redis 7.0 hrandfieldCommand). */
function hrandfield(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1]!;
  const maps = ctx.store.hashes;
  if (argv.length === 2) return maps.random(key)?.[0] ?? null;
  const l = parseRandomCount(argv[2]!);
  if (l instanceof ErrorReply) return l;
  let values = false;
  if (argv.length > 4 || (argv.length === 4 && !optIs(argv[3]!, 'withvalues'))) return SYNTAX_ERR;
  if (argv.length === 4) {
    values = true;
    if (l < -(LLONG_MAX / 2n) || l > LLONG_MAX / 2n) return OUT_OF_RANGE;
  }
  const size = maps.size(key);
  if (size === 0 || l === 0n) return EMPTY;
  let picked: Buffer[][];
  if (l < 0n) {
    // Repeats allowed: independent draws.
    picked = randomWithRepeats(ctx.store, maps, key, Number(-l)).map((e) => (values ? e : [e[0]]));
  } else if (l >= BigInt(size)) {
    const all = maps.all(key, true);
    picked = [];
    for (let i = 0; i < all.length; i += 2) picked.push(values ? [all[i]!, all[i + 1]!] : [all[i]!]);
  } else {
    picked = distinctRandom(maps, key, Number(l), size, values);
  }
  if (!values) return picked.map((e) => e[0]!);
  // RESP3 gives each field and value as a pair; RESP2 one flat array.
  return ctx.client.resp === 3 ? picked : picked.flat();
}

function hscan(ctx: CommandContext, argv: Buffer[]): Reply {
  return scanMap(ctx.store.hashes, argv, true);
}

type Flag = CommandSpec['flags'][number];

/** Intent-log lines a write of n fields may stage (store_map.cc LINES_PER_FIELD). */
const perField = (first: number, step: number) => (argv: Buffer[]) => 8 * Math.ceil((argv.length - first) / step);

function spec(name: string, arity: number, flags: Flag[], handler: CommandSpec['handler'], logLines?: (argv: Buffer[]) => number): CommandSpec {
  return { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, handler, ...(logLines ? { logLines } : {}) };
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const hashCommands: CommandSpec[] = [
  spec('hset', -4, ['write', 'denyoom', 'fast'], hset, perField(2, 2)),
  spec('hmset', -4, ['write', 'denyoom', 'fast'], hset, perField(2, 2)),
  spec('hsetnx', 4, ['write', 'denyoom', 'fast'], hsetnx),
  spec('hget', 3, ['readonly', 'fast'], hget),
  spec('hmget', -3, ['readonly', 'fast'], hmget),
  spec('hdel', -3, ['write', 'fast'], hdel, perField(2, 1)),
  spec('hlen', 2, ['readonly', 'fast'], hlen),
  spec('hstrlen', 3, ['readonly', 'fast'], hstrlen),
  spec('hexists', 3, ['readonly', 'fast'], hexists),
  spec('hkeys', 2, ['readonly'], hkeys),
  spec('hvals', 2, ['readonly'], hvals),
  spec('hgetall', 2, ['readonly'], hgetall),
  spec('hincrby', 4, ['write', 'denyoom', 'fast'], hincrby),
  spec('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], hincrbyfloat),
  spec('hrandfield', -2, ['readonly'], hrandfield),
  spec('hscan', -3, ['readonly'], hscan),
];

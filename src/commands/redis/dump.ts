// DUMP and RESTORE (Redis 7 cluster.c) for strings, hashes, sets, sorted sets and lists, in Redis's
// own payload format (src/protocol/rdb/dump-payload.ts): a value dumped from Redis 7.0/7.2 restores
// here and the other way round. Options, checks and errors come in restoreCommand's order, so the
// same bad call gets the same error. A restored collection is written as one crash-atomic step
// (after a crash it is there whole, or the key is as it was), with its TTL inside the same step.
import { ErrorReply, OK, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { dumpCollection, dumpString, restorePayload, type RestoredValue } from '../../protocol/rdb/dump-payload.js';
import { ATOMIC_BUCKETS_PER_WRITE, Kind } from '../../store/store.js';
import { LLONG_MAX, TOO_MANY_KEYS, optIs, parseLongLong, storeExpireMs } from './args.js';
import { CLOSED, asFields } from './collections.js';
import type { CommandContext, CommandSpec } from './types.js';

const BUSYKEY = new ErrorReply('BUSYKEY Target key name already exists.');
const BAD_TTL = new ErrorReply('ERR Invalid TTL value, must be >= 0');
const BAD_IDLETIME = new ErrorReply('ERR Invalid IDLETIME value, must be >= 0');
const BAD_FREQ = new ErrorReply('ERR Invalid FREQ value, must be >= 0 and <= 255');
const BAD_PAYLOAD = new ErrorReply('ERR DUMP payload version or checksum are wrong');
const BAD_FORMAT = new ErrorReply('ERR Bad data format');
/** The store's own refusal of an element over its size bound (as table.ts storeErrorReply words it). */
const TOO_LARGE = new ErrorReply('ERR key or value too large for the store');

/** The store's bound on a key and on a hash/set/zset element (MAX_KEY_LEN in native/core/store.h). */
const MAX_ELEMENT = 1 << 20;
/**
 * Intent-log lines one element of a collection write may stage (LINES_PER_FIELD in store_map.cc,
 * LIST_LINES_PER_PUSH in store_list.cc), and the room for the rest of the step: the delete of the
 * old key, the TTL, the write's own margin (as atomicWrite reserves).
 */
const LINES_PER_FIELD = 8;
const LINES_PER_PUSH = 3;
const STEP_LINES = 4 * ATOMIC_BUCKETS_PER_WRITE + 4;

type Collection = Exclude<RestoredValue, { type: 'string' }>;

function elementCount(v: Collection): number {
  if (v.type === 'zset') return v.members.length;
  return v.type === 'hash' ? v.items.length / 2 : v.items.length;
}

/** Index buckets the whole restore of `v` may stage in the intent log. */
function collectionLines(v: Collection): number {
  return STEP_LINES + elementCount(v) * (v.type === 'list' ? LINES_PER_PUSH : LINES_PER_FIELD);
}

/** RESTORE's intent-log lines beyond one write, for EXEC's reservation (the payload decoded once more). */
function restoreLogLines(argv: Buffer[]): number {
  const v = argv.length > 3 ? restorePayload(argv[3]!) : 'bad-format';
  return typeof v === 'string' || v.type === 'string' ? 0 : collectionLines(v);
}


/**
 * Writes collection `v` at `key` (replacing whatever is there) with expiry `expireMs` (0 = none) as
 * one crash-atomic step. Refused before anything is written when the store could not take it: an
 * element over the store's bound (TOO_LARGE), or more elements than one transaction's intent log
 * holds (TOO_MANY_KEYS; about 4000 hash fields or 10000 list elements on a 256 MB pool, whose log
 * is 4 MB, pool/64).
 */
function storeCollection(ctx: CommandContext, key: Buffer, v: Collection, expireMs: number): Reply {
  const elements = v.type === 'zset' ? v.members : v.items;
  let bytes = 256;
  for (const e of elements) {
    if (v.type !== 'list' && e.length > MAX_ELEMENT) return TOO_LARGE;
    bytes += e.length * 2 + 96;
  }
  if (key.length > MAX_ELEMENT) return TOO_LARGE;
  const lines = collectionLines(v);
  if (lines > ctx.store.atomicCapacity) return TOO_MANY_KEYS;
  // atomically() with the step's own bound rather than atomicWrite's fixed one: the store then
  // commits what the turn holds first if the two would not fit the log together, so the writes
  // below cannot fail half way for want of log room (the old key deleted, the new one not written).
  // The old value (REPLACE) goes in the same undoable op as the new collection's write: out of
  // memory, the key keeps what it held.
  const ok = ctx.store.atomically(lines, bytes, () => {
    if (v.type === 'hash') ctx.store.hashes.replaceWith(key, v.items);
    else if (v.type === 'set') ctx.store.sets.replaceWith(key, asFields(v.items));
    else if (v.type === 'zset') ctx.store.zsets.replaceWithScores(key, v.members, v.scores);
    else ctx.store.lists.replaceWith(key, v.items);
    if (expireMs !== 0) ctx.store.touch(key, expireMs);
  });
  return ok ? OK : CLOSED;
}

function dump(ctx: CommandContext, argv: Buffer[]): Reply {
  const info = ctx.store.keyInfo(argv[1]!);
  if (info === null) return null;
  if (info.kind === Kind.Hash) return dumpCollection('hash', ctx.store.hashes.all(argv[1]!, true));
  if (info.kind === Kind.Set) return dumpCollection('set', ctx.store.sets.all(argv[1]!, false));
  if (info.kind === Kind.Zset) return dumpCollection('zset', ctx.store.zsets.all(argv[1]!, true));
  if (info.kind === Kind.List) return dumpCollection('list', ctx.store.lists.range(argv[1]!, 0, -1));
  const v = ctx.store.getValue(argv[1]!);
  return v === null ? null : dumpString(v);
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(ctx: CommandContext, argv: Buffer[]): Reply {
  let replace = false;
  let absttl = false;
  let idle: bigint | null = null;
  let freq: bigint | null = null;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    const a = argv[j]!;
    if (optIs(a, 'replace')) {
      replace = true;
    } else if (optIs(a, 'absttl')) {
      absttl = true;
    } else if (optIs(a, 'idletime') && additional >= 1 && freq === null) {
      idle = parseLongLong(argv[++j]!);
      if (idle === null) return NOT_INTEGER;
      if (idle < 0n) return BAD_IDLETIME;
    } else if (optIs(a, 'freq') && additional >= 1 && idle === null) {
      freq = parseLongLong(argv[++j]!);
      if (freq === null) return NOT_INTEGER;
      if (freq < 0n || freq > 255n) return BAD_FREQ;
    } else {
      return SYNTAX_ERR;
    }
  }
  const key = argv[1]!;
  if (!replace && ctx.store.exists(key)) return BUSYKEY;
  let ttl = parseLongLong(argv[2]!);
  if (ttl === null) return NOT_INTEGER;
  if (ttl < 0n) return BAD_TTL;
  const value = restorePayload(argv[3]!);
  if (value === 'version-or-checksum') return BAD_PAYLOAD;
  if (value === 'bad-format') return BAD_FORMAT;

  const now = Date.now();
  if (ttl > 0n && !absttl) ttl += BigInt(now);
  // A deadline already past (or one that overflowed C's long long, as in Redis): the key is not
  // created, and REPLACE still deletes the old one.
  if (ttl > 0n && (ttl <= BigInt(now) || ttl > LLONG_MAX)) {
    if (replace) ctx.store.delete(key);
    return OK;
  }
  const expireMs = ttl === 0n ? 0 : storeExpireMs(ttl);
  if (value.type === 'string') {
    ctx.store.set(key, value.value, { expireMs });
  } else {
    const stored = storeCollection(ctx, key, value, expireMs);
    if (stored !== OK) return stored;
  }
  if (idle !== null || freq !== null) {
    ctx.store.setAccessHint(key, {
      idleSeconds: idle === null ? null : idle > 65535n ? 65535 : Number(idle),
      frequency: freq === null ? null : Number(freq),
    });
  }
  return OK;
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const dumpCommands: CommandSpec[] = [
  { name: 'dump', arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1, handler: dump },
  { name: 'restore', arity: -4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1, handler: restore, categories: ['@dangerous'], logLines: restoreLogLines },
];

// DUMP and RESTORE (Redis 7 cluster.c) for string values, in Redis's own payload format
// (src/protocol/rdb/dump-payload.ts): a value dumped from Redis restores here and the other way round.
// Options, checks and errors come in restoreCommand's order, so the same bad call gets the same error.
import { ErrorReply, OK, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { dumpCollection, dumpString, restoreString } from '../../protocol/rdb/dump-payload.js';
import { Kind } from '../../store/store.js';
import { LLONG_MAX, optIs, parseLongLong, storeExpireMs } from './args.js';
import type { CommandContext, CommandSpec } from './types.js';

const BUSYKEY = new ErrorReply('BUSYKEY Target key name already exists.');
const BAD_TTL = new ErrorReply('ERR Invalid TTL value, must be >= 0');
const BAD_IDLETIME = new ErrorReply('ERR Invalid IDLETIME value, must be >= 0');
const BAD_FREQ = new ErrorReply('ERR Invalid FREQ value, must be >= 0 and <= 255');
const BAD_PAYLOAD = new ErrorReply('ERR DUMP payload version or checksum are wrong');
const BAD_FORMAT = new ErrorReply('ERR Bad data format');

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
  const value = restoreString(argv[3]!);
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
  ctx.store.set(key, value, { expireMs: ttl === 0n ? 0 : storeExpireMs(ttl) });
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
  { name: 'restore', arity: -4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1, handler: restore, categories: ['@dangerous'] },
];

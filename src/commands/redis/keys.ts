// Redis keyspace commands (db.c, object.c) over the store, for keys of every type.
import { ErrorReply, OK, SimpleString, type Reply } from '../../protocol/resp/reply.js';
import {
  DB_INDEX_OUT_OF_RANGE,
  NO_SUCH_KEY,
  SAME_OBJECT,
  SYNTAX_ERR,
  unknownSubcommand,
  wrongArity,
} from '../../protocol/resp/errors.js';
import { Kind, PACK_INTS, StoreError, type KeyInfo } from '../../store/store.js';
import { INVALID_CURSOR, maxmemory, maxmemoryPolicy, optIs, parseInt32, parseLongLong, parseScanCursor, parseScanOptions, scanStart, stringMatch } from './args.js';
import type { CommandContext, CommandSpec } from './types.js';

/** DEL/UNLINK: several keys go as one crash-atomic write (counted once each, as Redis does). */
function del(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 2) return ctx.store.delete(argv[1]!) ? 1 : 0;
  const keys = argv.slice(1);
  try {
    return ctx.store.deleteMany(keys);
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'TOO_MANY_KEYS') throw err;
    // More keys than the intent log holds: DEL promises no atomicity, so go one by one.
    let n = 0;
    for (const k of keys) if (ctx.store.delete(k)) n++;
    return n;
  }
}

/** EXISTS/TOUCH: a key named twice counts twice. */
function exists(ctx: CommandContext, argv: Buffer[]): Reply {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.store.exists(argv[i]!)) n++;
  return n;
}

const NONE = new SimpleString('none');
const TYPE_NAMES: Record<number, SimpleString> = {
  [Kind.String]: new SimpleString('string'),
  [Kind.Hash]: new SimpleString('hash'),
  [Kind.Set]: new SimpleString('set'),
  [Kind.Zset]: new SimpleString('zset'),
  [Kind.List]: new SimpleString('list'),
};

/** Redis's type name of what the key holds, or null when absent. */
export function typeOf(ctx: CommandContext, key: Buffer): SimpleString | null {
  const info = ctx.store.keyInfo(key);
  return info === null ? null : TYPE_NAMES[info.kind]!;
}

function type(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.withoutTouch(() => typeOf(ctx, argv[1]!)) ?? NONE;
}

/** Batch size of the store walks behind KEYS. */
const KEYS_BATCH = 1024;

function keys(ctx: CommandContext, argv: Buffer[]): Reply {
  const pattern = argv[1]!;
  const all = pattern.length === 1 && pattern[0] === 0x2a;
  const out: Buffer[] = [];
  let cursor = 0;
  do {
    const [next, batch] = ctx.store.scan(cursor, KEYS_BATCH);
    for (const k of batch) if (all || stringMatch(pattern, k)) out.push(k);
    cursor = next;
  } while (cursor !== 0);
  return out;
}

/** Store walks per SCAN call; each visits up to max(10·COUNT, 100) index buckets. */
const SCAN_CALLS = 64;

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: the cursor is the store's (stable under inserts). */
function scan(ctx: CommandContext, argv: Buffer[]): Reply {
  const cursor = parseScanCursor(argv[1]!);
  if (cursor === null) return INVALID_CURSOR;
  const opts = parseScanOptions(argv, 2, true);
  if (opts instanceof ErrorReply) return opts;
  const { count, pattern, typeName } = opts;
  const start = scanStart(cursor);
  // The store's index is sized for the whole pool, so it is sparse while the keyspace is small
  // (Redis's resizes to the key count): walk on, within a bounded budget, until COUNT keys are seen.
  let next = start;
  const batch: Buffer[] = [];
  for (let calls = 0; calls < SCAN_CALLS && batch.length < count; calls++) {
    const [n, keys] = ctx.store.scan(next, count - batch.length);
    for (const k of keys) batch.push(k);
    next = n;
    if (next === 0) break;
  }
  // TYPE: Redis 7.0 compares the type name case-insensitively and filters everything for an
  // unknown name.
  const out: Buffer[] = [];
  for (const k of batch) {
    if (pattern !== null && !stringMatch(pattern, k)) continue;
    if (typeName !== null) {
      const t = typeOf(ctx, k);
      if (t === null || t.value.toLowerCase() !== typeName.toString('latin1').toLowerCase()) continue;
    }
    out.push(k);
  }
  return [String(next), out];
}

function randomkey(ctx: CommandContext): Reply {
  return ctx.store.randomKey();
}

function renameGeneric(ctx: CommandContext, argv: Buffer[], nx: boolean): Reply {
  const src = argv[1]!;
  const dst = argv[2]!;
  if (src.equals(dst)) {
    // Same name: nothing to do, but a missing key is still an error.
    if (!ctx.store.exists(src)) return NO_SUCH_KEY;
    return nx ? 0 : OK;
  }
  const r = ctx.store.rename(src, dst, nx); // crash-atomic, keeps the TTL
  if (r === 'not_found') return NO_SUCH_KEY;
  if (r === 'exists') return 0;
  return nx ? 1 : OK;
}

/** COPY source destination [DB destination-db] [REPLACE]: daxcache has database 0 only. */
function copy(ctx: CommandContext, argv: Buffer[]): Reply {
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (optIs(argv[j]!, 'replace')) {
      replace = true;
    } else if (optIs(argv[j]!, 'db') && additional >= 1) {
      const db = parseInt32(argv[j + 1]!);
      if (db instanceof ErrorReply) return db;
      if (db !== 0) return DB_INDEX_OUT_OF_RANGE;
      j++;
    } else {
      return SYNTAX_ERR;
    }
  }
  if (argv[1]!.equals(argv[2]!)) return SAME_OBJECT;
  const r = ctx.store.copy(argv[1]!, argv[2]!, replace);
  return r === 'ok' ? 1 : 0;
}

/** getIntFromObjectOrReply with the caller's message (SWAPDB's "invalid first DB index"). */
function dbIndex(b: Buffer, msg: ErrorReply): number | ErrorReply {
  const v = parseLongLong(b);
  return v === null || v > 2147483647n || v < -2147483648n ? msg : Number(v);
}

/** MOVE key db: daxcache has database 0 only, so every target is out of range or the source itself. */
function move(_ctx: CommandContext, argv: Buffer[]): Reply {
  const db = parseInt32(argv[2]!);
  if (db instanceof ErrorReply) return db;
  return db === 0 ? SAME_OBJECT : DB_INDEX_OUT_OF_RANGE;
}

const BAD_FIRST_DB = new ErrorReply('ERR invalid first DB index');
const BAD_SECOND_DB = new ErrorReply('ERR invalid second DB index');

/** SWAPDB index1 index2: with one database, only 0 0 is valid (and swaps nothing). */
function swapdb(_ctx: CommandContext, argv: Buffer[]): Reply {
  const a = dbIndex(argv[1]!, BAD_FIRST_DB);
  if (a instanceof ErrorReply) return a;
  const b = dbIndex(argv[2]!, BAD_SECOND_DB);
  if (b instanceof ErrorReply) return b;
  return a === 0 && b === 0 ? OK : DB_INDEX_OUT_OF_RANGE;
}

// OBJECT: a container command, as in Redis 7 (object|encoding, object|freq, ...).

/** Values 0..9999 are shared integer objects in Redis (refcount INT_MAX) unless an LRU/LFU policy forbids sharing. */
const OBJ_SHARED_INTEGERS = 10000n;
const OBJ_SHARED_REFCOUNT = 2147483647;

/** The encoding Redis's tryObjectEncoding gives a string value. */
export function stringEncoding(v: Buffer): { encoding: 'int' | 'embstr' | 'raw'; int: bigint | null } {
  if (v.length <= 20) {
    const n = parseLongLong(v);
    if (n !== null) return { encoding: 'int', int: n };
  }
  return { encoding: v.length <= 44 ? 'embstr' : 'raw', int: null };
}

/**
 * The encoding Redis 7.0 would report for a collection of this shape: a packed one is a listpack
 * (an intset for a set of integers; a small set of other members is a hashtable in 7.0), a large
 * one a hashtable (skiplist for a sorted set). Like Redis's, it never goes back to packed.
 */
function collectionEncoding(info: KeyInfo): string {
  switch (info.kind) {
    case Kind.Hash:
      return info.large ? 'hashtable' : 'listpack';
    case Kind.Set:
      return !info.large && info.flags & PACK_INTS ? 'intset' : 'hashtable';
    case Kind.List:
      return 'quicklist'; // Redis 7.0 keeps every list as a quicklist, as daxcache keeps a chain of nodes
    default:
      return info.large ? 'skiplist' : 'listpack';
  }
}

function objectEncoding(ctx: CommandContext, argv: Buffer[]): Reply {
  const info = ctx.store.keyInfo(argv[2]!);
  if (info === null) return null;
  if (info.kind !== Kind.String) return collectionEncoding(info);
  const v = ctx.store.getValue(argv[2]!);
  return v === null ? null : stringEncoding(v).encoding;
}

function objectRefcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const info = ctx.store.keyInfo(argv[2]!);
  if (info === null) return null;
  if (info.kind !== Kind.String) return 1;
  const v = ctx.store.getValue(argv[2]!);
  if (v === null) return null;
  const { int } = stringEncoding(v);
  const policy = maxmemoryPolicy(ctx);
  const noSharing = maxmemory(ctx) > 0 && (policy.includes('lru') || policy.includes('lfu'));
  return int !== null && int >= 0n && int < OBJ_SHARED_INTEGERS && !noSharing ? OBJ_SHARED_REFCOUNT : 1;
}

const LFU_SELECTED = new ErrorReply(
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);
const LFU_NOT_SELECTED = new ErrorReply(
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);

/** Seconds since the last access (the store's LRU clock; reading it does not touch the key). */
function objectIdletime(ctx: CommandContext, argv: Buffer[]): Reply {
  const info = ctx.store.accessInfo(argv[2]!);
  if (info === null) return null;
  if (maxmemoryPolicy(ctx).includes('lfu')) return LFU_SELECTED;
  return info.idleSeconds;
}

/** The LFU counter (Redis's logarithmic counter with decay) kept under an LFU policy. */
function objectFreq(ctx: CommandContext, argv: Buffer[]): Reply {
  const info = ctx.store.accessInfo(argv[2]!);
  if (info === null) return null;
  if (!maxmemoryPolicy(ctx).includes('lfu')) return LFU_NOT_SELECTED;
  return info.frequency;
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** addReplyHelp, worded as Redis 7.0. */
function objectHelp(_ctx: CommandContext, argv: Buffer[]): Reply {
  const cmd = argv[0]!.toString('utf8').toUpperCase();
  return [
    new SimpleString(`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`),
    ...OBJECT_HELP.map((l) => new SimpleString(l)),
    new SimpleString('HELP'),
    new SimpleString('    Prints this help.'),
  ];
}

const objectSubcommands: Record<string, CommandSpec> = {
  // objectCommandLookup is LOOKUP_NOTOUCH: asking about a key does not make it recently used.
  encoding: sub('encoding', 3, ['readonly'], (ctx, argv) => ctx.store.withoutTouch(() => objectEncoding(ctx, argv)), 2, 2, 1),
  freq: sub('freq', 3, ['readonly'], objectFreq, 2, 2, 1),
  help: sub('help', 2, ['loading', 'stale'], objectHelp, 0, 0, 0),
  idletime: sub('idletime', 3, ['readonly'], objectIdletime, 2, 2, 1),
  refcount: sub('refcount', 3, ['readonly'], (ctx, argv) => ctx.store.withoutTouch(() => objectRefcount(ctx, argv)), 2, 2, 1),
};

function sub(name: string, arity: number, flags: Flag[], handler: CommandSpec['handler'], firstKey: number, lastKey: number, step: number): CommandSpec {
  return { name: `object|${name}`, arity, flags, firstKey, lastKey, step, handler };
}

/** Dispatches to the subcommand when the table has not done so already. */
function object(ctx: CommandContext, argv: Buffer[]): Reply {
  const name = argv[1]!.toString('latin1').toLowerCase();
  const s = Object.hasOwn(objectSubcommands, name) ? objectSubcommands[name] : undefined;
  if (!s) return unknownSubcommand(argv[0]!, argv[1]!);
  if (s.arity >= 0 ? argv.length !== s.arity : argv.length < -s.arity) return wrongArity(s.name);
  return s.handler(ctx, argv);
}

type Flag = CommandSpec['flags'][number];

function spec(name: string, arity: number, flags: Flag[], handler: CommandSpec['handler'], firstKey = 1, lastKey = 1, step = 1): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, handler };
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const keyCommands: CommandSpec[] = [
  spec('del', -2, ['write'], del, 1, -1, 1),
  spec('unlink', -2, ['write', 'fast'], del, 1, -1, 1),
  // EXISTS looks without touching (LOOKUP_NOTOUCH); TOUCH is the one that touches.
  spec('exists', -2, ['readonly', 'fast'], (ctx, argv) => ctx.store.withoutTouch(() => exists(ctx, argv)), 1, -1, 1),
  spec('type', 2, ['readonly', 'fast'], type),
  spec('keys', 2, ['readonly'], keys, 0, 0, 0),
  spec('scan', -2, ['readonly'], scan, 0, 0, 0),
  spec('randomkey', 1, ['readonly'], randomkey, 0, 0, 0),
  spec('rename', 3, ['write'], (ctx, argv) => renameGeneric(ctx, argv, false), 1, 2, 1),
  spec('renamenx', 3, ['write', 'fast'], (ctx, argv) => renameGeneric(ctx, argv, true), 1, 2, 1),
  spec('touch', -2, ['readonly', 'fast'], exists, 1, -1, 1),
  spec('copy', -3, ['write', 'denyoom'], copy, 1, 2, 1),
  spec('move', 3, ['write', 'fast'], move),
  { ...spec('swapdb', 3, ['write', 'fast'], swapdb, 0, 0, 0), categories: ['@dangerous'] },
  { ...spec('object', -2, [], object, 0, 0, 0), subcommands: objectSubcommands },
];

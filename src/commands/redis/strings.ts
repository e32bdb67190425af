// Redis string commands (t_string.c) over the store. Every key holds a string, so WRONGTYPE never
// arises. Compound commands are read-then-write: the server runs one command at a time.
import { ErrorReply, FillBulk, MapReply, OK, type Reply } from '../../protocol/resp/reply.js';
import {
  NAN_OR_INFINITY,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  STRING_TOO_LONG,
  SYNTAX_ERR,
  wrongArity,
} from '../../protocol/resp/errors.js';
import type { Store } from '../../store/store.js';
import { inInt64, parseInt64 } from '../../store/numeric.js';
import {
  LLONG_MIN,
  OBJ_EXAT,
  OBJ_GET,
  OBJ_KEEPTTL,
  OBJ_NX,
  OBJ_PERSIST,
  OBJ_PX,
  OBJ_PXAT,
  OBJ_EX,
  OBJ_XX,
  exceedsMaxString,
  expireAtMs,
  optIs,
  parseLongLong,
  parseStringOptions,
  protoMaxBulkLen,
  storeExpireMs,
} from './args.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from './longdouble.js';
import type { CommandContext, CommandSpec } from './types.js';

const EMPTY = Buffer.alloc(0);

/** The value is copied from the pool straight into the reply when it is written (FillBulk). */
function get(ctx: CommandContext, argv: Buffer[]): Reply {
  const store = ctx.store;
  const length = store.stringLookup(argv[1]!);
  return length < 0 ? null : new FillBulk(length, store.copyFoundValue);
}

/**
 * setGenericCommand: flags/expire already parsed. okReply/abortReply are SETNX's 1/0; SET replies
 * OK / null (or the old value with GET).
 */
function setGeneric(
  ctx: CommandContext,
  cmd: string,
  flags: number,
  key: Buffer,
  value: Buffer,
  expire: Buffer | null,
  unit: 'seconds' | 'ms',
  okReply: Reply = OK,
  abortReply: Reply = null,
): Reply {
  let when: bigint | undefined;
  if (expire) {
    const r = expireAtMs(expire, flags, unit, cmd, Date.now());
    if (r instanceof ErrorReply) return r;
    when = r;
  }
  const old = flags & OBJ_GET ? ctx.store.stringValue(key) : null;
  const outcome = ctx.store.set(key, value, {
    condition: flags & OBJ_NX ? 'NX' : flags & OBJ_XX ? 'XX' : undefined,
    // A time already past (EXAT/PXAT) stores a key that is expired at once, as in Redis 7.0.
    expireMs: when === undefined ? 0 : storeExpireMs(when),
    keepTtl: (flags & OBJ_KEEPTTL) !== 0,
  });
  if (flags & OBJ_GET) return old;
  return outcome === 'stored' ? okReply : abortReply;
}

function set(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 3) {
    ctx.store.set(argv[1]!, argv[2]!); // the hot path: no options, no allocation
    return OK;
  }
  const o = parseStringOptions(argv, 3, 'set');
  if (o instanceof ErrorReply) return o;
  return setGeneric(ctx, 'set', o.flags, argv[1]!, argv[2]!, o.expire, o.unit);
}

function setnx(ctx: CommandContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, 'setnx', OBJ_NX, argv[1]!, argv[2]!, null, 'seconds', 1, 0);
}

function setex(ctx: CommandContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, 'setex', OBJ_EX, argv[1]!, argv[3]!, argv[2]!, 'seconds');
}

function psetex(ctx: CommandContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, 'psetex', OBJ_PX, argv[1]!, argv[3]!, argv[2]!, 'ms');
}

function getset(ctx: CommandContext, argv: Buffer[]): Reply {
  const old = ctx.store.stringValue(argv[1]!);
  ctx.store.set(argv[1]!, argv[2]!); // drops the TTL, like SET
  return old;
}

function getdel(ctx: CommandContext, argv: Buffer[]): Reply {
  const old = ctx.store.stringValue(argv[1]!);
  if (old !== null) ctx.store.delete(argv[1]!);
  return old;
}

function getex(ctx: CommandContext, argv: Buffer[]): Reply {
  const o = parseStringOptions(argv, 2, 'get');
  if (o instanceof ErrorReply) return o;
  const key = argv[1]!;
  const value = ctx.store.stringValue(key);
  if (value === null) return null;
  const hadTtl = ctx.store.lastExpireMs !== 0;
  if (o.expire) {
    const now = Date.now();
    const when = expireAtMs(o.expire, o.flags, o.unit, 'getex', now);
    if (when instanceof ErrorReply) return when;
    // An absolute time already past deletes the key (the value is still the reply).
    if (o.flags & (OBJ_EXAT | OBJ_PXAT) && when <= BigInt(now)) ctx.store.delete(key);
    else ctx.store.touch(key, storeExpireMs(when));
  } else if (o.flags & OBJ_PERSIST && hadTtl) {
    ctx.store.touch(key, 0);
  }
  return value;
}

function mget(ctx: CommandContext, argv: Buffer[]): Reply {
  const out: Reply[] = new Array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) out[i - 1] = ctx.store.getValue(argv[i]!);
  return out;
}

function msetGeneric(ctx: CommandContext, argv: Buffer[], nx: boolean): Reply {
  if (argv.length % 2 === 0) return wrongArity(nx ? 'msetnx' : 'mset');
  // One crash-atomic write; past the intent log's bound the dispatcher answers TOO_MANY_KEYS.
  const ok = ctx.store.mset(argv.slice(1), nx);
  return nx ? (ok ? 1 : 0) : OK;
}

function append(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1]!;
  const data = argv[2]!;
  const head = ctx.store.stringHead(key);
  if (head === null) {
    ctx.store.set(key, data);
    return data.length;
  }
  if (exceedsMaxString(ctx, head.length, data.length)) return STRING_TOO_LONG;
  return ctx.store.append(key, data) ?? data.length;
}

function strlen(ctx: CommandContext, argv: Buffer[]): Reply {
  return ctx.store.stringHead(argv[1]!)?.length ?? 0;
}

/**
 * Redis INCRBY on a store: the value must be a Redis integer (string2ll) and the result fit in int64;
 * keeps the TTL and the memcached flags. Exported for the crash workload, which drives the store.
 */
/** Where INCR reads the current value: a 64-bit integer's text is at most 20 bytes. */
const INT_TEXT = Buffer.alloc(20);

export function incrByValue(store: Store, key: Buffer, delta: bigint): bigint | 'not_integer' | 'overflow' {
  // lookup + copy into INT_TEXT: no Buffer made per INCR for the old value
  const n = store.stringLookup(key);
  let v = 0n;
  if (n >= 0) {
    if (n > INT_TEXT.length) return 'not_integer';
    store.copyFoundValue(INT_TEXT, 0);
    const parsed = parseInt64(INT_TEXT.subarray(0, n));
    if (parsed === null) return 'not_integer';
    v = parsed;
  }
  const next = v + delta;
  if (!inInt64(next)) return 'overflow';
  store.set(key, Buffer.from(next.toString(), 'latin1'), { keepTtl: true, keepFlags: true });
  return next;
}

function incrDecr(ctx: CommandContext, key: Buffer, delta: bigint): Reply {
  const r = incrByValue(ctx.store, key, delta);
  return r === 'not_integer' ? NOT_INTEGER : r === 'overflow' ? OVERFLOW : r;
}

function incr(ctx: CommandContext, argv: Buffer[]): Reply {
  return incrDecr(ctx, argv[1]!, 1n);
}

function decr(ctx: CommandContext, argv: Buffer[]): Reply {
  return incrDecr(ctx, argv[1]!, -1n);
}

function incrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const by = parseLongLong(argv[2]!);
  return by === null ? NOT_INTEGER : incrDecr(ctx, argv[1]!, by);
}

const DECREMENT_OVERFLOW = new ErrorReply('ERR decrement would overflow');

function decrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const by = parseLongLong(argv[2]!);
  if (by === null) return NOT_INTEGER;
  if (by === LLONG_MIN) return DECREMENT_OVERFLOW; // -LLONG_MIN does not fit
  return incrDecr(ctx, argv[1]!, -by);
}

/** In long double, exactly as Redis (see longdouble.ts); keeps the TTL and memcached flags. */
function incrbyfloat(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1]!;
  const cur = ctx.store.stringValue(key);
  const value = cur === null ? ZERO : parseLongDouble(cur);
  const by = parseLongDouble(argv[2]!);
  if (value === null || by === null) return NOT_FLOAT;
  if (typeof value === 'number' || typeof by === 'number') return NAN_OR_INFINITY; // ±inf operand
  const sum = addLongDouble(value, by);
  if (sum === null) return NAN_OR_INFINITY;
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  ctx.store.set(key, text, { keepTtl: true, keepFlags: true });
  return text;
}

const ZERO: LongDouble = { neg: false, mant: 0n, exp: 0 };

/** GETRANGE/SUBSTR: negative indexes count from the end, the end is inclusive. */
function getrange(ctx: CommandContext, argv: Buffer[]): Reply {
  let start = parseLongLong(argv[2]!);
  if (start === null) return NOT_INTEGER;
  let end = parseLongLong(argv[3]!);
  if (end === null) return NOT_INTEGER;
  const length = ctx.store.stringLookup(argv[1]!);
  if (length < 0) return EMPTY;
  const len = BigInt(length);
  if (start < 0n && end < 0n && start > end) return EMPTY;
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return EMPTY;
  // Only the range is copied out of the pool (a large value's GETRANGE costs its range).
  return ctx.store.stringRange(argv[1]!, Number(start), Number(end - start) + 1) ?? EMPTY;
}

const OFFSET_OUT_OF_RANGE = new ErrorReply('ERR offset is out of range');

function setrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1]!;
  const data = argv[3]!;
  const offset = parseLongLong(argv[2]!);
  if (offset === null) return NOT_INTEGER;
  if (offset < 0n) return OFFSET_OUT_OF_RANGE;
  const head = ctx.store.stringHead(key);
  if (data.length === 0) return head?.length ?? 0; // nothing to write: never creates the key
  if (offset + BigInt(data.length) > BigInt(protoMaxBulkLen(ctx))) return STRING_TOO_LONG;
  return ctx.store.setRange(key, Number(offset), data);
}

const LCS_BOTH = new ErrorReply('ERR If you want both the length and indexes, please just use IDX.');
const LCS_TOO_LONG = new ErrorReply('ERR String too long for LCS');
const LCS_NO_MEMORY = new ErrorReply('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
const UINT32_MAX = 0xffffffff;

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: Redis's dynamic programming, ported. */
const LCS_NOT_STRING = new ErrorReply('ERR The specified keys must contain string values');

function lcs(ctx: CommandContext, argv: Buffer[]): Reply {
  // Redis's lcsCommand has its own error for a key of another type.
  const a = ctx.store.getValue(argv[1]!) ?? (ctx.store.lastMissWasCollection ? null : EMPTY);
  const b = ctx.store.getValue(argv[2]!) ?? (ctx.store.lastMissWasCollection ? null : EMPTY);
  if (a === null || b === null) return LCS_NOT_STRING;
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0n;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const moreArgs = argv.length - 1 - j;
    if (optIs(opt, 'idx')) getIdx = true;
    else if (optIs(opt, 'len')) getLen = true;
    else if (optIs(opt, 'withmatchlen')) withMatchLen = true;
    else if (optIs(opt, 'minmatchlen') && moreArgs > 0) {
      const v = parseLongLong(argv[j + 1]!);
      if (v === null) return NOT_INTEGER;
      minMatchLen = v < 0n ? 0n : v;
      j++;
    } else return SYNTAX_ERR;
  }
  if (getIdx && getLen) return LCS_BOTH;
  if (a.length >= UINT32_MAX - 1 || b.length >= UINT32_MAX - 1) return LCS_TOO_LONG;
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > protoMaxBulkLen(ctx)) return LCS_NO_MEMORY;
  const dp = new Uint32Array(cells);
  const w = blen + 1; // dp[i*w + j] = LCS length of a[0..i), b[0..j)
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) dp[i * w + j] = dp[(i - 1) * w + j - 1]! + 1;
      else {
        const l1 = dp[(i - 1) * w + j]!;
        const l2 = dp[i * w + j - 1]!;
        dp[i * w + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  let idx = dp[alen * w + blen]!;
  const total = idx;
  const computeLcs = getIdx || !getLen;
  const result = computeLcs ? Buffer.allocUnsafe(idx) : EMPTY;
  const matches: Reply[] = [];
  // Walk back from the end, emitting ranges of contiguous matches (as Redis, last range first).
  let aStart = alen; // alen = no range in progress
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computeLcs && i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const l1 = dp[(i - 1) * w + j]!;
      const l2 = dp[i * w + j - 1]!;
      if (l1 > l2) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0n || BigInt(matchLen) >= minMatchLen)) {
        const m: Reply[] = [
          [aStart, aEnd],
          [bStart, bEnd],
        ];
        if (withMatchLen) m.push(matchLen);
        matches.push(m);
      }
      aStart = alen;
    }
  }
  if (getIdx) {
    return new MapReply([
      ['matches', matches],
      ['len', total],
    ]);
  }
  return getLen ? total : result;
}

type Flag = CommandSpec['flags'][number];

function spec(name: string, arity: number, flags: Flag[], handler: CommandSpec['handler'], firstKey = 1, lastKey = 1, step = 1): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, handler };
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const stringCommands: CommandSpec[] = [
  spec('get', 2, ['readonly', 'fast'], get),
  spec('set', -3, ['write', 'denyoom'], set),
  spec('setnx', 3, ['write', 'denyoom', 'fast'], setnx),
  spec('setex', 4, ['write', 'denyoom'], setex),
  spec('psetex', 4, ['write', 'denyoom'], psetex),
  spec('getset', 3, ['write', 'denyoom', 'fast'], getset),
  spec('getdel', 2, ['write', 'fast'], getdel),
  spec('getex', -2, ['write', 'fast'], getex),
  spec('mget', -2, ['readonly', 'fast'], mget, 1, -1, 1),
  spec('mset', -3, ['write', 'denyoom'], (ctx, argv) => msetGeneric(ctx, argv, false), 1, -1, 2),
  spec('msetnx', -3, ['write', 'denyoom'], (ctx, argv) => msetGeneric(ctx, argv, true), 1, -1, 2),
  spec('append', 3, ['write', 'denyoom', 'fast'], append),
  spec('strlen', 2, ['readonly', 'fast'], strlen),
  spec('incr', 2, ['write', 'denyoom', 'fast'], incr),
  spec('decr', 2, ['write', 'denyoom', 'fast'], decr),
  spec('incrby', 3, ['write', 'denyoom', 'fast'], incrby),
  spec('decrby', 3, ['write', 'denyoom', 'fast'], decrby),
  spec('incrbyfloat', 3, ['write', 'denyoom', 'fast'], incrbyfloat),
  spec('getrange', 4, ['readonly'], getrange),
  spec('substr', 4, ['readonly'], getrange),
  spec('setrange', 4, ['write', 'denyoom'], setrange),
  spec('lcs', -3, ['readonly'], lcs, 1, 2, 1),
];

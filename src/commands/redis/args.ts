// Argument parsing shared by the string/key/expire families, reproducing Redis 7's rules:
// integer parsing (util.c string2ll), option words compared as C strings (strcasecmp stops at a
// NUL byte), SET/GETEX option combinations (t_string.c parseExtendedStringArgumentsOrReply), the
// expire-time checks (getExpireMillisecondsOrReply), SCAN cursors (strtoul) and glob matching
// (util.c stringmatchlen) for KEYS and SCAN MATCH.
import { ErrorReply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR, invalidExpireTime } from '../../protocol/resp/errors.js';
import { parseInt64 } from '../../store/numeric.js';
import type { CommandContext } from './types.js';

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const ULONG_MAX = 18446744073709551615n;

/** Redis string2ll under Redis's own name: the one integer parser of the server (store/numeric.ts). */
export const parseLongLong: (b: Buffer) => bigint | null = parseInt64;

const INT_RANGE = new ErrorReply('ERR value is out of range, value must between -2147483648 and 2147483647');

/** getIntFromObjectOrReply: string2ll, then Redis 7.0's own error for a long outside int. */
export function parseInt32(b: Buffer): number | ErrorReply {
  const v = parseLongLong(b);
  if (v === null) return NOT_INTEGER;
  return v > INT_MAX || v < INT_MIN ? INT_RANGE : Number(v);
}

/** The bytes a C string function sees: up to the first NUL. */
function cstrEnd(b: Buffer): number {
  const nul = b.indexOf(0);
  return nul < 0 ? b.length : nul;
}

/** strcasecmp(arg, word) == 0 for an ASCII lower-case word. */
export function optIs(arg: Buffer, word: string): boolean {
  if (cstrEnd(arg) !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = arg[i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** The argument as "%s" prints it (error texts that quote an argument). */
export function cstr(arg: Buffer): string {
  return arg.subarray(0, cstrEnd(arg)).toString('utf8');
}

// SET / GETEX option flags (t_string.c OBJ_*).
export const OBJ_NX = 1 << 0;
export const OBJ_XX = 1 << 1;
export const OBJ_EX = 1 << 2;
export const OBJ_PX = 1 << 3;
export const OBJ_KEEPTTL = 1 << 4;
export const OBJ_GET = 1 << 5;
export const OBJ_EXAT = 1 << 6;
export const OBJ_PXAT = 1 << 7;
export const OBJ_PERSIST = 1 << 8;

export interface StringOptions {
  flags: number;
  /** The expire argument (EX/PX/EXAT/PXAT value), unparsed. */
  expire: Buffer | null;
  unit: 'seconds' | 'ms';
}

/**
 * parseExtendedStringArgumentsOrReply: options from argv[start] on, for SET ('set') or GETEX
 * ('get'). Repeats of the same option are accepted (the last value wins), as in Redis.
 */
export function parseStringOptions(argv: Buffer[], start: number, kind: 'set' | 'get'): StringOptions | ErrorReply {
  let flags = 0;
  let expire: Buffer | null = null;
  let unit: 'seconds' | 'ms' = 'seconds';
  const isSet = kind === 'set';
  const anyExpire = OBJ_EX | OBJ_PX | OBJ_EXAT | OBJ_PXAT;
  for (let j = start; j < argv.length; j++) {
    const opt = argv[j]!;
    const next = j === argv.length - 1 ? null : argv[j + 1]!;
    if (optIs(opt, 'nx') && !(flags & OBJ_XX) && isSet) {
      flags |= OBJ_NX;
    } else if (optIs(opt, 'xx') && !(flags & OBJ_NX) && isSet) {
      flags |= OBJ_XX;
    } else if (optIs(opt, 'get') && isSet) {
      flags |= OBJ_GET;
    } else if (optIs(opt, 'keepttl') && !(flags & OBJ_PERSIST) && !(flags & anyExpire) && isSet) {
      flags |= OBJ_KEEPTTL;
    } else if (optIs(opt, 'persist') && !isSet && !(flags & anyExpire) && !(flags & OBJ_KEEPTTL)) {
      flags |= OBJ_PERSIST;
    } else if (optIs(opt, 'ex') && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EXAT | OBJ_PX | OBJ_PXAT)) && next) {
      flags |= OBJ_EX;
      expire = next;
      j++;
    } else if (optIs(opt, 'px') && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PXAT)) && next) {
      flags |= OBJ_PX;
      unit = 'ms';
      expire = next;
      j++;
    } else if (optIs(opt, 'exat') && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_PX | OBJ_PXAT)) && next) {
      flags |= OBJ_EXAT;
      expire = next;
      j++;
    } else if (optIs(opt, 'pxat') && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PX)) && next) {
      flags |= OBJ_PXAT;
      unit = 'ms';
      expire = next;
      j++;
    } else {
      return SYNTAX_ERR;
    }
  }
  return { flags, expire, unit };
}

/**
 * getExpireMillisecondsOrReply: the absolute expiry in ms for SET/SETEX/PSETEX/GETEX, or the error.
 * The value must be > 0; EX/PX are relative to now; overflow is an invalid expire time.
 */
export function expireAtMs(arg: Buffer, flags: number, unit: 'seconds' | 'ms', cmd: string, nowMs: number): bigint | ErrorReply {
  let ms = parseLongLong(arg);
  if (ms === null) return NOT_INTEGER;
  if (ms <= 0n || (unit === 'seconds' && ms > LLONG_MAX / 1000n)) return invalidExpireTime(cmd);
  if (unit === 'seconds') ms *= 1000n;
  if (flags & (OBJ_PX | OBJ_EX)) {
    ms += BigInt(nowMs);
    if (ms > LLONG_MAX) return invalidExpireTime(cmd); // C's signed overflow wraps to <= 0
  }
  return ms;
}

/**
 * The store keeps expiry as a JS number (exact up to 2^53 ms, year 287396): later instants are
 * stored as that bound. Both are "never" for any practical purpose.
 */
export const MAX_EXPIRE_MS = Number.MAX_SAFE_INTEGER;
export function storeExpireMs(when: bigint): number {
  return when > BigInt(MAX_EXPIRE_MS) ? MAX_EXPIRE_MS : Number(when);
}

export const INVALID_CURSOR = new ErrorReply('ERR invalid cursor');
const MAX_SCAN_COUNT = 1 << 30;

export interface ScanOptions {
  count: number;
  /** null: every name ("*" matches all). */
  pattern: Buffer | null;
  typeName: Buffer | null;
}

/**
 * The options of SCAN/HSCAN/SSCAN from argv[from] (scanGenericCommand): COUNT n (at least 1),
 * MATCH pattern and, for SCAN only (`withType`), TYPE name; anything else is a syntax error.
 */
export function parseScanOptions(argv: Buffer[], from: number, withType: boolean): ScanOptions | ErrorReply {
  const o: ScanOptions = { count: 10, pattern: null, typeName: null };
  for (let i = from; i < argv.length; ) {
    const left = argv.length - i;
    if (optIs(argv[i]!, 'count') && left >= 2) {
      const v = parseLongLong(argv[i + 1]!);
      if (v === null) return NOT_INTEGER;
      if (v < 1n) return SYNTAX_ERR;
      o.count = v > BigInt(MAX_SCAN_COUNT) ? MAX_SCAN_COUNT : Number(v);
      i += 2;
    } else if (optIs(argv[i]!, 'match') && left >= 2) {
      const p = argv[i + 1]!;
      o.pattern = p.length === 1 && p[0] === 0x2a ? null : p;
      i += 2;
    } else if (withType && optIs(argv[i]!, 'type') && left >= 2) {
      o.typeName = argv[i + 1]!;
      i += 2;
    } else {
      return SYNTAX_ERR;
    }
  }
  return o;
}

/** A cursor as the store takes it: an exact integer (cursors past every bucket are finished walks). */
export function scanStart(cursor: bigint): number {
  return cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
}

/**
 * parseScanCursorOrReply: strtoul(arg, 10) — optional sign (a '-' negates modulo 2^64), no leading
 * space, nothing after the digits (a NUL ends the C string), ERANGE past 2^64-1. "" is cursor 0.
 */
export function parseScanCursor(arg: Buffer): bigint | null {
  const end = cstrEnd(arg);
  if (end === 0) return 0n;
  const first = arg[0]!;
  if (first === 0x20 || (first >= 0x09 && first <= 0x0d)) return null;
  let i = 0;
  let neg = false;
  if (first === 0x2b || first === 0x2d) {
    neg = first === 0x2d;
    i = 1;
  }
  if (i === end) return null;
  for (let j = i; j < end; j++) if (arg[j]! < 0x30 || arg[j]! > 0x39) return null;
  const v = BigInt(arg.subarray(i, end).toString('latin1'));
  if (v > ULONG_MAX) return null;
  return neg && v !== 0n ? ULONG_MAX + 1n - v : v;
}

/**
 * Redis util.c stringmatchlen: glob with '*', '?', '[...]' ('^' negates, 'a-z' ranges, '\' escapes)
 * and '\' outside classes. Bytes are compared as C `char` (signed on x86), which matters for
 * ranges over bytes >= 0x80. Reading past either end sees 0, like C reading the NUL terminator.
 */
export function stringMatch(pattern: Buffer, str: Buffer, nocase = false): boolean {
  const skip = { longer: false };
  return matchImpl(pattern, 0, pattern.length, str, 0, str.length, nocase, skip, 0);
}

function sc(b: Buffer, i: number): number {
  const v = i < b.length ? b[i]! : 0;
  return v > 127 ? v - 256 : v;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function matchImpl(
  p: Buffer,
  pi: number,
  plen: number,
  s: Buffer,
  si: number,
  slen: number,
  nocase: boolean,
  skip: { longer: boolean },
  nesting: number,
): boolean {
  // Protection against abusive patterns (deep '*' recursion), as Redis 7.2+ does.
  if (nesting > 1000) return false;
  while (plen > 0 && slen > 0) {
    const pc = sc(p, pi);
    if (pc === 0x2a /* '*' */) {
      while (plen > 0 && sc(p, pi + 1) === 0x2a) {
        pi++;
        plen--;
      }
      if (plen === 1) return true;
      while (slen > 0) {
        if (matchImpl(p, pi + 1, plen - 1, s, si, slen, nocase, skip, nesting + 1)) return true;
        if (skip.longer) return false;
        si++;
        slen--;
      }
      // No match for the rest of the pattern anywhere in the rest of the string: earlier '*'
      // cannot do better by matching longer.
      skip.longer = true;
      return false;
    } else if (pc === 0x3f /* '?' */) {
      si++;
      slen--;
    } else if (pc === 0x5b /* '[' */) {
      pi++;
      plen--;
      const not = sc(p, pi) === 0x5e; /* '^' */
      if (not) {
        pi++;
        plen--;
      }
      let match = false;
      const ch = sc(s, si);
      for (;;) {
        const c0 = sc(p, pi);
        if (c0 === 0x5c /* '\\' */ && plen >= 2) {
          pi++;
          plen--;
          if (sc(p, pi) === ch) match = true;
        } else if (c0 === 0x5d /* ']' */) {
          break;
        } else if (plen === 0) {
          pi--;
          plen++;
          break;
        } else if (plen >= 3 && sc(p, pi + 1) === 0x2d /* '-' */) {
          let start = c0;
          let end = sc(p, pi + 2);
          let c = ch;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            c = lower(c);
          }
          pi += 2;
          plen -= 2;
          if (c >= start && c <= end) match = true;
        } else if (nocase ? lower(c0) === lower(ch) : c0 === ch) {
          match = true;
        }
        pi++;
        plen--;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
      slen--;
    } else {
      if (pc === 0x5c /* '\\' */ && plen >= 2) {
        pi++;
        plen--;
      }
      const c = sc(p, pi);
      const d = sc(s, si);
      if (nocase ? lower(c) !== lower(d) : c !== d) return false;
      si++;
      slen--;
    }
    pi++;
    plen--;
    if (slen === 0) {
      while (sc(p, pi) === 0x2a) {
        pi++;
        plen--;
      }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

/** Redis's proto-max-bulk-len: the largest string APPEND/SETRANGE may build. */
export function protoMaxBulkLen(ctx: CommandContext): number {
  return ctx.server.config.protoMaxBulkLen;
}

export function maxmemoryPolicy(ctx: CommandContext): string {
  return ctx.server.config.maxmemoryPolicy;
}

/** The configured maxmemory in bytes (0 = no limit). */
export function maxmemory(ctx: CommandContext): number {
  return ctx.server.config.maxmemory;
}

/** checkStringLength: size + append past proto-max-bulk-len. */
export function exceedsMaxString(ctx: CommandContext, size: number, append: number): boolean {
  return size + append > protoMaxBulkLen(ctx);
}

/** Redis's "ERR Unsupported option %s" of EXPIRE & co. */
export function unsupportedOption(arg: Buffer): ErrorReply {
  return new ErrorReply(`ERR Unsupported option ${cstr(arg)}`);
}

/**
 * A multi-key write larger than the pool's intent log (which makes it crash-atomic) cannot be
 * done atomically; Redis has no such bound, so the wording is ours (the same as table.ts's).
 */
export const TOO_MANY_KEYS = new ErrorReply('ERR too many keys for one atomic write');

// Redis expiry commands (expire.c, db.c ttlGenericCommand). Expiry is absolute ms since the epoch
// in the store (0 = none); "now" is read once per command, like Redis's command time snapshot.
import { ErrorReply, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, invalidExpireTime } from '../../protocol/resp/errors.js';
import { LLONG_MAX, LLONG_MIN, optIs, parseLongLong, storeExpireMs, unsupportedOption } from './args.js';
import type { CommandContext, CommandSpec } from './types.js';

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

const NX_INCOMPATIBLE = new ErrorReply('ERR NX and XX, GT or LT options at the same time are not compatible');
const GT_LT_INCOMPATIBLE = new ErrorReply('ERR GT and LT options at the same time are not compatible');

/** parseExtendedExpireArgumentsOrReply: NX XX GT LT from argv[3] on. */
function parseExpireFlags(argv: Buffer[]): number | ErrorReply {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (optIs(opt, 'nx')) flags |= EXPIRE_NX;
    else if (optIs(opt, 'xx')) flags |= EXPIRE_XX;
    else if (optIs(opt, 'gt')) flags |= EXPIRE_GT;
    else if (optIs(opt, 'lt')) flags |= EXPIRE_LT;
    else return unsupportedOption(opt);
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) return NX_INCOMPATIBLE;
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) return GT_LT_INCOMPATIBLE;
  return flags;
}

/**
 * expireGenericCommand. basetime is now for EXPIRE/PEXPIRE, 0 for the *AT forms. Negative times are
 * allowed (they delete the key); only overflow of the unit conversion or the addition is an error.
 */
function expireGeneric(ctx: CommandContext, argv: Buffer[], cmd: string, relative: boolean, unit: 'seconds' | 'ms'): Reply {
  const flags = parseExpireFlags(argv);
  if (flags instanceof ErrorReply) return flags;
  let when = parseLongLong(argv[2]!);
  if (when === null) return NOT_INTEGER;
  const now = Date.now();
  const basetime = relative ? BigInt(now) : 0n;
  if (unit === 'seconds') {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return invalidExpireTime(cmd);
    when *= 1000n;
  }
  if (when > LLONG_MAX - basetime) return invalidExpireTime(cmd);
  when += basetime;

  const key = argv[1]!;
  const head = ctx.store.head(key);
  if (head === null) return 0;
  if (flags) {
    const current = head.expireMs === 0 ? -1n : BigInt(head.expireMs);
    if (flags & EXPIRE_NX && current !== -1n) return 0;
    if (flags & EXPIRE_XX && current === -1n) return 0;
    // No TTL counts as infinite: GT never beats it, LT always does.
    if (flags & EXPIRE_GT && (when <= current || current === -1n)) return 0;
    if (flags & EXPIRE_LT && current !== -1n && when >= current) return 0;
  }
  if (when <= BigInt(now)) ctx.store.delete(key); // already past: the key goes now
  else ctx.store.touch(key, storeExpireMs(when));
  return 1;
}

/** ttlGenericCommand: -2 missing, -1 no expiry; seconds are rounded ((ms + 500) / 1000). */
function ttlGeneric(ctx: CommandContext, argv: Buffer[], ms: boolean, absolute: boolean): Reply {
  const head = ctx.store.withoutTouch(() => ctx.store.head(argv[1]!)); // LOOKUP_NOTOUCH, as Redis
  if (head === null) return -2;
  if (head.expireMs === 0) return -1;
  let ttl = absolute ? head.expireMs : head.expireMs - Date.now();
  if (ttl < 0) ttl = 0;
  return ms ? ttl : Math.floor((ttl + 500) / 1000);
}

function persist(ctx: CommandContext, argv: Buffer[]): Reply {
  const head = ctx.store.head(argv[1]!);
  if (head === null || head.expireMs === 0) return 0;
  ctx.store.touch(argv[1]!, 0);
  return 1;
}

type Flag = CommandSpec['flags'][number];

function spec(name: string, arity: number, flags: Flag[], handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, handler };
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const expireCommands: CommandSpec[] = [
  spec('expire', -3, ['write', 'fast'], (ctx, argv) => expireGeneric(ctx, argv, 'expire', true, 'seconds')),
  spec('pexpire', -3, ['write', 'fast'], (ctx, argv) => expireGeneric(ctx, argv, 'pexpire', true, 'ms')),
  spec('expireat', -3, ['write', 'fast'], (ctx, argv) => expireGeneric(ctx, argv, 'expireat', false, 'seconds')),
  spec('pexpireat', -3, ['write', 'fast'], (ctx, argv) => expireGeneric(ctx, argv, 'pexpireat', false, 'ms')),
  spec('ttl', 2, ['readonly', 'fast'], (ctx, argv) => ttlGeneric(ctx, argv, false, false)),
  spec('pttl', 2, ['readonly', 'fast'], (ctx, argv) => ttlGeneric(ctx, argv, true, false)),
  spec('expiretime', 2, ['readonly', 'fast'], (ctx, argv) => ttlGeneric(ctx, argv, false, true)),
  spec('pexpiretime', 2, ['readonly', 'fast'], (ctx, argv) => ttlGeneric(ctx, argv, true, true)),
  spec('persist', 2, ['write', 'fast'], persist),
];

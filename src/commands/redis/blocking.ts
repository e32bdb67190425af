// Blocking commands (Redis 7.0 blocked.c, t_list.c, t_zset.c): what a handler hands the server
// when it has nothing to answer yet, and the commands BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN
// BZPOPMAX BZMPOP.
//
// A blocking handler first tries the non-blocking form. With nothing to pop it leaves a
// BlockRequest on the client (ctx.client.blockRequest) and the connection hands it to the server's
// BlockingHub: the client then waits, its later commands held unread in the parser, until a write
// command makes one of its keys ready (the hub serves waiters of a key in the order they blocked)
// or its timeout passes. Inside MULTI/EXEC nothing blocks: the timeout reply comes at once, as in
// Redis. A served pop is a write made in the pusher's turn, so its reply leaves after that turn's
// persist barrier, like the pusher's own: the element a blocked client received is durably gone.
import { ErrorReply, NullArray, type Reply } from '../../protocol/resp/reply.js';
import { SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { parseLongDouble } from './longdouble.js';
import { LLONG_MAX, optIs } from './args.js';
import { spec } from './collections.js';
import { mpop, parseEnd, parseLmpop, popOne, moveOne } from './lists.js';
import { parseZmpop, zpopFirst } from './zsets.js';
import type { CommandContext, CommandSpec } from './types.js';

/** What a blocked client waits for. Keys are copies (argv points into the read buffer). */
export interface BlockRequest {
  readonly keys: Buffer[];
  /** Unix ms after which the timeout reply is sent; 0 = wait for ever. */
  readonly deadlineMs: number;
  /**
   * Serves the client from `key`, which a write just made ready: the reply, or undefined when the
   * key has nothing for this client (absent, emptied by an earlier waiter, of another type).
   * Store errors (WRONGTYPE of BLMOVE's destination, OOM) throw StoreError: the client gets them.
   */
  serve(ctx: CommandContext, key: Buffer): Reply | undefined;
  readonly timeoutReply: Reply;
  /** A key the serve writes into (BLMOVE's destination): ready for other waiters afterwards. */
  readonly target: Buffer | null;
}

/** The server's registry of blocked clients, as the command layer sees it. */
export interface BlockingHub {
  /** Clients blocked now (INFO blocked_clients). */
  readonly blockedClients: number;
  /** Of those, the ones with a timeout (INFO clients_in_timeout_table). */
  readonly timedClients: number;
  /** A write command wrote `key`: waiters on it are served after the command (see serveReady). */
  signal(key: Buffer): void;
  /** CLIENT UNBLOCK: ends the client's wait with `reply` (its timeout reply when null); false if not blocked. */
  unblock(clientId: number, reply: ErrorReply | null): boolean;
}

const TIMEOUT_NOT_FLOAT = new ErrorReply('ERR timeout is not a float or out of range');
const TIMEOUT_NEGATIVE = new ErrorReply('ERR timeout is negative');

/**
 * getTimeoutFromObjectOrReply in seconds: strtold, times 1000, cast to long long (a value out of
 * its range becomes LLONG_MIN on x86, hence "negative" for inf and 1e300 as in Redis), 0 = for ever.
 * Returns the wait in ms.
 */
export function parseTimeout(arg: Buffer): number | ErrorReply {
  const v = parseLongDouble(arg);
  if (v === null) return TIMEOUT_NOT_FLOAT;
  if (typeof v === 'number') return TIMEOUT_NEGATIVE; // ±inf
  let ms = v.mant * 1000n;
  ms = v.exp >= 0 ? ms << BigInt(v.exp) : ms >> BigInt(-v.exp); // truncation toward zero
  if (v.neg) ms = -ms;
  if (ms < 0n || ms > LLONG_MAX) return TIMEOUT_NEGATIVE;
  return Number(ms);
}

/** The deadline of a wait of `ms` (0 stays 0: for ever). */
function deadline(ms: number): number {
  return ms === 0 ? 0 : Date.now() + ms;
}

/** Blocks the client (or, inside MULTI/EXEC, answers the timeout reply at once). */
function block(ctx: CommandContext, req: BlockRequest): Reply {
  if (ctx.client.multi !== null) return req.timeoutReply;
  ctx.client.blockRequest = req;
  return null; // not sent: the connection sees blockRequest
}

const copyKeys = (keys: Buffer[]): Buffer[] => keys.map((k) => Buffer.from(k));

/** BLPOP/BRPOP key [key ...] timeout: [key, element] from the first non-empty key. */
function bpop(left: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const ms = parseTimeout(argv[argv.length - 1]!);
    if (ms instanceof ErrorReply) return ms;
    const keys = argv.slice(1, -1);
    for (const k of keys) {
      const v = popOne(ctx, k, left);
      if (v !== null) return [k, v];
    }
    return block(ctx, {
      keys: copyKeys(keys),
      deadlineMs: deadline(ms),
      serve: (c, key) => {
        const v = popOne(c, key, left, true);
        return v === null ? undefined : [key, v];
      },
      timeoutReply: NullArray,
      target: null,
    });
  };
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout; BRPOPLPUSH source destination timeout. */
function bmove(ctx: CommandContext, src: Buffer, dst: Buffer, fromLeft: boolean, toLeft: boolean, timeoutArg: Buffer): Reply {
  const ms = parseTimeout(timeoutArg);
  if (ms instanceof ErrorReply) return ms;
  const v = moveOne(ctx, src, dst, fromLeft, toLeft);
  if (v !== null) return v;
  const target = Buffer.from(dst);
  return block(ctx, {
    keys: copyKeys([src]),
    deadlineMs: deadline(ms),
    serve: (c, key) => moveOne(c, key, target, fromLeft, toLeft, true) ?? undefined,
    timeoutReply: null,
    target,
  });
}

function blmove(ctx: CommandContext, argv: Buffer[]): Reply {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from === null || to === null) return SYNTAX_ERR;
  return bmove(ctx, argv[1]!, argv[2]!, from, to, argv[5]!);
}

function brpoplpush(ctx: CommandContext, argv: Buffer[]): Reply {
  return bmove(ctx, argv[1]!, argv[2]!, false, true, argv[3]!);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
function blmpop(ctx: CommandContext, argv: Buffer[]): Reply {
  const ms = parseTimeout(argv[1]!);
  if (ms instanceof ErrorReply) return ms;
  const a = parseLmpop(argv, 2);
  if (a instanceof ErrorReply) return a;
  const r = mpop(ctx, a);
  if (r !== null) return r;
  return block(ctx, {
    keys: copyKeys(a.keys),
    deadlineMs: deadline(ms),
    serve: (c, key) => mpop(c, { keys: [key], where: a.where, count: a.count }, true) ?? undefined,
    timeoutReply: NullArray,
    target: null,
  });
}

/** BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score]. */
function bzpop(min: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const ms = parseTimeout(argv[argv.length - 1]!);
    if (ms instanceof ErrorReply) return ms;
    const keys = argv.slice(1, -1);
    const r = zpopFirst(ctx, keys, min, -1, false);
    if (r !== null) return r;
    return block(ctx, {
      keys: copyKeys(keys),
      deadlineMs: deadline(ms),
      serve: (c, key) => zpopFirst(c, [key], min, -1, true) ?? undefined,
      timeoutReply: NullArray,
      target: null,
    });
  };
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
function bzmpop(ctx: CommandContext, argv: Buffer[]): Reply {
  const ms = parseTimeout(argv[1]!);
  if (ms instanceof ErrorReply) return ms;
  const a = parseZmpop(argv, 2);
  if (a instanceof ErrorReply) return a;
  const r = zpopFirst(ctx, a.keys, a.where, a.count, false);
  if (r !== null) return r;
  return block(ctx, {
    keys: copyKeys(a.keys),
    deadlineMs: deadline(ms),
    serve: (c, key) => zpopFirst(c, [key], a.where, a.count, true) ?? undefined,
    timeoutReply: NullArray,
    target: null,
  });
}

const popLines = (): number => 16;

export const blockingListCommands: CommandSpec[] = [
  spec('blpop', -3, ['write', 'noscript', 'blocking'], bpop(true), 1, -2, 1, popLines),
  spec('brpop', -3, ['write', 'noscript', 'blocking'], bpop(false), 1, -2, 1, popLines),
  spec('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], brpoplpush, 1, 2, 1, popLines),
  spec('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], blmove, 1, 2, 1, popLines),
  spec('blmpop', -5, ['write', 'blocking'], blmpop, 0, 0, 0, popLines),
];

export const blockingZsetCommands: CommandSpec[] = [
  spec('bzpopmin', -3, ['write', 'noscript', 'fast', 'blocking'], bzpop(true), 1, -2, 1, popLines),
  spec('bzpopmax', -3, ['write', 'noscript', 'fast', 'blocking'], bzpop(false), 1, -2, 1, popLines),
  spec('bzmpop', -5, ['write', 'blocking'], bzmpop, 0, 0, 0, popLines),
];

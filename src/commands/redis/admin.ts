// Server administration commands (Redis server.c/db.c): DBSIZE FLUSHDB FLUSHALL TIME LASTSAVE SAVE BGSAVE SHUTDOWN. Every write is
// already persistent when it is acknowledged, so SAVE/BGSAVE only run a persist barrier and record
// the time for LASTSAVE (scripts that poll LASTSAVE after BGSAVE keep working).
import { ErrorReply, OK, SimpleString, SYNTAX_ERR, type Reply } from '../../protocol/resp/index.js';
import { redisServer } from './services.js';
import type { CommandContext, CommandSpec } from './types.js';

const NO_SHUTDOWN = new ErrorReply('ERR No shutdown in progress.');
const BGSAVE_STARTED = new SimpleString('Background saving started');

const lower = (b: Buffer): string => b.toString('latin1').toLowerCase();

function spec(name: string, arity: number, flags: CommandSpec['flags'], handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, handler };
}

/** getFlushCommandFlags: optional SYNC or ASYNC; both empty the keyspace at once here. */
function flush(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 2) {
    const mode = lower(argv[1]!);
    if (mode !== 'sync' && mode !== 'async') return SYNTAX_ERR;
  } else if (argv.length !== 1) {
    return SYNTAX_ERR;
  }
  ctx.store.flushAll();
  return OK;
}

function save(ctx: CommandContext): void {
  ctx.store.barrier();
  redisServer(ctx).lastSaveMs = Date.now();
}

const dbsize = spec('dbsize', 1, ['readonly', 'fast'], (ctx) => ctx.store.count());

const flushdb = spec('flushdb', -1, ['write'], flush);

const flushall = spec('flushall', -1, ['write'], flush);

/** TIME replies with two bulk strings: seconds and microseconds. */
const time = spec('time', 1, ['loading', 'stale', 'fast'], () => {
  const ms = performance.timeOrigin + performance.now(); // wall clock with sub-ms precision
  const sec = Math.floor(ms / 1000);
  return [String(sec), String(Math.min(999_999, Math.floor((ms - sec * 1000) * 1000)))];
});

const lastsave = spec('lastsave', 1, ['loading', 'stale', 'fast'], (ctx) => Math.floor(redisServer(ctx).lastSaveMs / 1000));

const saveCmd = spec('save', 1, ['admin', 'noscript', 'no_async_loading', 'no_multi'], (ctx) => {
  save(ctx);
  return OK;
});

const bgsave = spec('bgsave', -1, ['admin', 'noscript', 'no_async_loading'], (ctx, argv) => {
  if (argv.length > 2 || (argv.length === 2 && lower(argv[1]!) !== 'schedule')) return SYNTAX_ERR;
  save(ctx);
  return BGSAVE_STARTED;
});

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | SHUTDOWN ABORT. There is nothing to save and no replica to
 * wait for, so it never has to wait: the server stops at once and the client gets no reply (its
 * connection closes), as with Redis. ABORT therefore always finds no shutdown in progress.
 */
const shutdown = spec('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], (ctx, argv) => {
  const flags: string[] = [];
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const f = lower(argv[i]!);
    if (f === 'nosave' || f === 'save' || f === 'now' || f === 'force') flags.push(f);
    else if (f === 'abort') abort = true;
    else return SYNTAX_ERR;
  }
  if ((abort && flags.length > 0) || (flags.includes('nosave') && flags.includes('save'))) return SYNTAX_ERR;
  if (abort) return NO_SHUTDOWN;
  redisServer(ctx).shutdown({ flags, client: ctx.client });
  ctx.client.closeAfterReply = true;
  ctx.client.replyMode = 'off';
  return OK;
});

export const serverCommands: CommandSpec[] = [dbsize, flushdb, flushall, time, lastsave, saveCmd, bgsave, shutdown];

// Server commands: flush_all, version, verbosity, quit, shutdown, cache_memlimit.
import {
  REPLY,
  writeLine,
  writeReply,
  writeVersion,
  type CacheMemlimitRequest,
  type FlushAllRequest,
  type ShutdownRequest,
  type VerbosityRequest,
} from '../../protocol/memcache/index.js';
import { expireAt } from './expiry.js';
import type { McContext } from './types.js';

/** memcached's MAX_VERBOSITY_LEVEL. */
const MAX_VERBOSITY = 2;
const MiB = 1024 * 1024;

/**
 * flush_all [delay] [noreply]: with no delay (or 0, or a negative one) every item goes at once;
 * with one (seconds, or a Unix time past 30 days) the flush runs then, and a later flush_all
 * replaces a pending one, as memcached keeps a single oldest_live.
 */
export function flushAllCommand(ctx: McContext, req: FlushAllRequest): void {
  const { server } = ctx;
  server.counters.cmdFlush++;
  const delayMs = req.delay > 0 ? expireAt(req.delay, ctx.now) - ctx.now : 0;
  server.scheduleFlush(Math.max(0, delayMs));
  if (!req.noreply) writeReply(ctx.w, REPLY.OK);
}

export function versionCommand(ctx: McContext): void {
  writeVersion(ctx.w, ctx.server.version);
}

/** The level is kept for `stats settings`; it does not change daxcache's log level. */
export function verbosityCommand(ctx: McContext, req: VerbosityRequest): void {
  ctx.server.verbosity = Math.min(req.level, MAX_VERBOSITY);
  if (!req.noreply) writeReply(ctx.w, REPLY.OK);
}

/** quit: the connection closes once the replies queued before it are written. */
export function quitCommand(ctx: McContext): void {
  ctx.conn.closeAfterReply = true;
}

/** shutdown [graceful]: only with memcached-shutdown (memcached -A); the asker gets no reply. */
export function shutdownCommand(ctx: McContext, req: ShutdownRequest): void {
  if (!ctx.server.config.memcachedShutdown) {
    writeLine(ctx.w, 'ERROR: shutdown not enabled');
    return;
  }
  if (req.mode === 'invalid') {
    writeLine(ctx.w, 'CLIENT_ERROR invalid shutdown mode');
    return;
  }
  ctx.conn.closeAfterReply = true;
  ctx.server.shutdown(req.mode === 'graceful');
}

/**
 * cache_memlimit <MiB>: sets `maxmemory` (the pool bytes data may use) and applies it to the
 * store at once, with memcached's checks and replies; it cannot exceed the pool.
 */
export function cacheMemlimitCommand(ctx: McContext, req: CacheMemlimitRequest): void {
  const { config } = ctx.server;
  let line: string;
  if (req.megabytes < 8) line = 'MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m';
  else if (req.megabytes > 1_000_000_000) line = 'MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes';
  else if (req.megabytes * MiB > ctx.store.stats().poolSize) line = 'MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust';
  else {
    config.maxmemory = req.megabytes * MiB;
    ctx.store.setEviction(config.maxmemoryPolicy, config.maxmemory);
    line = 'OK';
  }
  if (!req.noreply) writeLine(ctx.w, line);
}

// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over daxcache's settings table (src/ops/), with
// Redis 7's reply shapes: CONFIG GET is a map (RESP3) or flat array (RESP2).
import { configGet, configSet, formatSize } from '../../ops/config.js';
import { poolUnits } from '../../ops/pool-size.js';
import { globMatch } from '../../ops/glob.js';
import { ErrorReply, MapReply, OK, type Reply } from '../../protocol/resp/index.js';
import { container, helpReply, sub } from './help.js';
import { redisServer, type RedisServer } from './services.js';
import type { CommandSpec } from './types.js';

const NO_CONFIG_FILE = new ErrorReply('ERR The server is running without a config file');

/**
 * Read-only Redis parameters tools ask for (redis-benchmark reads save and appendonly, GUIs read
 * databases), with the values that describe daxcache: no RDB/AOF (every write is persistent in the
 * pool instead) and one database.
 */
const REDIS_COMPAT: ReadonlyArray<[string, string]> = [
  ['save', ''],
  ['appendonly', 'no'],
  ['databases', '1'],
];

const get = sub('get', -3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const patterns = argv.slice(2).map((b) => b.toString('utf8'));
  const pairs = configGet(redisServer(ctx).config, patterns);
  for (const [name, value] of REDIS_COMPAT) {
    if (patterns.some((p) => globMatch(p, name))) pairs.push([name, value]);
  }
  return new MapReply(pairs.map(([k, v]): [Reply, Reply] => [k, v]));
});

const set = sub('set', -4, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const srv = redisServer(ctx);
  const args = argv.slice(2).map((b) => b.toString('utf8'));
  const apply = (): Reply => {
    const r = configSet(srv.config, args, srv.configApply);
    if (!r.ok) return new ErrorReply(r.error);
    srv.configChanged(r.set);
    return OK;
  };
  // A larger pool-size: the new space is allocated on a worker thread first (tmpfs zeroes every
  // page it allocates, ~120 ms per GiB), and this client's reply waits for it while the others are
  // served; then the command runs as usual and its growth finds the blocks there. Inside MULTI the
  // whole EXEC is one turn, so it grows in place.
  const size = ctx.client.multi === null ? poolSizeToGrow(srv, args) : 0;
  if (size === 0) return apply();
  ctx.client.deferredReply = srv.preallocatePool(size).then(apply, (e: Error) =>
    new ErrorReply(`ERR CONFIG SET failed (possibly related to argument 'pool-size') - cannot grow the pool to ${formatSize(size)}: ${e.message}`),
  );
  return null; // not sent: the connection sends the deferred reply
});

/** The size a CONFIG SET that would succeed grows the pool to, else 0 (a dry run on a copy). */
function poolSizeToGrow(srv: RedisServer, args: string[]): number {
  const i = args.findIndex((a, j) => j % 2 === 0 && a.toLowerCase() === 'pool-size');
  if (i < 0) return 0;
  const copy = { ...srv.config };
  if (!configSet(copy, args).ok || typeof copy.poolSize !== 'number') return 0;
  const want = poolUnits(copy.poolSize);
  return typeof srv.config.poolSize === 'number' && want > srv.config.poolSize ? want : 0;
}

const resetstat = sub('resetstat', 2, ['admin', 'noscript', 'loading', 'stale'], (ctx) => {
  redisServer(ctx).resetStats();
  return OK;
});

const rewrite = sub('rewrite', 2, ['admin', 'noscript', 'loading', 'stale'], (ctx) => {
  const srv = redisServer(ctx);
  if (srv.config.configFile === null) return NO_CONFIG_FILE;
  const err = srv.rewriteConfig();
  return err === null ? OK : new ErrorReply(`ERR Rewriting config file: ${err}`);
});

const HELP_LINES = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const help = sub('help', 2, ['loading', 'stale'], () => helpReply('config', HELP_LINES));

export const configCommand: CommandSpec = container('config', [], [get, set, resetstat, rewrite, help]);

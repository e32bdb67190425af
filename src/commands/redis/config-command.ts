// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over daxcache's settings table (src/ops/), with
// Redis 7's reply shapes: CONFIG GET is a map (RESP3) or flat array (RESP2).
import { configGet, configSet } from '../../ops/config.js';
import { globMatch } from '../../ops/glob.js';
import { ErrorReply, MapReply, OK, type Reply } from '../../protocol/resp/index.js';
import { container, helpReply, sub } from './help.js';
import { redisServer } from './services.js';
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
  const r = configSet(srv.config, argv.slice(2).map((b) => b.toString('utf8')), srv.configApply);
  if (!r.ok) return new ErrorReply(r.error);
  srv.configChanged(r.set);
  return OK;
});

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

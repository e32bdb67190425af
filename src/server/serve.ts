// `daxcache serve`: configuration (flags > env > file > defaults), the pool, the server, signals.
// Exit codes: 0 after a graceful shutdown, 2 invalid configuration, 3..8 pool refused (see
// pool-errors.ts), 1 anything else (e.g. the port is in use).
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONFIG_EXIT_CODE, ConfigError, formatSize, loadConfig, unknownEnvVars, type Config } from '../ops/config.js';
import { createLogger, componentLogger, type Logger } from '../ops/logger.js';
import { createMetrics } from '../ops/metrics.js';
import { poolErrorExitCode } from '../pool-errors.js';
import { indexLoadFactor, Store } from '../store/store.js';
import { Server } from './server.js';
import { poolUnits, resolvePoolSize, showPoolSize } from '../ops/pool-size.js';
import { growPool } from './pool-growth.js';
import { applyPoolReadDelay, applyTierMemory, POOL_READ_DELAY_ENV } from './tier-budget.js';
import { applyCollectionLimits } from './collection-limits.js';

export async function serve(argv: string[]): Promise<number> {
  let config: Config;
  try {
    config = loadConfig({ argv, env: process.env, cwd: process.cwd() });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`daxcache: ${e.message}`);
    return CONFIG_EXIT_CODE;
  }
  const logger = createLogger(config.logLevel);
  const log = componentLogger(logger, 'server');
  for (const name of unknownEnvVars(process.env)) log.warn({ variable: name }, `unknown environment variable ${name} ignored`);
  if (config.configFile) log.info({ file: config.configFile }, 'configuration file read');

  const opened = openPool(config, componentLogger(logger, 'store'));
  if (typeof opened === 'number') return opened;
  const { store, poolOpen } = opened;

  // Scrapes read the store; after close (shutdown) they see the last values.
  let keys = 0;
  let pool = { usedBytes: 0, totalBytes: 0, freeBytes: 0, growths: 0, indexBuckets: 0, indexOverflowBuckets: 0, indexLoadFactor: 0 };
  let tier = store.stats().tier;
  const metrics = createMetrics({
    sources: {
      keys: () => (store.isClosed ? keys : (keys = store.count())),
      pool: () => {
        if (store.isClosed) return pool;
        const s = store.stats();
        return (pool = {
          usedBytes: s.usedBytes,
          totalBytes: s.poolSize,
          freeBytes: Math.max(0, s.slabBytes - s.usedBytes),
          growths: s.poolGrowths,
          indexBuckets: s.indexBuckets,
          indexOverflowBuckets: s.indexOverflowBuckets,
          indexLoadFactor: indexLoadFactor(s),
        });
      },
      tier: () => (store.isClosed ? tier : (tier = store.stats().tier)),
    },
  });
  const server = new Server({ store, config, logger, metrics, poolOpen });
  try {
    await server.start();
  } catch (e) {
    log.error({ err: (e as Error).message }, 'cannot start listening');
    console.error(`daxcache: ${(e as Error).message}`);
    store.close();
    return 1;
  }

  const onSignal = (signal: NodeJS.Signals): void => void server.shutdown(`signal ${signal}`);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const code = await server.stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  // Everything is closed; should a stray handle keep the loop alive, do not hang the exit.
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}

function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
}

/** Opens or creates the pool and logs how it was found; an exit code when it is refused. */
function openPool(config: Config, log: Logger): { store: Store; poolOpen: { state: 'created' | 'clean' | 'crash'; ms: number } } | number {
  const t0 = performance.now();
  let store: Store;
  try {
    mkdirSync(dirname(config.pool), { recursive: true });
    let lastPct = -1;
    const createSize = typeof config.poolSize === 'number' ? config.poolSize : resolvePoolSize(config.poolSize, freeBytes(dirname(config.pool)));
    if (typeof config.poolSize !== 'number' && !existsSync(config.pool)) {
      log.info({ pool: config.pool, poolSize: createSize, setting: showPoolSize(config.poolSize) }, `pool-size ${showPoolSize(config.poolSize)}: a new pool of ${formatSize(createSize)} from the free space`);
    }
    store = Store.open(config.pool, {
      createSize,
      prefault: config.prefault,
      reserveSize: config.poolSizeMax,
      // A large prefault takes a while: say how far it is, every 10%.
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 10) * 10;
        if (pct !== lastPct) log.info({ pool: config.pool, done, total }, `prefaulting pool: ${pct}%`);
        lastPct = pct;
      },
    });
    store.setEviction(config.maxmemoryPolicy, config.maxmemory);
    applyCollectionLimits(store, config);
  } catch (e) {
    const err = e as Error & { code?: string };
    log.fatal({ pool: config.pool, code: err.code, err: err.message }, 'cannot open the pool');
    console.error(`daxcache: ${err.message}`);
    return poolErrorExitCode(err.code);
  }
  const ms = Math.round((performance.now() - t0) * 100) / 100;
  const s = store.stats();
  if (!s.created) {
    // A larger pool-size grows the existing pool (at once, crash-atomically); a smaller one cannot
    // shrink it. A pool was prefaulted, if at all, when it was made. Say so instead of ignoring
    // the settings silently.
    if (typeof config.poolSize === 'number' && poolUnits(config.poolSize) !== s.poolSize) {
      const why = growPool(store, config.poolSize, log);
      if (why !== null) log.warn({ pool: config.pool, poolSize: s.poolSize, configured: config.poolSize }, `pool-size ${formatSize(config.poolSize)}: ${why}; the pool keeps its size`);
    }
    if (config.prefault) log.warn({ pool: config.pool }, 'prefault applies when a pool is created: the existing pool is not prefaulted');
  }
  // CONFIG GET pool-size and INFO report the pool as it is.
  config.poolSize = store.stats().poolSize;
  const tierBytes = applyTierMemory(store, config);
  const readDelayNs = applyPoolReadDelay(store);
  if (readDelayNs > 0) log.warn({ readDelayNs }, `test-only ${POOL_READ_DELAY_ENV} is set: every pool read waits ${readDelayNs} ns`);
  const state = s.created ? 'created' : s.openedClean ? 'clean' : 'crash';
  const what = { created: 'pool created', clean: 'pool opened clean', crash: 'pool opened after crash' }[state];
  log.info(
    {
      pool: config.pool,
      state,
      keys: store.count(),
      keysExact: s.countExact,
      openMs: ms,
      size: formatSize(config.poolSize as number),
      granularity: s.granularity,
      durability: config.durability,
      logReplayed: s.logReplayed,
      tier: tierBytes > 0 ? formatSize(tierBytes) : 'off',
    },
    what,
  );
  return { store, poolOpen: { state, ms } };
}

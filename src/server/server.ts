// The running server: group commit, background maintenance, the protocol listeners, the metrics
// endpoint and a 100 ms cron. Listeners are created in createListeners() only, and started and
// stopped together here. Graceful shutdown: stop accepting and reading, final barrier and flush of
// every reply, close the pool clean, then close the connections.
import type http from 'node:http';
import type { Config } from '../ops/config.js';
import { findSetting } from '../ops/settings.js';
import { componentLogger, setLogLevel, type Logger } from '../ops/logger.js';
import type { DaxMetrics } from '../ops/metrics.js';
import { startMetricsServer } from '../ops/metrics-server.js';
import type { Store } from '../store/store.js';
import { startMaintenance, type MaintenanceHandle } from '../store/maintenance.js';
import { createCommandTable, type CommandEntry, type CommandTable } from '../commands/redis/table.js';
import type { RedisServer } from '../commands/redis/services.js';
import { ClientRegistry } from './clients.js';
import { GroupCommit } from './commit.js';
import { createRedisContext } from './context.js';
import { ServerBlockingHub } from './blocking-hub.js';
import type { Listener, ListenerDeps } from './listener.js';
import { RespListener } from './resp/listener.js';
import { MemcacheListener } from './memcache/listener.js';
import { ServerStats } from './stats.js';
import { applyTierMemory } from './tier-budget.js';
import { applyCollectionLimits, COLLECTION_LIMIT_SETTINGS } from './collection-limits.js';
import { growPool, PoolAutogrow, volumeOf } from './pool-growth.js';
import { SocketPoller, writerOptionsFromEnv } from './poller.js';
import type { AccessControl } from '../security/access-control.js';
import { closeConnectionsOf, closeRevokedSubscribers, createAccessControl, loadStartupUsers } from './acl-setup.js';
import { checkTlsSettings, TLS_CONTEXT_SETTINGS, TlsContext } from './tls-context.js';

export interface ServerOptions {
  store: Store;
  config: Config;
  /** The root logger (CONFIG SET log-level changes it). */
  logger: Logger;
  metrics: DaxMetrics;
  poolOpen: { state: 'created' | 'clean' | 'crash'; ms: number };
}

const CRON_MS = 100;
/** How long shutdown waits for clients to take their last replies before dropping them. */
const CLOSE_TIMEOUT_MS = 2000;

/** Every protocol listener the configuration asks for; the one place to add a protocol. */
function createListeners(deps: ListenerDeps, redis: { table: CommandTable; context: RedisServer; blocking: ServerBlockingHub }): Listener[] {
  const listeners: Listener[] = [new RespListener({ ...deps, logger: componentLogger(deps.logger, 'redis'), ...redis })];
  if (deps.config.memcachedPort > 0 || deps.config.tlsMemcachedPort > 0) listeners.push(new MemcacheListener({ ...deps, logger: componentLogger(deps.logger, 'memcached') }));
  return listeners;
}

export class Server {
  readonly store: Store;
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: DaxMetrics;
  readonly poolOpen: ServerOptions['poolOpen'];
  readonly commit: GroupCommit;
  readonly clients: ClientRegistry;
  readonly table: CommandTable;
  readonly stats: ServerStats;
  readonly context: RedisServer;
  /** ACL users (the default user's password is requirepass). */
  readonly acl: AccessControl;
  /** The TLS ports' certificates (null without a TLS port). */
  readonly tls: TlsContext | null;
  /** Clients blocked by BLPOP & co., served when a write readies their keys. */
  readonly blocking = new ServerBlockingHub();
  private readonly log: Logger;
  private listeners: Listener[] = [];
  private maintenance: MaintenanceHandle | undefined;
  private cron: NodeJS.Timeout | undefined;
  private readonly autogrow: PoolAutogrow;
  private metricsServer: http.Server | undefined;
  private shuttingDown = false;
  private poller: SocketPoller | null = null;
  private resolveStopped!: (code: number) => void;
  /** Resolves with the exit code once the server has shut down. */
  readonly stopped = new Promise<number>((r) => (this.resolveStopped = r));
  /** Command counts already added to the Prometheus counters. */
  private readonly reported = new Map<CommandEntry, { calls: number; errors: number }>();
  private lastStoreStats = { corruptDropped: 0, expiredRemoved: 0, evicted: 0 };
  private lastHits = { hits: 0, misses: 0 };
  /** Listening and not shutting down (/readyz). */
  private ready = false;

  constructor(opts: ServerOptions) {
    this.store = opts.store;
    this.config = opts.config;
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.poolOpen = opts.poolOpen;
    this.log = componentLogger(opts.logger, 'server');
    // pool-autogrow's settings are read live: CONFIG SET turns it on or off.
    this.autogrow = new PoolAutogrow(this.store, volumeOf(this.config.pool), () => ({
      on: this.config.poolAutogrow,
      percent: this.config.poolAutogrowPercent,
      intervalS: this.config.poolAutogrowInterval,
    }), this.log);
    this.commit = new GroupCommit(this.store, this.config.durability, this.config.appendfsyncIntervalMs);
    this.commit.onBarrier = (seconds) => {
      this.metrics.barriers.inc();
      this.metrics.barrierSeconds.observe(seconds);
    };
    this.clients = new ClientRegistry(() => this.config.maxclients);
    this.table = createCommandTable({
      blocking: this.blocking,
      authRequired: () => this.acl.authRequired,
      queueLimit: () => this.config.clientQueryBufferLimit,
      onInternalError: (command, err) => this.log.error({ command, err }, 'command failed unexpectedly'),
    });
    this.stats = new ServerStats(this.table);
    this.acl = createAccessControl(this.table, this.config);
    this.acl.onUserDropped = (user) => closeConnectionsOf(this.clients, this.acl, user);
    this.acl.onUserChanged = (user) => closeRevokedSubscribers(this.clients, user);
    this.tls = this.config.tlsPort > 0 || this.config.tlsMemcachedPort > 0 ? new TlsContext(this.config, this.log) : null;
    this.context = createRedisContext(this);
    const s = this.store.stats();
    this.lastStoreStats = { corruptDropped: s.corruptDropped, expiredRemoved: s.expiredRemoved, evicted: s.evicted };
    for (const e of this.table.all()) e.latency = this.metrics.latency.of('redis', e.fullName);
    this.metrics.poolOpen.set({ state: this.poolOpen.state }, 1);
    this.metrics.poolOpenSeconds.set(this.poolOpen.ms / 1000);
  }

  /** Starts everything; on failure (e.g. a port in use) stops what started and rethrows. */
  async start(): Promise<void> {
    loadStartupUsers(this.acl, this.config);
    this.maintenance = startMaintenance(this.store, this.config.hz);
    void this.maintenance.rebuilt.then(() => {
      if (!this.store.isClosed) this.log.info({ keys: this.store.count() }, 'pool rebuild finished');
    });
    this.poller = SocketPoller.create(this.commit, writerOptionsFromEnv(process.env));
    const deps: ListenerDeps = {
      poller: this.poller,
      store: this.store,
      commit: this.commit,
      config: this.config,
      logger: this.logger,
      metrics: this.metrics,
      clients: this.clients,
      stats: this.stats,
      acl: this.acl,
      tls: this.tls,
    };
    this.listeners = createListeners(deps, { table: this.table, context: this.context, blocking: this.blocking });
    try {
      for (const l of this.listeners) {
        await l.start();
        for (const a of l.addresses()) {
          const what = a.tls ? `${l.name} (TLS)` : l.name;
          this.log.info({ protocol: l.name, tls: a.tls, bind: a.host, port: a.port }, `${what} listening on ${a.host}:${a.port}`);
        }
      }
      if (this.config.metricsPort > 0) {
        this.metricsServer = await startMetricsServer(this.metrics.exposition, this.config.metricsPort, this.config.metricsBind, () => this.readiness());
        this.log.info({ bind: this.config.metricsBind, port: this.config.metricsPort }, 'metrics on /metrics, health on /healthz and /readyz');
      }
    } catch (e) {
      this.stopBackground();
      for (const l of this.listeners) l.stopAccepting();
      this.metricsServer?.close();
      throw e;
    }
    this.cron = setInterval(this.tick, CRON_MS);
    this.cron.unref();
    this.ready = true;
  }

  /** /readyz: the pool is open and every listener accepts, and the server is not shutting down. */
  private readiness(): { ready: boolean; reason: string } {
    if (this.shuttingDown) return { ready: false, reason: 'shutting down' };
    if (!this.ready || this.store.isClosed) return { ready: false, reason: 'starting' };
    return { ready: true, reason: 'ready' };
  }

  private tickCount = 0;
  private reportedAuthFailures = 0;
  private readonly tick = (): void => {
    const now = Date.now();
    this.stats.sample(now);
    this.autogrow.tick(now);
    for (const l of this.listeners) l.cron?.(now);
    this.tls?.watch(now);
    if (++this.tickCount % 10 === 0) this.reportMetrics();
  };

  /** Moves counters kept on the hot path into the Prometheus registry (once a second). */
  private reportMetrics(): void {
    const { commands, commandErrors, checksumFailures, expiredKeys } = this.metrics;
    for (const e of this.table.all()) {
      const seen = this.reported.get(e) ?? { calls: 0, errors: 0 };
      // After CONFIG RESETSTAT counts restart from 0: report from there.
      if (e.calls < seen.calls || e.errors < seen.errors) seen.calls = seen.errors = 0;
      if (e.calls > seen.calls) commands.inc({ protocol: 'redis', command: e.fullName }, e.calls - seen.calls);
      if (e.errors > seen.errors) commandErrors.inc({ protocol: 'redis', command: e.fullName }, e.errors - seen.errors);
      this.reported.set(e, { calls: e.calls, errors: e.errors });
    }
    if (this.store.isClosed) return;
    const s = this.store.stats();
    const last = this.lastStoreStats;
    if (s.corruptDropped > last.corruptDropped) checksumFailures.inc(s.corruptDropped - last.corruptDropped);
    if (s.expiredRemoved > last.expiredRemoved) expiredKeys.inc(s.expiredRemoved - last.expiredRemoved);
    if (s.evicted > last.evicted) this.metrics.evictedKeys.inc(s.evicted - last.evicted);
    this.lastStoreStats = { corruptDropped: s.corruptDropped, expiredRemoved: s.expiredRemoved, evicted: s.evicted };
    // RESP keyspace hits/misses (the memcached listener reports its own get hits/misses).
    const hits = this.table.keyspaceHits;
    const misses = this.table.keyspaceMisses;
    if (hits < this.lastHits.hits || misses < this.lastHits.misses) this.lastHits = { hits: 0, misses: 0 }; // CONFIG RESETSTAT
    if (hits > this.lastHits.hits) this.metrics.keyspaceHits.inc({ protocol: 'redis' }, hits - this.lastHits.hits);
    if (misses > this.lastHits.misses) this.metrics.keyspaceMisses.inc({ protocol: 'redis' }, misses - this.lastHits.misses);
    this.lastHits = { hits, misses };
    const authFailures = this.stats.authFailures;
    if (authFailures < this.reportedAuthFailures) this.reportedAuthFailures = 0; // CONFIG RESETSTAT
    if (authFailures > this.reportedAuthFailures) this.metrics.authFailures.inc({ protocol: 'redis' }, authFailures - this.reportedAuthFailures);
    this.reportedAuthFailures = authFailures;
  }

  /** CONFIG SET is about to assign `value` to `name`: settings whose change can fail act here. */
  configApply(name: string, value: unknown, pending: Readonly<Partial<Config>>): string | null {
    if (TLS_CONTEXT_SETTINGS.includes(name)) {
      // Checked once per CONFIG SET, with all its tls-* values together (a certificate and its key).
      if (this.tls === null || TLS_CONTEXT_SETTINGS.find((n) => findSetting(n)!.key in pending) !== name) return null;
      const why = checkTlsSettings({ ...this.config, ...pending });
      return why === null ? null : `Unable to update TLS configuration: ${why}`;
    }
    if (name !== 'pool-size') return null;
    if (typeof value !== 'number') return 'an open pool is grown to a size (auto and shares of the free space size a new pool)';
    return growPool(this.store, value, this.log);
  }

  /** CONFIG SET applied these settings; most are read live, these need a hand. */
  configChanged(names: string[]): void {
    // CONFIG GET shows the pool as it is (a request rounds up to whole 2 MiB).
    if (names.includes('pool-size')) this.config.poolSize = this.store.stats().poolSize;
    if (names.includes('log-level')) setLogLevel(this.logger, this.config.logLevel);
    if (names.includes('requirepass')) this.acl.setDefaultPassword(this.config.requirepass);
    if (names.includes('acllog-max-len')) this.acl.log.trim();
    if (names.some((n) => TLS_CONTEXT_SETTINGS.includes(n))) this.tls?.reload('CONFIG SET');
    if (names.includes('maxmemory') || names.includes('maxmemory-policy')) {
      this.store.setEviction(this.config.maxmemoryPolicy, this.config.maxmemory);
    }
    if (names.includes('tier-memory')) applyTierMemory(this.store, this.config);
    if (names.some((n) => COLLECTION_LIMIT_SETTINGS.includes(n))) applyCollectionLimits(this.store, this.config);
    if (names.includes('hz') && this.maintenance) {
      this.maintenance.stop();
      this.maintenance = startMaintenance(this.store, this.config.hz);
    }
    this.log.info({ settings: names }, 'configuration changed');
  }

  private stopBackground(): void {
    if (this.cron) clearInterval(this.cron);
    this.cron = undefined;
    this.maintenance?.stop();
    this.commit.stop();
  }

  /** Graceful shutdown; idempotent. Resolves `stopped` with 0. */
  async shutdown(reason: string): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log.info({ reason }, 'shutting down');
    for (const l of this.listeners) l.stopAccepting();
    // Every command already read has run (commands run synchronously as they arrive): make their
    // writes durable and hand every reply to its socket.
    this.commit.drain();
    this.stopBackground();
    this.reportMetrics();
    const keys = this.store.count();
    this.store.close();
    this.log.info({ keys }, 'pool closed clean');
    await Promise.all(this.listeners.map((l) => l.closeConnections(CLOSE_TIMEOUT_MS)));
    this.poller?.close();
    if (this.metricsServer) {
      this.metricsServer.closeAllConnections();
      await new Promise<void>((r) => this.metricsServer!.close(() => r()));
    }
    this.log.info('bye');
    this.resolveStopped(0);
  }
}

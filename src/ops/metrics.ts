// Prometheus metrics: one Registry per server (tests may run several in one process) holding the
// default process/Node.js metrics and the daxcache metrics the server updates.
// Label values must come from fixed sets (protocol: redis | memcached; command: a name from the
// command table, or "unknown"), never raw client input, so the number of series stays bounded.

import { Counter, Gauge, Histogram, Registry, loadCollectDefaultMetrics } from './prom.js';
import type { Exposition } from './metrics-server.js';
import { CommandLatency } from './command-latency.js';

export type Protocol = 'redis' | 'memcached';

/** Read at scrape time; the server fills these in once the store is open. */
/** What a scrape reads of the pool and its key index (MetricSources.pool). */
export interface PoolReading {
  usedBytes: number;
  totalBytes: number;
  freeBytes: number;
  growths: number;
  indexBuckets: number;
  indexOverflowBuckets: number;
  indexLoadFactor: number;
}

export interface MetricSources {
  keys?: () => number;
  pool?: () => PoolReading;
  tier?: () => TierFigures;
}

/** The DRAM tier's figures (the store's TierStats, by shape: ops imports nothing from the store). */
export interface TierFigures {
  budget: number;
  bytes: number;
  items: number;
  hits: number;
  misses: number;
  admitted: number;
  rejected: number;
  evicted: number;
}

const TIER_COUNTERS = [
  ['hits', 'Reads answered from the DRAM tier.'],
  ['misses', 'Reads the DRAM tier could not answer (served from the pool) while it was on.'],
  ['admitted', 'Copies the DRAM tier let into its main area.'],
  ['rejected', 'Copies the DRAM tier refused (lower frequency than its victim, or too large).'],
  ['evicted', 'Copies evicted from the DRAM tier main area for room.'],
] as const;
const TIER_GAUGES = [
  ['budget', 'daxcache_tier_budget_bytes', 'DRAM the tier may hold (tier-memory); 0 = off.'],
  ['bytes', 'daxcache_tier_bytes', 'DRAM the tier holds, copies and their bookkeeping.'],
  ['items', 'daxcache_tier_items', 'Copies of items in the DRAM tier.'],
] as const;

export interface DaxMetrics {
  registry: Registry;
  /** What /metrics serves: the registry, with the default process metrics added at the first scrape. */
  exposition: Exposition;
  sources: MetricSources;
  commands: Counter<'protocol' | 'command'>;
  commandErrors: Counter<'protocol' | 'command'>;
  connections: Gauge<'protocol'>;
  connectionsTotal: Counter<'protocol'>;
  /** Refused at accept, e.g. past maxclients. */
  connectionsRejected: Counter<'protocol'>;
  /** Closed because a request did not arrive whole within client-request-timeout. */
  requestTimeouts: Counter<'protocol'>;
  keys: Gauge;
  poolUsedBytes: Gauge;
  poolTotalBytes: Gauge;
  poolGrowths: Gauge;
  indexBuckets: Gauge;
  indexOverflowBuckets: Gauge;
  indexLoadFactor: Gauge;
  barriers: Counter;
  barrierSeconds: Histogram;
  checksumFailures: Counter;
  expiredKeys: Counter;
  evictedKeys: Counter;
  /** Reads that found their key / did not (Redis keyspace_hits/misses, memcached get_hits/misses). */
  keyspaceHits: Counter<'protocol'>;
  authFailures: Counter<'protocol'>;
  keyspaceMisses: Counter<'protocol'>;
  poolFreeBytes: Gauge;
  /** How the pool was found at start (created | clean | crash), 1 for that state. */
  poolOpen: Gauge<'state'>;
  poolOpenSeconds: Gauge;
  /** Per-command run time histogram (daxcache_command_duration_seconds). */
  latency: CommandLatency;
  /** Read from sources.tier at scrape time. */
  tier: Array<Counter | Gauge>;
}

/** 1 µs .. 100 ms: a cache-line flush + fence is microseconds, an msync of pages is milliseconds. */
export const BARRIER_BUCKETS = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1,
];

export interface MetricsOptions {
  /** Process and Node.js runtime metrics (default true). */
  defaultMetrics?: boolean;
  sources?: MetricSources;
}

export function createMetrics(opts: MetricsOptions = {}): DaxMetrics {
  const registry = new Registry();
  // The process/Node.js metrics register at the first scrape, not at start: their modules (v8,
  // perf_hooks, GC observers) cost milliseconds that a warm restart, timed from exec, would pay.
  let defaults: Promise<void> | null = (opts.defaultMetrics ?? true) ? null : Promise.resolve();
  const exposition: Exposition = {
    metrics: async () => {
      await (defaults ??= loadCollectDefaultMetrics().then((collect) => collect({ register: registry })));
      return registry.metrics();
    },
    get contentType() {
      return registry.contentType;
    },
  };
  const sources: MetricSources = opts.sources ?? {};
  const registers = [registry];
  const byProtocol = ['protocol'] as const;
  const byCommand = ['protocol', 'command'] as const;

  const readPool = () => sources.pool?.();
  /** A gauge set from one field of the pool reading at each scrape. */
  const poolGauge = (name: string, help: string, field: keyof PoolReading): Gauge =>
    new Gauge({
      name, help, registers,
      collect() {
        const p = readPool();
        if (p) this.set(p[field]);
      },
    });
  const latency = new CommandLatency();
  latency.register(registry);
  const readTier = () => sources.tier?.();

  return {
    registry,
    exposition,
    sources,
    commands: new Counter({
      name: 'daxcache_commands_total', help: 'Commands executed, by protocol and command.',
      labelNames: byCommand, registers,
    }),
    commandErrors: new Counter({
      name: 'daxcache_command_errors_total', help: 'Commands answered with an error, by protocol and command.',
      labelNames: byCommand, registers,
    }),
    connections: new Gauge({
      name: 'daxcache_connections_current', help: 'Client connections open now.', labelNames: byProtocol, registers,
    }),
    connectionsTotal: new Counter({
      name: 'daxcache_connections_total', help: 'Client connections accepted.', labelNames: byProtocol, registers,
    }),
    connectionsRejected: new Counter({
      name: 'daxcache_connections_rejected_total', help: 'Client connections refused (maxclients).',
      labelNames: byProtocol, registers,
    }),
    requestTimeouts: new Counter({
      name: 'daxcache_client_request_timeouts_total', help: 'Clients closed because a request did not arrive whole within client-request-timeout.',
      labelNames: byProtocol, registers,
    }),
    keys: new Gauge({
      name: 'daxcache_keys', help: 'Keys in the store.', registers,
      collect() {
        if (sources.keys) this.set(sources.keys());
      },
    }),
    poolUsedBytes: poolGauge('daxcache_pool_used_bytes', 'Pool bytes in use by items and metadata.', 'usedBytes'),
    poolTotalBytes: poolGauge('daxcache_pool_size_bytes', 'Pool size in bytes.', 'totalBytes'),
    poolGrowths: poolGauge('daxcache_pool_growths', 'Times the pool has grown (pool-size set larger) over its life.', 'growths'),
    indexBuckets: poolGauge('daxcache_index_buckets', 'Home buckets of the key index (7 slots each).', 'indexBuckets'),
    indexOverflowBuckets: poolGauge('daxcache_index_overflow_buckets', 'Overflow buckets chained past the key index home buckets.', 'indexOverflowBuckets'),
    indexLoadFactor: poolGauge('daxcache_index_load_factor', 'Keys per slot of the key index home buckets.', 'indexLoadFactor'),
    barriers: new Counter({
      name: 'daxcache_persist_barriers_total', help: 'Persist barriers (group commits) issued.', registers,
    }),
    barrierSeconds: new Histogram({
      name: 'daxcache_persist_barrier_seconds', help: 'Time one persist barrier took.',
      buckets: BARRIER_BUCKETS, registers,
    }),
    checksumFailures: new Counter({
      name: 'daxcache_checksum_failures_total', help: 'Items whose checksum did not match; treated as absent.',
      registers,
    }),
    expiredKeys: new Counter({
      name: 'daxcache_expired_keys_total', help: 'Keys removed because they expired.', registers,
    }),
    evictedKeys: new Counter({
      name: 'daxcache_evicted_keys_total', help: 'Keys evicted by maxmemory-policy.', registers,
    }),
    authFailures: new Counter({
      name: 'daxcache_auth_failures_total', help: 'Authentications refused (wrong user or password), by protocol.', labelNames: byProtocol, registers,
    }),
    keyspaceHits: new Counter({
      name: 'daxcache_keyspace_hits_total', help: 'Reads that found their key, by protocol.', labelNames: byProtocol, registers,
    }),
    keyspaceMisses: new Counter({
      name: 'daxcache_keyspace_misses_total', help: 'Reads that did not find their key, by protocol.', labelNames: byProtocol,
      registers,
    }),
    poolFreeBytes: new Gauge({
      name: 'daxcache_pool_free_bytes', help: 'Pool bytes free for items (slab space not in use).', registers,
      collect() {
        const p = readPool();
        if (p) this.set(p.freeBytes);
      },
    }),
    poolOpen: new Gauge({
      name: 'daxcache_pool_open_state', help: 'How the pool was found at start: created, clean (after a clean stop) or crash; 1 for that state.',
      labelNames: ['state'] as const, registers,
    }),
    poolOpenSeconds: new Gauge({
      name: 'daxcache_pool_open_seconds', help: 'Time the pool took to open at start (O(1) in keys).', registers,
    }),
    latency,
    tier: [
      ...TIER_GAUGES.map(([field, name, help]) => new Gauge({
        name, help, registers,
        collect() {
          const t = readTier();
          if (t) this.set(t[field]);
        },
      })),
      ...TIER_COUNTERS.map(([field, help]) => new Counter({
        name: `daxcache_tier_${field}_total`, help, registers,
        collect() {
          const t = readTier();
          if (!t) return;
          this.reset();
          this.inc(t[field]);
        },
      })),
    ],
  };
}

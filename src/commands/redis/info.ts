// INFO [section ...]: Redis 7 field names and layout ("# Section\r\nfield:value\r\n", sections
// separated by an empty line). Fields that describe Redis machinery daxcache does not have (RDB
// forks, AOF rewrites, replicas) report the idle values Redis itself reports when they are off.
// daxcache's own facts (the pool, durability, barriers) are extra fields in Persistence.
import os from 'node:os';
import { indexLoadFactor } from '../../store/store.js';
import { VerbatimReply } from '../../protocol/resp/index.js';
import { redisServer, type RedisServer } from './services.js';
import type { CommandContext, CommandSpec } from './types.js';

type Fields = Array<[string, string | number]>;
type Section = (ctx: CommandContext, srv: RedisServer) => Fields;

const LATENCY_PERCENTILES = [50, 99, 99.9];
const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];

/** Redis bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === 'P') return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

let peakMemory = 0;

const SECTIONS: Record<string, Section> = {
  server(_ctx, srv) {
    const now = Date.now();
    const uptime = Math.floor((now - srv.stats.startedMs) / 1000);
    return [
      ['redis_version', srv.redisVersion],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_build_id', '0'],
      ['redis_mode', 'standalone'],
      ['os', `${os.type()} ${os.release()} ${os.machine()}`],
      ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', 'epoll'],
      ['atomicvar_api', 'c11-builtin'],
      ['gcc_version', '0.0.0'],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', srv.runId],
      ['tcp_port', srv.config.port],
      ['server_time_usec', Math.floor((performance.timeOrigin + performance.now()) * 1000)],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', srv.config.hz],
      ['configured_hz', srv.config.hz],
      ['lru_clock', Math.floor(now / 1000) & 0xffffff],
      ['executable', process.argv[1] ?? ''],
      ['config_file', srv.config.configFile ?? ''],
      ['io_threads_active', 0],
      ['daxcache_version', srv.version],
      ['node_version', process.versions.node],
    ];
  },

  clients(_ctx, srv) {
    return [
      ['connected_clients', srv.clients.count('redis')],
      ['cluster_connections', 0],
      ['maxclients', srv.config.maxclients],
      ['client_recent_max_input_buffer', srv.stats.recentMaxInputBuffer],
      ['client_recent_max_output_buffer', srv.stats.recentMaxOutputBuffer],
      ['blocked_clients', srv.blocking.blockedClients],
      ['tracking_clients', 0],
      ['clients_in_timeout_table', srv.blocking.timedClients],
      ['memcached_clients', srv.clients.count('memcached')],
    ];
  },

  memory(ctx, srv) {
    const st = ctx.store.stats();
    const rss = process.memoryUsage.rss();
    peakMemory = Math.max(peakMemory, st.usedBytes);
    const total = os.totalmem();
    return [
      ['used_memory', st.usedBytes],
      ['used_memory_human', bytesToHuman(st.usedBytes)],
      ['used_memory_rss', rss],
      ['used_memory_rss_human', bytesToHuman(rss)],
      ['used_memory_peak', peakMemory],
      ['used_memory_peak_human', bytesToHuman(peakMemory)],
      // Redis: used_memory = overhead + dataset. Here used_memory is the pool chunks in use (what
      // maxmemory counts: items and index overflow buckets); the fixed header, log and index regions
      // are outside it, so there is no per-server overhead inside used_memory to subtract.
      ['used_memory_overhead', 0],
      ['used_memory_dataset', st.usedBytes],
      ['used_memory_dataset_perc', st.usedBytes > 0 ? '100.00%' : '0.00%'],
      ['total_system_memory', total],
      ['total_system_memory_human', bytesToHuman(total)],
      ['maxmemory', srv.config.maxmemory],
      ['maxmemory_human', bytesToHuman(srv.config.maxmemory)],
      ['maxmemory_policy', srv.config.maxmemoryPolicy],
      ['mem_allocator', 'daxcache-slab'],
      ['pool_size', st.poolSize],
      ['pool_size_human', bytesToHuman(st.poolSize)],
      ['pool_free_pages', st.freePages],
      // Growth (pool-size set larger at start or by CONFIG SET): times over the pool's life, and the
      // most this process can grow it to without a restart (its reserved address space).
      ['pool_growths', st.poolGrowths],
      ['pool_max_size', st.poolMaxSize],
      // The key index: home buckets (7 slots each; it splits one at a time as keys come), keys per
      // slot, chains past a home bucket, splits made since start.
      ['index_buckets', st.indexBuckets],
      ['index_load_factor', indexLoadFactor(st).toFixed(3)],
      ['index_overflow_buckets', st.indexOverflowBuckets],
      ['index_splits', st.indexSplits],
      ['index_split_batch_max_us', st.indexSplitBatchMaxUs],
      // DRAM order trees of large sorted sets (zset-order-memory bounds them; built on first use).
      ['zset_order_memory', st.zsetOrderBytes],
      ['zset_order_memory_human', bytesToHuman(st.zsetOrderBytes)],
      ['zset_order_trees', st.zsetOrderTrees],
      ['zset_order_builds', st.zsetOrderBuilds],
    ];
  },

  // daxcache's DRAM tier of hot keys (tier-memory): its budget and fill, and counters since start.
  // Not a default section, so plain INFO keeps Redis's layout: INFO tier, INFO all or everything.
  tier(ctx) {
    const t = ctx.store.stats().tier;
    return [
      ['tier_enabled', t.budget > 0 ? 1 : 0],
      ['tier_budget', t.budget],
      ['tier_bytes', t.bytes],
      ['tier_items', t.items],
      ['tier_hits', t.hits],
      ['tier_misses', t.misses],
      ['tier_admitted', t.admitted],
      ['tier_rejected', t.rejected],
      ['tier_evicted', t.evicted],
    ];
  },
  persistence(ctx, srv) {
    const st = ctx.store.stats();
    return [
      ['loading', 0],
      ['async_loading', 0],
      ['rdb_changes_since_last_save', 0],
      ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', Math.floor(srv.lastSaveMs / 1000)],
      ['rdb_last_bgsave_status', 'ok'],
      ['rdb_last_bgsave_time_sec', -1],
      ['rdb_current_bgsave_time_sec', -1],
      ['aof_enabled', 0],
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_last_write_status', 'ok'],
      ['module_fork_in_progress', 0],
      ['durability', srv.config.durability],
      ['pool_path', srv.config.pool],
      ['pool_granularity', st.granularity],
      ['pool_open_state', srv.poolOpen.state],
      ['pool_open_ms', srv.poolOpen.ms],
      ['pool_opens', st.openCount],
      ['pool_crashes', st.crashCount],
      ['pool_rebuild', st.rebuild],
      ['persist_barriers', srv.barriers()],
      ['checksum_failures', st.corruptDropped],
      ['intent_log_replayed', st.logReplayed],
      ['inplace_writes', st.inplaceWrites],
      // Deleted large collections whose elements are still being freed in the background.
      ['collections_freeing', st.collsFreeing],
    ];
  },

  stats(ctx, srv) {
    const s = srv.stats;
    const st = ctx.store.stats();
    return [
      ['total_connections_received', s.connectionsReceived],
      ['total_commands_processed', s.commandsProcessed],
      ['instantaneous_ops_per_sec', s.opsPerSec],
      ['total_net_input_bytes', s.netInputBytes],
      ['total_net_output_bytes', s.netOutputBytes],
      ['instantaneous_input_kbps', s.inputKbps.toFixed(2)],
      ['instantaneous_output_kbps', s.outputKbps.toFixed(2)],
      ['rejected_connections', s.rejectedConnections],
      ['sync_full', 0],
      ['sync_partial_ok', 0],
      ['sync_partial_err', 0],
      ['expired_keys', st.expiredRemoved],
      ['evicted_keys', st.evicted],
      ['keyspace_hits', s.keyspaceHits],
      ['keyspace_misses', s.keyspaceMisses],
      ['pubsub_channels', srv.pubsub.size('channel')],
      ['pubsub_patterns', srv.pubsub.size('pattern')],
      ['pubsubshard_channels', srv.pubsub.size('shard')],
      ['latest_fork_usec', 0],
      ['total_forks', 0],
      ['total_error_replies', s.errorReplies],
      ['acl_access_denied_auth', s.authFailures],
    ];
  },

  replication(_ctx, srv) {
    return [
      ['role', 'master'],
      ['connected_slaves', 0],
      ['master_failover_state', 'no-failover'],
      ['master_replid', srv.runId],
      ['master_replid2', '0'.repeat(40)],
      ['master_repl_offset', 0],
      ['second_repl_offset', -1],
      ['repl_backlog_active', 0],
      ['repl_backlog_size', 1048576],
      ['repl_backlog_first_byte_offset', 0],
      ['repl_backlog_histlen', 0],
    ];
  },

  cpu() {
    const u = process.cpuUsage();
    return [
      ['used_cpu_sys', (u.system / 1e6).toFixed(6)],
      ['used_cpu_user', (u.user / 1e6).toFixed(6)],
      ['used_cpu_sys_children', '0.000000'],
      ['used_cpu_user_children', '0.000000'],
    ];
  },

  modules: () => [],

  commandstats(_ctx, srv) {
    const out: Array<[string, string]> = [];
    for (const e of srv.commands.all()) {
      if (e.calls === 0 && e.errors === 0 && e.rejected === 0) continue;
      const usec = Math.round(e.usec);
      const perCall = e.calls > 0 ? e.usec / e.calls : 0;
      out.push([`cmdstat_${e.fullName}`, `calls=${e.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${e.rejected},failed_calls=${e.errors}`]);
    }
    return out;
  },

  errorstats(_ctx, srv) {
    return [...srv.errorCounts()].map(([prefix, n]): [string, string] => [`errorstat_${prefix}`, `count=${n}`]);
  },

  latencystats(_ctx, srv) {
    // Redis's default latency-tracking-info-percentiles: 50 99 99.9.
    const out: Array<[string, string]> = [];
    for (const e of srv.commands.all()) {
      if (e.runTimes === null) continue;
      const t = e.runTimes;
      out.push([`latency_percentiles_usec_${e.fullName}`, LATENCY_PERCENTILES.map((p) => `p${p}=${t.percentileUsec(p).toFixed(3)}`).join(',')]);
    }
    return out;
  },

  cluster: () => [['cluster_enabled', 0]],

  keyspace(ctx) {
    const keys = ctx.store.count();
    // Redis lists only non-empty databases; expires = keys with a TTL, avg_ttl = their mean remaining ms.
    if (keys === 0) return [];
    const st = ctx.store.stats();
    return [['db0', `keys=${keys},expires=${Math.min(st.expires, keys)},avg_ttl=${st.avgTtlMs}`]];
  },
};

const TITLES: Record<string, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', tier: 'Tier', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', modules: 'Modules', commandstats: 'Commandstats', errorstats: 'Errorstats',
  latencystats: 'Latencystats', cluster: 'Cluster',
  keyspace: 'Keyspace',
};

/** The sections INFO's arguments select, in Redis's order. */
function selectSections(args: string[]): string[] {
  if (args.length === 0) return DEFAULT_SECTIONS;
  const want = new Set<string>();
  for (const a of args) {
    if (a === 'default') DEFAULT_SECTIONS.forEach((s) => want.add(s));
    else if (a === 'all' || a === 'everything') Object.keys(SECTIONS).forEach((s) => want.add(s));
    else want.add(a);
  }
  return Object.keys(SECTIONS).filter((s) => want.has(s));
}

export function infoText(ctx: CommandContext, args: string[]): string {
  const srv = redisServer(ctx);
  const parts: string[] = [];
  for (const name of selectSections(args)) {
    let text = `# ${TITLES[name]}\r\n`;
    for (const [k, v] of SECTIONS[name]!(ctx, srv)) text += `${k}:${v}\r\n`;
    parts.push(text);
  }
  return parts.join('\r\n');
}

export const infoCommand: CommandSpec = {
  name: 'info', arity: -1, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx, argv) {
    const args = argv.slice(1).map((b) => b.toString('latin1').toLowerCase());
    return new VerbatimReply('txt', infoText(ctx, args));
  },
};

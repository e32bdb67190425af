// stats [settings|items|slabs|sizes|conns|reset|detail on|off|dump]: memcached's field names and
// formats, so tools such as memcached_exporter, memcstat and memccapable read them.
import { REPLY, writeEnd, writeLine, writeReply, writeStat, type StatsRequest } from '../../protocol/memcache/index.js';
import { indexLoadFactor } from '../../store/store.js';
import { C, CLASS_COUNTERS } from './counters.js';
import type { McContext } from './types.js';

const DETAIL_USAGE = 'CLIENT_ERROR usage: stats detail on|off|dump';

export function statsCommand(ctx: McContext, req: StatsRequest): void {
  const [sub, arg] = req.args;
  switch (sub) {
    case undefined:
      general(ctx);
      break;
    case 'reset':
      ctx.server.counters.reset();
      ctx.server.prefixes.clear();
      writeReply(ctx.w, REPLY.RESET);
      return;
    case 'detail':
      detail(ctx, arg);
      return;
    case 'settings':
      settings(ctx);
      break;
    case 'items':
      items(ctx);
      break;
    case 'slabs':
      slabs(ctx);
      break;
    case 'conns':
      conns(ctx);
      break;
    case 'sizes':
      // memcached's size histogram is off unless started with -o track_sizes.
      writeStat(ctx.w, 'sizes_status', 'disabled');
      break;
    default:
      writeReply(ctx.w, REPLY.ERROR);
      return;
  }
  writeEnd(ctx.w);
}

/** memcached prints rusage as seconds.microseconds. */
function timeval(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

function general(ctx: McContext): void {
  const { server, store, w } = ctx;
  const c = server.counters;
  const st = store.stats();
  const ru = process.resourceUsage();
  const s = (name: string, v: string | number): void => writeStat(w, name, v);
  s('pid', process.pid);
  s('uptime', Math.floor((ctx.now - server.startedMs) / 1000));
  s('time', Math.floor(ctx.now / 1000));
  s('version', server.version);
  s('pointer_size', 64);
  s('rusage_user', timeval(ru.userCPUTime));
  s('rusage_system', timeval(ru.systemCPUTime));
  s('max_connections', server.config.maxclients);
  s('curr_connections', server.currentConnections());
  s('total_connections', c.totalConnections);
  s('rejected_connections', c.rejectedConnections);
  s('cmd_get', c.cmdGet);
  s('cmd_set', c.cmdSet);
  s('cmd_flush', c.cmdFlush);
  s('cmd_touch', c.cmdTouch);
  s('cmd_meta', c.cmdMeta);
  s('get_hits', c.getHits);
  s('get_misses', c.getMisses);
  s('delete_misses', c.deleteMisses);
  s('delete_hits', c.deleteHits);
  s('incr_misses', c.incrMisses);
  s('incr_hits', c.incrHits);
  s('decr_misses', c.decrMisses);
  s('decr_hits', c.decrHits);
  s('cas_misses', c.casMisses);
  s('cas_hits', c.casHits);
  s('cas_badval', c.casBadval);
  s('touch_hits', c.touchHits);
  s('touch_misses', c.touchMisses);
  s('store_too_large', c.storeTooLarge);
  s('store_no_memory', c.storeNoMemory);
  s('auth_cmds', c.authCmds);
  s('auth_errors', c.authErrors);
  s('bytes_read', c.bytesRead);
  s('bytes_written', c.bytesWritten);
  s('limit_maxbytes', limitBytes(ctx));
  s('accepting_conns', 1);
  s('listen_disabled_num', 0);
  s('threads', 1);
  s('conn_yields', 0);
  s('hash_power_level', Math.round(Math.log2(st.indexBuckets)));
  s('hash_bytes', st.indexBuckets * 64);
  s('hash_is_expanding', 0);
  s('index_load_factor', indexLoadFactor(st).toFixed(3));
  s('index_overflow_buckets', st.indexOverflowBuckets);
  s('index_splits', st.indexSplits);
  // The pool (pool-size; it grows while serving, never shrinks), as in INFO's Memory section.
  s('pool_size', st.poolSize);
  s('pool_growths', st.poolGrowths);
  s('bytes', st.usedBytes);
  s('curr_items', st.items);
  s('total_items', c.totalItems);
  // Keys the store evicted for room (maxmemory-policy other than noeviction).
  s('evictions', st.evicted);
  // daxcache's DRAM tier of hot keys (tier-memory), as in INFO's Tier section.
  const t = st.tier;
  s('tier_budget', t.budget);
  s('tier_bytes', t.bytes);
  s('tier_items', t.items);
  s('tier_hits', t.hits);
  s('tier_misses', t.misses);
  s('tier_admitted', t.admitted);
  s('tier_rejected', t.rejected);
  s('tier_evicted', t.evicted);
}

function limitBytes(ctx: McContext): number {
  const max = ctx.server.config.maxmemory;
  const pool = ctx.store.stats().poolSize;
  return max > 0 && max < pool ? max : pool;
}

function settings(ctx: McContext): void {
  const { server, w } = ctx;
  const cfg = server.config;
  const s = (name: string, v: string | number): void => writeStat(w, name, v);
  s('maxbytes', limitBytes(ctx));
  s('maxconns', cfg.maxclients);
  s('tcpport', cfg.memcachedPort);
  s('udpport', 0);
  s('inter', cfg.memcachedBind);
  s('verbosity', server.verbosity);
  // memcached's -M turns eviction off; here that is maxmemory-policy noeviction.
  s('evictions', cfg.maxmemoryPolicy === 'noeviction' ? 'off' : 'on');
  s('domain_socket', 'NULL');
  s('shutdown_command', cfg.memcachedShutdown ? 'yes' : 'no');
  s('growth_factor', '1.25');
  s('num_threads', 1);
  s('stat_key_prefix', ':');
  s('detail_enabled', server.prefixes.enabled ? 'yes' : 'no');
  s('cas_enabled', 'yes');
  s('binding_protocol', 'ascii');
  s('auth_enabled_sasl', 'no');
  s('auth_enabled_ascii', 'no');
  s('item_size_max', cfg.itemSizeMax);
  s('maxconns_fast', 'yes');
  s('slab_reassign', 'no');
  s('slab_chunk_max', server.classes.chunkSizes.at(-1) ?? 0);
  s('lru_crawler', 'no');
  s('idle_timeout', cfg.timeout);
  s('flush_enabled', 'yes');
  s('dump_enabled', 'no');
  s('track_sizes', 'no');
}

/**
 * memcached 1.6's `stats items`, its fields in its order, per class that holds items. daxcache has
 * one recency order per pool rather than memcached's HOT/WARM/COLD segments, so every item and hit
 * counts as COLD (the segment memcached evicts from). Active expiry plays the part of memcached's
 * LRU crawler. What daxcache keeps no record of is 0: requested sizes (mem_requested), item ages,
 * per-class allocation failures and the segment moves memcached's LRU maintainer makes.
 */
function items(ctx: McContext): void {
  const classes = ctx.store.classStats();
  const c = ctx.server.counters;
  for (let i = 0; i < classes.length; i++) {
    const k = classes[i]!;
    if (k.usedChunks === 0) continue;
    const id = i + 1;
    const s = (name: string, v: number): void => writeStat(ctx.w, `items:${id}:${name}`, v);
    s('number', k.usedChunks);
    s('number_hot', 0);
    s('number_warm', 0);
    s('number_cold', k.usedChunks);
    s('age_hot', 0);
    s('age_warm', 0);
    s('age', 0);
    s('mem_requested', 0);
    s('evicted', k.evicted);
    s('evicted_nonzero', k.evictedNonzero);
    s('evicted_time', k.evictedTime);
    s('outofmemory', 0);
    s('tailrepairs', 0);
    s('reclaimed', k.reclaimed);
    s('expired_unfetched', 0);
    s('evicted_unfetched', 0);
    s('evicted_active', 0);
    s('crawler_reclaimed', k.crawlerReclaimed);
    s('crawler_items_checked', k.crawlerItemsChecked);
    s('lrutail_reflocked', 0);
    s('moves_to_cold', 0);
    s('moves_to_warm', 0);
    s('moves_within_lru', 0);
    s('direct_reclaims', 0);
    s('hits_to_hot', 0);
    s('hits_to_warm', 0);
    s('hits_to_cold', c.classValue(id, C.getHits));
    s('hits_to_temp', 0);
  }
}

/**
 * memcached's `stats conns`: per connection, keyed by its fd, the client and listener addresses,
 * the state (the asking connection is parsing its command; the others are reading, as memcached reports idle ones) and the
 * seconds since its last command.
 */
function conns(ctx: McContext): void {
  const nowS = Math.floor(ctx.now / 1000);
  for (const c of ctx.server.connectionList()) {
    const self = c.id === ctx.conn.clientId;
    writeStat(ctx.w, `${c.fd}:addr`, `tcp:${c.addr}`);
    writeStat(ctx.w, `${c.fd}:listen_addr`, `tcp:${c.laddr}`);
    writeStat(ctx.w, `${c.fd}:state`, self ? 'conn_parse_cmd' : 'conn_read');
    writeStat(ctx.w, `${c.fd}:secs_since_last_cmd`, self ? 0 : Math.max(0, nowS - Math.floor(c.lastCommandMs / 1000)));
  }
}

function slabs(ctx: McContext): void {
  const { server, w } = ctx;
  const classes = ctx.store.classStats();
  let active = 0;
  let pages = 0;
  for (let i = 0; i < classes.length; i++) {
    const k = classes[i]!;
    if (k.pages === 0) continue;
    active++;
    pages += k.pages;
    const id = i + 1;
    const total = k.pages * k.perPage;
    writeStat(w, `${id}:chunk_size`, k.chunkSize);
    writeStat(w, `${id}:chunks_per_page`, k.perPage);
    writeStat(w, `${id}:total_pages`, k.pages);
    writeStat(w, `${id}:total_chunks`, total);
    writeStat(w, `${id}:used_chunks`, k.usedChunks);
    writeStat(w, `${id}:free_chunks`, Math.max(0, total - k.usedChunks));
    writeStat(w, `${id}:free_chunks_end`, 0);
    for (let j = 0; j < CLASS_COUNTERS.length; j++) {
      writeStat(w, `${id}:${CLASS_COUNTERS[j]}`, server.counters.classValue(id, j));
    }
  }
  writeStat(w, 'active_slabs', active);
  writeStat(w, 'total_malloced', pages * ctx.store.stats().header.slabPageSize);
}

function detail(ctx: McContext, arg: string | undefined): void {
  const p = ctx.server.prefixes;
  if (arg === 'on' || arg === 'off') {
    p.enabled = arg === 'on';
    writeReply(ctx.w, REPLY.OK);
  } else if (arg === 'dump') {
    ctx.w.latin1(p.dump());
    writeEnd(ctx.w);
  } else {
    writeLine(ctx.w, DETAIL_USAGE);
  }
}

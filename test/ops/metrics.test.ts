import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type http from 'node:http';
import { createMetrics } from '../../src/ops/metrics.js';
import { startMetricsServer } from '../../src/ops/metrics-server.js';

const NAMES = [
  'daxcache_commands_total',
  'daxcache_command_errors_total',
  'daxcache_connections_current',
  'daxcache_connections_total',
  'daxcache_connections_rejected_total',
  'daxcache_keys',
  'daxcache_pool_used_bytes',
  'daxcache_pool_size_bytes',
  'daxcache_pool_growths',
  'daxcache_index_buckets',
  'daxcache_index_overflow_buckets',
  'daxcache_index_load_factor',
  'daxcache_persist_barriers_total',
  'daxcache_persist_barrier_seconds',
  'daxcache_checksum_failures_total',
  'daxcache_expired_keys_total',
  'daxcache_evicted_keys_total',
  'daxcache_auth_failures_total',
];

describe('createMetrics', () => {
  it('renders every daxcache metric and the default process metrics', async () => {
    const m = createMetrics();
    // The process metrics register at the first scrape (their modules are not loaded at start).
    expect(await m.registry.metrics()).not.toContain('process_cpu_user_seconds_total');
    const text = await m.exposition.metrics();
    for (const name of NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('records updates and reads sources at scrape time', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.commands.inc({ protocol: 'redis', command: 'set' }, 3);
    m.commandErrors.inc({ protocol: 'memcached', command: 'get' });
    m.connections.inc({ protocol: 'redis' });
    m.barrierSeconds.observe(3e-6);
    m.barriers.inc();
    m.sources.keys = () => 42;
    m.sources.pool = () => ({ usedBytes: 1000, totalBytes: 4096, freeBytes: 2000, growths: 2, indexBuckets: 64, indexOverflowBuckets: 3, indexLoadFactor: 0.25 });
    const get = m.latency.of('redis', 'get');
    get.observe(3e-6);
    get.observe(2e-5);
    get.observe(5);
    const text = await m.registry.metrics();
    expect(text).toContain('daxcache_commands_total{protocol="redis",command="set"} 3');
    expect(text).toContain('daxcache_command_errors_total{protocol="memcached",command="get"} 1');
    expect(text).toContain('daxcache_connections_current{protocol="redis"} 1');
    expect(text).toContain('daxcache_keys 42');
    expect(text).toContain('daxcache_pool_used_bytes 1000');
    expect(text).toContain('daxcache_pool_size_bytes 4096');
    expect(text).toContain('daxcache_pool_growths 2');
    expect(text).toContain('daxcache_index_buckets 64');
    expect(text).toContain('daxcache_index_overflow_buckets 3');
    expect(text).toContain('daxcache_index_load_factor 0.25');
    expect(text).toContain('daxcache_pool_free_bytes 2000');
    expect(text).toContain('# TYPE daxcache_command_duration_seconds histogram');
    expect(text).toContain('daxcache_command_duration_seconds_bucket{protocol="redis",command="get",le="0.000005"} 1');
    expect(text).toContain('daxcache_command_duration_seconds_bucket{protocol="redis",command="get",le="0.000025"} 2');
    expect(text).toContain('daxcache_command_duration_seconds_bucket{protocol="redis",command="get",le="1"} 2');
    expect(text).toContain('daxcache_command_duration_seconds_bucket{protocol="redis",command="get",le="+Inf"} 3');
    expect(text).toContain('daxcache_command_duration_seconds_count{protocol="redis",command="get"} 3');
    expect(text).toContain('daxcache_persist_barrier_seconds_bucket{le="0.000001"} 0');
    expect(text).toContain('daxcache_persist_barrier_seconds_bucket{le="0.0000025"} 0');
    expect(text).toContain('daxcache_persist_barrier_seconds_bucket{le="0.000005"} 1');
    expect(text).toContain('daxcache_persist_barrier_seconds_bucket{le="0.1"} 1');
    expect(text).not.toContain('process_cpu');
  });

  it('keeps registries apart', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.expiredKeys.inc(5);
    expect(await b.registry.metrics()).toContain('daxcache_expired_keys_total 0');
  });
});

describe('startMetricsServer', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('serves /metrics and 404 elsewhere on a loopback port', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.evictedKeys.inc(2);
    server = await startMetricsServer(m.registry, 0, '127.0.0.1');
    const { port, address } = server.address() as AddressInfo;
    expect(address).toBe('127.0.0.1');
    const url = `http://127.0.0.1:${port}`;

    const ok = await fetch(`${url}/metrics?x=1`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toContain('daxcache_evicted_keys_total 2');

    const missing = await fetch(`${url}/`);
    expect(missing.status).toBe(404);
    await missing.text();
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects when the port is taken', async () => {
    const m = createMetrics({ defaultMetrics: false });
    server = await startMetricsServer(m.registry, 0, '127.0.0.1');
    const { port } = server.address() as AddressInfo;
    await expect(startMetricsServer(m.registry, port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

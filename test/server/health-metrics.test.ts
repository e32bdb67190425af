// The metrics port's health endpoints through a server's life (what Kubernetes probes read):
// /healthz answers while the process runs, /readyz only while it serves (503 during shutdown);
// and /metrics after a known workload over both protocols: commands by protocol and name with a
// latency histogram, hits/misses, keys, pool bytes, evictions, expirations, open state and time.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, freePort, startServer, tempDir } from '../helpers/server.js';
import { McSocket, stopServer } from '../memcache/helpers.js';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

/** The value of one series in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('health endpoints', () => {
  it('/healthz and /readyz are 200 while serving; /readyz is 503 while shutting down; others 404', async () => {
    const mport = await freePort();
    const server = await startServer({ args: ['--metrics-port', String(mport)] });
    try {
      expect(await get(mport, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
      expect(await get(mport, '/readyz')).toEqual({ status: 200, body: 'ready\n' });
      expect((await get(mport, '/nope')).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${mport}/readyz`, { method: 'POST' })).status).toBe(405);
      // A client that never reads its replies keeps the shutdown waiting for its connection, so
      // the window in which the server is stopping but still answering probes is observable.
      const r = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      await r.set('big', 'x'.repeat(1024 * 1024));
      const stuck = net.connect(server.port, '127.0.0.1');
      await new Promise((res) => stuck.once('connect', res));
      stuck.pause(); // never reads: 20 MB of replies stay queued in the server
      stuck.write('GET big\r\n'.repeat(20));
      await new Promise((res) => setTimeout(res, 200));
      const pending = r.shutdown().catch(() => 'closed');
      let seen = 0;
      for (let i = 0; i < 200 && seen === 0; i++) {
        try {
          const ready = await get(mport, '/readyz');
          if (ready.status === 503) {
            expect(ready.body).toBe('shutting down\n');
            expect((await get(mport, '/healthz')).status).toBe(200);
            seen = 1;
          }
        } catch {
          break; // the metrics listener closed: the server is gone
        }
      }
      await pending;
      stuck.destroy();
      r.disconnect();
      expect(await server.exited()).toBe(0);
      expect(seen, 'a probe saw 503 during shutdown').toBe(1);
    } finally {
      await stopServer(server);
    }
  });

  it('/readyz is not 200 before the listeners accept (probes during start see refusals or 503)', async () => {
    const mport = await freePort();
    const port = await freePort();
    const pool = `${tempDir()}/x.pool`;
    const proc = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--memcached-port', '0', '--pool', pool,
      '--pool-size', '64mb', '--metrics-port', String(mport), '--log-level', 'warn'], { cwd: ROOT, stdio: 'ignore',
      env: { ...process.env, PMEM2_FORCE_GRANULARITY: 'cache_line' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 400; i++) {
        try {
          const r = await get(mport, '/readyz');
          statuses.push(r.status);
          if (r.status === 200) break;
        } catch {
          statuses.push(0); // refused: not listening yet
        }
        await new Promise((res) => setTimeout(res, 10));
      }
      expect(statuses.at(-1)).toBe(200);
      // Whenever /readyz said 200, the RESP port accepted.
      const r = new Redis({ port, host: '127.0.0.1' });
      expect(await r.ping()).toBe('PONG');
      r.disconnect();
      expect(statuses.every((s) => s === 0 || s === 200 || s === 503)).toBe(true);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((res) => proc.once('exit', res));
    }
  });
});

describe('/metrics after a known workload', () => {
  it('counts commands with latency, hits and misses per protocol, keys, pool bytes, expirations and evictions', async () => {
    const mport = await freePort();
    const server = await startServer({ memcached: true, args: ['--metrics-port', String(mport)] });
    try {
      const r = new Redis({ port: server.port, host: '127.0.0.1' });
      for (let i = 0; i < 10; i++) await r.set(`k${i}`, 'v');
      for (let i = 0; i < 7; i++) await r.get(`k${i}`);
      for (let i = 0; i < 3; i++) await r.get(`missing${i}`);
      await r.set('soon', 'v', 'PX', 20);
      const mc = await McSocket.connect(server.memcachedPort);
      mc.send('get k0\r\n');
      await mc.until('END\r\n');
      mc.send('get nope\r\n');
      await mc.until('END\r\n');
      await new Promise((res) => setTimeout(res, 300)); // expiry, then the once-a-second report
      await r.config('SET', 'maxmemory-policy', 'allkeys-random');
      await r.config('SET', 'maxmemory', '4mb');
      const v = 'e'.repeat(2000);
      const p = r.pipeline();
      for (let i = 0; i < 3000; i++) p.set(`fill${i}`, v);
      await p.exec();
      await new Promise((res) => setTimeout(res, 1300));
      const text = (await get(mport, '/metrics')).body;
      expect(sample(text, 'daxcache_commands_total{protocol="redis",command="get"}')).toBe(10);
      expect(sample(text, 'daxcache_commands_total{protocol="redis",command="set"}')).toBe(3011);
      expect(sample(text, 'daxcache_commands_total{protocol="memcached",command="get"}')).toBe(2);
      expect(sample(text, 'daxcache_command_duration_seconds_count{protocol="redis",command="get"}')).toBe(10);
      expect(sample(text, 'daxcache_command_duration_seconds_bucket{protocol="redis",command="get",le="+Inf"}')).toBe(10);
      expect(sample(text, 'daxcache_command_duration_seconds_count{protocol="memcached",command="get"}')).toBe(2);
      expect(sample(text, 'daxcache_command_duration_seconds_sum{protocol="redis",command="set"}')).toBeGreaterThan(0);
      expect(sample(text, 'daxcache_keyspace_hits_total{protocol="redis"}')).toBe(7);
      expect(sample(text, 'daxcache_keyspace_misses_total{protocol="redis"}')).toBe(3);
      expect(sample(text, 'daxcache_keyspace_hits_total{protocol="memcached"}')).toBe(1);
      expect(sample(text, 'daxcache_keyspace_misses_total{protocol="memcached"}')).toBe(1);
      expect(sample(text, 'daxcache_expired_keys_total')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'daxcache_evicted_keys_total')).toBeGreaterThan(0);
      expect(sample(text, 'daxcache_keys')).toBe(Number(await r.dbsize()));
      expect(sample(text, 'daxcache_pool_used_bytes')).toBeGreaterThan(0);
      expect(sample(text, 'daxcache_pool_free_bytes')).toBeGreaterThan(0);
      expect(sample(text, 'daxcache_pool_size_bytes')).toBe(256 * 1024 * 1024);
      expect(sample(text, 'daxcache_pool_open_state{state="created"}')).toBe(1);
      expect(sample(text, 'daxcache_pool_open_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'daxcache_persist_barriers_total')).toBeGreaterThan(0);
      expect(sample(text, 'daxcache_connections_current{protocol="memcached"}')).toBe(1);
      mc.close();
      r.disconnect();
    } finally {
      await stopServer(server);
    }
  });
});

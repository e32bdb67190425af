// maxmemory-policy through the server: noeviction answers -OOM when the pool is full; an eviction
// policy keeps writes succeeding; CONFIG SET switches policy at run time.
import { describe, it, expect, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

describe('eviction over RESP', () => {
  it('noeviction gives -OOM; CONFIG SET maxmemory-policy allkeys-lru makes room', async () => {
    const srv = await startServer({ poolSize: '32mb', args: ['--maxmemory-policy', 'noeviction'] });
    servers.push(srv);
    const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await r.connect();
    const value = 'x'.repeat(4000);
    let oom: Error | undefined;
    let stored = 0;
    for (let i = 0; i < 20_000 && !oom; i++) {
      try {
        await r.set(`k${i}`, value);
        stored++;
      } catch (e) {
        oom = e as Error;
      }
    }
    expect(oom?.message).toBe("OOM command not allowed when used memory > 'maxmemory'.");
    expect(await r.dbsize()).toBe(stored);
    expect(await r.config('SET', 'maxmemory-policy', 'allkeys-lru')).toBe('OK');
    for (let i = 0; i < 3000; i++) await r.set(`n${i}`, value);
    expect(await r.get('n2999')).toBe(value);
    const info = await r.info('stats');
    expect(Number(/evicted_keys:(\d+)/.exec(info)?.[1] ?? '0')).toBeGreaterThan(1000);
    r.disconnect();
  });
});

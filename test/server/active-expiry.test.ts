// Active expiry through the real server, as Redis's own tests check it: keys with a TTL disappear
// without any client touching them, promptly, while other clients keep a GET/SET load running;
// INFO keyspace reports expires= and avg_ttl= with Redis's meaning.
import { describe, it, expect, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

async function client(srv: TestServer): Promise<Redis> {
  const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  return r;
}

const infoField = (info: string, name: string): number => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? NaN);

/** Polls DBSIZE (which touches no key) until it is `n`; returns the ms it took, or -1 past `limitMs`. */
async function waitDbsize(r: Redis, n: number, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    if ((await r.dbsize()) === n) return Date.now() - t0;
    await new Promise((res) => setTimeout(res, 20));
  }
  return -1;
}

describe('active expiry over RESP', () => {
  it('200 keys with a 300 ms TTL are gone within 1 s of their time, untouched', async () => {
    const srv = await startServer({ poolSize: '1gb' });
    servers.push(srv);
    const r = await client(srv);
    const p = r.pipeline();
    for (let i = 0; i < 200; i++) p.set(`t:${i}`, 'v', 'PX', 300);
    p.set('keep', 'v');
    await p.exec();
    await new Promise((res) => setTimeout(res, 300));
    const took = await waitDbsize(r, 1, 1000);
    expect(took, 'expired keys still counted 1 s after their TTL').toBeGreaterThanOrEqual(0);
    expect(infoField(await r.info('stats'), 'expired_keys')).toBe(200);
    r.disconnect();
  });

  it('100k keys with 1 s TTLs written in one go are all gone within 3 s, memory back, under a GET/SET load', async () => {
    const srv = await startServer({ poolSize: '512mb' });
    servers.push(srv);
    const r = await client(srv);
    const load = await client(srv);
    const usedBefore = infoField(await r.info('memory'), 'used_memory');
    const value = 'x'.repeat(100);
    // A bounded GET/SET load on other keys runs from before the writes until the check ends (at most 10 s).
    let running = true;
    let ops = 0;
    const loadDone = (async () => {
      const end = Date.now() + 10_000;
      for (let i = 0; running && Date.now() < end; i++) {
        await load.set(`load:${i % 100}`, value);
        await load.get(`load:${(i * 7) % 100}`);
        ops += 2;
      }
    })();
    // One absolute expiry time for all (PXAT), 1 s from now: how long the writes take does not matter.
    const expireAt = Date.now() + 1000;
    for (let b = 0; b < 100; b++) {
      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) p.set(`vol:${b * 1000 + i}`, value, 'PXAT', expireAt);
      await p.exec();
    }
    // expired_keys is counted by the server: polling it touches no key (as DBSIZE, unlike EXISTS).
    const deadline = Math.max(expireAt, Date.now()) + 3000;
    let expired = 0;
    while (Date.now() < deadline) {
      expired = infoField(await r.info('stats'), 'expired_keys');
      if (expired >= 100_000) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    running = false;
    await loadDone;
    expect(ops).toBeGreaterThan(100);
    expect(expired).toBe(100_000);
    expect(await r.dbsize()).toBeLessThanOrEqual(100); // only the load's own keys are left
    const info = await r.info('all');
    expect(infoField(info, 'expired_keys')).toBe(100_000);
    expect(infoField(info, 'used_memory')).toBeLessThan(usedBefore + 2 * 1024 * 1024);
    expect(await r.exists('vol:0', 'vol:99999')).toBe(0);
    r.disconnect();
    load.disconnect();
  });

  it('INFO keyspace: expires counts keys with a TTL, avg_ttl their mean remaining ms', async () => {
    const srv = await startServer({ poolSize: '64mb' });
    servers.push(srv);
    const r = await client(srv);
    for (let i = 0; i < 10; i++) await r.set(`e:${i}`, 'v', 'EX', 100);
    for (let i = 0; i < 5; i++) await r.set(`p:${i}`, 'v');
    await r.persist('e:0');
    const line = /db0:keys=(\d+),expires=(\d+),avg_ttl=(\d+)/.exec(await r.info('keyspace'));
    expect(line?.slice(1, 3)).toEqual(['15', '9']);
    expect(Number(line?.[3])).toBeGreaterThan(95_000);
    expect(Number(line?.[3])).toBeLessThanOrEqual(100_000);
    const mem = await r.info('memory');
    expect(infoField(mem, 'used_memory_dataset')).toBeLessThanOrEqual(infoField(mem, 'used_memory'));
    r.disconnect();
  });
});

// The DRAM tier seen from clients: a randomized mixed workload over BOTH protocols (ioredis and the
// memcached text protocol) against a model, 100k operations with every read compared, through TTLs,
// tier eviction (a tier far smaller than the data), pool eviction, FLUSHALL, a clean restart and a
// kill -9; the tier's bytes never pass its budget and it is empty after each restart. Also: the
// hot set survives a one-pass scan of 200k cold keys, and `tier-memory auto` is off on a tmpfs pool
// and on for a disk pool; INFO, memcached stats and /metrics report the same figures.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { diskDir, freePort, startServer, type TestServer } from '../helpers/server.js';
import { McSocket, stopServer } from '../memcache/helpers.js';
import { Rng } from '../harness/crash/rng.js';

let server: TestServer | undefined;
let redis: Redis | undefined;
let mc: McSocket | undefined;
afterEach(async () => {
  redis?.disconnect();
  mc?.close();
  redis = undefined;
  mc = undefined;
  await stopServer(server);
  server = undefined;
});

async function tierInfo(r: Redis): Promise<Record<string, number>> {
  const text = await r.info('tier');
  const out: Record<string, number> = {};
  for (const line of text.split('\r\n')) {
    const m = /^(tier_\w+):(\d+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function connect(srv: TestServer): Promise<void> {
  redis = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await redis.connect();
  mc = await McSocket.connect(srv.memcachedPort);
}

/** memcached get: the value, or null. */
async function mcGet(c: McSocket, key: string): Promise<string | null> {
  c.send(`get ${key}\r\n`);
  const head = await c.line();
  if (head === 'END') return null;
  const m = /^VALUE \S+ \d+ (\d+)$/.exec(head);
  if (!m) throw new Error(`memcached get ${key}: ${head}`);
  const data = (await c.bytes(Number(m[1]) + 2)).toString('latin1', 0, Number(m[1]));
  expect(await c.line()).toBe('END');
  return data;
}

interface Cell {
  v: string;
  /**
   * Absolute expiry (ms since the epoch), 0 = none: the server set it between `exp` (from the
   * time the request was sent) and `expHi` (from the time its reply arrived).
   */
  exp: number;
  expHi: number;
}

/** Slack around a TTL's end within which a read may see the key or not (clock reads, scheduling). */
const TTL_SLACK_MS = 40;

describe('DRAM tier over both protocols', () => {
  it('100k random operations match a model through TTLs, tier and pool eviction, FLUSHALL, restart and kill -9', async () => {
    server = await startServer({ memcached: true, args: ['--tier-memory', '96kb'] });
    await connect(server);
    const rng = new Rng(20261202); // seeded, so a failure can be replayed
    const rand = (): number => rng.float();
    const model = new Map<string, Cell>();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const strKeys = Array.from({ length: 400 }, (_, i) => `s:${i}`);
    const numKeys = Array.from({ length: 40 }, (_, i) => `n:${i}`);
    const word = (): string => Math.floor(rand() * 36 ** 6).toString(36).padStart(6, '0').repeat(1 + Math.floor(rand() * 30));
    // Keys whose reads may legitimately find them missing: pool eviction was on when they were
    // last written (the model cannot know which keys the pool chose).
    let evictionOn = false;
    const mayBeEvicted = new Set<string>();
    let reads = 0;
    let opIndex = 0;

    /** A TTL ending within 200 ms either side of now: the server may or may not have it now. */
    const nearTtl = (k: string, now: number): boolean => {
      const c = model.get(k);
      return !!c && c.exp !== 0 && now > c.exp - 200 && now < c.expHi + 200;
    };
    const live = (k: string, now: number): Cell | undefined => {
      const c = model.get(k);
      if (c && c.exp && c.expHi + TTL_SLACK_MS < now) {
        model.delete(k);
        return undefined;
      }
      return c;
    };
    /** Compares a read with the model; `sent`/`done` are the times around the request. */
    const check = (k: string, got: string | null, sent: number, done: number, what: string): void => {
      reads++;
      const c = model.get(k);
      if (c && c.exp && done >= c.exp - TTL_SLACK_MS && sent <= c.expHi + TTL_SLACK_MS) {
        if (got === null) model.delete(k);
        else expect(got, `op ${opIndex}: ${what} ${k} near its TTL`).toBe(c.v);
        return;
      }
      const want = live(k, sent)?.v ?? null;
      if (got === null && want !== null && mayBeEvicted.has(k)) {
        model.delete(k);
        return;
      }
      expect(got, `op ${opIndex}: ${what} ${k}`).toBe(want);
    };
    const write = (k: string, cell: Cell | null): void => {
      if (cell) model.set(k, cell);
      else model.delete(k);
      if (evictionOn) mayBeEvicted.add(k);
      else mayBeEvicted.delete(k);
    };

    for (let i = 0; i < 100_000; i++) {
      opIndex = i;
      const r = redis!;
      const c = mc!;
      if (i === 20_000 || i === 70_000) {
        expect(await r.flushall()).toBe('OK');
        model.clear();
        mayBeEvicted.clear();
      }
      if (i === 35_000 || i === 85_000) {
        // A clean restart, then a kill -9: every acknowledged write is there, the tier is empty.
        redis!.disconnect();
        mc!.close();
        if (i === 35_000) await server.restart();
        else {
          await server.kill9();
          await server.restart();
        }
        await connect(server);
        const t = await tierInfo(redis!);
        expect(t.tier_items).toBe(0);
        expect(t.tier_hits).toBe(0);
        continue;
      }
      if (i === 50_000) {
        // Pool eviction for a while: the pool holds less than the data.
        expect(await r.config('SET', 'maxmemory-policy', 'allkeys-random')).toBe('OK');
        expect(await r.config('SET', 'maxmemory', '40kb')).toBe('OK');
        evictionOn = true;
        for (const key of model.keys()) mayBeEvicted.add(key); // any key may go while it is on
      }
      if (i === 60_000) {
        expect(await r.config('SET', 'maxmemory', '0')).toBe('OK');
        evictionOn = false;
      }
      if (i % 5000 === 0) {
        const t = await tierInfo(r);
        expect(t.tier_bytes).toBeLessThanOrEqual(t.tier_budget);
      }
      const op = rand();
      const k = pick(strKeys);
      const sent = Date.now();
      if (op < 0.22) {
        check(k, await r.get(k), sent, Date.now(), 'GET');
      } else if (op < 0.40) {
        check(k, await mcGet(c, k), sent, Date.now(), 'mc get');
      } else if (op < 0.45) {
        const ks = [k, pick(strKeys), pick(strKeys)];
        const got = await r.mget(...ks);
        const done = Date.now();
        ks.forEach((x, j) => check(x, got[j] ?? null, sent, done, 'MGET'));
      } else if (op < 0.57) {
        const v = word();
        const px = rand() < 0.3 ? 30 + Math.floor(rand() * 400) : 0;
        expect(px ? await r.set(k, v, 'PX', px) : await r.set(k, v)).toBe('OK');
        write(k, { v, exp: px ? sent + px : 0, expHi: px ? Date.now() + px : 0 });
      } else if (op < 0.65) {
        const v = word();
        expect(await c.ask(`set ${k} 0 0 ${v.length}\r\n${v}\r\n`)).toEqual(['STORED']);
        write(k, { v, exp: 0, expHi: 0 });
      } else if (op < 0.69) {
        const near = nearTtl(k, sent);
        const had = live(k, sent) !== undefined;
        const n = await r.del(k);
        if (!mayBeEvicted.has(k) && !near) expect(n).toBe(had ? 1 : 0);
        write(k, null);
      } else if (op < 0.72) {
        const reply = (await c.ask(`delete ${k}\r\n`))[0];
        expect(['DELETED', 'NOT_FOUND']).toContain(reply);
        write(k, null);
      } else if (op < 0.76) {
        // APPEND over RESP creates a missing key; append over memcached does not.
        const s = word().slice(0, 8);
        if (nearTtl(k, sent)) continue; // too close to its TTL to know the result
        const cur = live(k, sent);
        if (rand() < 0.5) {
          const len = await r.append(k, s);
          // A key the pool evicted comes back as a new one, without the TTL the model knew.
          const fresh = !cur || (mayBeEvicted.has(k) && len === s.length);
          const v = fresh ? s : cur.v + s;
          expect(len).toBe(v.length);
          write(k, fresh ? { v, exp: 0, expHi: 0 } : { ...cur, v });
        } else {
          const reply = (await c.ask(`append ${k} 0 0 ${s.length}\r\n${s}\r\n`))[0];
          if (reply === 'STORED') write(k, cur ? { ...cur, v: cur.v + s } : { v: s, exp: 0, expHi: 0 });
          else {
            expect(reply).toBe('NOT_STORED');
            if (!mayBeEvicted.has(k)) expect(cur).toBeUndefined();
            write(k, null);
          }
        }
      } else if (op < 0.79) {
        const cur = live(k, sent);
        if (!cur || cur.exp || mayBeEvicted.has(k)) continue;
        const s = word().slice(0, 4);
        const off = Math.floor(rand() * (cur.v.length + 3));
        expect(await r.setrange(k, off, s)).toBe(Math.max(cur.v.length, off + s.length));
        const base = cur.v.padEnd(off, '\0');
        write(k, { v: base.slice(0, off) + s + base.slice(off + s.length), exp: 0, expHi: 0 });
      } else if (op < 0.84) {
        const n = pick(numKeys);
        const cur = live(n, sent);
        if (mayBeEvicted.has(n)) continue;
        if (rand() < 0.5) {
          const by = Math.floor(rand() * 100);
          const got = await r.incrby(n, by);
          expect(got).toBe(Number(cur?.v ?? 0) + by);
          write(n, { v: String(got), exp: 0, expHi: 0 });
        } else if (cur) {
          const got = (await c.ask(`incr ${n} 3\r\n`))[0];
          expect(got).toBe(String(Number(cur.v) + 3));
          write(n, { ...cur, v: got! });
        } else {
          expect(await c.ask(`incr ${n} 3\r\n`)).toEqual(['NOT_FOUND']);
        }
        check(n, await r.get(n), Date.now(), Date.now(), 'GET after incr');
      } else if (op < 0.88) {
        const dst = pick(strKeys);
        if (dst === k || mayBeEvicted.has(k) || mayBeEvicted.has(dst) || nearTtl(k, sent) || nearTtl(dst, sent)) continue;
        const cur = live(k, sent);
        if (rand() < 0.5) {
          if (!cur) {
            await expect(r.rename(k, dst)).rejects.toThrow('ERR no such key');
            continue;
          }
          expect(await r.rename(k, dst)).toBe('OK');
          write(dst, { ...cur });
          write(k, null);
        } else {
          const copied = await r.copy(k, dst, 'REPLACE');
          expect(copied).toBe(cur ? 1 : 0);
          if (cur) write(dst, { ...cur });
        }
      } else if (op < 0.91) {
        const k2 = pick(strKeys);
        const v1 = word();
        const v2 = word();
        expect(await r.mset(k, v1, k2, v2)).toBe('OK');
        write(k, { v: v1, exp: 0, expHi: 0 });
        write(k2, { v: v2, exp: 0, expHi: 0 });
      } else if (op < 0.93) {
        if (nearTtl(k, sent)) continue;
        const cur = live(k, sent);
        const got = await r.getdel(k);
        if (!(got === null && mayBeEvicted.has(k))) expect(got).toBe(cur?.v ?? null);
        write(k, null);
      } else if (op < 0.96) {
        if (nearTtl(k, sent)) continue;
        const cur = live(k, sent);
        if (!cur || mayBeEvicted.has(k)) continue;
        const px = 30 + Math.floor(rand() * 300);
        expect(await r.pexpire(k, px)).toBe(1);
        write(k, { v: cur.v, exp: sent + px, expHi: Date.now() + px });
      } else {
        // A read of one hot key, so the tier holds a working set and serves it.
        const hot = strKeys[i % 8]!;
        check(hot, await r.get(hot), sent, Date.now(), 'GET hot');
      }
    }
    const t = await tierInfo(redis!);
    expect(t.tier_bytes).toBeLessThanOrEqual(t.tier_budget);
    // The workload went through the tier: it served reads and churned.
    expect(t.tier_hits).toBeGreaterThan(1000);
    expect(t.tier_evicted + t.tier_rejected).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(40_000);
  }, 240_000);

  it('a hot set of 1k keys keeps at least 90% tier hits while a client scans 200k cold keys once', async () => {
    server = await startServer({ memcached: true, args: ['--tier-memory', '1mb'] });
    await connect(server);
    const r = redis!;
    const v = 'x'.repeat(100);
    for (let b = 0; b < 201; b++) {
      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) p.set(b === 200 ? `hot:${i}` : `cold:${b * 1000 + i}`, v);
      await p.exec();
    }
    for (let round = 0; round < 5; round++) {
      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) p.get(`hot:${i}`);
      await p.exec();
    }
    const before = await tierInfo(r);
    let hotReads = 0;
    for (let b = 0; b < 200; b++) {
      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) {
        p.get(`cold:${b * 1000 + i}`);
        if (i % 2 === 0) {
          p.get(`hot:${(b * 500 + i / 2) % 1000}`);
          hotReads++;
        }
      }
      const out = await p.exec();
      for (const [err, val] of out!) {
        expect(err).toBeNull();
        expect(val).toBe(v);
      }
    }
    const after = await tierInfo(r);
    // Each cold key is read once, so every tier hit in the scan is a hot read.
    expect((after.tier_hits! - before.tier_hits!) / hotReads).toBeGreaterThanOrEqual(0.9);
    expect(after.tier_bytes).toBeLessThanOrEqual(after.tier_budget!);
  }, 120_000);

  it('tier-memory auto: off on a tmpfs pool, on for a disk pool; INFO, memcached stats and /metrics agree', async () => {
    server = await startServer({ memcached: true });
    await connect(server);
    expect((await tierInfo(redis!)).tier_budget).toBe(0);
    expect(await redis!.config('GET', 'tier-memory')).toEqual(['tier-memory', 'auto']);
    redis!.disconnect();
    mc!.close();
    await stopServer(server);

    const metricsPort = await freePort();
    server = await startServer({ memcached: true, poolDir: diskDir(), poolSize: '64mb', args: ['--metrics-port', String(metricsPort)] });
    await connect(server);
    const r = redis!;
    const t0 = await tierInfo(r);
    expect(t0.tier_budget).toBe(Math.floor((64 * 1024 * 1024 * 5) / 100));
    await r.set('k', 'v');
    for (let i = 0; i < 5; i++) expect(await r.get('k')).toBe('v');
    const t = await tierInfo(r);
    expect(t.tier_hits).toBeGreaterThan(0);
    expect(t.tier_items).toBe(1);
    mc!.send('stats\r\n');
    const stats = await mc!.until('END\r\n');
    for (const f of ['tier_budget', 'tier_bytes', 'tier_items', 'tier_hits', 'tier_misses', 'tier_admitted', 'tier_rejected', 'tier_evicted']) {
      expect(stats, f).toMatch(new RegExp(`STAT ${f} \\d+\\r\\n`));
    }
    expect(stats).toContain(`STAT tier_items 1\r\n`);
    expect(stats).toContain(`STAT tier_budget ${t.tier_budget}\r\n`);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain(`daxcache_tier_budget_bytes ${t.tier_budget}`);
    expect(metrics).toContain('daxcache_tier_items 1');
    expect(metrics).toMatch(/daxcache_tier_hits_total \d+/);
    // CONFIG SET: a share of the pool, then off (which empties it).
    expect(await r.config('SET', 'tier-memory', '10%')).toBe('OK');
    expect((await tierInfo(r)).tier_budget).toBe(Math.floor((64 * 1024 * 1024 * 10) / 100));
    expect(await r.config('SET', 'tier-memory', '0')).toBe('OK');
    expect(await tierInfo(r)).toMatchObject({ tier_budget: 0, tier_items: 0, tier_bytes: 0 });
    await expect(r.config('SET', 'tier-memory', 'lots')).rejects.toThrow(/argument must be a memory or percent value/);
  });
});

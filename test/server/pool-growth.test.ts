// Online pool growth over RESP (issue #16): a 64 MiB pool filled to OOM grows by CONFIG SET
// pool-size 256mb in the same process, writes succeed at once and every old key reads back; after
// kill -9 the pool opens at 256 MiB with every key. A shrink is refused with Redis's CONFIG SET
// error shape. Growth while a pipelined SET/GET load runs: no error reply, and after kill -9 every
// acknowledged write is there. memcached `stats` reports the pool as INFO does.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, cli1, encodeCommand, type RespValue } from '../helpers/resp.js';
import { diskDir, startServer, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

const val = (i: number) => `v${i}:`.padEnd(1000, String.fromCharCode(97 + (i % 26)));
const isErr = (v: RespValue): v is { err: string } => typeof v === 'object' && v !== null && 'err' in v;

/** SETs key:0.. in pipelined batches until the first -OOM; returns how many were acknowledged OK. */
async function fillToOom(c: RawClient, batch = 200): Promise<number> {
  for (let base = 0; ; base += batch) {
    const reqs: Buffer[] = [];
    for (let i = base; i < base + batch; i++) reqs.push(encodeCommand('SET', `key:${i}`, val(i)));
    c.write(Buffer.concat(reqs));
    const rs = await c.replies(batch, 30_000);
    const firstErr = rs.findIndex(isErr);
    if (firstErr >= 0) {
      expect((rs[firstErr] as { err: string }).err).toMatch(/^OOM /);
      return base + firstErr;
    }
    if (base > 1_000_000) throw new Error('never ran out of room');
  }
}

/** Every key 0..n-1 reads back its value (MGET in chunks). */
async function expectKeys(c: RawClient, n: number): Promise<void> {
  for (let base = 0; base < n; base += 500) {
    const keys = Array.from({ length: Math.min(500, n - base) }, (_, j) => `key:${base + j}`);
    const got = (await c.call('MGET', ...keys)) as Buffer[];
    got.forEach((b, j) => {
      if (!b || b.toString() !== val(base + j)) throw new Error(`key:${base + j} lost or wrong`);
    });
  }
}

const info = async (port: number, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(await cli1(port, 'INFO', 'memory'))![1]);

describe.each([
  ['shm (cache_line)', undefined],
  ['disk (msync)', 'disk'],
] as const)('pool growth over RESP, %s', (_name, where) => {
  it('fills 64 MiB to OOM, CONFIG SET pool-size 256mb: writes succeed at once, old keys stay; kill -9 reopens at 256 MiB', async () => {
    const srv = await startServer({ poolSize: '64mb', ...(where ? { poolDir: diskDir() } : {}) });
    servers.push(srv);
    let c = await RawClient.connect(srv.port);
    const n = await fillToOom(c);
    expect(n).toBeGreaterThan(40_000);
    expect(await c.call('SET', 'after', 'x')).toMatchObject({ err: expect.stringMatching(/^OOM /) });

    expect(await c.call('CONFIG', 'SET', 'pool-size', '32mb')).toEqual({
      err: "ERR CONFIG SET failed (possibly related to argument 'pool-size') - the pool cannot shrink (it is 64mb)",
    });
    expect(await c.call('CONFIG', 'SET', 'pool-size', '256mb')).toEqual({ ok: 'OK' });
    expect(await c.call('SET', 'after', 'x')).toEqual({ ok: 'OK' });
    expect(await c.call('CONFIG', 'GET', 'pool-size')).toEqual([Buffer.from('pool-size'), Buffer.from(String(256 * MiB))]);
    expect(await info(srv.port, 'pool_size')).toBe(256 * MiB);
    expect(await info(srv.port, 'pool_growths')).toBe(1);
    await expectKeys(c, n);
    // The new space takes about three times what the old held.
    const more = await fillToOom(c);
    expect(more).toBeGreaterThan(n * 3);
    c.close();

    await srv.kill9();
    await srv.restart();
    c = await RawClient.connect(srv.port);
    expect(await info(srv.port, 'pool_size')).toBe(256 * MiB);
    expect(await c.call('GET', 'after')).toEqual(Buffer.from('x'));
    await expectKeys(c, more);
    c.close();
  });
});

describe('pool growth under load', () => {
  it('grows four times while a pipelined SET/GET load runs: no error reply, nothing acknowledged lost after kill -9', async () => {
    const srv = await startServer({ poolSize: '64mb' });
    servers.push(srv);
    const load = await RawClient.connect(srv.port);
    const admin = await RawClient.connect(srv.port);
    const acked = new Map<number, number>(); // key -> acknowledged version
    let errors = 0;
    let version = 0;
    let stop = false;
    const run = (async () => {
      const deadline = Date.now() + 20_000;
      while (!stop && Date.now() < deadline) {
        const batch: Array<[number, number]> = [];
        const reqs: Buffer[] = [];
        for (let i = 0; i < 100; i++, version++) {
          const k = version % 20_000;
          batch.push([k, version]);
          reqs.push(encodeCommand('SET', `load:${k}`, `${version}:`.padEnd(2000, 'y')), encodeCommand('GET', `load:${k}`));
        }
        load.write(Buffer.concat(reqs));
        const rs = await load.replies(reqs.length, 30_000);
        for (let i = 0; i < batch.length; i++) {
          const set = rs[2 * i]!;
          const get = rs[2 * i + 1]!;
          if (isErr(set) || isErr(get)) errors++;
          else {
            acked.set(batch[i]![0], batch[i]![1]);
            expect((get as Buffer).toString().split(':')[0]).toBe(String(batch[i]![1]));
          }
        }
      }
    })();
    const sizes = [96, 128, 192, 256];
    for (const mb of sizes) {
      await new Promise((r) => setTimeout(r, 250));
      expect(await admin.call('CONFIG', 'SET', 'pool-size', `${mb}mb`)).toEqual({ ok: 'OK' });
    }
    await new Promise((r) => setTimeout(r, 250));
    stop = true;
    await run;
    expect(errors).toBe(0);
    expect(acked.size).toBeGreaterThan(1000);
    expect(await info(srv.port, 'pool_growths')).toBe(sizes.length);
    load.close();
    admin.close();

    await srv.kill9();
    await srv.restart();
    expect(await info(srv.port, 'pool_size')).toBe(256 * MiB);
    const c = await RawClient.connect(srv.port);
    const keys = [...acked.keys()];
    for (let base = 0; base < keys.length; base += 500) {
      const part = keys.slice(base, base + 500);
      const got = (await c.call('MGET', ...part.map((k) => `load:${k}`))) as Buffer[];
      part.forEach((k, j) => expect(got[j]?.toString().split(':')[0], `load:${k}`).toBe(String(acked.get(k))));
    }
    c.close();
  });
});

describe('CONFIG SET pool-size replies after the growth, in order', () => {
  it('a pipelined CONFIG SET, SET, GET: the growth allocates off the loop, the replies keep their order', async () => {
    const srv = await startServer({ poolSize: '32mb' });
    servers.push(srv);
    const c = await RawClient.connect(srv.port);
    const other = await RawClient.connect(srv.port);
    c.write(Buffer.concat([
      encodeCommand('CONFIG', 'SET', 'pool-size', '1gb'),
      encodeCommand('SET', 'after', 'x'),
      encodeCommand('GET', 'after'),
      encodeCommand('CONFIG', 'GET', 'pool-size'),
    ]));
    // Another client is served meanwhile (its reply does not wait for the growth).
    expect(await other.call('PING')).toEqual({ ok: 'PONG' });
    expect(await c.replies(4, 30_000)).toEqual([
      { ok: 'OK' },
      { ok: 'OK' },
      Buffer.from('x'),
      [Buffer.from('pool-size'), Buffer.from(String(1024 * MiB))],
    ]);
    // Inside MULTI the growth happens within EXEC's turn.
    expect(await c.call('MULTI')).toEqual({ ok: 'OK' });
    expect(await c.call('CONFIG', 'SET', 'pool-size', '1100mb')).toEqual({ ok: 'QUEUED' });
    expect(await c.call('EXEC')).toEqual([{ ok: 'OK' }]);
    expect(await info(srv.port, 'pool_size')).toBe(1100 * MiB);
    c.close();
    other.close();
  });
});

describe('pool-size at start and memcached stats', () => {
  it('a larger --pool-size grows the pool at start, a smaller one is refused with a warning; stats report it', async () => {
    const first = await startServer({ poolSize: '64mb' });
    servers.push(first);
    expect(await cli1(first.port, 'SET', 'k', 'v')).toBe('OK');
    await first.stop();

    const smaller = await startServer({ poolPath: first.pool, poolSize: '32mb', args: ['--prefault'] });
    servers.push(smaller);
    expect(await cli1(smaller.port, 'GET', 'k')).toBe('v');
    expect(await cli1(smaller.port, 'CONFIG', 'GET', 'pool-size')).toBe(`pool-size\n${64 * MiB}`);
    const logs = smaller.stdout() + smaller.stderr();
    expect(logs).toMatch(/pool-size 32mb: the pool cannot shrink \(it is 64mb\); the pool keeps its size/);
    expect(logs).toMatch(/prefault applies when a pool is created/);
    await smaller.stop();

    const larger = await startServer({ poolPath: first.pool, poolSize: '100mb', memcached: true });
    servers.push(larger);
    expect(await cli1(larger.port, 'GET', 'k')).toBe('v');
    expect(await cli1(larger.port, 'CONFIG', 'GET', 'pool-size')).toBe(`pool-size\n${100 * MiB}`);
    expect(await info(larger.port, 'pool_growths')).toBe(1);
    const stats = await memcachedStats(larger.memcachedPort);
    expect(stats.get('pool_size')).toBe(String(100 * MiB));
    expect(stats.get('pool_growths')).toBe('1');
    expect(stats.get('limit_maxbytes')).toBe(String(100 * MiB));
  });
});

function memcachedStats(port: number): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.endsWith('END\r\n')) {
        s.end();
        const m = new Map<string, string>();
        for (const line of buf.split('\r\n')) {
          const [tag, k, v] = line.split(' ');
          if (tag === 'STAT' && k && v !== undefined) m.set(k, v);
        }
        resolve(m);
      }
    });
    s.on('error', reject);
    s.write('stats\r\n');
  });
}

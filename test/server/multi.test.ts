// MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real daxcache server: the replies byte for byte
// beside a real redis-server (same scripts, several clients), WATCH across protocols and expiry,
// the transaction bound, and crash atomicity under kill -9 (an EXEC's writes are all there or none).
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { RespClient, type Wire } from '../commands/resp-client.js';
import { haveRedisServer, useServerPair } from '../commands/real-redis.js';
import { diskDir, startServer, type TestServer } from '../helpers/server.js';

type Step = [client: number, ...args: Array<string | number>] | ['sleep', number];

const scripts: Record<string, Step[]> = {
  'queue and run': [
    [0, 'multi'], [0, 'set', 'a', '1'], [0, 'incr', 'a'], [0, 'get', 'a'], [0, 'ping'], [0, 'exec'], [0, 'get', 'a'],
  ],
  'empty transaction': [[0, 'multi'], [0, 'exec']],
  'exec and discard without multi': [[0, 'exec'], [0, 'discard']],
  'nested multi, watch inside multi': [
    [0, 'multi'], [0, 'multi'], [0, 'watch', 'x'], [0, 'set', 'n', '1'], [0, 'exec'], [0, 'get', 'n'],
  ],
  'arity error while queueing aborts': [
    [0, 'multi'], [0, 'set', 'a'], [0, 'set', 'b', '1'], [0, 'exec'], [0, 'get', 'b'], [0, 'exec'],
  ],
  'unknown command while queueing aborts': [[0, 'multi'], [0, 'nosuchcommand', 'x'], [0, 'set', 'b', '1'], [0, 'exec'], [0, 'exists', 'b']],
  'a runtime error fails alone': [
    [0, 'set', 's', 'abc'], [0, 'multi'], [0, 'incr', 's'], [0, 'set', 't', '1'], [0, 'incrbyfloat', 's', '1'], [0, 'exec'], [0, 'get', 't'],
  ],
  'discard': [[0, 'multi'], [0, 'set', 'a', '1'], [0, 'discard'], [0, 'get', 'a'], [0, 'exec']],
  'reset ends the transaction, the watches, the subscriptions and the name': [
    [0, 'client', 'setname', 'n1'], [0, 'watch', 'w'], [0, 'multi'], [0, 'set', 'a', '1'], [0, 'reset'], [0, 'exec'],
    [0, 'get', 'a'], [0, 'client', 'getname'],
    [1, 'set', 'w', 'x'], [0, 'multi'], [0, 'set', 'w', '2'], [0, 'exec'], [0, 'get', 'w'],
    [0, 'subscribe', 'ch'], [0, 'get', 'w'], [0, 'reset'], [0, 'ping'], [1, 'publish', 'ch', 'm'], [0, 'reset', 'x'],
  ],
  'watch: another client writes the key': [
    [0, 'watch', 'w'], [1, 'set', 'w', '1'], [0, 'multi'], [0, 'set', 'w', '2'], [0, 'exec'], [0, 'get', 'w'],
  ],
  'watch: nobody writes the key': [[0, 'watch', 'w'], [0, 'multi'], [0, 'set', 'w', '2'], [0, 'exec'], [0, 'get', 'w']],
  'watch: own write before multi counts': [[0, 'watch', 'w'], [0, 'set', 'w', '0'], [0, 'multi'], [0, 'get', 'w'], [0, 'exec']],
  'watch: a key that appears, one deleted, one flushed': [
    [0, 'watch', 'n'], [1, 'set', 'n', '1'], [0, 'multi'], [0, 'get', 'n'], [0, 'exec'],
    [0, 'set', 'd', '1'], [0, 'watch', 'd'], [1, 'del', 'd'], [0, 'multi'], [0, 'ping'], [0, 'exec'],
    [0, 'set', 'f', '1'], [0, 'watch', 'f'], [1, 'flushall'], [0, 'multi'], [0, 'ping'], [0, 'exec'],
  ],
  'watch: a missing key flushed stays untouched': [[0, 'watch', 'm'], [1, 'flushall'], [0, 'multi'], [0, 'ping'], [0, 'exec']],
  'unwatch, and exec forgets watches': [
    [0, 'watch', 'w'], [1, 'set', 'w', '1'], [0, 'unwatch'], [0, 'multi'], [0, 'get', 'w'], [0, 'exec'],
    [0, 'watch', 'w'], [0, 'multi'], [0, 'exec'], [1, 'set', 'w', '2'], [0, 'multi'], [0, 'set', 'w', '3'], [0, 'exec'],
    [0, 'watch', 'w'], [0, 'multi'], [0, 'discard'], [1, 'set', 'w', '4'], [0, 'multi'], [0, 'get', 'w'], [0, 'exec'],
  ],
  'watch arity, unwatch without watch': [[0, 'watch'], [0, 'unwatch'], [0, 'multi'], [0, 'unwatch'], [0, 'exec']],
  'watch: an expired key counts as touched': [
    [0, 'set', 'e', 'v', 'px', '100'], [0, 'watch', 'e'], ['sleep', 300], [0, 'multi'], [0, 'set', 'x', '1'], [0, 'exec'], [0, 'exists', 'x'],
  ],
};

async function runScript(port: number, steps: Step[]): Promise<Wire[]> {
  const clients = await Promise.all([RespClient.open(port), RespClient.open(port)]);
  const out: Wire[] = [];
  try {
    await clients[0]!.call('flushall');
    for (const [who, ...args] of steps) {
      if (who === 'sleep') {
        await new Promise((r) => setTimeout(r, args[0] as number));
        continue;
      }
      out.push(await clients[who]!.call(...(args as Array<string | number>)));
    }
  } finally {
    for (const c of clients) c.close();
  }
  return out;
}

const servers = useServerPair({ server: { memcached: true } });

describe('MULTI/EXEC/WATCH beside a real redis-server', () => {
  it('a real redis-server is installed (the reference)', () => {
    expect(haveRedisServer).toBe(true);
  });
  for (const [name, steps] of Object.entries(scripts)) {
    it(name, async () => {
      const [mine, theirs] = await Promise.all([runScript(servers.dax.port, steps), runScript(servers.redis!.port, steps)]);
      expect(mine).toEqual(theirs);
    });
  }
});

function memcachedSet(port: number, key: string, value: string): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1', () => s.write(`set ${key} 0 0 ${value.length}\r\n${value}\r\n`));
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('\r\n')) {
        s.destroy();
        res(got.trim());
      }
    });
    s.once('error', rej);
  });
}

describe('WATCH and the rest of daxcache', () => {
  it('a memcached set of a watched key aborts the EXEC', async () => {
    const c = await RespClient.open(servers.dax.port);
    try {
      expect(await c.call('watch', 'shared')).toEqual({ s: 'OK' });
      expect(await memcachedSet(servers.dax.memcachedPort, 'shared', 'from-memcached')).toBe('STORED');
      await c.call('multi');
      expect(await c.call('set', 'shared', 'from-redis')).toEqual({ s: 'QUEUED' });
      expect(await c.call('exec')).toBeNull();
      expect(await c.call('get', 'shared')).toEqual({ b: 'from-memcached' });
      // Not watched any more: the next transaction runs.
      await c.call('multi');
      await c.call('set', 'shared', 'from-redis');
      expect(await c.call('exec')).toEqual([{ s: 'OK' }]);
    } finally {
      c.close();
    }
  });

  it('CLIENT LIST shows the transaction while EXEC runs it (flags x, multi=queued count)', async () => {
    const c = await RespClient.open(servers.dax.port);
    try {
      await c.call('multi');
      await c.call('set', 'a', '1');
      await c.call('set', 'b', '2');
      // CLIENT is queued too inside MULTI: read it from EXEC's reply.
      await c.call('client', 'info');
      const [, , info] = (await c.call('exec')) as Wire[];
      const line = (info as { b: string }).b;
      expect(line).toMatch(/ flags=x /);
      expect(line).toMatch(/ multi=3 /); // every queued command, CLIENT INFO too (as redis-server 7.0 shows)
      const after = (await c.call('client', 'info')) as { b: string };
      expect(after.b).toMatch(/ flags=N .* multi=-1 /);
    } finally {
      c.close();
    }
  });
});

describe('the crash-atomic bound', () => {
  it('an EXEC over the intent log is refused whole; one within it runs', async () => {
    // A 64 MiB pool has a 1 MiB intent log: about 120 single-key writes fit in one EXEC.
    const srv = await startServer({ poolSize: '64mb' });
    const c = await RespClient.open(srv.port);
    try {
      await c.call('multi');
      for (let i = 0; i < 300; i++) await c.call('set', `big:${i}`, 'v');
      const r = (await c.call('exec')) as { e: string };
      expect(r.e).toMatch(/^EXECABORT Transaction discarded: too many writes for one crash-atomic EXEC \(this pool's intent log holds about \d+ single-key writes\)$/);
      const most = Number(/about (\d+)/.exec(r.e)![1]);
      expect(most).toBeGreaterThan(50);
      expect(most).toBeLessThan(300);
      expect(await c.call('exists', 'big:0', 'big:299')).toEqual({ i: '0' });
      expect(await c.call('exec')).toEqual({ e: 'ERR EXEC without MULTI' });
      await c.call('multi');
      for (let i = 0; i < most; i++) await c.call('set', `ok:${i}`, 'v');
      const done = (await c.call('exec')) as Wire[];
      expect(done).toHaveLength(most);
      expect(done.every((w) => JSON.stringify(w) === '{"s":"OK"}')).toBe(true);
      expect(await c.call('dbsize')).toEqual({ i: String(most) });
    } finally {
      c.close();
      await srv.stop();
    }
  }, 30_000);
});

/**
 * kill -9 while a client runs EXECs that each set the same N keys to the transaction's number: on
 * restart the N keys must hold one number (one EXEC's writes, whole), no lower than the last EXEC
 * whose reply arrived.
 */
async function execKillCycles(srv: TestServer, cycles: number, n: number): Promise<{ acked: number[]; found: number[] }> {
  const acked: number[] = [];
  const found: number[] = [];
  let tx = 0;
  for (let cycle = 0; cycle < cycles; cycle++) {
    const c = await RespClient.open(srv.port);
    let last = -1;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const i = ++tx;
        const replies = [c.call('multi')];
        for (let k = 0; k < n; k++) replies.push(c.call('set', `tx:${k}`, String(i)));
        const exec = c.call('exec');
        const r = await Promise.race([exec, new Promise<'gone'>((res) => setTimeout(() => res('gone'), 2000))]);
        if (r === 'gone') break;
        if (Array.isArray(r) && r.length === n) last = i;
        else break;
      }
    })();
    await new Promise((r) => setTimeout(r, 100 + 60 * cycle));
    await srv.kill9();
    stop = true;
    await loop;
    c.close();
    await srv.restart();
    const check = await RespClient.open(srv.port);
    const values = (await check.call('mget', ...Array.from({ length: n }, (_, k) => `tx:${k}`))) as Wire[];
    check.close();
    const nums = values.map((v) => (v === null ? null : Number((v as { b: string }).b)));
    const distinct = [...new Set(nums)];
    expect(distinct, `cycle ${cycle}: the ${n} keys of one EXEC disagree: ${JSON.stringify(nums)}`).toHaveLength(1);
    const got = distinct[0] ?? 0;
    expect(got, `cycle ${cycle}: EXEC ${last} was acknowledged, the keys hold ${got}`).toBeGreaterThanOrEqual(last);
    acked.push(last);
    found.push(got!);
  }
  return { acked, found };
}

describe('EXEC is crash-atomic under kill -9', () => {
  it('pool in /dev/shm (cache_line granularity): 6 cycles of 40-key EXECs', async () => {
    const srv = await startServer();
    try {
      const r = await execKillCycles(srv, 6, 40);
      expect(Math.max(...r.acked)).toBeGreaterThan(0);
    } finally {
      await srv.stop();
    }
  }, 60_000);

  it('pool on disk (page granularity): 4 cycles of 40-key EXECs', async () => {
    const srv = await startServer({ poolDir: diskDir() });
    try {
      const r = await execKillCycles(srv, 4, 40);
      expect(Math.max(...r.acked)).toBeGreaterThan(0);
    } finally {
      await srv.stop();
    }
  }, 60_000);
});

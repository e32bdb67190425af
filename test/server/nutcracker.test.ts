// Scale-out on an existing engine: three daxcache servers behind a local nutcracker (twemproxy,
// Debian's package) with ketama hashing, one pool per protocol, as the Helm chart's optional proxy
// runs them. redis-cli and libmemcached's tools go through it; the keys spread over all three; a
// shard restarted keeps its keys and the proxy serves them again.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, cli1, encodeCommand } from '../helpers/resp.js';
import { freePort, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { McSocket, stopServer } from '../memcache/helpers.js';

const run = promisify(execFile);
const shards: TestServer[] = [];
let proxy: ChildProcess;
let redisPort = 0;
let mcPort = 0;

async function waitFor(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await McSocket.connect(port)).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

beforeAll(async () => {
  for (let i = 0; i < 3; i++) shards.push(await startServer({ memcached: true, poolSize: '64mb' }));
  redisPort = await freePort();
  mcPort = await freePort();
  const statsPort = await freePort();
  const dir = tempDir();
  const pool = (listen: number, kind: 'redis' | 'memcached'): string =>
    [
      `${kind}_pool:`,
      `  listen: 127.0.0.1:${listen}`,
      '  hash: fnv1a_64',
      '  distribution: ketama',
      `  redis: ${kind === 'redis'}`,
      '  auto_eject_hosts: false',
      '  timeout: 3000',
      '  server_retry_timeout: 200',
      '  servers:',
      ...shards.map((s, i) => `   - 127.0.0.1:${kind === 'redis' ? s.port : s.memcachedPort}:1 shard${i}`),
    ].join('\n');
  const conf = join(dir, 'nutcracker.yml');
  writeFileSync(conf, `${pool(redisPort, 'redis')}\n${pool(mcPort, 'memcached')}\n`);
  proxy = spawn('nutcracker', ['-c', conf, '-s', String(statsPort), '-o', join(dir, 'nutcracker.log')], { stdio: 'ignore' });
  await waitFor(redisPort);
  await waitFor(mcPort);
}, 60_000);

afterAll(async () => {
  proxy?.kill('SIGKILL');
  for (const s of shards) await stopServer(s);
});

async function dbsize(s: TestServer): Promise<number> {
  const r = new Redis({ port: s.port, host: '127.0.0.1' });
  const n = await r.dbsize();
  r.disconnect();
  return n;
}

describe('three shards behind nutcracker', () => {
  it('redis-cli and libmemcached tools through the proxy; keys on every shard; a restarted shard keeps its keys', async () => {
    // RESP through the proxy: a pipeline of 300 SETs on one connection (nutcracker fans them out).
    // ioredis is not used here: it opens with HELLO, which twemproxy does not proxy.
    const viaProxy = await RawClient.connect(redisPort);
    viaProxy.write(Buffer.concat(Array.from({ length: 300 }, (_, i) => encodeCommand('SET', `user:${i}`, `v${i}`))));
    expect(await viaProxy.replies(300)).toEqual(Array(300).fill({ ok: 'OK' }));
    // redis-cli through the proxy.
    expect(await cli1(redisPort, 'SET', 'via-cli', 'hello')).toBe('OK');
    expect(await cli1(redisPort, 'GET', 'via-cli')).toBe('hello');
    // memcached protocol through the proxy: libmemcached's memccp / memccat.
    const dir = tempDir();
    const file = join(dir, 'greeting');
    writeFileSync(file, 'from-memccp');
    await run('memccp', [`--servers=127.0.0.1:${mcPort}`, file], { cwd: dir, timeout: 10_000 });
    const cat = await run('memccat', [`--servers=127.0.0.1:${mcPort}`, 'greeting'], { timeout: 10_000 });
    expect(cat.stdout).toBe('from-memccp\n'); // memccat ends the value with a newline
    const mc = await McSocket.connect(mcPort);
    for (let i = 0; i < 100; i++) expect(await mc.ask(`set mc:${i} 0 0 ${String(i).length}\r\n${i}\r\n`)).toEqual(['STORED']);
    mc.close();

    // Ketama spread the keys over all three shards, and both protocols share each shard's keyspace.
    const sizes = await Promise.all(shards.map(dbsize));
    for (const n of sizes) expect(n).toBeGreaterThanOrEqual(10); // ketama's points are not even, but every shard has its share
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300 + 1 + 1 + 100);

    // Restart one shard (clean stop, same pool): its keys are back and the proxy serves them.
    const before = sizes[1]!;
    await shards[1]!.restart();
    expect(await dbsize(shards[1]!)).toBe(before);
    const want = Array.from({ length: 300 }, (_, i) => `v${i}`);
    let got: unknown = null;
    for (let attempt = 0; attempt < 50; attempt++) {
      // The proxy's connection to the restarted shard comes back after server_retry_timeout; until
      // then it answers an error for that shard's keys.
      const c = await RawClient.connect(redisPort);
      const reply = await c.call('MGET', ...Array.from({ length: 300 }, (_, i) => `user:${i}`)).catch((e: unknown) => String(e));
      got = Array.isArray(reply) ? reply.map((v) => (Buffer.isBuffer(v) ? v.toString() : v)) : reply;
      c.close();
      if (JSON.stringify(got) === JSON.stringify(want)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toEqual(want);
    const again = await McSocket.connect(mcPort);
    for (let i = 0; i < 100; i += 9) {
      again.send(`get mc:${i}\r\n`);
      expect(await again.until('END\r\n')).toBe(`VALUE mc:${i} 0 ${String(i).length}\r\n${i}\r\nEND\r\n`);
    }
    again.close();
    expect((await run('memccat', [`--servers=127.0.0.1:${mcPort}`, 'greeting'], { timeout: 10_000 })).stdout).toBe('from-memccp\n');
    viaProxy.close();
  }, 120_000);
});

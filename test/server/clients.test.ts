// Real client libraries and tools against the server: redis-cli (commands, --pipe), ioredis (its
// INFO ready check, pipelines) and node-redis (RESP3 via HELLO 3, CLIENT SETINFO at connect).
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { cli, cli1, encodeCommand } from '../helpers/resp.js';

let srv: TestServer;

beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => {
  await srv?.stop();
});

describe('redis-cli', () => {
  it('runs commands and prints errors as Redis does', async () => {
    expect(await cli1(srv.port, 'PING')).toBe('PONG');
    expect(await cli1(srv.port, 'SET', 'cli:k', 'hello')).toBe('OK');
    expect(await cli1(srv.port, 'GET', 'cli:k')).toBe('hello');
    expect(await cli1(srv.port, 'DBSIZE')).toMatch(/^\d+$/);
    expect(await cli1(srv.port, 'NOSUCH', 'a')).toBe("ERR unknown command 'NOSUCH', with args beginning with: 'a' \n");
    expect(await cli1(srv.port, '--no-raw', 'TIME')).toMatch(/^1\) "\d+"\n2\) "\d+"$/);
    expect(await cli1(srv.port, '-3', 'HELLO')).toContain('proto');
    expect(await cli1(srv.port, 'INFO', 'server')).toContain('redis_version:');
    expect(await cli1(srv.port, 'CONFIG', 'GET', 'maxclients')).toBe('maxclients\n10000');
  });

  it('loads 10k commands with --pipe', async () => {
    const lines: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(encodeCommand('SET', `pipe:${i}`, `v${i}`));
    const r = await cli(srv.port, ['--pipe'], Buffer.concat(lines));
    expect(r.stdout).toContain('errors: 0, replies: 10000');
    expect(await cli1(srv.port, 'GET', 'pipe:9999')).toBe('v9999');
  });

  it('RESP3 mode shows typed replies', async () => {
    const out = await cli1(srv.port, '-3', '--no-raw', 'CONFIG', 'GET', 'hz');
    expect(out).toBe('1# "hz" => "10"');
  });
});

describe('ioredis', () => {
  it('connects (INFO ready check), runs commands and a 10k pipeline', async () => {
    const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      expect(await r.ping()).toBe('PONG');
      expect(await r.set('io:a', '1', 'EX', 100)).toBe('OK');
      expect(await r.get('io:a')).toBe('1');
      expect(await r.ttl('io:a')).toBeGreaterThan(90);
      expect(await r.incrby('io:n', 5)).toBe(5);
      const bin = Buffer.from([0, 1, 2, 255]);
      await r.set('io:bin', bin);
      expect(await r.getBuffer('io:bin')).toEqual(bin);
      await expect(r.call('NOSUCH')).rejects.toThrow("ERR unknown command 'NOSUCH', with args beginning with: ");
      const p = r.pipeline();
      for (let i = 0; i < 10_000; i++) p.set(`io:p:${i}`, String(i));
      for (let i = 0; i < 10_000; i++) p.get(`io:p:${i}`);
      const res = (await p.exec())!;
      expect(res.length).toBe(20_000);
      expect(res.slice(0, 10_000).every(([e, v]) => e === null && v === 'OK')).toBe(true);
      expect(res.slice(10_000).every(([e, v], i) => e === null && v === String(i))).toBe(true);
      expect(await r.client('SETNAME', 'io-client')).toBe('OK');
      expect(await r.client('GETNAME')).toBe('io-client');
      expect(await r.dbsize()).toBeGreaterThan(10_000);
    } finally {
      r.disconnect();
    }
  });
});

describe('node-redis', () => {
  it('RESP2: commands and a 10k pipeline', async () => {
    const c = createClient({ socket: { port: srv.port, host: '127.0.0.1', reconnectStrategy: false } });
    c.on('error', () => {});
    await c.connect();
    try {
      expect(await c.ping()).toBe('PONG');
      expect(await c.set('nr:a', 'x')).toBe('OK');
      expect(await c.get('nr:a')).toBe('x');
      expect(await c.get('nr:missing')).toBeNull();
      expect(await c.mGet(['nr:a', 'nr:missing'])).toEqual(['x', null]);
      const multi = c.multi();
      // node-redis sends a pipeline (not MULTI) with execAsPipeline.
      for (let i = 0; i < 10_000; i++) multi.set(`nr:p:${i}`, String(i));
      const res = await multi.execAsPipeline();
      expect(res.length).toBe(10_000);
      expect(res.every((r) => String(r) === 'OK')).toBe(true);
      const info = await c.clientInfo();
      expect(info.libName).toMatch(/node-redis/);
    } finally {
      c.destroy();
    }
  });

  it('RESP3: HELLO 3, maps and nulls', async () => {
    const c = createClient({ socket: { port: srv.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3 });
    c.on('error', () => {});
    await c.connect();
    try {
      expect(await c.set('nr3:a', '1')).toBe('OK');
      expect(await c.get('nr3:a')).toBe('1');
      expect(await c.get('nr3:none')).toBeNull();
      expect(await c.configGet('hz')).toEqual({ hz: '10' });
      expect(await c.sendCommand(['CLIENT', 'INFO'])).toMatch(/ resp=3 /);
      expect(await c.incrByFloat('nr3:f', 1.5)).toBe('1.5');
    } finally {
      c.destroy();
    }
  });
});

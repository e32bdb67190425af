// Real memcached tooling against daxcache: memccapable (libmemcached's protocol conformance test,
// all ASCII tests) and the libmemcached command line tools (Debian libmemcached-tools).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, runTool, servers, stopServer } from './helpers.js';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer({ memcached: true });
  dir = mkdtempSync(join(tmpdir(), 'daxcache-mctools-'));
});
afterAll(async () => {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
});

describe('memccapable', () => {
  it('passes every ASCII test', async () => {
    const r = await runTool('memccapable', ['-h', '127.0.0.1', '-p', String(server.memcachedPort), '-a'], { timeoutMs: 60_000 });
    expect(r.stdout).not.toMatch(/\[fail\]/);
    expect(r.stdout).toMatch(/ascii stat\s+\[pass\]/);
    expect(r.stdout).toContain('All tests passed');
    expect(r.code).toBe(0);
  });
});

describe('libmemcached tools', () => {
  const s = (): string => servers(server.memcachedPort);

  it('memccp stores files (flags, expiry) and memccat reads them back', async () => {
    const text = join(dir, 'a.txt');
    const bin = join(dir, 'b.bin');
    writeFileSync(text, 'hello from memccp\n');
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(bin, binary);
    const cp = await runTool('memccp', [s(), '--flags=42', '--expire=600', text, bin]);
    expect(cp.code).toBe(0);
    const cat = await runTool('memccat', [s(), 'a.txt']);
    expect(cat.code).toBe(0);
    // memccat ends each value with a newline of its own.
    expect(cat.stdout).toBe('hello from memccp\n\n');
    const c = await McSocket.connect(server.memcachedPort);
    c.send('get a.txt\r\n');
    expect(await c.line()).toBe('VALUE a.txt 42 18');
    await c.until('END\r\n');
    const [ttl] = await c.ask('mg a.txt t\r\n');
    expect(Number(ttl!.slice(4))).toBeGreaterThan(590);
    c.send('get b.bin\r\n');
    expect(await c.line()).toBe('VALUE b.bin 42 4096');
    expect((await c.bytes(4096)).equals(binary)).toBe(true);
    await c.until('END\r\n');
    c.close();
  });

  it('memctouch sets a new expiry; memcrm deletes; memccat fails on a missing key', async () => {
    const c = await McSocket.connect(server.memcachedPort);
    await c.ask('set t1 0 0 2\r\nhi\r\n');
    const touch = await runTool('memctouch', [s(), '--expire=77', 't1']);
    expect(touch.code).toBe(0);
    expect(await c.ask('mg t1 t\r\n')).toEqual(['HD t77']);
    const missing = await runTool('memctouch', [s(), '--expire=77', 'nope']);
    expect(missing.code).not.toBe(0);
    const rm = await runTool('memcrm', [s(), 't1']);
    expect(rm.code).toBe(0);
    expect(await c.ask('mg t1\r\n')).toEqual(['EN']);
    const cat = await runTool('memccat', [s(), 't1']);
    expect(cat.code).not.toBe(0);
    c.close();
  });

  it('memcflush empties the cache', async () => {
    const c = await McSocket.connect(server.memcachedPort);
    await c.ask('set f1 0 0 1\r\nx\r\n');
    const r = await runTool('memcflush', [s()]);
    expect(r.code).toBe(0);
    expect(await c.ask('mg f1\r\n')).toEqual(['EN']);
    c.close();
  });

  it('memcstat prints the server statistics and settings', async () => {
    const r = await runTool('memcstat', [s()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Server: 127.0.0.1 (${server.memcachedPort})`);
    expect(r.stdout).toMatch(/\tpid: \d+/);
    expect(r.stdout).toContain('\tversion: 1.6.18');
    expect(r.stdout).toMatch(/\tcurr_items: \d+/);
    const settings = await runTool('memcstat', [s(), '--args=settings']);
    expect(settings.code).toBe(0);
    expect(settings.stdout).toContain(`\ttcpport: ${server.memcachedPort}`);
    expect(settings.stdout).toContain('\titem_size_max: 1048576');
  });
});

// Start-up and shutdown: configuration and pool errors with their exit codes, start-up logs,
// SHUTDOWN / SIGTERM / SIGINT (graceful: replies flushed, pool closed clean), metrics endpoint.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, freePort, startServer, tempDir } from '../helpers/server.js';
import { RawClient, cli1, encodeCommand } from '../helpers/resp.js';

/** Runs `daxcache serve` expecting it to exit by itself; bounded. */
function serveExit(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, 'serve', '--memcached-port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`serve ${args.join(' ')} did not exit: ${stderr}`));
    }, 15_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stderr, stdout });
    });
  });
}

function logLines(out: string): Array<Record<string, unknown>> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('refusing to start', () => {
  it('invalid configuration: one line on stderr, exit 2', async () => {
    const port = await freePort();
    const bad = await serveExit(['--port', 'eighty', '--pool', '/dev/shm/never.pool']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('port');
    const unknown = await serveExit(['--port', String(port), '--no-such-flag', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flag --no-such-flag/);
    const env = await serveExit(['--config', '/nonexistent/daxcache.yaml']);
    expect(env.code).toBe(2);
  });

  it('a file that is not a pool: message and exit 3, file untouched', async () => {
    const dir = tempDir();
    const pool = join(dir, 'not-a.pool');
    writeFileSync(pool, Buffer.alloc(8 * 1024 * 1024, 7));
    const r = await serveExit(['--port', String(await freePort()), '--pool', pool]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/daxcache: /);
  });

  it('port in use: exit 1', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    const dir = tempDir();
    const r = await serveExit(['--port', String(port), '--pool', join(dir, 'x.pool'), '--pool-size', '64mb']);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE/);
  });
});

describe('start-up logs and shutdown', () => {
  it('logs the pool state; SHUTDOWN flushes replies, closes clean and exits 0', async () => {
    const s = await startServer({ args: ['--log-level', 'info'] });
    const created = logLines(s.stdout()).find((l) => l.msg === 'pool created')!;
    expect(created).toMatchObject({ state: 'created', keys: 0 });
    expect(typeof created.openMs).toBe('number');
    expect(logLines(s.stdout()).some((l) => String(l.msg).startsWith('redis listening on 127.0.0.1:'))).toBe(true);

    // Pipelined before SHUTDOWN: acknowledged, and there after the restart.
    const c = await RawClient.connect(s.port);
    c.write(Buffer.concat([encodeCommand('SET', 'before-shutdown', 'v'), encodeCommand('SHUTDOWN'), encodeCommand('PING')]));
    expect((await c.raw(() => false, 5000)).toString()).toBe('+OK\r\n');
    expect(await c.closesWithin(3000)).toBe(true);
    expect(await s.exited()).toBe(0);
    expect(logLines(s.stdout()).some((l) => l.msg === 'pool closed clean')).toBe(true);

    await s.restart();
    const clean = logLines(s.stdout()).filter((l) => l.msg === 'pool opened clean');
    expect(clean).toHaveLength(1);
    expect(clean[0]).toMatchObject({ state: 'clean', keys: 1 });
    expect(await cli1(s.port, 'GET', 'before-shutdown')).toBe('v');

    // SIGINT is graceful too; the next open is clean.
    s.proc.kill('SIGINT');
    expect(await s.exited()).toBe(0);
    await s.restart();
    expect(logLines(s.stdout()).filter((l) => l.msg === 'pool opened clean')).toHaveLength(2);

    // A crash: the next open says so.
    await s.kill9();
    await s.restart();
    expect(logLines(s.stdout()).some((l) => l.msg === 'pool opened after crash' && l.state === 'crash')).toBe(true);
    expect(await s.stop()).toBe(0);
  });

  it('SHUTDOWN needs authentication when requirepass is set', async () => {
    const s = await startServer({ args: ['--requirepass', 'pw'] });
    const c = await RawClient.connect(s.port);
    expect(await c.call('SHUTDOWN')).toEqual({ err: 'NOAUTH Authentication required.' });
    expect(await c.call('AUTH', 'pw')).toEqual({ ok: 'OK' });
    c.write(encodeCommand('SHUTDOWN', 'NOSAVE'));
    expect(await c.closesWithin(3000)).toBe(true);
    expect(await s.exited()).toBe(0);
  });

  it('SIGTERM with clients connected: exit 0, clients closed', async () => {
    const s = await startServer();
    const c = await RawClient.connect(s.port);
    expect(await c.call('SET', 'k', 'v')).toEqual({ ok: 'OK' });
    expect(await s.stop()).toBe(0);
    expect(await c.closesWithin(3000)).toBe(true);
  });
});

describe('relaxed durability', () => {
  it('acknowledges at once, persists on the timer, and keeps everything over a clean shutdown', async () => {
    const s = await startServer({ args: ['--durability', 'relaxed', '--appendfsync-interval-ms', '50'] });
    const c = await RawClient.connect(s.port);
    expect(String(await c.call('INFO', 'persistence'))).toContain('durability:relaxed');
    c.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => encodeCommand('SET', `rx:${i}`, String(i)))));
    expect((await c.replies(1000)).every((r) => JSON.stringify(r) === '{"ok":"OK"}')).toBe(true);
    const barriers = (): Promise<number> =>
      c.call('INFO', 'persistence').then((r) => Number(/persist_barriers:(\d+)/.exec(String(r))![1]));
    const before = await barriers();
    await new Promise((r) => setTimeout(r, 300));
    expect(await barriers()).toBeGreaterThan(before); // the interval timer runs barriers
    c.close();
    expect(await s.stop()).toBe(0);
    await s.restart();
    expect(await cli1(s.port, 'GET', 'rx:999')).toBe('999');
    expect(await s.stop()).toBe(0);
  });
});

describe('metrics', () => {
  it('serves Prometheus metrics with command, connection and barrier counters', async () => {
    const mport = await freePort();
    const s = await startServer({ args: ['--metrics-port', String(mport)] });
    const c = await RawClient.connect(s.port);
    for (let i = 0; i < 5; i++) await c.call('SET', `m${i}`, 'v');
    await c.call('GET', 'm1');
    // Command counters reach the registry once a second.
    let body = '';
    for (let i = 0; i < 40; i++) {
      body = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
      if (body.includes('daxcache_commands_total{protocol="redis",command="set"} 5')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toContain('daxcache_commands_total{protocol="redis",command="set"} 5');
    expect(body).toContain('daxcache_commands_total{protocol="redis",command="get"} 1');
    expect(body).toMatch(/daxcache_connections_current\{protocol="redis"\} [1-9]/);
    expect(body).toMatch(/daxcache_persist_barriers_total [1-9]/);
    expect(body).toMatch(/daxcache_persist_barrier_seconds_count [1-9]/);
    expect(body).toMatch(/daxcache_keys [1-9]/);
    c.close();
    expect(await s.stop()).toBe(0);
  });
});

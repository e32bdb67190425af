// Protected mode (issue #17): with protected-mode yes (the default) and no requirepass, a client
// from anywhere but the loopback interface gets Redis's -DENIED text, byte for byte as a real
// redis-server 7.0 sends it, and the connection is closed; on the memcached port a SERVER_ERROR.
// A password, or CONFIG SET protected-mode no from the loopback interface, lets it in. The servers
// listen on 0.0.0.0 (free ports) because a refusal needs a connection that is not loopback: the
// test connects through this machine's own non-loopback address.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { cli1 } from '../helpers/resp.js';
import { freePort, startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const p of procs) p.kill('SIGKILL');
});

/** This machine's first non-loopback IPv4 address: connections from it are not local. */
function outsideAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('this machine has no non-loopback IPv4 address to test protected mode with');
}

/** Connects to host:port from `host`, optionally sends `send`, and returns all it reads until the peer closes. */
function readAll(host: string, port: number, send = ''): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress: host });
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('the connection stayed open'));
    }, 5000);
    s.on('connect', () => send && s.write(send));
    s.on('data', (d) => parts.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts));
    });
  });
}

/** One request/reply from `host` (the connection stays open: the server accepted it). */
function ask(host: string, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress: host });
    s.setEncoding('latin1');
    s.on('connect', () => s.write(line));
    s.once('data', (d: string) => {
      s.destroy();
      resolve(d);
    });
    s.on('error', reject);
  });
}

async function startRedis(): Promise<number> {
  const port = await freePort();
  const p = spawn('redis-server', ['--port', String(port), '--bind', '0.0.0.0', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  procs.push(p);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await cli1(port, 'PING')) === 'PONG') return port;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

describe('protected mode', () => {
  const ip = outsideAddress();

  it('refuses a non-loopback client with redis-server 7.0 text, byte for byte, and closes', async () => {
    const redisPort = await startRedis();
    const srv = await startServer({ args: ['--bind', '0.0.0.0'], memcached: true });
    servers.push(srv);
    const theirs = await readAll(ip, redisPort, '*1\r\n$4\r\nPING\r\n');
    const ours = await readAll(ip, srv.port, '*1\r\n$4\r\nPING\r\n');
    expect(theirs.toString()).toMatch(/^-DENIED Redis is running in protected mode/);
    expect(ours.toString()).toBe(theirs.toString());
    // Loopback clients are served as ever, and the refusal is counted.
    expect(await cli1(srv.port, 'PING')).toBe('PONG');
    expect(await cli1(srv.port, 'INFO', 'stats')).toMatch(/rejected_connections:1\r?\n/);
    // memcached: a SERVER_ERROR line, then the connection ends.
    const mc = (await readAll(ip, srv.memcachedPort, 'version\r\n')).toString();
    expect(mc).toMatch(/^SERVER_ERROR daxcache is running in protected mode: .*\r\n$/);
    // CONFIG SET protected-mode no from the loopback interface lets them in.
    expect(await cli1(srv.port, 'CONFIG', 'SET', 'protected-mode', 'no')).toBe('OK');
    expect(await ask(ip, srv.port, '*1\r\n$4\r\nPING\r\n')).toBe('+PONG\r\n');
    expect(await ask(ip, srv.memcachedPort, 'version\r\n')).toMatch(/^VERSION /);
  });

  it('with a password there is nothing to protect: the client is let in and asked to AUTH; failed AUTHs are counted, not logged', async () => {
    const srv = await startServer({ args: ['--bind', '0.0.0.0', '--requirepass', 'hunter2', '--log-level', 'debug'] });
    servers.push(srv);
    expect(await ask(ip, srv.port, '*1\r\n$4\r\nPING\r\n')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await ask(ip, srv.port, '*2\r\n$4\r\nAUTH\r\n$7\r\nhunter2\r\n')).toBe('+OK\r\n');
    expect(await ask(ip, srv.port, '*2\r\n$4\r\nAUTH\r\n$7\r\nhunter3\r\n')).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(await ask(ip, srv.port, '*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$5\r\nwrong\r\n')).toBe(
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n',
    );
    const info = await cli1(srv.port, '-a', 'hunter2', '--no-auth-warning', 'INFO', 'stats');
    expect(info).toMatch(/acl_access_denied_auth:2\r?$/m);
    const logs = srv.stdout() + srv.stderr();
    expect(logs).not.toContain('hunter2');
    expect(logs).not.toContain('hunter3');
  });
});

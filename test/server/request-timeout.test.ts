// Slow-loris and half-open clients, on real server processes and sockets:
// - client-request-timeout closes a connection whose request has started to arrive but is not
//   complete after N seconds, however often single bytes trickle in (Redis's `timeout` restarts at
//   every byte, and is 0 by default), on both ports; CONFIG SET applies it at once; it is counted;
//   a client that is merely idle between requests, or that pipelines steadily, is not touched.
// - half-open: a peer that vanished without FIN or RST (its socket dropped in TCP_REPAIR mode, as a
//   host that rebooted) is found by tcp-keepalive and closed; without keepalive it would stay.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});
async function server(args: string[], memcached = true): Promise<TestServer> {
  const s = await startServer({ args, memcached });
  servers.push(s);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw socket that records what it receives and when it was closed by the server. */
async function rawSocket(port: number): Promise<{ sock: net.Socket; received: () => string; closedAt: () => number }> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  let got = '';
  let closedAt = 0;
  sock.on('data', (d) => (got += d.toString('latin1')));
  sock.on('error', () => {});
  sock.once('close', () => (closedAt = Date.now()));
  await new Promise<void>((res, rej) => {
    sock.once('connect', () => res());
    sock.once('error', rej);
  });
  return { sock, received: () => got, closedAt: () => closedAt };
}

/**
 * Sends `head`, then one byte of `trickle` every `everyMs` until the server closes the socket or
 * `maxMs` passes (bounded). Returns how long after the first byte the server closed it (Infinity = never).
 */
async function slowLoris(port: number, head: string, trickle: string, everyMs: number, maxMs: number): Promise<number> {
  const c = await rawSocket(port);
  const t0 = Date.now();
  c.sock.write(head);
  for (let i = 0; Date.now() - t0 < maxMs && c.closedAt() === 0; i++) {
    await sleep(everyMs);
    if (c.closedAt() === 0 && !c.sock.destroyed) c.sock.write(trickle[i % trickle.length]!);
  }
  const closed = c.closedAt();
  c.sock.destroy();
  return closed === 0 ? Infinity : closed - t0;
}

async function metric(port: number, name: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  return text.split('\n').filter((l) => l.startsWith(name)).join('\n');
}

describe('client-request-timeout (slow-loris)', () => {
  it('closes a RESP client trickling one byte at a time, and an unterminated inline line; others stay', async () => {
    const metricsPort = await freePort();
    const s = await server(['--client-request-timeout', '1', '--metrics-port', String(metricsPort)]);
    const idle = await RawClient.connect(s.port);
    expect(await idle.call('PING')).toEqual({ ok: 'PONG' });
    const [multibulk, inline] = await Promise.all([
      // A SET whose value never completes: a byte every 200 ms (each read would restart `timeout`).
      slowLoris(s.port, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n', 'abcdefgh', 200, 6000),
      slowLoris(s.port, 'GET ', 'xxxxxxxx', 200, 6000),
    ]);
    for (const ms of [multibulk, inline]) {
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3000);
    }
    // The idle client (no request started) is not closed: `timeout` is 0.
    expect(await idle.call('PING')).toEqual({ ok: 'PONG' });
    expect(await metric(metricsPort, 'daxcache_client_request_timeouts_total{protocol="redis"}')).toMatch(/ 2$/);
    idle.close();
  });

  it('does not close a client that completes requests steadily, a request split over many reads, or a blocked client', async () => {
    const s = await server(['--client-request-timeout', '1']);
    const c = await rawSocket(s.port);
    // 3 s of commands, each sent in two halves 100 ms apart: a request is always in progress at
    // some cron ticks, but every one completes well within the limit.
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 3000) {
      c.sock.write('*1\r\n$4\r\nPI');
      await sleep(100);
      c.sock.write('NG\r\n');
      sent++;
    }
    await sleep(100);
    expect(c.closedAt()).toBe(0);
    expect(c.received()).toBe('+PONG\r\n'.repeat(sent));
    // A client blocked in BLPOP for 2.5 s with its next command already buffered is the server's
    // wait, not a slow request.
    const b = await rawSocket(s.port);
    b.sock.write('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$3\r\n2.5\r\n*1\r\n$4\r\nPI');
    await sleep(2800);
    b.sock.write('NG\r\n');
    await sleep(300);
    expect(b.closedAt()).toBe(0);
    expect(b.received()).toBe('*-1\r\n+PONG\r\n');
    c.sock.destroy();
    b.sock.destroy();
  });

  it('closes memcached clients trickling a data block or a command line, and a swallowed oversized block', async () => {
    const s = await server(['--client-request-timeout', '1']);
    const [data, line, swallow] = await Promise.all([
      slowLoris(s.memcachedPort, 'set k 0 0 1000\r\n', 'abcdefgh', 200, 6000),
      slowLoris(s.memcachedPort, 'get k', 'xxxxxxxx', 200, 6000),
      // Larger than item-size-max (1 MiB): refused, then its bytes are swallowed as they come.
      slowLoris(s.memcachedPort, 'set big 0 0 2000000\r\n', 'abcdefgh', 200, 6000),
    ]);
    for (const ms of [data, line, swallow]) {
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3000);
    }
    const ok = await rawSocket(s.memcachedPort);
    ok.sock.write('set k 0 0 1\r\nv\r\nget k\r\n');
    for (let i = 0; i < 100 && !ok.received().endsWith('END\r\n'); i++) await sleep(20);
    expect(ok.received()).toBe('STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n');
    ok.sock.destroy();
  });

  it('is off with 0, and CONFIG SET turns it on at once for both ports', async () => {
    const s = await server(['--client-request-timeout', '0']);
    const never = await slowLoris(s.port, '*2\r\n$3\r\nGET\r\n$9\r\n', 'abc', 200, 2500);
    expect(never).toBe(Infinity);
    const admin = await RawClient.connect(s.port);
    expect(await admin.call('CONFIG', 'GET', 'client-request-timeout')).toEqual([Buffer.from('client-request-timeout'), Buffer.from('0')]);
    // A memcached client already mid-request when the limit is set is closed too.
    const pending = slowLoris(s.memcachedPort, 'set k 0 0 1000\r\n', 'abc', 200, 6000);
    await sleep(300);
    expect(await admin.call('CONFIG', 'SET', 'client-request-timeout', '1')).toEqual({ ok: 'OK' });
    const ms = await pending;
    expect(ms).toBeGreaterThanOrEqual(1200);
    expect(ms).toBeLessThan(3500);
    admin.close();
  });

  it('is 60 seconds by default, and leaves `timeout` at 0', async () => {
    const s = await server([], false);
    const admin = await RawClient.connect(s.port);
    expect(await admin.call('CONFIG', 'GET', 'client-request-timeout')).toEqual([Buffer.from('client-request-timeout'), Buffer.from('60')]);
    expect(await admin.call('CONFIG', 'GET', 'timeout')).toEqual([Buffer.from('timeout'), Buffer.from('0')]);
    admin.close();
  });
});

/** The server's established connections from `clientPort` (ss, both ends on 127.0.0.1). */
function serverSideOpen(serverPort: number, clientPort: number): boolean {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${serverPort} and dport = :${clientPort} )`], { encoding: 'utf8' });
  return out.trim().length > 0;
}

/**
 * A client that vanishes: python connects, sends PING, reads PONG, puts its socket in TCP_REPAIR
 * mode and closes it — no FIN, no RST — then prints its port and keeps running (as if the host were
 * gone: the kernel answers a later segment for that connection with RST only). TCP_REPAIR needs
 * CAP_NET_ADMIN; the tests run as root here.
 */
function vanishingClient(port: number): Promise<number> {
  const py = `
import socket, sys, time
s = socket.create_connection(('127.0.0.1', ${port}))
s.sendall(b'PING\\r\\n')
assert s.recv(100) == b'+PONG\\r\\n'
p = s.getsockname()[1]
s.setsockopt(socket.SOL_TCP, 19, 1)  # TCP_REPAIR
s.close()
print(p, flush=True)
time.sleep(30)
`;
  return new Promise((res, rej) => {
    const child = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`vanishing client timed out: ${err}`));
    }, 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(t);
        res(Number(m[1]));
        setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => {
      clearTimeout(t);
      if (!/^\d+\n/.test(out)) rej(new Error(`vanishing client exited ${code}: ${err}`));
    });
  });
}

describe('half-open clients', () => {
  it('tcp-keepalive finds a peer that vanished without FIN/RST and the server closes its side', async () => {
    const s = await server(['--tcp-keepalive', '1'], false);
    const clientPort = await vanishingClient(s.port);
    // The server still thinks the client is there: nothing was sent to it.
    expect(serverSideOpen(s.port, clientPort)).toBe(true);
    // After 1 s idle the first keepalive probe gets an RST: the socket errors and is closed.
    let gone = false;
    for (let i = 0; i < 80 && !gone; i++) {
      await sleep(100);
      gone = !serverSideOpen(s.port, clientPort);
    }
    expect(gone).toBe(true);
  });

  it('without keepalive (tcp-keepalive 0) the same vanished peer stays connected: the test above can fail', async () => {
    const s = await server(['--tcp-keepalive', '0'], false);
    const clientPort = await vanishingClient(s.port);
    await sleep(3000);
    expect(serverSideOpen(s.port, clientPort)).toBe(true);
  });

  it('a client that stops reading and writing mid-request is closed by client-request-timeout, idle ones by timeout', async () => {
    const s = await server(['--client-request-timeout', '1', '--timeout', '2'], false);
    const mid = await rawSocket(s.port);
    const idle = await rawSocket(s.port);
    const t0 = Date.now();
    mid.sock.write('*2\r\n$3\r\nGET\r\n');
    idle.sock.write('PING\r\n');
    for (let i = 0; i < 60 && (mid.closedAt() === 0 || idle.closedAt() === 0); i++) await sleep(100);
    expect(mid.closedAt() - t0).toBeGreaterThanOrEqual(900);
    expect(mid.closedAt() - t0).toBeLessThan(2000);
    expect(idle.received()).toBe('+PONG\r\n');
    expect(idle.closedAt() - t0).toBeGreaterThanOrEqual(1900);
    expect(idle.closedAt() - t0).toBeLessThan(4000);
  });
});

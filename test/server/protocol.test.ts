// The RESP wire: pipelining, inline commands, binary data, protocol errors and half-closed clients.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

let srv: TestServer;

beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => {
  await srv?.stop();
});

describe('pipelining', () => {
  it('answers 10k pipelined commands in order', async () => {
    const c = await RawClient.connect(srv.port);
    const n = 10_000;
    const sets: Buffer[] = [];
    for (let i = 0; i < n; i++) sets.push(encodeCommand('SET', `pipe:${i}`, `value-${i}`));
    c.write(Buffer.concat(sets));
    const acks = await c.replies(n, 30_000);
    expect(acks.every((r) => JSON.stringify(r) === '{"ok":"OK"}')).toBe(true);
    const gets: Buffer[] = [];
    for (let i = 0; i < n; i++) gets.push(encodeCommand('GET', `pipe:${i}`));
    c.write(Buffer.concat(gets));
    const values = await c.replies(n, 30_000);
    for (let i = 0; i < n; i++) expect(String(values[i])).toBe(`value-${i}`);
    c.close();
  });

  it('handles commands split across packets at every byte', async () => {
    const c = await RawClient.connect(srv.port);
    const req = Buffer.concat([encodeCommand('SET', 'split', 'abc\r\ndef'), encodeCommand('GET', 'split'), Buffer.from('PING\r\n')]);
    for (let i = 0; i < req.length; i++) {
      c.write(req.subarray(i, i + 1));
      await new Promise((r) => setImmediate(r));
    }
    expect(await c.replies(3)).toEqual([{ ok: 'OK' }, Buffer.from('abc\r\ndef'), { ok: 'PONG' }]);
    c.close();
  });

  it('sees its own writes in the same pipeline', async () => {
    const c = await RawClient.connect(srv.port);
    c.write(Buffer.concat([encodeCommand('SET', 'rw', '1'), encodeCommand('INCR', 'rw'), encodeCommand('GET', 'rw')]));
    expect(await c.replies(3)).toEqual([{ ok: 'OK' }, 2, Buffer.from('2')]);
    c.close();
  });
});

describe('values', () => {
  it('stores binary-safe keys and values, including a 4 MiB value', async () => {
    const c = await RawClient.connect(srv.port);
    const key = Buffer.from([0, 255, 13, 10, 32, 1]);
    const all = Buffer.alloc(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    expect(await c.call('SET', key, all)).toEqual({ ok: 'OK' });
    expect(await c.call('GET', key)).toEqual(all);
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    big.write('end', big.length - 3);
    expect(await c.call('SET', 'big', big)).toEqual({ ok: 'OK' });
    // Buffer.equals: vitest's deep equality walks 4 MiB byte by byte, far too slowly.
    expect(big.equals((await c.call('GET', 'big')) as Buffer)).toBe(true);
    expect(await c.call('SET', 'empty', '')).toEqual({ ok: 'OK' });
    expect(await c.call('GET', 'empty')).toEqual(Buffer.alloc(0));
    c.close();
  });
});

describe('inline commands', () => {
  it('runs telnet-style lines, with quotes', async () => {
    const c = await RawClient.connect(srv.port);
    c.write('PING\r\nSET inl "hello world"\nGET inl\r\n\r\nECHO \'it\\\'s\'\r\n');
    expect(await c.replies(4)).toEqual([{ ok: 'PONG' }, { ok: 'OK' }, Buffer.from('hello world'), Buffer.from("it's")]);
    c.close();
  });

  it('closes on unbalanced quotes', async () => {
    const c = await RawClient.connect(srv.port);
    c.write('PING\r\nSET a "oops\r\nPING\r\n');
    const bytes = await c.raw(() => false, 2000);
    expect(bytes.toString()).toBe('+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n');
    expect(await c.closesWithin(1000)).toBe(true);
  });
});

describe('protocol errors reply then close, after the commands before them', () => {
  const cases: Array<[string, string]> = [
    ['*1\r\n+PING\r\n', "-ERR Protocol error: expected '$', got '+'\r\n"],
    ['*x\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['*2000000\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['*1\r\n$x\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), async () => {
      const c = await RawClient.connect(srv.port);
      c.write(Buffer.concat([encodeCommand('PING'), Buffer.from(input), encodeCommand('PING')]));
      const bytes = await c.raw(() => false, 2000);
      expect(bytes.toString()).toBe('+PONG\r\n' + expected);
      expect(await c.closesWithin(1000)).toBe(true);
    });
  }

  it('does not disturb other connections', async () => {
    const c = await RawClient.connect(srv.port);
    expect(await c.call('PING')).toEqual({ ok: 'PONG' });
    c.close();
  });
});

describe('half-closed clients', () => {
  it('gets every reply after shutting down its write side', async () => {
    const s = net.connect({ port: srv.port, host: '127.0.0.1' });
    let got = '';
    s.setEncoding('latin1').on('data', (d: string) => (got += d));
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.end(Buffer.concat([encodeCommand('SET', 'hc', 'v'), encodeCommand('GET', 'hc')]));
    await new Promise<void>((r, j) => {
      const t = setTimeout(() => j(new Error('no close')), 3000);
      s.once('close', () => {
        clearTimeout(t);
        r();
      });
    });
    expect(got).toBe('+OK\r\n$1\r\nv\r\n');
  });
});

describe('protocol errors close the connection fully (Redis "protocol desync" tests)', () => {
  // A client that keeps writing after its protocol error must see the connection end, as with
  // Redis, which closes the socket once the error is written; a half-close kept reading forever.
  for (const [what, first] of [
    ['an inline request over 64 KiB', Buffer.alloc(70 * 1024, 0x61)],
    ['a multibulk count line over 64 KiB', Buffer.concat([Buffer.from('*'), Buffer.alloc(70 * 1024, 0x31)])],
  ] as const) {
    it(`${what}: the error, then the end, while the client goes on writing`, async () => {
      // allowHalfOpen: the server's FIN alone does not end this client, as it does not end Redis's
      // Tcl test client; only a full close (its writes then fail) does.
      const s = net.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      const ended = new Promise<string>((resolve) => {
        s.on('close', () => resolve('close'));
        s.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      });
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.write(first);
      // Keep writing (bounded: 5 s at most) as the desync test's client does.
      const chunk = Buffer.alloc(1024, 0x61);
      const t0 = Date.now();
      let done = false;
      void ended.then(() => (done = true));
      while (!done && Date.now() - t0 < 5000) {
        if (!s.destroyed) s.write(chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(done, 'the connection was still open 5 s after the protocol error').toBe(true);
      await ended;
      if (got) expect(got).toMatch(/^-ERR Protocol error: /);
      s.destroy();
    });
  }
});

// Bounds, as Redis enforces them: maxclients, proto-max-bulk-len, client-query-buffer-limit,
// client-output-buffer-limit (slow readers), idle timeout; and the AUTH gate of requirepass.
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

const servers: TestServer[] = [];
async function server(args: string[]): Promise<TestServer> {
  const s = await startServer({ args });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('maxclients', () => {
  it('refuses the client past the limit with the Redis error, then accepts again when one leaves', async () => {
    const s = await server([]);
    const a = await RawClient.connect(s.port);
    // Wait until a is alone (the start-up probe's connection is gone), then set the limit to 2.
    for (let i = 0; i < 100 && !/connected_clients:1\r\n/.test(String(await a.call('INFO', 'clients'))); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await a.call('CONFIG', 'SET', 'maxclients', '2')).toEqual({ ok: 'OK' });
    const b = await RawClient.connect(s.port);
    expect(await b.call('PING')).toEqual({ ok: 'PONG' });
    const c = await RawClient.connect(s.port);
    expect((await c.raw(() => false, 2000)).toString()).toBe('-ERR max number of clients reached\r\n');
    expect(await c.closesWithin(1000)).toBe(true);
    a.close();
    await a.closed;
    // The server notices the close asynchronously: retry briefly.
    let d: RawClient | undefined;
    for (let i = 0; i < 50 && !d; i++) {
      const t = await RawClient.connect(s.port);
      const r = await t.call('PING').catch(() => null);
      if (JSON.stringify(r) === '{"ok":"PONG"}') d = t;
      else await new Promise((res) => setTimeout(res, 20));
    }
    expect(d).toBeDefined();
    expect(String(await b.call('INFO', 'stats'))).toMatch(/rejected_connections:[1-9]/);
    b.close();
    d!.close();
  });

  it('CONFIG SET maxclients applies to new connections', async () => {
    const s = await server([]);
    const a = await RawClient.connect(s.port);
    expect(await a.call('CONFIG', 'SET', 'maxclients', '1')).toEqual({ ok: 'OK' });
    const b = await RawClient.connect(s.port);
    expect((await b.raw(() => false, 2000)).toString()).toBe('-ERR max number of clients reached\r\n');
    a.close();
  });
});

describe('request bounds', () => {
  it('proto-max-bulk-len: a longer bulk is a protocol error', async () => {
    const s = await server(['--proto-max-bulk-len', '1mb']);
    const c = await RawClient.connect(s.port);
    c.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${1024 * 1024 + 1}\r\n`);
    expect((await c.raw(() => false, 2000)).toString()).toBe('-ERR Protocol error: invalid bulk length\r\n');
    expect(await c.closesWithin(1000)).toBe(true);
    // Exactly the limit is fine.
    const ok = await RawClient.connect(s.port);
    expect(await ok.call('SET', 'k', Buffer.alloc(1024 * 1024, 'a'))).toEqual({ ok: 'OK' });
    ok.close();
  });

  it('client-query-buffer-limit: the client is dropped without a reply', async () => {
    const s = await server(['--client-query-buffer-limit', '1mb']);
    const c = await RawClient.connect(s.port);
    c.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${4 * 1024 * 1024}\r\n`);
    c.write(Buffer.alloc(2 * 1024 * 1024, 'z'));
    expect(await c.closesWithin(3000)).toBe(true);
    expect((await c.raw(() => true)).length).toBe(0);
    const other = await RawClient.connect(s.port);
    expect(await other.call('PING')).toEqual({ ok: 'PONG' });
    other.close();
  });
});

describe('slow readers', () => {
  it('client-output-buffer-limit hard limit disconnects a client that does not read', async () => {
    const s = await server(['--client-output-buffer-limit-normal', '2mb 0 0']);
    const w = await RawClient.connect(s.port);
    expect(await w.call('SET', 'v', Buffer.alloc(256 * 1024, 'v'))).toEqual({ ok: 'OK' });
    const slow = await RawClient.connect(s.port);
    const slowId = (await slow.call('CLIENT', 'ID')) as number;
    // A client that stops reading and asks for ~50 MiB of replies.
    slow.socket.pause();
    slow.write(Buffer.concat(Array.from({ length: 200 }, () => encodeCommand('GET', 'v'))));
    // A paused socket does not see the close itself: ask the server whether the client is gone.
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = String(await w.call('CLIENT', 'LIST', 'ID', String(slowId))) === '';
      if (!gone) await new Promise((r) => setTimeout(r, 50));
    }
    expect(gone).toBe(true);
    slow.socket.resume();
    expect(await slow.closesWithin(3000)).toBe(true);
    w.close();
  });

  it('without a limit a slow reader is paused, not dropped, and gets every reply', async () => {
    const s = await server([]);
    const w = await RawClient.connect(s.port);
    await w.call('SET', 'v', Buffer.alloc(64 * 1024, 'v'));
    const slow = await RawClient.connect(s.port);
    slow.socket.pause();
    slow.write(Buffer.concat(Array.from({ length: 500 }, () => encodeCommand('GET', 'v'))));
    await new Promise((r) => setTimeout(r, 300));
    slow.socket.resume();
    const replies = await slow.replies(500, 20_000);
    expect(replies.every((r) => Buffer.isBuffer(r) && r.length === 64 * 1024)).toBe(true);
    slow.close();
    w.close();
  });
});

describe('timeout', () => {
  it('closes idle clients after `timeout` seconds', async () => {
    const s = await server(['--timeout', '1']);
    const idle = await RawClient.connect(s.port);
    expect(await idle.call('PING')).toEqual({ ok: 'PONG' });
    expect(await idle.closesWithin(4000)).toBe(true);
  });
});

describe('requirepass', () => {
  it('gates every command but AUTH, HELLO and QUIT until authenticated', async () => {
    const s = await server(['--requirepass', 's3cret']);
    const c = await RawClient.connect(s.port);
    expect(await c.call('GET', 'x')).toEqual({ err: 'NOAUTH Authentication required.' });
    expect(await c.call('PING')).toEqual({ err: 'NOAUTH Authentication required.' });
    // Unknown commands and arity are checked first, as in Redis.
    expect(await c.call('NOPE')).toEqual({ err: "ERR unknown command 'NOPE', with args beginning with: " });
    expect(await c.call('HELLO', '3')).toEqual({
      err: 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    });
    expect(await c.call('AUTH', 'wrong')).toEqual({ err: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(await c.call('AUTH', 'bob', 's3cret')).toEqual({ err: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(await c.call('AUTH', 's3cret')).toEqual({ ok: 'OK' });
    expect(await c.call('PING')).toEqual({ ok: 'PONG' });

    const h = await RawClient.connect(s.port);
    const hello = (await h.call('HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'n1')) as { map: unknown[] };
    expect(hello.map.length).toBe(7);
    expect(await h.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('n1'));

    // RESET goes back to the default user: unauthenticated again, and RESP2 (Redis 7 does the same).
    expect(await h.call('RESET')).toEqual({ ok: 'RESET' });
    expect(await h.call('PING')).toEqual({ err: 'NOAUTH Authentication required.' });
    expect(await h.call('CLIENT', 'GETNAME')).toEqual({ err: 'NOAUTH Authentication required.' });
    expect(await h.call('AUTH', 's3cret')).toEqual({ ok: 'OK' });
    expect(await h.call('CLIENT', 'GETNAME')).toBeNull();

    const q = await RawClient.connect(s.port);
    expect(await q.call('QUIT')).toEqual({ ok: 'OK' });
    expect(await q.closesWithin(1000)).toBe(true);

    // Clearing the password opens the server to everyone.
    expect(await c.call('CONFIG', 'SET', 'requirepass', '')).toEqual({ ok: 'OK' });
    const fresh = await RawClient.connect(s.port);
    expect(await fresh.call('PING')).toEqual({ ok: 'PONG' });
    c.close();
    h.close();
    fresh.close();
  });
});

describe('a full pool', () => {
  it('answers writes with the Redis OOM error and keeps serving reads', async () => {
    const s = await startServer({ poolSize: '16mb' });
    servers.push(s);
    const c = await RawClient.connect(s.port);
    const value = Buffer.alloc(64 * 1024, 'o');
    let last: unknown = null;
    let stored = 0;
    for (let i = 0; i < 1000; i++) {
      last = await c.call('SET', `full:${i}`, value);
      if (JSON.stringify(last) !== '{"ok":"OK"}') break;
      stored++;
    }
    expect(last).toEqual({ err: "OOM command not allowed when used memory > 'maxmemory'." });
    expect(stored).toBeGreaterThan(0);
    expect(((await c.call('GET', 'full:0')) as Buffer).length).toBe(value.length);
    expect(await c.call('DEL', 'full:0')).toBe(1);
    c.close();
  });
});

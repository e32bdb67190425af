// Connection commands over a raw socket: exact replies and error wording of Redis 7.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

let srv: TestServer;
let c: RawClient;

beforeAll(async () => {
  srv = await startServer();
  c = await RawClient.connect(srv.port);
});
afterAll(async () => {
  c?.close();
  await srv?.stop();
});

describe('PING / ECHO', () => {
  it('answers', async () => {
    expect(await c.call('PING')).toEqual({ ok: 'PONG' });
    expect(await c.call('ping', 'hello')).toEqual(Buffer.from('hello'));
    expect(await c.call('PING', 'a', 'b')).toEqual({ err: "ERR wrong number of arguments for 'ping' command" });
    expect(await c.call('ECHO', 'x y')).toEqual(Buffer.from('x y'));
    expect(await c.call('echo')).toEqual({ err: "ERR wrong number of arguments for 'echo' command" });
    expect(await c.call('ECHO', 'a', 'b')).toEqual({ err: "ERR wrong number of arguments for 'echo' command" });
  });

  it('echoes binary data unchanged', async () => {
    const bin = Buffer.from([0, 1, 2, 13, 10, 255, 254]);
    expect(await c.call('ECHO', bin)).toEqual(bin);
  });
});

describe('unknown commands and arity', () => {
  it('words the unknown command error like Redis', async () => {
    expect(await c.call('FOO', 'bar', 'baz')).toEqual({ err: "ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' " });
    expect(await c.call('nope')).toEqual({ err: "ERR unknown command 'nope', with args beginning with: " });
  });

  it('rejects unknown subcommands and wrong arity of subcommands', async () => {
    expect(await c.call('CONFIG', 'foo')).toEqual({ err: "ERR unknown subcommand 'foo'. Try CONFIG HELP." });
    expect(await c.call('client', 'Foo')).toEqual({ err: "ERR unknown subcommand 'Foo'. Try CLIENT HELP." });
    expect(await c.call('CONFIG')).toEqual({ err: "ERR wrong number of arguments for 'config' command" });
    expect(await c.call('CONFIG', 'GET')).toEqual({ err: "ERR wrong number of arguments for 'config|get' command" });
    expect(await c.call('CLIENT', 'ID', 'x')).toEqual({ err: "ERR wrong number of arguments for 'client|id' command" });
    expect(await c.call('GET')).toEqual({ err: "ERR wrong number of arguments for 'get' command" });
  });

  it('is case-insensitive', async () => {
    expect(await c.call('pInG')).toEqual({ ok: 'PONG' });
    expect(await c.call('Client', 'Id')).toEqual(expect.any(Number));
  });
});

describe('SELECT', () => {
  it('accepts db 0 only', async () => {
    expect(await c.call('SELECT', '0')).toEqual({ ok: 'OK' });
    expect(await c.call('SELECT', '1')).toEqual({ err: 'ERR DB index is out of range' });
    expect(await c.call('SELECT', '-1')).toEqual({ err: 'ERR DB index is out of range' });
    expect(await c.call('SELECT', 'x')).toEqual({ err: 'ERR value is not an integer or out of range' });
    expect(await c.call('SELECT', '99999999999')).toEqual({ err: 'ERR value is out of range, value must between -2147483648 and 2147483647' });
    expect(await c.call('SELECT')).toEqual({ err: "ERR wrong number of arguments for 'select' command" });
  });
});

describe('AUTH without requirepass', () => {
  it('answers as Redis does with a nopass default user', async () => {
    expect(await c.call('AUTH', 'x')).toEqual({
      err: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    });
    expect(await c.call('AUTH', 'default', 'anything')).toEqual({ ok: 'OK' });
    expect(await c.call('AUTH', 'bob', 'x')).toEqual({ err: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(await c.call('AUTH', 'a', 'b', 'c')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('AUTH')).toEqual({ err: "ERR wrong number of arguments for 'auth' command" });
  });
});

describe('HELLO', () => {
  it('switches to RESP3 and back', async () => {
    const h = await RawClient.connect(srv.port);
    const r = (await h.call('HELLO', '3')) as { map: Array<[Buffer, unknown]> };
    const m = new Map(r.map.map(([k, v]) => [k.toString(), v]));
    expect(m.get('server')).toEqual(Buffer.from('redis'));
    expect(m.get('proto')).toBe(3);
    expect(m.get('mode')).toEqual(Buffer.from('standalone'));
    expect(m.get('role')).toEqual(Buffer.from('master'));
    expect(m.get('modules')).toEqual([]);
    expect(typeof m.get('id')).toBe('number');
    expect([...m.keys()]).toEqual(['server', 'version', 'proto', 'id', 'mode', 'role', 'modules']);
    // RESP3 types on the wire: null, map, double, verbatim.
    h.write('*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n');
    expect((await h.raw((b) => b.length >= 3)).toString()).toBe('_\r\n');
    h.write('*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$7\r\ntimeout\r\n');
    expect((await h.raw((b) => b.toString().endsWith('0\r\n'))).toString()).toBe('%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n');
    const info = await h.call('INFO', 'keyspace');
    expect(info).toMatchObject({ format: 'txt' });
    // Back to RESP2: a flat array for HELLO itself.
    const r2 = await h.call('HELLO', '2');
    expect(Array.isArray(r2)).toBe(true);
    expect((r2 as Buffer[]).length).toBe(14);
    h.write('*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n');
    expect((await h.raw((b) => b.length >= 5)).toString()).toBe('$-1\r\n');
    h.close();
  });

  it('errors as Redis', async () => {
    expect(await c.call('HELLO', '4')).toEqual({ err: 'NOPROTO unsupported protocol version' });
    expect(await c.call('HELLO', '1')).toEqual({ err: 'NOPROTO unsupported protocol version' });
    expect(await c.call('HELLO', 'x')).toEqual({ err: 'ERR Protocol version is not an integer or out of range' });
    expect(await c.call('HELLO', '3', 'setname', 'a', 'b')).toEqual({ err: "ERR Syntax error in HELLO option 'b'" });
    expect(await c.call('HELLO', '3', 'AUTH', 'u')).toEqual({ err: "ERR Syntax error in HELLO option 'AUTH'" });
    expect(await c.call('HELLO', '3', 'setname', 'a b')).toEqual({
      err: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
    expect(await c.call('HELLO', '3', 'AUTH', 'bob', 'pw')).toEqual({ err: 'WRONGPASS invalid username-password pair or user is disabled.' });
  });

  it('sets the name with SETNAME', async () => {
    const h = await RawClient.connect(srv.port);
    const r = await h.call('HELLO', '2', 'SETNAME', 'myconn');
    expect(Array.isArray(r)).toBe(true);
    expect(await h.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('myconn'));
    // HELLO without a version only reports.
    const r2 = (await h.call('HELLO')) as Buffer[];
    expect(r2[5]).toBe(2);
    h.close();
  });
});

describe('QUIT', () => {
  it('replies OK and closes, ignoring pipelined commands after it', async () => {
    const q = await RawClient.connect(srv.port);
    q.write('*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n');
    const bytes = await q.raw(() => false, 3000);
    expect(bytes.toString()).toBe('+PONG\r\n+OK\r\n');
    expect(await q.closesWithin(1000)).toBe(true);
  });
});

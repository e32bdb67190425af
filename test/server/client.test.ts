// CLIENT subcommands and CLIENT REPLY, over raw sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, type RespValue } from '../helpers/resp.js';

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

const text = (v: RespValue): string => (Buffer.isBuffer(v) ? v.toString() : JSON.stringify(v));

/** CLIENT LIST lines as maps of field -> value. */
function parseList(v: RespValue): Array<Record<string, string>> {
  return text(v)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Object.fromEntries(l.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

describe('CLIENT', () => {
  it('ID, SETNAME, GETNAME', async () => {
    const id = await c.call('CLIENT', 'ID');
    expect(typeof id).toBe('number');
    expect(await c.call('CLIENT', 'GETNAME')).toBeNull();
    expect(await c.call('CLIENT', 'SETNAME', 'worker-1')).toEqual({ ok: 'OK' });
    expect(await c.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('worker-1'));
    expect(await c.call('CLIENT', 'SETNAME', 'a b')).toEqual({ err: 'ERR Client names cannot contain spaces, newlines or special characters.' });
    expect(await c.call('CLIENT', 'SETNAME', 'a\nb')).toEqual({ err: 'ERR Client names cannot contain spaces, newlines or special characters.' });
    expect(await c.call('CLIENT', 'SETNAME', '')).toEqual({ ok: 'OK' });
    expect(await c.call('CLIENT', 'GETNAME')).toBeNull();
    expect(await c.call('CLIENT', 'SETNAME')).toEqual({ err: "ERR wrong number of arguments for 'client|setname' command" });
  });

  it('INFO and LIST describe connections in Redis format', async () => {
    await c.call('CLIENT', 'SETNAME', 'lister');
    const id = (await c.call('CLIENT', 'ID')) as number;
    const info = parseList(await c.call('CLIENT', 'INFO'))[0]!;
    expect(info.id).toBe(String(id));
    expect(info.name).toBe('lister');
    expect(info.cmd).toBe('client|info');
    expect(info.addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.laddr).toBe(`127.0.0.1:${srv.port}`);
    expect(info.flags).toBe('N');
    expect(info.db).toBe('0');
    expect(info.resp).toBe('2');
    expect(Object.keys(info).slice(0, 10)).toEqual(['id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub']);

    const other = await RawClient.connect(srv.port);
    await other.call('CLIENT', 'SETNAME', 'other');
    const otherId = (await other.call('CLIENT', 'ID')) as number;
    const all = parseList(await c.call('CLIENT', 'LIST'));
    expect(all.map((l) => l.name)).toEqual(expect.arrayContaining(['lister', 'other']));
    expect(all.find((l) => l.id === String(id))!.cmd).toBe('client|list');

    expect(parseList(await c.call('CLIENT', 'LIST', 'ID', String(otherId), '999999')).map((l) => l.name)).toEqual(['other']);
    expect(parseList(await c.call('CLIENT', 'LIST', 'TYPE', 'normal')).length).toBe(all.length);
    expect(parseList(await c.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))).toEqual([]);
    expect(await c.call('CLIENT', 'LIST', 'TYPE', 'foo')).toEqual({ err: "ERR Unknown client type 'foo'" });
    expect(await c.call('CLIENT', 'LIST', 'ID', 'x')).toEqual({ err: 'ERR Invalid client ID' });
    expect(await c.call('CLIENT', 'LIST', 'foo')).toEqual({ err: 'ERR syntax error' });
    other.close();
  });

  it('KILL by address (old form) and by filters (new form)', async () => {
    const a = await RawClient.connect(srv.port);
    const b = await RawClient.connect(srv.port);
    const aInfo = parseList(await a.call('CLIENT', 'INFO'))[0]!;
    const bId = (await b.call('CLIENT', 'ID')) as number;

    expect(await c.call('CLIENT', 'KILL', '1.2.3.4:5')).toEqual({ err: 'ERR No such client' });
    expect(await c.call('CLIENT', 'KILL', aInfo.addr!)).toEqual({ ok: 'OK' });
    expect(await a.closesWithin(2000)).toBe(true);

    expect(await c.call('CLIENT', 'KILL', 'ID', 'x')).toEqual({ err: 'ERR client-id should be greater than 0' });
    expect(await c.call('CLIENT', 'KILL', 'ID', '0')).toEqual({ err: 'ERR client-id should be greater than 0' });
    expect(await c.call('CLIENT', 'KILL', 'TYPE', 'foo')).toEqual({ err: "ERR Unknown client type 'foo'" });
    expect(await c.call('CLIENT', 'KILL', 'USER', 'bob')).toEqual({ err: "ERR No such user 'bob'" });
    expect(await c.call('CLIENT', 'KILL', 'SKIPME', 'maybe')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('CLIENT', 'KILL', 'ID', '1', 'foo')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('CLIENT', 'KILL', 'ID', '999999')).toBe(0);
    expect(await c.call('CLIENT', 'KILL', 'ID', String(bId))).toBe(1);
    expect(await b.closesWithin(2000)).toBe(true);

    // SKIPME defaults to yes; with SKIPME no the caller closes after its reply.
    const self = await RawClient.connect(srv.port);
    const selfId = (await self.call('CLIENT', 'ID')) as number;
    expect(await self.call('CLIENT', 'KILL', 'ID', String(selfId))).toBe(0);
    expect(await self.call('CLIENT', 'KILL', 'ID', String(selfId), 'SKIPME', 'no')).toBe(1);
    expect(await self.closesWithin(2000)).toBe(true);
  });

  it('NO-EVICT and SETINFO', async () => {
    expect(await c.call('CLIENT', 'NO-EVICT', 'on')).toEqual({ ok: 'OK' });
    expect(parseList(await c.call('CLIENT', 'INFO'))[0]!.flags).toBe('e');
    expect(await c.call('CLIENT', 'NO-EVICT', 'OFF')).toEqual({ ok: 'OK' });
    expect(await c.call('CLIENT', 'NO-EVICT', 'maybe')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib')).toEqual({ ok: 'OK' });
    expect(await c.call('CLIENT', 'SETINFO', 'lib-ver', '1.2.3')).toEqual({ ok: 'OK' });
    const info = parseList(await c.call('CLIENT', 'INFO'))[0]!;
    expect(info['lib-name']).toBe('mylib');
    expect(info['lib-ver']).toBe('1.2.3');
    expect(await c.call('CLIENT', 'SETINFO', 'foo', 'x')).toEqual({ err: "ERR Unrecognized option 'foo'" });
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', 'a b')).toEqual({
      err: 'ERR lib-name cannot contain spaces, newlines or special characters.',
    });
  });

  it('HELP lists the subcommands', async () => {
    const help = (await c.call('CLIENT', 'HELP')) as Array<{ ok: string }>;
    expect(help[0]).toEqual({ ok: 'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:' });
    expect(help.at(-2)).toEqual({ ok: 'HELP' });
  });
});

describe('CLIENT REPLY', () => {
  it('OFF silences every reply until ON; SKIP silences the next one', async () => {
    const r = await RawClient.connect(srv.port);
    r.write(
      '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n' +
        '*1\r\n$4\r\nPING\r\n' +
        '*1\r\n$3\r\nBAD\r\n' +
        '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n' +
        '*2\r\n$4\r\nECHO\r\n$1\r\na\r\n' +
        '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n' +
        '*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n' +
        '*2\r\n$4\r\nECHO\r\n$1\r\nc\r\n',
    );
    const bytes = await r.raw((b) => b.toString().includes('$1\r\nc\r\n'));
    expect(bytes.toString()).toBe('+OK\r\n$1\r\na\r\n$1\r\nc\r\n');
    expect(await r.call('CLIENT', 'REPLY', 'maybe')).toEqual({ err: 'ERR syntax error' });
    r.close();
  });
});

// String, key and expiry commands through a real `daxcache serve` (dist/, run `npm run build:ts`
// first) compared with a real redis-server started by the test: the same commands must give the
// same replies on the wire, through ioredis, through redis-cli, in RESP3 and in a pipeline.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, cli } from '../helpers/resp.js';
import { RespClient } from './resp-client.js';
import { haveRedisServer, startRealRedis, type RealRedis } from './real-redis.js';

type Arg = string | Buffer;
const L = (s: string) => Buffer.from(s, 'latin1');
const BIN = L('bin\r\n\0\xff');

/** Deterministic commands (absolute expiry times, TTLs read in whole seconds right away). */
const script: Arg[][] = [
  ['set', 'str', 'hello'],
  ['get', 'str'],
  ['get', 'nokey'],
  ['set', BIN, BIN],
  ['get', BIN],
  ['strlen', BIN],
  ['set', 'str', 'x', 'nx'],
  ['set', 'str', 'world', 'xx', 'get'],
  ['set', 'str', 'v', 'nx', 'xx'],
  ['set', 'str', 'v', 'ex', '0'],
  ['set', 'str', 'v', 'ex', 'ten'],
  ['set', 'ttl', 'v', 'ex', '100'],
  ['ttl', 'ttl'],
  ['set', 'ttl', 'w', 'keepttl'],
  ['ttl', 'ttl'],
  ['set', 'at', 'v', 'exat', '4000000000'],
  ['expiretime', 'at'],
  ['pexpiretime', 'at'],
  ['setnx', 'str', 'x'],
  ['setex', 'sx', '100', 'v'],
  ['setex', 'sx', '0', 'v'],
  ['psetex', 'sx', '-1', 'v'],
  ['getset', 'sx', 'new'],
  ['ttl', 'sx'],
  ['getdel', 'sx'],
  ['getex', 'str', 'ex', '100'],
  ['getex', 'str', 'persist'],
  ['getex', 'str', 'keepttl'],
  ['mset', 'a', '1', 'b', '2', 'c', '3'],
  ['mget', 'a', 'b', 'nokey', 'c'],
  ['mset', 'a', '1', 'b'],
  ['msetnx', 'a', '9', 'd', '4'],
  ['msetnx', 'd', '4', 'e', '5'],
  ['append', 'a', '23'],
  ['append', 'newapp', L('\0\r\n')],
  ['incr', 'a'],
  ['incrby', 'a', '-200'],
  ['decr', 'a'],
  ['decrby', 'a', '10'],
  ['incr', 'str'],
  ['incrby', 'a', '1.5'],
  ['set', 'max', '9223372036854775807'],
  ['incr', 'max'],
  ['decrby', 'a', '-9223372036854775808'],
  ['incrbyfloat', 'f', '0.1'],
  ['incrbyfloat', 'f', '0.2'],
  ['incrbyfloat', 'f', '1e3'],
  ['incrbyfloat', 'f', 'x'],
  ['incrbyfloat', 'f', 'inf'],
  ['getrange', 'str', '0', '2'],
  ['getrange', 'str', '-3', '-1'],
  ['substr', 'str', '1', '100'],
  ['getrange', 'nokey', '0', '-1'],
  ['setrange', 'str', '2', 'LL'],
  ['setrange', 'pad', '3', 'x'],
  ['get', 'pad'],
  ['setrange', 'str', '-1', 'x'],
  ['setrange', 'str', '536870912', 'x'],
  ['mset', 'l1', 'ohmytext', 'l2', 'mynewtext'],
  ['lcs', 'l1', 'l2'],
  ['lcs', 'l1', 'l2', 'len'],
  ['lcs', 'l1', 'l2', 'idx', 'minmatchlen', '2', 'withmatchlen'],
  ['lcs', 'l1', 'l2', 'idx', 'len'],
  ['exists', 'a', 'a', 'nokey', BIN],
  ['touch', 'a', 'nokey'],
  ['type', 'a'],
  ['type', 'nokey'],
  ['del', 'a', 'a', 'nokey'],
  ['unlink', 'b', 'c'],
  ['rename', 'nokey', 'x'],
  ['rename', 'd', 'dd'],
  ['renamenx', 'dd', 'e'],
  ['renamenx', 'dd', 'ddd'],
  ['copy', 'ddd', 'e'],
  ['copy', 'ddd', 'e', 'replace'],
  ['copy', 'ddd', 'ddd'],
  ['copy', 'ddd', 'x', 'db', '0'],
  ['copy', 'ddd', 'x', 'foo'],
  ['object', 'encoding', 'e'],
  ['object', 'encoding', 'l1'],
  ['object', 'refcount', 'max'],
  ['object', 'freq', 'e'],
  ['object', 'encoding', 'nokey'],
  ['object', 'help'],
  ['object', 'nosuch'],
  ['object', 'encoding'],
  ['expire', 'e', '100'],
  ['ttl', 'e'],
  ['expire', 'e', '50', 'gt'],
  ['expire', 'e', '50', 'lt'],
  ['ttl', 'e'],
  ['expire', 'e', '10', 'nx', 'xx'],
  ['expire', 'e', '10', 'gt', 'lt'],
  ['expire', 'e', '10', 'bogus'],
  ['expire', 'e', '9223372036854776'],
  ['pexpireat', 'e', '4000000000123'],
  ['pexpiretime', 'e'],
  ['expiretime', 'e'],
  ['persist', 'e'],
  ['persist', 'e'],
  ['ttl', 'e'],
  ['pttl', 'nokey'],
  ['expire', 'e', '-1'],
  ['exists', 'e'],
  ['scan', 'notacursor'],
  ['scan', '0', 'count', '0'],
  ['keys', 'l?'],
];

/** The same script for redis-cli's stdin (sdssplitargs quoting: "\x00", "\r", "\n" escapes). */
function cliLine(cmd: Arg[]): string {
  return cmd
    .map((a) => {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'utf8');
      let s = '"';
      for (const c of b) s += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : '\\x' + c.toString(16).padStart(2, '0');
      return s + '"';
    })
    .join(' ');
}

describe.skipIf(!haveRedisServer)('daxcache vs redis-server', () => {
  let dax: TestServer;
  let redis: RealRedis;

  beforeAll(async () => {
    [dax, redis] = await Promise.all([startServer({ poolSize: '64mb' }), startRealRedis()]);
  });
  afterAll(async () => {
    await Promise.all([dax?.stop(), redis?.stop()]);
    // The helper removes its pool folders at process exit, which a vitest worker may not reach.
    if (dax) rmSync(dirname(dax.pool), { recursive: true, force: true });
  });

  const flushBoth = async () => {
    for (const port of [dax.port, redis.port]) {
      const c = await RespClient.open(port);
      await c.call('flushall');
      c.close();
    }
  };

  it('same replies on the wire (RESP2)', async () => {
    await flushBoth();
    const [d, r] = await Promise.all([RespClient.open(dax.port), RespClient.open(redis.port)]);
    try {
      for (const cmd of script) {
        const [got, want] = await Promise.all([d.call(...cmd), r.call(...cmd)]);
        const c = cmd.map((a) => a.toString());
        // KEYS order is the hash table's own.
        if (c[0] === 'keys') {
          const sort = (w: unknown) => (w as Array<{ b: string }>).map((x) => x.b).sort();
          expect({ c, got: sort(got) }).toEqual({ c, got: sort(want) });
        } else {
          expect({ c, got }).toEqual({ c, got: want });
        }
      }
    } finally {
      d.close();
      r.close();
    }
  });

  it('same results through ioredis, one by one and in a pipeline', async () => {
    await flushBoth();
    const [d, r] = [new Redis({ port: dax.port, host: '127.0.0.1' }), new Redis({ port: redis.port, host: '127.0.0.1' })];
    const run = async (c: Redis, cmd: Arg[]) => {
      try {
        return { ok: await c.callBuffer(cmd[0]!.toString(), ...cmd.slice(1)) };
      } catch (e) {
        return { err: (e as Error).message };
      }
    };
    try {
      for (const cmd of script.filter((c) => c[0] !== 'keys')) {
        const [got, want] = await Promise.all([run(d, cmd), run(r, cmd)]);
        expect({ c: cmd.map(String), got }).toEqual({ c: cmd.map(String), got: want });
      }
      // A pipeline of many commands: replies in order, the same on both.
      const pipe = (c: Redis) => {
        const p = c.pipeline();
        for (let i = 0; i < 2000; i++) {
          const k = `p:${i % 50}`;
          if (i % 5 === 0) p.incr(k);
          else if (i % 5 === 1) p.append(k, 'x');
          else if (i % 5 === 2) p.getrange(k, 0, 3);
          else if (i % 5 === 3) p.expire(k, 1000, 'GT');
          else p.exists(k, `p:${(i + 1) % 50}`);
        }
        return p.exec();
      };
      const [got, want] = await Promise.all([pipe(d), pipe(r)]);
      const norm = (res: Array<[Error | null, unknown]> | null) => res!.map(([e, v]) => (e ? { err: e.message } : { ok: v }));
      expect(norm(got)).toEqual(norm(want));
    } finally {
      d.disconnect();
      r.disconnect();
    }
  });

  it('same output from redis-cli', async () => {
    await flushBoth();
    const input = script.map(cliLine).join('\n') + '\n';
    const [got, want] = await Promise.all([cli(dax.port, ['--no-raw'], input), cli(redis.port, ['--no-raw'], input)]);
    const lines = (s: string) => s.split('\n');
    const g = lines(got.stdout);
    const w = lines(want.stdout);
    // KEYS output order differs: compare its block as a set (it is last in the script).
    const keysAt = w.findIndex((l) => l.startsWith('1) "l'));
    expect(g.slice(0, keysAt)).toEqual(w.slice(0, keysAt));
    expect(g.slice(keysAt).map((l) => l.replace(/^\d+\) /, '')).sort()).toEqual(w.slice(keysAt).map((l) => l.replace(/^\d+\) /, '')).sort());
    expect(got.code).toBe(0);
    // And one command per process, as scripts use it.
    for (const args of [
      ['set', 'cli', 'v', 'ex', '100'],
      ['ttl', 'cli'],
      ['get', 'cli'],
      ['incrbyfloat', 'cli:f', '2.5'],
      ['object', 'encoding', 'cli'],
      ['expire', 'cli', '10', 'nx', 'xx'],
    ]) {
      const [a, b] = await Promise.all([cli(dax.port, args), cli(redis.port, args)]);
      expect({ args, out: a.stdout }).toEqual({ args, out: b.stdout });
    }
  });

  it('RESP3 replies (HELLO 3): LCS IDX map, TYPE status, OBJECT HELP, SCAN', async () => {
    await flushBoth();
    const [d, r] = await Promise.all([RawClient.connect(dax.port), RawClient.connect(redis.port)]);
    try {
      await Promise.all([d.call('hello', '3'), r.call('hello', '3')]);
      for (const cmd of [
        ['mset', 'l1', 'ohmytext', 'l2', 'mynewtext'],
        ['lcs', 'l1', 'l2', 'idx', 'withmatchlen'],
        ['lcs', 'l1', 'l2', 'len'],
        ['type', 'l1'],
        ['get', 'nokey'],
        ['object', 'help'],
        ['object', 'encoding', 'nokey'],
        ['mget', 'l1', 'nokey'],
        ['scan', '0', 'count', '1000'],
        ['incrbyfloat', 'f', '1.5'],
        ['randomkey'],
      ]) {
        if (cmd[0] === 'randomkey') await Promise.all([d.call('del', 'l1', 'l2'), r.call('del', 'l1', 'l2')]);
        const [got, want] = await Promise.all([d.call(...cmd), r.call(...cmd)]);
        if (cmd[0] === 'scan') {
          // The cursor is each server's own; the keys agree.
          const keys = (v: unknown) => ((v as unknown[])[1] as Buffer[]).map(String).sort();
          expect(keys(got)).toEqual(keys(want));
        } else {
          expect({ cmd, got }).toEqual({ cmd, got: want });
        }
      }
    } finally {
      d.close();
      r.close();
    }
  });

  it('expired keys disappear on both', async () => {
    await flushBoth();
    const [d, r] = await Promise.all([RespClient.open(dax.port), RespClient.open(redis.port)]);
    try {
      for (const c of [d, r]) {
        await c.call('set', 'soon', 'v', 'px', '50');
        await c.call('set', 'later', 'v');
        await c.call('pexpire', 'later', '50');
      }
      await new Promise((res) => setTimeout(res, 150));
      for (const cmd of [
        ['get', 'soon'],
        ['exists', 'soon', 'later'],
        ['ttl', 'later'],
        ['keys', '*'],
      ]) {
        const [got, want] = await Promise.all([d.call(...cmd), r.call(...cmd)]);
        expect({ cmd, got }).toEqual({ cmd, got: want });
      }
    } finally {
      d.close();
      r.close();
    }
  });
});

// Keyspace commands through their handlers on a real pool: exact replies and Redis's error texts.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { openContext, type TestContext } from './context.js';
import { toWire, OK, int, bulk, err, SYNTAX, NOT_INT, L, BIN, type Wire } from './resp-client.js';
import { keyCommands } from '../../src/commands/redis/keys.js';
import { SimpleString } from '../../src/protocol/resp/reply.js';


let ctx: TestContext;
const r = (...a: Array<string | Buffer | number>): Wire => toWire(ctx.run(...a));
const sortedKeys = (w: Wire) => (w as Array<{ b: string }>).map((x) => x.b).sort();

beforeAll(() => {
  ctx = openContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.store.flushAll());

describe('command table entries', () => {
  it('match Redis 7 COMMAND INFO (arity, flags, key positions, OBJECT subcommands)', () => {
    const info = Object.fromEntries(keyCommands.map((s) => [s.name, [s.arity, s.flags.join(' '), s.firstKey, s.lastKey, s.step]]));
    expect(info).toEqual({
      del: [-2, 'write', 1, -1, 1],
      unlink: [-2, 'write fast', 1, -1, 1],
      exists: [-2, 'readonly fast', 1, -1, 1],
      type: [2, 'readonly fast', 1, 1, 1],
      keys: [2, 'readonly', 0, 0, 0],
      scan: [-2, 'readonly', 0, 0, 0],
      randomkey: [1, 'readonly', 0, 0, 0],
      rename: [3, 'write', 1, 2, 1],
      renamenx: [3, 'write fast', 1, 2, 1],
      touch: [-2, 'readonly fast', 1, -1, 1],
      copy: [-3, 'write denyoom', 1, 2, 1],
      move: [3, 'write fast', 1, 1, 1],
      swapdb: [3, 'write fast', 0, 0, 0],
      object: [-2, '', 0, 0, 0],
    });
    const object = keyCommands.find((s) => s.name === 'object')!;
    const subs = Object.fromEntries(Object.entries(object.subcommands!).map(([k, s]) => [k, [s.name, s.arity, s.flags.join(' '), s.firstKey, s.lastKey, s.step]]));
    expect(subs).toEqual({
      encoding: ['object|encoding', 3, 'readonly', 2, 2, 1],
      freq: ['object|freq', 3, 'readonly', 2, 2, 1],
      help: ['object|help', 2, 'loading stale', 0, 0, 0],
      idletime: ['object|idletime', 3, 'readonly', 2, 2, 1],
      refcount: ['object|refcount', 3, 'readonly', 2, 2, 1],
    });
  });
});

describe('DEL / UNLINK / EXISTS / TOUCH / TYPE', () => {
  it('count each existing key once for DEL, every mention for EXISTS/TOUCH', () => {
    r('mset', 'a', '1', 'b', '2', 'c', '3', BIN, 'x');
    expect(r('exists', 'a', 'a', 'b', 'nokey', BIN)).toEqual(int(4));
    expect(r('touch', 'a', 'a', 'nokey')).toEqual(int(2));
    expect(r('del', 'a', 'a', 'nokey')).toEqual(int(1));
    expect(r('del', 'a')).toEqual(int(0));
    expect(r('del', 'b')).toEqual(int(1));
    expect(r('unlink', 'c', BIN, 'nokey')).toEqual(int(2));
    expect(r('exists', 'a', 'b', 'c', BIN)).toEqual(int(0));
  });

  it('DEL of more keys than the intent log holds still deletes them all', () => {
    const keys: string[] = [];
    for (let i = 0; i < 9000; i++) keys.push(`key:${i}`);
    for (let i = 0; i < keys.length; i += 1000) r('mset', ...keys.slice(i, i + 1000).flatMap((k) => [k, 'v']));
    expect(r('del', ...keys, 'nokey')).toEqual(int(9000));
    expect(ctx.store.count()).toBe(0);
  });

  it('TYPE is a status reply', () => {
    r('set', 'k', 'v');
    expect(ctx.run('type', 'k')).toEqual(new SimpleString('string'));
    expect(r('type', 'nokey')).toEqual({ s: 'none' });
  });
});

describe('KEYS', () => {
  const names = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h[a]llo', 'h*llo', 'h\\llo', 'HELLO', 'h-llo', 'x\0y', 'h\xffllo'];
  beforeEach(() => {
    for (const n of names) r('set', L(n), 'v');
  });

  it('glob patterns', () => {
    const cases: Array<[string, string[]]> = [
      ['*', names],
      ['h?llo', ['hallo', 'hello', 'hxllo', 'h*llo', 'h\\llo', 'h-llo', 'h\xffllo']],
      ['h*llo', ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h[a]llo', 'h*llo', 'h\\llo', 'h-llo', 'h\xffllo']],
      ['h[ae]llo', ['hallo', 'hello']],
      ['h[^e]llo', ['hallo', 'hxllo', 'h*llo', 'h\\llo', 'h-llo', 'h\xffllo']],
      ['h[a-e]llo', ['hallo', 'hello']],
      ['h[e-a]llo', ['hallo', 'hello']], // reversed range
      ['h\\*llo', ['h*llo']],
      ['h\\[a\\]llo', ['h[a]llo']],
      ['h[\\-]llo', ['h-llo']],
      ['h[\\\\]llo', ['h\\llo']],
      ['HELLO', ['HELLO']],
      ['x?y', ['x\0y']],
      ['x\0y', ['x\0y']],
      ['h[\x80-\xff]llo', ['h\xffllo']],
      // Bytes compare as signed char: 0xff is -1, so this range is -1..'a' (checked on redis-server 7.0).
      ['h[a-\xff]llo', ['hallo', 'h*llo', 'h\\llo', 'h-llo', 'h\xffllo']],
      ['', []],
      ['nomatch*', []],
    ];
    for (const [p, want] of cases) expect([p, sortedKeys(r('keys', L(p)))]).toEqual([p, [...want].sort()]);
  });
});

describe('SCAN', () => {
  it('walks the whole keyspace; MATCH, COUNT and TYPE filter', () => {
    for (let i = 0; i < 500; i++) r('set', `k:${i}`, 'v');
    r('set', BIN, 'v');
    const all = (extra: string[]) => {
      const seen: string[] = [];
      let cursor = '0';
      let calls = 0;
      do {
        const [next, keys] = r('scan', cursor, ...extra) as [{ b: string }, Array<{ b: string }>];
        expect(next.b).toMatch(/^\d+$/);
        cursor = next.b;
        seen.push(...keys.map((k) => k.b));
        calls++;
      } while (cursor !== '0');
      return { seen, calls };
    };
    const plain = all([]);
    expect(new Set(plain.seen).size).toBe(501);
    expect(plain.seen).toContain(BIN.toString('latin1'));
    expect(all(['match', 'k:1?']).seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k:1${i}`).sort());
    expect(new Set(all(['count', '1000', 'type', 'STRING']).seen).size).toBe(501);
    expect(all(['type', 'list']).seen).toEqual([]);
    expect(all(['count', '100000']).calls).toBeLessThanOrEqual(2);
  });

  it('never misses a key present from start to end while keys are inserted and deleted', () => {
    const stable = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      r('set', `stable:${i}`, 'v');
      stable.add(`stable:${i}`);
    }
    for (let i = 0; i < 500; i++) r('set', `churn:${i}`, 'v');
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, keys] = r('scan', cursor, 'count', '20') as [{ b: string }, Array<{ b: string }>];
      for (const k of keys) seen.add(k.b);
      cursor = next.b;
      // Between calls: many inserts and deletes of other keys.
      for (let j = 0; j < 50; j++) r('set', `new:${round}:${j}`, 'v');
      r('del', `churn:${round % 500}`);
      round++;
    } while (cursor !== '0');
    for (const k of stable) expect(seen.has(k), k).toBe(true);
  });

  it('cursor and option errors', () => {
    for (const c of ['x', ' 1', '1 ', '+', '-', '0x1', '18446744073709551616', '1.5']) {
      expect([c, r('scan', c)]).toEqual([c, err('ERR invalid cursor')]);
    }
    // strtoul accepts these: "" and "+0" are 0, "-1" is 2^64-1 (past the end: done).
    for (const c of ['', '+0', '00', '-1', '18446744073709551615', L('0\0junk')]) {
      const w = r('scan', c) as Wire[];
      expect(Array.isArray(w)).toBe(true);
    }
    expect(r('scan', '-1')).toEqual([bulk('0'), []]);
    expect(r('scan', '0', 'count', '0')).toEqual(SYNTAX);
    expect(r('scan', '0', 'count', '-1')).toEqual(SYNTAX);
    expect(r('scan', '0', 'count', 'x')).toEqual(NOT_INT);
    expect(r('scan', '0', 'count')).toEqual(SYNTAX);
    expect(r('scan', '0', 'match')).toEqual(SYNTAX);
    expect(r('scan', '0', 'type')).toEqual(SYNTAX);
    expect(r('scan', '0', 'foo', 'bar')).toEqual(SYNTAX);
    expect(r('scan', 'x', 'foo')).toEqual(err('ERR invalid cursor'));
  });
});

describe('RANDOMKEY', () => {
  it('null when empty, else one of the keys', () => {
    expect(r('randomkey')).toBe(null);
    r('set', BIN, 'v');
    expect(ctx.run('randomkey')).toEqual(BIN);
    r('set', 'a', 'v');
    for (let i = 0; i < 20; i++) expect([BIN.toString('latin1'), 'a']).toContain((r('randomkey') as { b: string }).b);
  });
});

describe('RENAME / RENAMENX', () => {
  it('moves value and TTL', () => {
    r('set', 'a', '1', 'ex', '100');
    expect(r('rename', 'a', BIN)).toEqual(OK);
    expect(r('exists', 'a')).toEqual(int(0));
    expect(r('get', BIN)).toEqual(bulk('1'));
    expect(r('ttl', BIN)).toEqual(int(100));
    r('set', 'c', '3');
    expect(r('rename', BIN, 'c')).toEqual(OK);
    expect(r('get', 'c')).toEqual(bulk('1'));
    expect(r('ttl', 'c')).toEqual(int(100));
  });

  it('RENAMENX only to a free name', () => {
    r('mset', 'a', '1', 'b', '2');
    expect(r('renamenx', 'a', 'b')).toEqual(int(0));
    expect(r('renamenx', 'a', 'c')).toEqual(int(1));
    expect(r('mget', 'a', 'b', 'c')).toEqual([null, bulk('2'), bulk('1')]);
  });

  it('same name and missing keys', () => {
    expect(r('rename', 'nokey', 'x')).toEqual(err('ERR no such key'));
    expect(r('renamenx', 'nokey', 'x')).toEqual(err('ERR no such key'));
    expect(r('rename', 'nokey', 'nokey')).toEqual(err('ERR no such key'));
    r('set', 'a', '1');
    expect(r('rename', 'a', 'a')).toEqual(OK);
    expect(r('renamenx', 'a', 'a')).toEqual(int(0));
    expect(r('get', 'a')).toEqual(bulk('1'));
  });
});

describe('COPY', () => {
  it('copies value and TTL; REPLACE; DB 0 only', () => {
    r('set', 'a', '1', 'ex', '100');
    expect(r('copy', 'a', 'b')).toEqual(int(1));
    expect(r('ttl', 'b')).toEqual(int(100));
    r('set', 'a', '2');
    expect(r('copy', 'a', 'b')).toEqual(int(0));
    expect(r('get', 'b')).toEqual(bulk('1'));
    expect(r('copy', 'a', 'b', 'REPLACE')).toEqual(int(1));
    expect(r('get', 'b')).toEqual(bulk('2'));
    expect(r('ttl', 'b')).toEqual(int(-1));
    expect(r('copy', 'a', BIN, 'db', '0')).toEqual(int(1));
    expect(r('get', BIN)).toEqual(bulk('2'));
    expect(r('copy', 'nokey', 'x')).toEqual(int(0));
  });

  it('errors in Redis order', () => {
    r('set', 'a', '1');
    expect(r('copy', 'a', 'b', 'db', '1')).toEqual(err('ERR DB index is out of range'));
    expect(r('copy', 'a', 'b', 'db', '-1')).toEqual(err('ERR DB index is out of range'));
    expect(r('copy', 'a', 'b', 'db', 'x')).toEqual(NOT_INT);
    expect(r('copy', 'a', 'b', 'db', '2147483648')).toEqual(err('ERR value is out of range, value must between -2147483648 and 2147483647'));
    expect(r('copy', 'a', 'b', 'db')).toEqual(SYNTAX);
    expect(r('copy', 'a', 'b', 'foo')).toEqual(SYNTAX);
    expect(r('copy', 'a', 'b', 'db', '1', 'foo')).toEqual(err('ERR DB index is out of range'));
    expect(r('copy', 'a', 'a')).toEqual(err('ERR source and destination objects are the same'));
    expect(r('copy', 'nokey', 'nokey')).toEqual(err('ERR source and destination objects are the same'));
    expect(r('exists', 'b')).toEqual(int(0));
  });
});

describe('OBJECT', () => {
  it('ENCODING and REFCOUNT follow the value as Redis encodes it', () => {
    r('mset', 'i', '123', 'neg', '-5', 'big', '12345', 's', 'hello', 'z', '0123', 'l44', 'x'.repeat(44), 'l45', 'x'.repeat(45));
    r('set', 'min', '-9223372036854775808');
    r('set', 'over', '9223372036854775808');
    const enc: Record<string, string> = { i: 'int', neg: 'int', big: 'int', s: 'embstr', z: 'embstr', l44: 'embstr', l45: 'raw', min: 'int', over: 'embstr' };
    for (const [k, e] of Object.entries(enc)) expect([k, r('object', 'encoding', k)]).toEqual([k, bulk(e)]);
    expect(r('object', 'encoding', 'nokey')).toBe(null);
    expect(r('object', 'refcount', 'i')).toEqual(int(2147483647)); // shared integer 0..9999
    expect(r('object', 'refcount', 'big')).toEqual(int(1));
    expect(r('object', 'refcount', 'neg')).toEqual(int(1));
    expect(r('object', 'refcount', 's')).toEqual(int(1));
    expect(r('object', 'refcount', 'nokey')).toBe(null);
  });

  it('FREQ and IDLETIME under noeviction and under an LFU policy', () => {
    r('set', 'k', 'v');
    expect(r('object', 'freq', 'k')).toEqual(
      err('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'),
    );
    expect(r('object', 'freq', 'nokey')).toBe(null);
    expect(r('object', 'idletime', 'k')).toEqual(int(0));
    expect(r('object', 'idletime', 'nokey')).toBe(null);
    const lfu = openContext({ maxmemoryPolicy: 'allkeys-lfu', maxmemory: 1 << 20 });
    try {
      lfu.run('set', 'k', '5');
      expect(toWire(lfu.run('object', 'freq', 'k'))).toEqual(int(0));
      expect(toWire(lfu.run('object', 'idletime', 'k'))).toEqual(
        err('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'),
      );
      // With maxmemory and an LFU/LRU policy, integers are not shared.
      expect(toWire(lfu.run('object', 'refcount', 'k'))).toEqual(int(1));
    } finally {
      lfu.close();
    }
  });

  it('HELP and subcommand errors', () => {
    const help = r('object', 'help') as Array<{ s: string }>;
    expect(help[0]).toEqual({ s: 'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:' });
    expect(help[1]).toEqual({ s: 'ENCODING <key>' });
    expect(help.slice(-2)).toEqual([{ s: 'HELP' }, { s: '    Prints this help.' }]);
    expect(help).toHaveLength(15);
    expect(r('object', 'foo')).toEqual(err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
    expect(r('object', 'encoding')).toEqual(err("ERR wrong number of arguments for 'object|encoding' command"));
    expect(r('object', 'encoding', 'a', 'b')).toEqual(err("ERR wrong number of arguments for 'object|encoding' command"));
    expect(r('object', 'help', 'x')).toEqual(err("ERR wrong number of arguments for 'object|help' command"));
  });
});

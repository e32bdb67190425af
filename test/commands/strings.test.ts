// String commands through their handlers on a real pool: exact replies and Redis's error texts.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { openContext, type TestContext } from './context.js';
import { toWire, OK, int, bulk, err, SYNTAX, NOT_INT, L, BIN, type Wire } from './resp-client.js';
import { stringCommands } from '../../src/commands/redis/strings.js';

const NOT_FLOAT = err('ERR value is not a valid float');

let ctx: TestContext;
const r = (...a: Array<string | Buffer | number>): Wire => toWire(ctx.run(...a));

beforeAll(() => {
  ctx = openContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.store.flushAll());

describe('command table entries', () => {
  it('match Redis 7 COMMAND INFO (arity, flags, key positions)', () => {
    const info = Object.fromEntries(stringCommands.map((s) => [s.name, [s.arity, s.flags.join(' '), s.firstKey, s.lastKey, s.step]]));
    expect(info).toEqual({
      get: [2, 'readonly fast', 1, 1, 1],
      set: [-3, 'write denyoom', 1, 1, 1],
      setnx: [3, 'write denyoom fast', 1, 1, 1],
      setex: [4, 'write denyoom', 1, 1, 1],
      psetex: [4, 'write denyoom', 1, 1, 1],
      getset: [3, 'write denyoom fast', 1, 1, 1],
      getdel: [2, 'write fast', 1, 1, 1],
      getex: [-2, 'write fast', 1, 1, 1],
      mget: [-2, 'readonly fast', 1, -1, 1],
      mset: [-3, 'write denyoom', 1, -1, 2],
      msetnx: [-3, 'write denyoom', 1, -1, 2],
      append: [3, 'write denyoom fast', 1, 1, 1],
      strlen: [2, 'readonly fast', 1, 1, 1],
      incr: [2, 'write denyoom fast', 1, 1, 1],
      decr: [2, 'write denyoom fast', 1, 1, 1],
      incrby: [3, 'write denyoom fast', 1, 1, 1],
      decrby: [3, 'write denyoom fast', 1, 1, 1],
      incrbyfloat: [3, 'write denyoom fast', 1, 1, 1],
      getrange: [4, 'readonly', 1, 1, 1],
      substr: [4, 'readonly', 1, 1, 1],
      setrange: [4, 'write denyoom', 1, 1, 1],
      lcs: [-3, 'readonly', 1, 2, 1],
    });
  });
});

describe('GET / SET', () => {
  it('stores and reads binary keys and values', () => {
    expect(r('get', 'k')).toBe(null);
    expect(r('set', BIN, BIN)).toEqual(OK);
    expect(ctx.run('get', BIN)).toEqual(BIN);
    expect(r('set', 'e', '')).toEqual(OK);
    expect(r('get', 'e')).toEqual(bulk(''));
  });

  it('NX / XX', () => {
    expect(r('set', 'k', 'a', 'xx')).toBe(null);
    expect(r('set', 'k', 'a', 'nx')).toEqual(OK);
    expect(r('set', 'k', 'b', 'NX')).toBe(null);
    expect(r('set', 'k', 'c', 'Xx')).toEqual(OK);
    expect(r('get', 'k')).toEqual(bulk('c'));
  });

  it('GET returns the old value, alone or with NX / XX', () => {
    expect(r('set', 'k', 'a', 'get')).toBe(null);
    expect(r('set', 'k', 'b', 'get')).toEqual(bulk('a'));
    expect(r('set', 'k', 'c', 'nx', 'get')).toEqual(bulk('b'));
    expect(r('get', 'k')).toEqual(bulk('b'));
    expect(r('set', 'n', 'c', 'xx', 'get')).toBe(null);
    expect(r('exists', 'n')).toEqual(int(0));
    expect(r('set', 'n', 'd', 'nx', 'get')).toBe(null);
    expect(r('get', 'n')).toEqual(bulk('d'));
  });

  it('expiry options set absolute expiry; plain SET clears it; KEEPTTL keeps it', () => {
    const now = Date.now();
    expect(r('set', 'k', 'v', 'ex', '100')).toEqual(OK);
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(ctx.store.head(L('k'))!.expireMs).toBeGreaterThanOrEqual(now + 100_000);
    expect(r('set', 'k', 'v', 'px', '5000')).toEqual(OK);
    expect(r('ttl', 'k')).toEqual(int(5));
    expect(r('set', 'k', 'v', 'exat', '4000000000')).toEqual(OK);
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000000));
    expect(r('set', 'k', 'v', 'pxat', '4000000000123')).toEqual(OK);
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000123));
    expect(r('set', 'k', 'w', 'keepttl')).toEqual(OK);
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000123));
    expect(r('set', 'k', 'x')).toEqual(OK);
    expect(r('ttl', 'k')).toEqual(int(-1));
    // A repeated option takes the last value.
    expect(r('set', 'k', 'v', 'ex', '10', 'ex', '20')).toEqual(OK);
    expect(r('ttl', 'k')).toEqual(int(20));
  });

  it('an absolute time in the past stores a key that is already gone', () => {
    expect(r('set', 'k', 'v', 'exat', '1')).toEqual(OK);
    expect(r('get', 'k')).toBe(null);
    expect(r('set', 'k', 'v', 'pxat', String(Date.now() - 1))).toEqual(OK);
    expect(r('exists', 'k')).toEqual(int(0));
  });

  it('a short PX expires', async () => {
    expect(r('set', 'k', 'v', 'px', '30')).toEqual(OK);
    expect(r('get', 'k')).toEqual(bulk('v'));
    await new Promise((res) => setTimeout(res, 80));
    expect(r('get', 'k')).toBe(null);
    expect(r('ttl', 'k')).toEqual(int(-2));
  });

  it('rejects the option combinations Redis rejects', () => {
    for (const opts of [
      ['nx', 'xx'],
      ['xx', 'nx'],
      ['ex', '1', 'px', '1'],
      ['px', '1', 'ex', '1'],
      ['ex', '1', 'exat', '1'],
      ['exat', '1', 'pxat', '1'],
      ['ex', '1', 'keepttl'],
      ['keepttl', 'px', '1'],
      ['persist'],
      ['ex'],
      ['foo'],
      ['nx', 'bar'],
      ['g\0et'],
    ]) {
      expect([opts, r('set', 'k', 'v', ...opts)]).toEqual([opts, SYNTAX]);
    }
    expect(r('exists', 'k')).toEqual(int(0));
  });

  it('compares option words as C strings (a NUL ends the word)', () => {
    expect(r('set', 'k', 'v', L('nx\0junk'))).toEqual(OK);
    expect(r('set', 'k', 'v', L('nx\0junk'))).toBe(null);
  });

  it('invalid expire times', () => {
    expect(r('set', 'k', 'v', 'ex', 'abc')).toEqual(NOT_INT);
    expect(r('set', 'k', 'v', 'ex', '1.5')).toEqual(NOT_INT);
    expect(r('set', 'k', 'v', 'ex', '99999999999999999999')).toEqual(NOT_INT);
    for (const [opt, v] of [
      ['ex', '0'],
      ['ex', '-1'],
      ['px', '0'],
      ['px', '-100'],
      ['exat', '0'],
      ['pxat', '-1'],
      ['ex', '9223372036854776'], // * 1000 overflows
      ['ex', '9223372036854775'], // + now overflows
      ['px', '9223372036854775807'],
    ]) {
      expect([opt, v, r('set', 'k', 'v', opt!, v!)]).toEqual([opt, v, err("ERR invalid expire time in 'set' command")]);
    }
    expect(r('exists', 'k')).toEqual(int(0));
    // Absolute times as large as int64 are accepted (stored as "never" in practice).
    expect(r('set', 'k', 'v', 'pxat', '9223372036854775807')).toEqual(OK);
    expect(r('ttl', 'k')).not.toEqual(int(-1));
    expect(r('get', 'k')).toEqual(bulk('v'));
  });
});

describe('SETNX / SETEX / PSETEX / GETSET / GETDEL', () => {
  it('SETNX', () => {
    expect(r('setnx', 'k', 'a')).toEqual(int(1));
    expect(r('setnx', 'k', 'b')).toEqual(int(0));
    expect(r('get', 'k')).toEqual(bulk('a'));
  });

  it('SETEX / PSETEX', () => {
    expect(r('setex', 'k', '100', 'v')).toEqual(OK);
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('psetex', 'k', '100000', 'w')).toEqual(OK);
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('get', 'k')).toEqual(bulk('w'));
    expect(r('setex', 'k', '0', 'v')).toEqual(err("ERR invalid expire time in 'setex' command"));
    expect(r('setex', 'k', '-5', 'v')).toEqual(err("ERR invalid expire time in 'setex' command"));
    expect(r('psetex', 'k', '0', 'v')).toEqual(err("ERR invalid expire time in 'psetex' command"));
    expect(r('setex', 'k', 'x', 'v')).toEqual(NOT_INT);
    expect(r('psetex', 'k', '', 'v')).toEqual(NOT_INT);
  });

  it('GETSET returns the old value and clears the TTL', () => {
    expect(r('getset', 'k', 'a')).toBe(null);
    expect(r('expire', 'k', '100')).toEqual(int(1));
    expect(r('getset', 'k', 'b')).toEqual(bulk('a'));
    expect(r('ttl', 'k')).toEqual(int(-1));
    expect(r('get', 'k')).toEqual(bulk('b'));
  });

  it('GETDEL', () => {
    expect(r('getdel', 'k')).toBe(null);
    r('set', BIN, BIN);
    expect(ctx.run('getdel', BIN)).toEqual(BIN);
    expect(r('getdel', BIN)).toBe(null);
  });
});

describe('GETEX', () => {
  it('reads, sets, and removes expiry', () => {
    expect(r('getex', 'k')).toBe(null);
    r('set', 'k', 'v');
    expect(r('getex', 'k')).toEqual(bulk('v'));
    expect(r('ttl', 'k')).toEqual(int(-1));
    expect(r('getex', 'k', 'ex', '100')).toEqual(bulk('v'));
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('getex', 'k', 'px', '50000')).toEqual(bulk('v'));
    expect(r('ttl', 'k')).toEqual(int(50));
    expect(r('getex', 'k', 'exat', '4000000000')).toEqual(bulk('v'));
    expect(r('expiretime', 'k')).toEqual(int(4000000000));
    expect(r('getex', 'k', 'pxat', '4000000000777')).toEqual(bulk('v'));
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000777));
    expect(r('getex', 'k', 'persist')).toEqual(bulk('v'));
    expect(r('ttl', 'k')).toEqual(int(-1));
    expect(r('getex', 'k', 'persist')).toEqual(bulk('v'));
  });

  it('an absolute time already past deletes the key after replying with it', () => {
    r('set', 'k', 'v');
    expect(r('getex', 'k', 'exat', '1')).toEqual(bulk('v'));
    expect(r('exists', 'k')).toEqual(int(0));
    r('set', 'k', 'w');
    expect(r('getex', 'k', 'pxat', String(Date.now() - 10))).toEqual(bulk('w'));
    expect(r('exists', 'k')).toEqual(int(0));
  });

  it('errors: syntax first, then (only for an existing key) the expire value', () => {
    for (const opts of [['nx'], ['xx'], ['get'], ['keepttl'], ['ex'], ['persist', 'ex', '1'], ['ex', '1', 'persist'], ['ex', '1', 'pxat', '1'], ['foo']]) {
      expect([opts, r('getex', 'nokey', ...opts)]).toEqual([opts, SYNTAX]);
    }
    expect(r('getex', 'nokey', 'ex', '-1')).toBe(null);
    expect(r('getex', 'nokey', 'ex', 'x')).toBe(null);
    r('set', 'k', 'v');
    expect(r('getex', 'k', 'ex', 'x')).toEqual(NOT_INT);
    expect(r('getex', 'k', 'ex', '0')).toEqual(err("ERR invalid expire time in 'getex' command"));
    expect(r('getex', 'k', 'pxat', '-1')).toEqual(err("ERR invalid expire time in 'getex' command"));
    expect(r('getex', 'k', 'ex', '9223372036854775807')).toEqual(err("ERR invalid expire time in 'getex' command"));
    expect(r('ttl', 'k')).toEqual(int(-1));
  });
});

describe('MGET / MSET / MSETNX', () => {
  it('MSET and MGET, binary safe, last duplicate wins, clears TTLs', () => {
    r('set', 'a', 'old', 'ex', '100');
    expect(r('mset', 'a', '1', BIN, BIN, 'c', '3', 'c', '4')).toEqual(OK);
    expect(r('mget', 'a', BIN, 'c', 'nokey', 'a')).toEqual([bulk('1'), bulk(BIN.toString('latin1')), bulk('4'), null, bulk('1')]);
    expect(r('ttl', 'a')).toEqual(int(-1));
  });

  it('MSETNX sets all or nothing', () => {
    expect(r('msetnx', 'a', '1', 'b', '2')).toEqual(int(1));
    expect(r('msetnx', 'b', '9', 'c', '3')).toEqual(int(0));
    expect(r('mget', 'b', 'c')).toEqual([bulk('2'), null]);
  });

  it('an odd number of arguments is a wrong-arity error', () => {
    expect(r('mset', 'a', '1', 'b')).toEqual(err("ERR wrong number of arguments for 'mset' command"));
    expect(r('msetnx', 'a', '1', 'b')).toEqual(err("ERR wrong number of arguments for 'msetnx' command"));
  });

  it('more pairs than the intent log holds is an error, and nothing is written', () => {
    const argv: string[] = [];
    for (let i = 0; i < 20000; i++) argv.push(`key:${i}`, 'v');
    expect(r('mset', ...argv)).toEqual(err('ERR too many keys for one atomic write'));
    expect(r('exists', 'key:0', 'key:19999')).toEqual(int(0));
  });
});

describe('APPEND / STRLEN', () => {
  it('creates, appends, keeps the TTL, binary safe', () => {
    expect(r('append', 'k', 'ab')).toEqual(int(2));
    expect(r('expire', 'k', '100')).toEqual(int(1));
    expect(r('append', 'k', L('\r\n\0'))).toEqual(int(5));
    expect(r('get', 'k')).toEqual(bulk('ab\r\n\0'));
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('strlen', 'k')).toEqual(int(5));
    expect(r('strlen', 'nokey')).toEqual(int(0));
    expect(r('append', 'k', '')).toEqual(int(5));
    expect(r('append', 'e', '')).toEqual(int(0));
    expect(r('exists', 'e')).toEqual(int(1));
  });

  it('refuses to grow past proto-max-bulk-len', () => {
    const small = openContext({ protoMaxBulkLen: 10 });
    try {
      expect(toWire(small.run('append', 'k', '12345678'))).toEqual(int(8));
      expect(toWire(small.run('append', 'k', '90'))).toEqual(int(10));
      expect(toWire(small.run('append', 'k', 'x'))).toEqual(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
      expect(toWire(small.run('strlen', 'k'))).toEqual(int(10));
    } finally {
      small.close();
    }
  });
});

describe('INCR / DECR / INCRBY / DECRBY', () => {
  it('counts, creating the key at 0, keeping the TTL', () => {
    expect(r('incr', 'n')).toEqual(int(1));
    expect(r('incrby', 'n', '41')).toEqual(int(42));
    expect(r('decr', 'n')).toEqual(int(41));
    expect(r('decrby', 'n', '-9')).toEqual(int(50));
    expect(r('decr', 'm')).toEqual(int(-1));
    r('set', 't', '10', 'ex', '100');
    expect(r('incr', 't')).toEqual(int(11));
    expect(r('ttl', 't')).toEqual(int(100));
  });

  it('errors', () => {
    for (const v of ['abc', '', ' 1', '1 ', '+1', '01', '-0', '1.0', '9223372036854775808']) {
      r('set', 's', v);
      expect([v, r('incr', 's')]).toEqual([v, NOT_INT]);
      expect([v, r('incrby', 'n', v)]).toEqual([v, NOT_INT]);
    }
    r('set', 'max', '9223372036854775807');
    expect(r('incr', 'max')).toEqual(err('ERR increment or decrement would overflow'));
    r('set', 'min', '-9223372036854775808');
    expect(r('decr', 'min')).toEqual(err('ERR increment or decrement would overflow'));
    expect(r('decrby', 'x', '-9223372036854775808')).toEqual(err('ERR decrement would overflow'));
    expect(r('incrby', 'x', '-9223372036854775808')).toEqual(int('-9223372036854775808'));
    expect(r('get', 'max')).toEqual(bulk('9223372036854775807'));
  });
});

describe('INCRBYFLOAT', () => {
  it('adds in long double and prints like Redis', () => {
    expect(r('incrbyfloat', 'f', '0.1')).toEqual(bulk('0.1'));
    expect(r('incrbyfloat', 'f', '0.2')).toEqual(bulk('0.3'));
    expect(r('incrbyfloat', 'f', '-0.3')).toEqual(bulk('0'));
    r('set', 'g', '10.50');
    expect(r('incrbyfloat', 'g', '0.1')).toEqual(bulk('10.6'));
    expect(r('incrbyfloat', 'g', '-5')).toEqual(bulk('5.6'));
    r('set', 'h', '5.0e3');
    expect(r('incrbyfloat', 'h', '2.0e2')).toEqual(bulk('5200'));
    expect(r('incrbyfloat', 'i', '1e-20')).toEqual(bulk('0'));
    expect(r('incrbyfloat', 'j', '0x10')).toEqual(bulk('16'));
    expect(r('incrbyfloat', 'k', '1e20')).toEqual(bulk('100000000000000000000'));
    expect(r('get', 'k')).toEqual(bulk('100000000000000000000'));
  });

  it('keeps the TTL', () => {
    r('set', 't', '1', 'ex', '100');
    expect(r('incrbyfloat', 't', '1.5')).toEqual(bulk('2.5'));
    expect(r('ttl', 't')).toEqual(int(100));
  });

  it('errors', () => {
    for (const v of ['abc', '', ' 1', '1 ', 'nan', '1e5000', '1e-5000', '0x', '.', '1e']) {
      expect([v, r('incrbyfloat', 'f', v)]).toEqual([v, NOT_FLOAT]);
    }
    r('set', 's', 'abc');
    expect(r('incrbyfloat', 's', '1')).toEqual(NOT_FLOAT);
    expect(r('incrbyfloat', 'f', 'inf')).toEqual(err('ERR increment would produce NaN or Infinity'));
    expect(r('incrbyfloat', 'f', '-Infinity')).toEqual(err('ERR increment would produce NaN or Infinity'));
    r('set', 'big', '1e4932');
    expect(r('incrbyfloat', 'big', '1e4932')).toEqual(err('ERR increment would produce NaN or Infinity'));
    expect(r('exists', 'f')).toEqual(int(0));
  });
});

describe('GETRANGE / SUBSTR / SETRANGE', () => {
  it('GETRANGE index rules', () => {
    r('set', 'k', 'This is a string');
    const cases: Array<[string, string, string]> = [
      ['0', '3', 'This'],
      ['-3', '-1', 'ing'],
      ['0', '-1', 'This is a string'],
      ['10', '100', 'string'],
      ['5', '2', ''],
      ['-1', '-5', ''],
      ['-100', '2', 'Thi'],
      ['100', '200', ''],
      ['-9223372036854775808', '9223372036854775807', 'This is a string'],
    ];
    for (const [s, e, want] of cases) expect([s, e, r('getrange', 'k', s, e)]).toEqual([s, e, bulk(want)]);
    expect(r('substr', 'k', '0', '3')).toEqual(bulk('This'));
    expect(r('getrange', 'nokey', '0', '-1')).toEqual(bulk(''));
    r('set', 'e', '');
    expect(r('getrange', 'e', '0', '-1')).toEqual(bulk(''));
    expect(r('getrange', 'k', 'a', '1')).toEqual(NOT_INT);
    expect(r('getrange', 'k', '1', '9223372036854775808')).toEqual(NOT_INT);
    r('set', BIN, L('\0\r\n\xff'));
    expect(r('getrange', BIN, '1', '2')).toEqual(bulk('\r\n'));
  });

  it('SETRANGE pads with zero bytes, keeps the TTL, never creates for empty data', () => {
    r('set', 'k', 'Hello World', 'ex', '100');
    expect(r('setrange', 'k', '6', 'Redis')).toEqual(int(11));
    expect(r('get', 'k')).toEqual(bulk('Hello Redis'));
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('setrange', 'n', '3', L('\r\n'))).toEqual(int(5));
    expect(r('get', 'n')).toEqual(bulk('\0\0\0\r\n'));
    expect(r('setrange', 'm', '5', '')).toEqual(int(0));
    expect(r('exists', 'm')).toEqual(int(0));
    expect(r('setrange', 'k', '999999999999', '')).toEqual(int(11));
  });

  it('SETRANGE errors', () => {
    expect(r('setrange', 'k', '-1', 'x')).toEqual(err('ERR offset is out of range'));
    expect(r('setrange', 'k', 'x', 'x')).toEqual(NOT_INT);
    expect(r('setrange', 'k', '536870912', 'x')).toEqual(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
    expect(r('setrange', 'k', '536870911', 'xy')).toEqual(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
    expect(r('setrange', 'k', '9223372036854775807', 'x')).toEqual(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
    expect(r('exists', 'k')).toEqual(int(0));
  });

  it('SETRANGE beyond the pool is the store OOM, mapped to -OOM as the dispatcher does', () => {
    expect(r('setrange', 'k', String(200 * 1024 * 1024), 'x')).toEqual(err("OOM command not allowed when used memory > 'maxmemory'."));
    expect(r('exists', 'k')).toEqual(int(0));
  });
});

describe('LCS', () => {
  beforeEach(() => {
    r('mset', 'key1', 'ohmytext', 'key2', 'mynewtext');
  });

  it('the string, LEN, IDX, MINMATCHLEN, WITHMATCHLEN', () => {
    expect(r('lcs', 'key1', 'key2')).toEqual(bulk('mytext'));
    expect(r('lcs', 'key1', 'key2', 'len')).toEqual(int(6));
    expect(r('lcs', 'key1', 'key2', 'idx')).toEqual([
      bulk('matches'),
      [
        [
          [int(4), int(7)],
          [int(5), int(8)],
        ],
        [
          [int(2), int(3)],
          [int(0), int(1)],
        ],
      ],
      bulk('len'),
      int(6),
    ]);
    expect(r('lcs', 'key1', 'key2', 'idx', 'minmatchlen', '4', 'withmatchlen')).toEqual([
      bulk('matches'),
      [
        [
          [int(4), int(7)],
          [int(5), int(8)],
          int(4),
        ],
      ],
      bulk('len'),
      int(6),
    ]);
    expect(r('lcs', 'key1', 'nokey')).toEqual(bulk(''));
    expect(r('lcs', 'nokey', 'nokey', 'len')).toEqual(int(0));
  });

  it('errors', () => {
    expect(r('lcs', 'key1', 'key2', 'idx', 'len')).toEqual(err('ERR If you want both the length and indexes, please just use IDX.'));
    expect(r('lcs', 'key1', 'key2', 'foo')).toEqual(SYNTAX);
    expect(r('lcs', 'key1', 'key2', 'minmatchlen')).toEqual(SYNTAX);
    expect(r('lcs', 'key1', 'key2', 'minmatchlen', 'x')).toEqual(NOT_INT);
    const small = openContext({ protoMaxBulkLen: 1000 });
    try {
      small.run('mset', 'a', 'x'.repeat(100), 'b', 'y'.repeat(100));
      expect(toWire(small.run('lcs', 'a', 'b'))).toEqual(err('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len'));
    } finally {
      small.close();
    }
  });
});

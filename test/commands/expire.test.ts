// Expiry commands through their handlers on a real pool: exact replies, option rules, overflow.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { openContext, type TestContext } from './context.js';
import { toWire, int, err, NOT_INT, L, BIN, type Wire } from './resp-client.js';
import { expireCommands } from '../../src/commands/redis/expire.js';


let ctx: TestContext;
const r = (...a: Array<string | Buffer | number>): Wire => toWire(ctx.run(...a));
const num = (w: Wire) => Number((w as { i: string }).i);

beforeAll(() => {
  ctx = openContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.store.flushAll());

describe('command table entries', () => {
  it('match Redis 7 COMMAND INFO', () => {
    const info = Object.fromEntries(expireCommands.map((s) => [s.name, [s.arity, s.flags.join(' '), s.firstKey, s.lastKey, s.step]]));
    expect(info).toEqual({
      expire: [-3, 'write fast', 1, 1, 1],
      pexpire: [-3, 'write fast', 1, 1, 1],
      expireat: [-3, 'write fast', 1, 1, 1],
      pexpireat: [-3, 'write fast', 1, 1, 1],
      ttl: [2, 'readonly fast', 1, 1, 1],
      pttl: [2, 'readonly fast', 1, 1, 1],
      expiretime: [2, 'readonly fast', 1, 1, 1],
      pexpiretime: [2, 'readonly fast', 1, 1, 1],
      persist: [2, 'write fast', 1, 1, 1],
    });
  });
});

describe('TTL / PTTL / EXPIRETIME / PEXPIRETIME', () => {
  it('-2 for a missing key, -1 without expiry', () => {
    for (const c of ['ttl', 'pttl', 'expiretime', 'pexpiretime']) {
      expect([c, r(c, 'nokey')]).toEqual([c, int(-2)]);
    }
    r('set', BIN, 'v');
    for (const c of ['ttl', 'pttl', 'expiretime', 'pexpiretime']) {
      expect([c, r(c, BIN)]).toEqual([c, int(-1)]);
    }
  });

  it('relative values, and seconds rounded to nearest as Redis does ((ms + 500) / 1000)', () => {
    r('set', 'k', 'v', 'px', '100000');
    const pttl = num(r('pttl', 'k'));
    expect(pttl).toBeGreaterThan(99_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    expect(r('ttl', 'k')).toEqual(int(100));
    r('set', 'k', 'v', 'px', '1600');
    expect(r('ttl', 'k')).toEqual(int(2)); // 1.6 s rounds up
    r('set', 'k', 'v', 'px', '1400');
    expect(r('ttl', 'k')).toEqual(int(1));
    r('pexpireat', 'k', '4000000000499');
    expect(r('expiretime', 'k')).toEqual(int(4000000000));
    r('pexpireat', 'k', '4000000000500');
    expect(r('expiretime', 'k')).toEqual(int(4000000001));
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000500));
  });
});

describe('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT', () => {
  it('set expiry on existing keys only', () => {
    expect(r('expire', 'nokey', '100')).toEqual(int(0));
    r('set', 'k', 'v');
    expect(r('expire', 'k', '100')).toEqual(int(1));
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('pexpire', 'k', '200000')).toEqual(int(1));
    expect(r('ttl', 'k')).toEqual(int(200));
    expect(r('expireat', 'k', '4000000000')).toEqual(int(1));
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000000));
    expect(r('pexpireat', 'k', '4000000000001')).toEqual(int(1));
    expect(r('pexpiretime', 'k')).toEqual(int(4000000000001));
    expect(r('get', 'k')).toEqual({ b: 'v' });
  });

  it('a time not in the future deletes the key (and replies 1)', () => {
    for (const cmd of [
      ['expire', '0'],
      ['expire', '-1'],
      ['pexpire', '-100'],
      ['expireat', '1'],
      ['pexpireat', String(Date.now() - 1)],
      ['expire', '-9223372036854775'],
    ]) {
      r('set', 'k', 'v');
      expect([cmd, r(cmd[0]!, 'k', cmd[1]!)]).toEqual([cmd, int(1)]);
      expect([cmd, r('exists', 'k')]).toEqual([cmd, int(0)]);
    }
  });

  it('expired keys are gone for every command', async () => {
    r('set', 'k', 'v');
    expect(r('pexpire', 'k', '30')).toEqual(int(1));
    await new Promise((res) => setTimeout(res, 80));
    expect(r('get', 'k')).toBe(null);
    expect(r('ttl', 'k')).toEqual(int(-2));
    expect(r('exists', 'k')).toEqual(int(0));
    expect(r('expire', 'k', '100')).toEqual(int(0));
    expect(r('persist', 'k')).toEqual(int(0));
  });

  it('NX XX GT LT', () => {
    r('set', 'k', 'v');
    expect(r('expire', 'k', '100', 'xx')).toEqual(int(0)); // no TTL yet
    expect(r('expire', 'k', '100', 'gt')).toEqual(int(0)); // none = infinite: never greater
    expect(r('expire', 'k', '100', 'nx')).toEqual(int(1));
    expect(r('expire', 'k', '200', 'NX')).toEqual(int(0));
    expect(r('expire', 'k', '200', 'xx')).toEqual(int(1));
    expect(r('ttl', 'k')).toEqual(int(200));
    expect(r('expire', 'k', '100', 'gt')).toEqual(int(0));
    expect(r('expire', 'k', '300', 'gt')).toEqual(int(1));
    expect(r('expire', 'k', '400', 'lt')).toEqual(int(0));
    expect(r('expire', 'k', '50', 'lt')).toEqual(int(1));
    expect(r('expire', 'k', '60', 'xx', 'gt')).toEqual(int(1));
    expect(r('ttl', 'k')).toEqual(int(60));
    expect(r('persist', 'k')).toEqual(int(1));
    expect(r('expire', 'k', '100', 'lt')).toEqual(int(1)); // none = infinite: anything is less
    expect(r('ttl', 'k')).toEqual(int(100));
    expect(r('expire', 'k', '-1', 'gt')).toEqual(int(0));
    expect(r('expire', 'k', '-1', 'lt')).toEqual(int(1));
    expect(r('exists', 'k')).toEqual(int(0));
  });

  it('option errors', () => {
    r('set', 'k', 'v');
    const nx = err('ERR NX and XX, GT or LT options at the same time are not compatible');
    expect(r('expire', 'k', '10', 'nx', 'xx')).toEqual(nx);
    expect(r('expire', 'k', '10', 'gt', 'nx')).toEqual(nx);
    expect(r('expire', 'k', '10', 'nx', 'lt')).toEqual(nx);
    expect(r('expire', 'k', '10', 'gt', 'lt')).toEqual(err('ERR GT and LT options at the same time are not compatible'));
    expect(r('expire', 'k', '10', 'foo')).toEqual(err('ERR Unsupported option foo'));
    expect(r('pexpire', 'k', '10', 'gt', L('ba\0r'))).toEqual(err('ERR Unsupported option ba'));
    // Options are checked before the time.
    expect(r('expire', 'k', 'x', 'foo')).toEqual(err('ERR Unsupported option foo'));
    expect(r('ttl', 'k')).toEqual(int(-1));
  });

  it('time errors and overflow', () => {
    r('set', 'k', 'v');
    for (const c of ['expire', 'pexpire', 'expireat', 'pexpireat']) {
      expect([c, r(c, 'k', 'x')]).toEqual([c, NOT_INT]);
      expect([c, r(c, 'k', '1.5')]).toEqual([c, NOT_INT]);
      expect([c, r(c, 'k', '9223372036854775808')]).toEqual([c, NOT_INT]);
      expect([c, r(c, 'k', '')]).toEqual([c, NOT_INT]);
    }
    expect(r('expire', 'k', '9223372036854776')).toEqual(err("ERR invalid expire time in 'expire' command"));
    expect(r('expire', 'k', '-9223372036854776')).toEqual(err("ERR invalid expire time in 'expire' command"));
    expect(r('expire', 'k', '9223372036854775')).toEqual(err("ERR invalid expire time in 'expire' command"));
    expect(r('expireat', 'k', '9223372036854776')).toEqual(err("ERR invalid expire time in 'expireat' command"));
    expect(r('pexpire', 'k', '9223372036854775807')).toEqual(err("ERR invalid expire time in 'pexpire' command"));
    // The error comes before the key lookup.
    expect(r('pexpire', 'nokey', '9223372036854775807')).toEqual(err("ERR invalid expire time in 'pexpire' command"));
    expect(r('ttl', 'k')).toEqual(int(-1));
    // The largest accepted times: the key stays, with a TTL.
    expect(r('expireat', 'k', '9223372036854775')).toEqual(int(1));
    expect(r('get', 'k')).toEqual({ b: 'v' });
    expect(r('pexpireat', 'k', '9223372036854775807')).toEqual(int(1));
    expect(num(r('ttl', 'k'))).toBeGreaterThan(1e12);
    expect(r('get', 'k')).toEqual({ b: 'v' });
  });
});

describe('PERSIST', () => {
  it('removes expiry only where there is one', () => {
    expect(r('persist', 'nokey')).toEqual(int(0));
    r('set', 'k', 'v');
    expect(r('persist', 'k')).toEqual(int(0));
    r('expire', 'k', '100');
    expect(r('persist', 'k')).toEqual(int(1));
    expect(r('ttl', 'k')).toEqual(int(-1));
    expect(r('get', 'k')).toEqual({ b: 'v' });
  });
});

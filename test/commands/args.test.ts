// The shared argument helpers: Redis's integer, option, cursor and glob rules, and the long double
// arithmetic behind INCRBYFLOAT.
import { describe, it, expect } from 'vitest';
import { ErrorReply } from '../../src/protocol/resp/reply.js';
import {
  OBJ_EX,
  OBJ_GET,
  OBJ_KEEPTTL,
  OBJ_NX,
  OBJ_PERSIST,
  OBJ_PXAT,
  expireAtMs,
  optIs,
  parseInt32,
  parseLongLong,
  parseScanCursor,
  parseStringOptions,
  storeExpireMs,
  stringMatch,
} from '../../src/commands/redis/args.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from '../../src/commands/redis/longdouble.js';

const L = (s: string) => Buffer.from(s, 'latin1');

describe('parseLongLong (string2ll)', () => {
  it('accepts canonical int64 text only', () => {
    expect(parseLongLong(L('0'))).toBe(0n);
    expect(parseLongLong(L('-1'))).toBe(-1n);
    expect(parseLongLong(L('9223372036854775807'))).toBe(9223372036854775807n);
    expect(parseLongLong(L('-9223372036854775808'))).toBe(-9223372036854775808n);
    for (const bad of ['', '-', '+1', '01', '-0', ' 1', '1 ', '1.0', '1e3', '9223372036854775808', '-9223372036854775809', '0x10', '1\0']) {
      expect([bad, parseLongLong(L(bad))]).toEqual([bad, null]);
    }
  });

  it('parseInt32 has Redis 7.0 range error', () => {
    expect(parseInt32(L('2147483647'))).toBe(2147483647);
    expect(parseInt32(L('-2147483648'))).toBe(-2147483648);
    expect((parseInt32(L('2147483648')) as ErrorReply).message).toBe('ERR value is out of range, value must between -2147483648 and 2147483647');
    expect((parseInt32(L('x')) as ErrorReply).message).toBe('ERR value is not an integer or out of range');
  });
});

describe('optIs (strcasecmp)', () => {
  it('case-insensitive, ends at NUL', () => {
    expect(optIs(L('NX'), 'nx')).toBe(true);
    expect(optIs(L('kEePtTl'), 'keepttl')).toBe(true);
    expect(optIs(L('nx\0zz'), 'nx')).toBe(true);
    expect(optIs(L('nxx'), 'nx')).toBe(false);
    expect(optIs(L('n'), 'nx')).toBe(false);
    expect(optIs(L('\0nx'), 'nx')).toBe(false);
  });
});

describe('parseStringOptions', () => {
  const argv = (...a: string[]) => ['set', 'k', 'v', ...a].map(L);
  it('collects flags and the expire argument', () => {
    const o = parseStringOptions(argv('nx', 'get', 'ex', '10'), 3, 'set');
    expect(o).toEqual({ flags: OBJ_NX | OBJ_GET | OBJ_EX, expire: L('10'), unit: 'seconds' });
    expect(parseStringOptions(argv('keepttl'), 3, 'set')).toEqual({ flags: OBJ_KEEPTTL, expire: null, unit: 'seconds' });
    expect(parseStringOptions(argv('pxat', '5'), 3, 'set')).toEqual({ flags: OBJ_PXAT, expire: L('5'), unit: 'ms' });
    const g = parseStringOptions(['getex', 'k', 'persist'].map(L), 2, 'get');
    expect(g).toEqual({ flags: OBJ_PERSIST, expire: null, unit: 'seconds' });
  });
  it('GETEX does not take SET-only options', () => {
    for (const o of ['nx', 'xx', 'get', 'keepttl']) {
      expect((parseStringOptions(['getex', 'k', o].map(L), 2, 'get') as ErrorReply).message).toBe('ERR syntax error');
    }
  });
});

describe('expireAtMs', () => {
  it('relative forms add now; invalid values give the command name', () => {
    expect(expireAtMs(L('10'), OBJ_EX, 'seconds', 'set', 1000)).toBe(11000n);
    expect(expireAtMs(L('10'), OBJ_PXAT, 'ms', 'set', 1000)).toBe(10n);
    expect((expireAtMs(L('0'), OBJ_EX, 'seconds', 'getex', 0) as ErrorReply).message).toBe("ERR invalid expire time in 'getex' command");
    expect((expireAtMs(L('x'), OBJ_EX, 'seconds', 'set', 0) as ErrorReply).message).toBe('ERR value is not an integer or out of range');
  });
  it('store clamp', () => {
    expect(storeExpireMs(5n)).toBe(5);
    expect(storeExpireMs(9223372036854775807n)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('parseScanCursor (strtoul)', () => {
  it('accepts what strtoul accepts', () => {
    expect(parseScanCursor(L(''))).toBe(0n);
    expect(parseScanCursor(L('+7'))).toBe(7n);
    expect(parseScanCursor(L('007'))).toBe(7n);
    expect(parseScanCursor(L('-1'))).toBe(18446744073709551615n);
    expect(parseScanCursor(L('-0'))).toBe(0n);
    expect(parseScanCursor(L('18446744073709551615'))).toBe(18446744073709551615n);
    expect(parseScanCursor(L('12\0x'))).toBe(12n);
    for (const bad of [' 1', '\t1', '1 ', '+', '-', 'x', '0x1', '18446744073709551616', '1.0']) {
      expect([bad, parseScanCursor(L(bad))]).toEqual([bad, null]);
    }
  });
});

describe('stringMatch (stringmatchlen)', () => {
  const m = (p: string, s: string) => stringMatch(L(p), L(s));
  it('wildcards, classes, escapes', () => {
    expect(m('*', '')).toBe(false); // as in C: the loop never runs for an empty string (KEYS * short-cuts)
    expect(m('', '')).toBe(true);
    expect(m('', 'a')).toBe(false);
    expect(m('a*', 'a')).toBe(true);
    expect(m('a**', 'a')).toBe(true);
    expect(m('?', '')).toBe(false);
    expect(m('?', '\0')).toBe(true);
    expect(m('[abc]', 'b')).toBe(true);
    expect(m('[^abc]', 'b')).toBe(false);
    expect(m('[^abc]', 'd')).toBe(true);
    expect(m('[a-c]', 'b')).toBe(true);
    expect(m('[c-a]', 'b')).toBe(true);
    expect(m('[\\]]', ']')).toBe(true);
    expect(m('[a-]', '-')).toBe(false); // as in C: ']' is taken as the range end (a..] = ]..a)
    expect(m('[a-]', '^')).toBe(true);
    expect(m('[]', ']')).toBe(false); // "[]" is an empty class, then the pattern ends
    expect(m('[abc', 'a')).toBe(true); // unterminated class: the class runs to the end
    expect(m('\\*', '*')).toBe(true);
    expect(m('\\*', 'a')).toBe(false);
    expect(m('a\\', 'a\\')).toBe(true); // trailing backslash is literal
    expect(m('\\', '\\')).toBe(true);
    expect(m('[\x80-\xfe]', '\x90')).toBe(true);
    expect(m('[a-\xff]', 'z')).toBe(false); // signed: 0xff is -1
    expect(m('H*', 'hello')).toBe(false); // case-sensitive
    expect(stringMatch(L('H*'), L('hello'), true)).toBe(true);
  });

  it('pathological patterns stay fast', () => {
    const s = 'a'.repeat(5000);
    const p = 'a*'.repeat(50) + 'b';
    const t0 = Date.now();
    expect(m(p, s)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
    // Deep '*' nesting is refused rather than blowing the stack.
    expect(m('*a'.repeat(5000), 'a'.repeat(5000))).toBe(false);
  });
});

describe('long double (INCRBYFLOAT)', () => {
  const ld = (s: string) => parseLongDouble(L(s)) as LongDouble;
  const add = (a: string, b: string) => formatLongDoubleHuman(addLongDouble(ld(a), ld(b))!);
  it('sums and prints as Redis on x86-64', () => {
    expect(add('0.1', '0.2')).toBe('0.3');
    expect(add('10.5', '0.1')).toBe('10.6');
    expect(add('5.0e3', '2.0e2')).toBe('5200');
    expect(add('1', '-1')).toBe('0');
    expect(add('-0.0', '-0.0')).toBe('0');
    expect(add('3.0000000000000001', '0')).toBe('3.0000000000000001'); // 64-bit significand keeps it
    expect(add('0.1', '0')).toBe('0.1');
    expect(add('1e-17', '0')).toBe('0.00000000000000001');
    expect(add('4e-18', '0')).toBe('0');
    expect(add('6e-18', '0')).toBe('0.00000000000000001');
    expect(add('-6e-18', '0')).toBe('-0.00000000000000001');
    expect(add('1.5e20', '0')).toBe('150000000000000000000');
    expect(add('0x1.8p1', '0')).toBe('3');
  });
  it('parse rules', () => {
    expect(parseLongDouble(L('inf'))).toBe(Infinity);
    expect(parseLongDouble(L('-INFINITY'))).toBe(-Infinity);
    for (const bad of ['', ' 1', '1 ', 'nan', '-nan', 'abc', '1e', '.', '0x', '1e5000', '-1e5000', '1e-5000', '1..2']) {
      expect([bad, parseLongDouble(L(bad))]).toEqual([bad, null]);
    }
    expect(parseLongDouble(L('0e999999'))).toEqual({ neg: false, mant: 0n, exp: 0 });
    expect(parseLongDouble(L('1e-4940'))).not.toBe(null); // subnormal: accepted
    expect(addLongDouble(ld('1e4932'), ld('1e4932'))).toBe(null); // overflow
  });
});

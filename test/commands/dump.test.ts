// DUMP RESTORE MOVE SWAPDB WAIT of a real `daxcache serve` (dist/, built first) against a real
// redis-server started with one database (as daxcache has): each script runs on an empty keyspace
// on both and every reply must be the same on the wire. Then payloads cross over: values dumped by
// redis-server (integers, short strings, LZF-compressed long ones, binary) are restored here and
// the other way round, byte for byte; RESTORE's IDLETIME and FREQ land in OBJECT IDLETIME/FREQ.
import { describe, it, expect } from 'vitest';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { dumpString } from '../../src/protocol/rdb/dump-payload.js';
import { crc64 } from '../../src/protocol/rdb/crc64.js';

type Arg = string | Buffer;
const B = (s: string) => Buffer.from(s, 'latin1');
/** A DUMP payload of "hello" as we write it: redis-server must accept it too, or the scripts differ. */
const HELLO = dumpString(B('hello'));
/** 300 bytes of xorshift noise: LZF cannot shrink it, so Redis stores it verbatim, as we do. */
const RAND = (() => {
  const out = Buffer.alloc(300);
  let x = 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
})();

const scripts: Record<string, Arg[][]> = {
  'dump': [
    ['dump', 'missing'],
    ['set', 's', 'v'],
    ['dump', 's'],
    ['set', 'n', '12345'],
    ['dump', 'n'],
    ['set', 'n8', '-7'],
    ['dump', 'n8'],
    ['set', 'n32', '2147483647'],
    ['dump', 'n32'],
    ['set', 'big', '9223372036854775807'],
    ['dump', 'big'],
    ['set', 'lead0', '007'],
    ['dump', 'lead0'],
    ['set', 'empty', ''],
    ['dump', 'empty'],
    ['set', 'twenty', 'abcdefghijklmnopqrst'],
    ['dump', 'twenty'],
    ['set', 'rand', RAND],
    ['dump', 'rand'],
    ['dump'],
    ['dump', 'a', 'b'],
  ],
  'restore options and errors': [
    ['set', 'k', 'v'],
    ['restore', 'k', '0', 'x'],
    ['restore', 'k', 'x', 'x'],
    ['restore', 'k', '-1', 'x'],
    ['restore', 'k', '0', 'x', 'replace'],
    ['restore', 'new', '0', 'x'],
    ['restore', 'new', 'x', 'x'],
    ['restore', 'new', '-1', 'x'],
    ['restore', 'new', '0', 'x', 'foo'],
    ['restore', 'new', '0', 'x', 'idletime', '-1'],
    ['restore', 'new', '0', 'x', 'idletime', 'x'],
    ['restore', 'new', '0', 'x', 'idletime'],
    ['restore', 'new', '0', 'x', 'freq', '256'],
    ['restore', 'new', '0', 'x', 'freq', '-1'],
    ['restore', 'new', '0', 'x', 'freq'],
    ['restore', 'new', '0', 'x', 'idletime', '5', 'freq', '3'],
    ['restore', 'new', '0', 'x', 'freq', '3', 'idletime', '5'],
    ['restore', 'new', '0', 'x', 'absttl', 'replace'],
    ['restore', 'new', '0', B('\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xcf')], // CRC off by one bit
    ['restore', 'new', '0', B('\x00\x01v\x0c\x00\x91\x08\xce\xb2\x19\x38\x8a\xce')], // RDB version 12
    ['restore', 'new', '0', B('\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce')], // "v" from Redis 7.0
    ['get', 'new'],
    ['restore', 'new', '0', B('\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce')],
    ['restore', 'new', '0', B('\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce'), 'REPLACE'],
    ['restore'],
    ['restore', 'a', '0'],
  ],
  'restore ttl': [
    ['set', 'src', 'hello'],
    ['restore', 't1', '100000', HELLO],
    ['restore', 'gone', '1', HELLO, 'absttl'],
    ['exists', 'gone'],
    ['set', 'old', 'x'],
    ['restore', 'old', '1', HELLO, 'absttl', 'replace'],
    ['exists', 'old'],
    ['restore', 'far', '9999999999999', HELLO, 'absttl'],
    ['pexpiretime', 'far'],
    ['restore', 'over', '9223372036854775807', HELLO],
    ['exists', 'over'],
  ],
  'move swapdb wait': [
    ['set', 'k', 'v'],
    ['move', 'k', '1'],
    ['move', 'k', '0'],
    ['move', 'missing', '0'],
    ['move', 'k', '-1'],
    ['move', 'k', 'x'],
    ['move', 'k', '4294967296'],
    ['move', 'k'],
    ['swapdb', '0', '0'],
    ['swapdb', '0', '1'],
    ['swapdb', '1', '0'],
    ['swapdb', '-1', '0'],
    ['swapdb', 'x', '0'],
    ['swapdb', '0', 'x'],
    ['swapdb', '4294967296', '0'],
    ['swapdb', '0'],
    ['get', 'k'],
    ['wait', '0', '0'],
    ['wait', '-1', '0'],
    ['wait', '0', '100'],
    ['wait', 'x', '0'],
    ['wait', '0', 'x'],
    ['wait', '0', '-1'],
    ['wait', '99999999999999999999', '0'],
    ['wait', '1'],
  ],
};

describe.runIf(haveRedisServer)('DUMP RESTORE MOVE SWAPDB WAIT against a real redis-server', () => {
  const pair = useScriptedPair(scripts, { redisArgs: ['--databases', '1'] });

  it('values dumped by redis-server restore here byte for byte, and back', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const values: Buffer[] = [
      B(''), B('0'), B('-128'), B('127'), B('-32768'), B('65535'), B('-2147483648'), B('4294967296'), B('12a'),
      B('x'.repeat(21)), B('abc'.repeat(5000)), RAND, Buffer.concat([RAND, RAND, RAND]), B('\x00\r\n\xff'.repeat(40)),
      Buffer.alloc(70_000, 0x61), B('héllo wörld '.repeat(100)),
    ];
    let compressed = 0;
    for (const [i, v] of values.entries()) {
      const k = `v${i}`;
      expect(await pair.ref.call('set', k, v)).toEqual({ s: 'OK' });
      const payload = (await pair.ref.call('dump', k)) as { b: string };
      if (payload.b.charCodeAt(1) === 0xc3) compressed++; // Redis's LZF encoding
      expect(await pair.dax.call('restore', k, '0', B(payload.b))).toEqual({ s: 'OK' });
      expect(await pair.dax.call('get', k)).toEqual({ b: v.toString('latin1') });
      // and back: our payload restores into redis-server under another name
      const ours = (await pair.dax.call('dump', k)) as { b: string };
      expect(await pair.ref.call('restore', `back${i}`, '0', B(ours.b))).toEqual({ s: 'OK' });
      expect(await pair.ref.call('get', `back${i}`)).toEqual({ b: v.toString('latin1') });
    }
    expect(compressed).toBeGreaterThan(3); // the LZF decoder was exercised
  });

  it('a TTL travels with RESTORE; a string cut short is refused as Bad data format', async () => {
    await pair.ref.call('set', 'src', 'payload');
    const p = B(((await pair.ref.call('dump', 'src')) as { b: string }).b);
    expect(await pair.dax.call('restore', 'ttl', '5000', p)).toEqual({ s: 'OK' });
    const pttl = Number(((await pair.dax.call('pttl', 'ttl')) as { i: string }).i);
    expect(pttl).toBeGreaterThan(4000);
    expect(pttl).toBeLessThanOrEqual(5000);
    const at = Date.now() + 3_600_000;
    expect(await pair.dax.call('restore', 'abs', String(at), p, 'ABSTTL')).toEqual({ s: 'OK' });
    expect(await pair.dax.call('pexpiretime', 'abs')).toEqual({ i: String(at) });
    await pair.ref.call('hset', 'h', 'f', 'v');
    const hash = B(((await pair.ref.call('dump', 'h')) as { b: string }).b);
    // (collections restore too: dump-collections.test.ts covers them)
    expect(await pair.dax.call('restore', 'h', '0', hash)).toEqual({ s: 'OK' });
    expect(await pair.dax.call('hgetall', 'h')).toEqual([{ b: 'f' }, { b: 'v' }]);
    // A payload whose CRC is right but whose string is cut short.
    const truncated = ((await pair.dax.call('dump', 'ttl')) as { b: string }).b;
    const body = Buffer.concat([B(truncated).subarray(0, 3), B('\x0a\x00')]); // type, length 7, 2 of 7 bytes, version
    const crc = Buffer.alloc(8);
    crc.writeBigUInt64LE(crc64(body));
    expect(await pair.dax.call('restore', 'cut', '0', Buffer.concat([body, crc]))).toEqual({ e: 'ERR Bad data format' });
    // (redis-server 7.0 accepts this one: its reader runs on into the footer and takes 7 bytes from
    // there. We refuse a string that does not end where the footer begins.)
  });

  it('IDLETIME and FREQ set the eviction clock OBJECT reports', async () => {
    await pair.ref.call('set', 'src', 'idle');
    const p = B(((await pair.ref.call('dump', 'src')) as { b: string }).b);
    expect(await pair.dax.call('restore', 'idle', '0', p, 'IDLETIME', '1000')).toEqual({ s: 'OK' });
    const idle = Number(((await pair.dax.call('object', 'idletime', 'idle')) as { i: string }).i);
    expect(idle).toBeGreaterThanOrEqual(1000);
    expect(idle).toBeLessThan(1010);
    // TYPE, EXISTS, TTL, PTTL, EXPIRETIME and OBJECT look without touching (Redis's LOOKUP_NOTOUCH); GET touches.
    for (const cmd of [['type'], ['exists'], ['ttl'], ['pttl'], ['expiretime'], ['object', 'encoding'], ['object', 'refcount']]) {
      await pair.dax.call(...cmd, 'idle');
      const after = Number(((await pair.dax.call('object', 'idletime', 'idle')) as { i: string }).i);
      expect([cmd.join(' '), after >= 1000]).toEqual([cmd.join(' '), true]);
    }
    await pair.dax.call('get', 'idle');
    expect(await pair.dax.call('object', 'idletime', 'idle')).toEqual({ i: '0' });
    expect(await pair.dax.call('config', 'set', 'maxmemory-policy', 'allkeys-lfu')).toEqual({ s: 'OK' });
    try {
      expect(await pair.dax.call('restore', 'freq', '0', p, 'FREQ', '200')).toEqual({ s: 'OK' });
      expect(await pair.dax.call('object', 'freq', 'freq')).toEqual({ i: '200' });
      // Under LFU the idle time is not tracked, and IDLETIME is accepted and ignored (as in Redis).
      expect(await pair.dax.call('restore', 'idle2', '0', p, 'IDLETIME', '50')).toEqual({ s: 'OK' });
    } finally {
      await pair.dax.call('config', 'set', 'maxmemory-policy', 'noeviction');
    }
  });
});

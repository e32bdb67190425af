// DUMP/RESTORE of hashes, sets, sorted sets and lists between a real `daxcache serve` (dist/) and a
// real redis-server 7.0 (run with sanitize-dump-payload yes, so it validates payloads as deeply as
// we always do): values of every type, packed and large, dumped by Redis restore here with the
// same contents, TYPE and TTL, and ours restore into Redis; payload forms Redis 7.0 no longer
// writes (ziplists, quicklist of ziplists, text scores, set_listpack of 7.2) built by hand; REPLACE
// over another type, ABSTTL, a TTL in the past; truncated and bit-flipped payloads (CRC fixed so
// the format check runs) answer what Redis answers; the transaction limit; a kill -9 after RESTORE.
import { describe, it, expect } from 'vitest';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { RespClient, type Wire } from './resp-client.js';
import { settledUsedMemory } from './settled-memory.js';
import { crc64 } from '../../src/protocol/rdb/crc64.js';
import { dumpCollection, restorePayload } from '../../src/protocol/rdb/dump-payload.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const OK = { s: 'OK' };
const BAD = { e: 'ERR Bad data format' };

/** xorshift bytes: deterministic binary data. */
function noise(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
}

/** body + RDB version + CRC-64: a payload whose footer is right, whatever the body holds. */
function frame(body: Buffer, version = 10): Buffer {
  const v = Buffer.alloc(2);
  v.writeUInt16LE(version);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(v, crc64(body)));
  return Buffer.concat([body, v, crc]);
}
const bodyOf = (payload: Buffer) => payload.subarray(0, payload.length - 10);

/** An RDB length. */
function rdbLen(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}
const rdbStr = (b: Buffer) => Buffer.concat([rdbLen(b.length), b]);

/** A ziplist (ziplist.c) of the values: integers where the text is a canonical int64. */
function ziplist(values: Buffer[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  let tail = 10;
  for (const v of values) {
    const s = v.toString('latin1');
    let enc: Buffer;
    if (/^(0|-?[1-9][0-9]{0,17})$/.test(s)) {
      const n = BigInt(s);
      if (n >= 0n && n <= 12n) enc = Buffer.from([0xf1 + Number(n)]);
      else if (n >= -128n && n <= 127n) enc = Buffer.from([0xfe, Number(n) & 0xff]);
      else if (n >= -32768n && n <= 32767n) (enc = Buffer.from([0xc0, 0, 0])).writeInt16LE(Number(n), 1);
      else if (n >= -(2n ** 23n) && n < 2n ** 23n) (enc = Buffer.from([0xf0, 0, 0, 0])).writeIntLE(Number(n), 1, 3);
      else if (n >= -(2n ** 31n) && n < 2n ** 31n) (enc = Buffer.from([0xd0, 0, 0, 0, 0])).writeInt32LE(Number(n), 1);
      else (enc = Buffer.alloc(9, 0xe0)).writeBigInt64LE(n, 1);
    } else if (v.length < 64) enc = Buffer.concat([Buffer.from([v.length]), v]);
    else if (v.length < 16384) enc = Buffer.concat([Buffer.from([0x40 | (v.length >> 8), v.length & 0xff]), v]);
    else {
      const h = Buffer.alloc(5, 0x80);
      h.writeUInt32BE(v.length, 1);
      enc = Buffer.concat([h, v]);
    }
    let pl: Buffer;
    if (prev < 254) pl = Buffer.from([prev]);
    else (pl = Buffer.alloc(5, 0xfe)).writeUInt32LE(prev, 1);
    const e = Buffer.concat([pl, enc]);
    tail = 10 + entries.reduce((a, x) => a + x.length, 0);
    entries.push(e);
    prev = e.length;
  }
  const body = Buffer.concat(entries);
  const h = Buffer.alloc(10);
  h.writeUInt32LE(10 + body.length + 1, 0);
  h.writeUInt32LE(values.length ? tail : 10, 4);
  h.writeUInt16LE(values.length, 8);
  return Buffer.concat([h, body, Buffer.from([0xff])]);
}

/** A listpack (listpack.c) of the values, all as strings (small integers as 7-bit uints). */
function listpack(values: Buffer[]): Buffer {
  const entries: Buffer[] = [];
  for (const v of values) {
    const s = v.toString('latin1');
    let e: Buffer;
    if (/^(0|[1-9][0-9]?|1[01][0-9]|12[0-7])$/.test(s)) e = Buffer.from([Number(s)]);
    else if (v.length < 64) e = Buffer.concat([Buffer.from([0x80 | v.length]), v]);
    else if (v.length < 4096) e = Buffer.concat([Buffer.from([0xe0 | (v.length >> 8), v.length & 0xff]), v]);
    else {
      const h = Buffer.alloc(5, 0xf0);
      h.writeUInt32LE(v.length, 1);
      e = Buffer.concat([h, v]);
    }
    const l = e.length;
    const back = l <= 127 ? [l] : l < 16383 ? [l >> 7, (l & 127) | 128] : [l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128];
    entries.push(Buffer.concat([e, Buffer.from(back)]));
  }
  const body = Buffer.concat(entries);
  const h = Buffer.alloc(6);
  h.writeUInt32LE(6 + body.length + 1, 0);
  h.writeUInt16LE(Math.min(values.length, 0xffff), 4);
  return Buffer.concat([h, body, Buffer.from([0xff])]);
}

/** Reads an RDB length at `at`: [value, next offset]. */
function readLen(b: Buffer, at: number): [number, number] {
  const f = b[at]!;
  if (f >> 6 === 0 || f >> 6 === 3) return [f & 0x3f, at + 1];
  if (f >> 6 === 1) return [((f & 0x3f) << 8) | b[at + 1]!, at + 2];
  return [b.readUInt32BE(at + 1), at + 5];
}

/** How the nodes of a quicklist_2 payload (type 18) are stored: plain/packed, LZF-compressed or not. */
function quicklistNodes(payload: Buffer): { plain: number; packed: number; lzf: number } {
  const out = { plain: 0, packed: 0, lzf: 0 };
  let [n, at] = readLen(payload, 1);
  for (let i = 0; i < n; i++) {
    const [container, next] = readLen(payload, at);
    if (container === 1) out.plain++;
    else out.packed++;
    at = next;
    if (payload[at] === 0xc3) {
      out.lzf++;
      const [clen, a1] = readLen(payload, at + 1);
      const [, a2] = readLen(payload, a1);
      at = a2 + clen;
    } else {
      const [len, a1] = readLen(payload, at);
      at = a1 + len;
    }
  }
  return out;
}

const bulks = (w: Wire) => (w as Array<{ b: string }>).map((x) => x.b);

/** TYPE, TTL and the whole value of a key, in an order that does not depend on the encoding. */
async function snapshot(c: RespClient, key: string, unordered = false): Promise<unknown> {
  const type = ((await c.call('type', key)) as { s: string }).s;
  const ttl = await c.call('ttl', key);
  let value: unknown;
  if (type === 'hash') {
    const flat = bulks(await c.call('hgetall', key));
    const pairs: string[][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    value = pairs.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  } else if (type === 'set') value = bulks(await c.call('smembers', key)).sort();
  else if (type === 'zset') {
    value = await c.call('zrange', key, '0', '-1', 'withscores');
    if (unordered) {
      const flat = bulks(value as Wire);
      const pairs: string[][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      value = pairs.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    }
  }
  else if (type === 'list') value = await c.call('lrange', key, '0', '-1');
  else if (type === 'string') value = await c.call('get', key);
  return { type, ttl, value };
}

async function dumpOf(c: RespClient, key: string): Promise<Buffer> {
  const d = (await c.call('dump', key)) as { b: string };
  return B(d.b);
}

/** Commands that build one value on Redis, and the RDB type Redis 7.0 dumps it as. */
interface Case {
  name: string;
  rdbType: number;
  build: Array<Array<string | Buffer>>;
}

function cases(): Case[] {
  const hset = (key: string, n: number, f: (i: number) => [string | Buffer, string | Buffer]) => {
    const args: Array<string | Buffer> = ['hset', key];
    for (let i = 0; i < n; i++) args.push(...f(i));
    return args;
  };
  const zadd = (key: string, n: number, f: (i: number) => [string, string | Buffer]) => {
    const args: Array<string | Buffer> = ['zadd', key];
    for (let i = 0; i < n; i++) args.push(...f(i));
    return args;
  };
  const bigList: Array<string | Buffer> = ['rpush', 'list-big'];
  for (let i = 0; i < 5000; i++) {
    if (i % 500 === 7) bigList.push(noise(10_000, i)); // 10 kB: a node of its own
    else if (i % 3 === 0) bigList.push(String(i * 7919 - 20000)); // integers, negative too
    else if (i % 3 === 1) bigList.push(noise(1 + (i % 40), i)); // binary
    else bigList.push(`element-${i}`);
  }
  return [
    { name: 'small hash', rdbType: 16, build: [hset('hash-small', 10, (i) => [`f${i}`, i % 2 ? String(i * 1000) : noise(i + 1, i)]), ['hset', 'hash-small', '-17', '9223372036854775807']] },
    { name: 'large hash (>512 fields)', rdbType: 4, build: [hset('hash-big', 600, (i) => [`field:${i}`, i % 2 ? String(-i) : noise(20, i)])] },
    { name: 'hash with a long value', rdbType: 4, build: [hset('hash-long', 3, (i) => [`f${i}`, noise(100 + i, i)])] },
    {
      name: 'small zset',
      rdbType: 17,
      build: [zadd('zset-small', 12, (i) => [i === 0 ? '-inf' : i === 1 ? '+inf' : i === 2 ? '1.25e+20' : String(i % 2 ? i * 0.25 : -i), i === 3 ? noise(9, 3) : `m${i}`])],
    },
    { name: 'large zset (>128 members)', rdbType: 5, build: [zadd('zset-big', 200, (i) => [String(i / 8), i % 5 ? `member${i}` : String(i)])] },
    { name: 'intset', rdbType: 11, build: [['sadd', 'set-ints', ...Array.from({ length: 50 }, (_, i) => String((i - 25) * 1_000_000_007))]] },
    { name: 'small set of strings', rdbType: 2, build: [['sadd', 'set-small', 'a', 'b', '12', noise(7, 1), 'longer member text']] },
    { name: 'large set (>512 members)', rdbType: 2, build: [['sadd', 'set-big', ...Array.from({ length: 600 }, (_, i) => (i % 4 ? `m${i}` : String(i)))]] },
    { name: 'list of 10', rdbType: 18, build: [['rpush', 'list-small', 'a', '1', '-2', '300', '70000', '5000000000', noise(5, 2), '', 'x'.repeat(100), 'last']] },
    { name: 'list of 5000 with 10 kB elements', rdbType: 18, build: [bigList] },
  ];
}

describe('restorePayload on its own', () => {
  it('reads back what dumpCollection writes, every kind', () => {
    const items = [B('a'), B('12'), B('-7'), noise(70, 3), B('')];
    expect(restorePayload(dumpCollection('list', items))).toEqual({ type: 'list', items });
    expect(restorePayload(dumpCollection('set', items))).toEqual({ type: 'set', items });
    expect(restorePayload(dumpCollection('hash', [B('f'), B('1'), B('g'), B('')]))).toEqual({ type: 'hash', items: [B('f'), B('1'), B('g'), B('')] });
    const score = Buffer.alloc(8);
    score.writeDoubleLE(-2.5);
    expect(restorePayload(dumpCollection('zset', [B('m'), score]))).toEqual({ type: 'zset', members: [B('m')], scores: [-2.5] });
    // Trailing bytes after a well-formed value are refused.
    expect(restorePayload(frame(Buffer.concat([bodyOf(dumpCollection('list', items)), B('x')])))).toBe('bad-format');
  });

  it('never throws on damaged collection payloads whose CRC is right', () => {
    const seeds = [
      frame(Buffer.concat([Buffer.from([16]), rdbStr(listpack(['f', '1', 'g', 'x'.repeat(70), 'h', 'y'.repeat(5000)].map(B)))])),
      frame(Buffer.concat([Buffer.from([18]), rdbLen(2), rdbLen(2), rdbStr(listpack(['a', '100', '-5'].map(B))), rdbLen(1), rdbStr(B('plain'))])),
      frame(Buffer.concat([Buffer.from([14]), rdbLen(1), rdbStr(ziplist(['a', '0', '300', '-70000', '5000000000', 'z'.repeat(300)].map(B)))])),
      frame(Buffer.concat([Buffer.from([12]), rdbStr(ziplist(['a', '1', 'b', '2.5'].map(B)))])),
      frame(Buffer.concat([Buffer.from([11]), rdbStr(Buffer.from([4, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0]))])),
      dumpCollection('zset', [B('m'), Buffer.alloc(8), B('n'), Buffer.alloc(8, 1)]),
      dumpCollection('hash', [B('f'), B('123456'), B('g'), noise(100, 1)]),
    ];
    for (const seed of seeds) expect(typeof restorePayload(seed)).toBe('object');
    let x = 12345;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      return (x >>> 8) % n;
    };
    const outcomes = { ok: 0, bad: 0 };
    for (let round = 0; round < 4000; round++) {
      const body = Buffer.from(bodyOf(seeds[round % seeds.length]!));
      let damaged: Buffer = body;
      const kind = rnd(4);
      if (kind === 0) damaged = body.subarray(0, rnd(body.length));
      else if (kind === 1) for (let i = 0; i <= rnd(3); i++) damaged[rnd(body.length)] = rnd(256);
      else if (kind === 2) damaged[rnd(body.length)] ^= 1 << rnd(8);
      else {
        const at = rnd(body.length);
        damaged = Buffer.concat([body.subarray(0, at), Buffer.from([rnd(256)]), body.subarray(at)]);
      }
      const r = restorePayload(frame(damaged));
      if (r === 'bad-format') outcomes.bad++;
      else if (typeof r === 'object') outcomes.ok++;
      else throw new Error(`unexpected ${String(r)}`);
    }
    expect(outcomes.bad).toBeGreaterThan(1000);
    expect(outcomes.ok).toBeGreaterThan(100);
  });
});

describe.runIf(haveRedisServer)('DUMP/RESTORE of collections against a real redis-server', () => {
  const pair = useScriptedPair({}, { redisArgs: ['--databases', '1', '--sanitize-dump-payload', 'yes', '--enable-debug-command', 'yes'] });

  it('every type, packed and large: Redis -> daxcache and daxcache -> Redis keep contents, TYPE and TTL', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const seen = new Set<number>();
    for (const c of cases()) {
      for (const cmd of c.build) expect(typeof (await pair.ref.call(...cmd))).toBe('object');
      const key = c.build[0]![1] as string;
      expect(await pair.ref.call('pexpire', key, '100000')).toEqual({ i: '1' });
      const payload = await dumpOf(pair.ref, key);
      seen.add(payload[0]!);
      expect([c.name, payload[0]]).toEqual([c.name, c.rdbType]);
      expect([c.name, await pair.dax.call('restore', key, '100000', payload)]).toEqual([c.name, OK]);
      expect([c.name, await snapshot(pair.dax, key)]).toEqual([c.name, await snapshot(pair.ref, key)]);
      // Back: our payload (plain forms) restores into Redis, and into daxcache again.
      const ours = await dumpOf(pair.dax, key);
      expect([c.name, await pair.ref.call('restore', `${key}-back`, '100000', ours)]).toEqual([c.name, OK]);
      expect([c.name, await snapshot(pair.ref, `${key}-back`)]).toEqual([c.name, await snapshot(pair.dax, key)]);
      expect(await pair.dax.call('restore', `${key}-again`, '0', ours)).toEqual(OK);
      expect(((await snapshot(pair.dax, `${key}-again`)) as { value: unknown }).value).toEqual(((await snapshot(pair.dax, key)) as { value: unknown }).value);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 4, 5, 11, 16, 17, 18]);
    // Redis compressed the big list's nodes with LZF: that path of the node reader ran.
    const nodes = quicklistNodes(await dumpOf(pair.ref, 'list-big'));
    expect(nodes.packed).toBeGreaterThan(10);
    expect(nodes.lzf).toBeGreaterThan(5);
  }, 60_000);

  it('a list with plain (over-threshold) nodes, as Redis dumps it', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    // Redis makes an element over its packed threshold (1 GB by default) a PLAIN node; lowered here.
    expect(await pair.ref.call('debug', 'quicklist-packed-threshold', '1000')).toEqual(OK);
    try {
      await pair.ref.call('rpush', 'pl', 'a', '12', noise(2000, 5), 'b', B('z'.repeat(5000)), 'c');
    } finally {
      await pair.ref.call('debug', 'quicklist-packed-threshold', '1073741824');
    }
    const real = await dumpOf(pair.ref, 'pl');
    expect(quicklistNodes(real)).toEqual({ plain: 2, packed: 3, lzf: 1 }); // the 'z' run compresses
    expect(await pair.dax.call('restore', 'pl', '0', real)).toEqual(OK);
    expect(await snapshot(pair.dax, 'pl')).toEqual(await snapshot(pair.ref, 'pl'));
    // Quicklist PLAIN nodes hold one element past the packed threshold; build them by hand, with
    // packed and empty packed nodes between (Redis skips an empty node).
    const big = noise(3000, 9);
    const body = Buffer.concat([
      Buffer.from([18]), rdbLen(4),
      rdbLen(2), rdbStr(listpack([B('a'), B('7'), B('bee')])),
      rdbLen(1), rdbStr(big),
      rdbLen(2), rdbStr(listpack([])),
      rdbLen(1), rdbStr(B('plain')),
    ]);
    const p = frame(body);
    const [d, r] = await Promise.all([pair.dax.call('restore', 'l', '0', p), pair.ref.call('restore', 'l', '0', p)]);
    expect(d).toEqual(OK);
    expect(r).toEqual(OK);
    expect(await snapshot(pair.dax, 'l')).toEqual(await snapshot(pair.ref, 'l'));
    expect(await pair.dax.call('lrange', 'l', '0', '-1')).toEqual([{ b: 'a' }, { b: '7' }, { b: 'bee' }, { b: big.toString('latin1') }, { b: 'plain' }]);
  });

  it('older forms Redis 7 still loads (ziplists, quicklist of ziplists, list, text scores) restore the same on both', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const vals = ['a', '0', '12', '13', '-1', '-128', '300', '-40000', '8388607', '-8388609', '2147483648', '-9223372036854775808', 'x'.repeat(70), 'y'.repeat(300), ''].map(B);
    const pairs = (n: number, f: (i: number) => [string, string]) => Array.from({ length: n }, (_, i) => f(i)).flat().map(B);
    const payloads: Record<string, Buffer> = {
      list_ziplist: frame(Buffer.concat([Buffer.from([10]), rdbStr(ziplist(vals))]), 9),
      quicklist_ziplist: frame(Buffer.concat([Buffer.from([14]), rdbLen(3), rdbStr(ziplist(vals)), rdbStr(ziplist([])), rdbStr(ziplist(vals.slice(0, 4)))]), 9),
      hash_ziplist: frame(Buffer.concat([Buffer.from([13]), rdbStr(ziplist(pairs(20, (i) => [`f${i}`, String(i * 31 - 300)])))]), 9),
      // (ascending scores: Redis takes a packed zset's order as it is)
      zset_ziplist: frame(Buffer.concat([Buffer.from([12]), rdbStr(ziplist(pairs(20, (i) => [`m${i}`, String(i * 1.5 - 10)])))]), 9),
      plain_list: frame(Buffer.concat([Buffer.from([1]), rdbLen(3), rdbStr(B('one')), Buffer.from([0xc0, 0xfe]), rdbStr(B(''))])),
      zset_text_scores: frame(Buffer.concat([Buffer.from([3]), rdbLen(3), rdbStr(B('a')), Buffer.from([3]), B('1.5'), rdbStr(B('b')), Buffer.from([254]), rdbStr(B('c')), Buffer.from([255])]), 9),
    };
    for (const [name, p] of Object.entries(payloads)) {
      const [d, r] = await Promise.all([pair.dax.call('restore', name, '0', p), pair.ref.call('restore', name, '0', p)]);
      expect([name, d]).toEqual([name, OK]);
      expect([name, r]).toEqual([name, OK]);
      expect([name, await snapshot(pair.dax, name)]).toEqual([name, await snapshot(pair.ref, name)]);
    }
    // Redis 7.2's set_listpack (RDB version 11): redis-server 7.0 refuses the version, we read it.
    const sl = frame(Buffer.concat([Buffer.from([20]), rdbStr(listpack(['a', '5', 'zz', '-3'].map(B)))]), 11);
    expect(await pair.ref.call('restore', 'sl', '0', sl)).toEqual({ e: 'ERR DUMP payload version or checksum are wrong' });
    expect(await pair.dax.call('restore', 'sl', '0', sl)).toEqual(OK);
    expect(bulks(await pair.dax.call('smembers', 'sl')).sort()).toEqual(['-3', '5', 'a', 'zz']);
    expect(await pair.dax.call('type', 'sl')).toEqual({ s: 'set' });
  });

  it('what Redis refuses at load (duplicates, empty, NaN) is refused here too', async () => {
    const lp = (vals: string[]) => rdbStr(listpack(vals.map(B)));
    const nan = Buffer.alloc(8);
    nan.writeDoubleLE(NaN);
    const bodies: Record<string, Buffer> = {
      'hash listpack, duplicate field': Buffer.concat([Buffer.from([16]), lp(['f', '1', 'g', '2', 'f', '3'])]),
      'hash listpack, odd count': Buffer.concat([Buffer.from([16]), lp(['f', '1', 'g'])]),
      'hash listpack, empty': Buffer.concat([Buffer.from([16]), lp([])]),
      'zset listpack, duplicate member': Buffer.concat([Buffer.from([17]), lp(['a', '1', 'a', '2'])]),
      'hash, duplicate field': Buffer.concat([Buffer.from([4]), rdbLen(2), rdbStr(B('f')), rdbStr(B('1')), rdbStr(B('f')), rdbStr(B('2'))]),
      'hash, empty': Buffer.concat([Buffer.from([4]), rdbLen(0)]),
      'set, duplicate member': Buffer.concat([Buffer.from([2]), rdbLen(3), rdbStr(B('a')), rdbStr(B('b')), rdbStr(B('a'))]),
      'set, duplicate integer': Buffer.concat([Buffer.from([2]), rdbLen(2), rdbStr(B('7')), Buffer.from([0xc0, 7])]),
      'set, empty': Buffer.concat([Buffer.from([2]), rdbLen(0)]),
      'zset_2, NaN score': Buffer.concat([Buffer.from([5]), rdbLen(1), rdbStr(B('a')), nan]),
      'zset_2, duplicate member': Buffer.concat([Buffer.from([5]), rdbLen(2), rdbStr(B('a')), Buffer.alloc(8), rdbStr(B('a')), Buffer.alloc(8)]),
      'zset, NaN text score': Buffer.concat([Buffer.from([3]), rdbLen(1), rdbStr(B('a')), Buffer.from([253])]),
      'list, empty': Buffer.concat([Buffer.from([1]), rdbLen(0)]),
      'quicklist, no nodes': Buffer.concat([Buffer.from([18]), rdbLen(0)]),
      'quicklist, only an empty node': Buffer.concat([Buffer.from([18]), rdbLen(1), rdbLen(2), lp([])]),
      'quicklist, container 3': Buffer.concat([Buffer.from([18]), rdbLen(1), rdbLen(3), lp(['a'])]),
      'quicklist, empty plain node': Buffer.concat([Buffer.from([18]), rdbLen(1), rdbLen(1), rdbLen(0)]),
      'intset, unsorted': Buffer.concat([Buffer.from([11]), rdbStr(Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 3, 0]))]),
      'intset, duplicate': Buffer.concat([Buffer.from([11]), rdbStr(Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0]))]),
      'intset, empty': Buffer.concat([Buffer.from([11]), rdbStr(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]))]),
      'intset, width 3': Buffer.concat([Buffer.from([11]), rdbStr(Buffer.from([3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0]))]),
      'hash ziplist, duplicate field': Buffer.concat([Buffer.from([13]), rdbStr(ziplist(['f', '1', 'f', '2'].map(B)))]),
      'zipmap (Redis 2.4)': Buffer.concat([Buffer.from([9]), rdbStr(Buffer.from([1, 1, 0x61, 1, 0, 0x62, 0xff]))]),
      'unknown type 19': Buffer.concat([Buffer.from([19]), rdbLen(0)]),
    };
    for (const [name, body] of Object.entries(bodies)) {
      const p = frame(body);
      const [d, r] = await Promise.all([pair.dax.call('restore', 'bad', '0', p, 'replace'), pair.ref.call('restore', 'bad', '0', p, 'replace')]);
      // Redis 7.0 loads a zipmap; we refuse that Redis 2.4 form (the only place we differ).
      if (name.startsWith('zipmap')) expect([name, r]).toEqual([name, OK]);
      else expect([name, r]).toEqual([name, BAD]);
      expect([name, d]).toEqual([name, BAD]);
    }
    expect(await pair.dax.call('exists', 'bad')).toEqual({ i: '0' });
  });

  it('REPLACE over another type, BUSYKEY, ABSTTL, a TTL already past, IDLETIME', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    await pair.ref.call('hset', 'src', 'a', '1', 'b', '2');
    const hash = await dumpOf(pair.ref, 'src');
    await pair.ref.call('rpush', 'lsrc', 'x', 'y');
    const list = await dumpOf(pair.ref, 'lsrc');
    const at = String(Date.now() + 3_600_000);
    const script: Array<Array<string | Buffer>> = [
      ['set', 'k', 'string'],
      ['restore', 'k', '0', hash],
      ['type', 'k'],
      ['restore', 'k', '0', hash, 'replace'],
      ['type', 'k'],
      ['hgetall', 'k'],
      ['restore', 'k', '0', list, 'replace'],
      ['lrange', 'k', '0', '-1'],
      ['restore', 'abs', at, hash, 'absttl'],
      ['pexpiretime', 'abs'],
      ['restore', 'k', '1', hash, 'absttl', 'replace'], // already past: the old key goes
      ['exists', 'k'],
      ['restore', 'past', '1', list, 'absttl'],
      ['exists', 'past'],
      ['restore', 'rel', '5000', list],
      ['type', 'rel'],
    ];
    for (const cmd of script) {
      const label = cmd.map((a) => (typeof a === 'string' ? a : '<payload>')).join(' ');
      const [d, r] = await Promise.all([pair.dax.call(...cmd), pair.ref.call(...cmd)]);
      expect([label, d]).toEqual([label, r]);
    }
    expect(await pair.dax.call('restore', 'idle', '0', hash, 'idletime', '1000')).toEqual(OK);
    const idle = Number(((await pair.dax.call('object', 'idletime', 'idle')) as { i: string }).i);
    expect(idle).toBeGreaterThanOrEqual(1000);
    expect(idle).toBeLessThan(1010);
    const pttl = Number(((await pair.dax.call('pttl', 'rel')) as { i: string }).i);
    expect(pttl).toBeGreaterThan(4000);
    expect(pttl).toBeLessThanOrEqual(5000);
  });

  it('truncated payloads (CRC fixed) get the reply Redis gives', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    await pair.ref.call('hset', 'h', 'f1', 'v1', 'f2', '222', 'f3', 'xyz');
    await pair.ref.call('zadd', 'z', '1', 'a', '2.5', 'b', '-3', 'c');
    await pair.ref.call('sadd', 'i', '1', '2', '300', '-70000');
    await pair.ref.call('sadd', 's', 'aa', 'bb', 'cc');
    await pair.ref.call('rpush', 'l', 'one', '2', 'three');
    let checked = 0;
    let readsFooter = 0;
    for (const key of ['h', 'z', 'i', 's', 'l']) {
      const body = bodyOf(await dumpOf(pair.ref, key));
      for (let cut = 1; cut < body.length; cut++) {
        const p = frame(body.subarray(0, cut));
        const [d, r] = await Promise.all([pair.dax.call('restore', 't', '0', p, 'replace'), pair.ref.call('restore', 't', '0', p, 'replace')]);
        expect([key, cut, d]).toEqual([key, cut, BAD]);
        // Redis reads on into the footer (version and CRC, 10 bytes) where the body ends early, so
        // a cut in the last 10 bytes may parse for it (an intset's last value taken from the CRC).
        // A cut deeper than that leaves a blob (one RDB string) short for Redis too; a run of
        // plain strings ('s') may still parse from the footer bytes. We never read the footer.
        if (key !== 's' && body.length - cut > 10) expect([key, cut, r]).toEqual([key, cut, BAD]);
        else if (JSON.stringify(r) !== JSON.stringify(BAD)) readsFooter++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
    console.log(`truncations: ${checked}, Redis accepted ${readsFooter} by reading the footer`);
    expect(readsFooter).toBeLessThan(checked / 4);
  });

  it('bit-flipped payloads (CRC fixed) get the reply Redis gives, and the same value when both accept', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    await pair.ref.call('hset', 'h', 'f1', 'v1', 'f2', '222', 'f3', 'xyz');
    await pair.ref.call('sadd', 'i', '1', '2', '300', '-70000');
    await pair.ref.call('rpush', 'l', 'one', '2', 'three', '-12345');
    await pair.ref.call('zadd', 'z', '1', 'a', '2', 'b', '1000', 'c');
    let accepted = 0;
    let refused = 0;
    const differ: string[] = [];
    for (const key of ['h', 'i', 'l', 'z']) {
      const body = bodyOf(await dumpOf(pair.ref, key));
      for (let at = 0; at < body.length; at++) {
        for (const bit of [0, 3, 6]) {
          const flipped = Buffer.from(body);
          flipped[at]! ^= 1 << bit;
          const p = frame(flipped);
          const [d, r] = await Promise.all([pair.dax.call('restore', 'f', '0', p, 'replace'), pair.ref.call('restore', 'f', '0', p, 'replace')]);
          if (JSON.stringify(d) !== JSON.stringify(r)) {
            differ.push(`${key}[${at}]^${1 << bit}: ours ${JSON.stringify(d)} redis ${JSON.stringify(r)}`);
            continue;
          }
          if (JSON.stringify(d) === JSON.stringify(OK)) {
            accepted++;
            // Unordered for a zset: a flipped score can leave Redis's listpack out of score order
            // (it keeps a packed zset's order as loaded); we keep members sorted by score.
            expect([key, at, bit, await snapshot(pair.dax, 'f', true)]).toEqual([key, at, bit, await snapshot(pair.ref, 'f', true)]);
          } else {
            refused++;
            expect(d).toEqual(BAD);
          }
        }
      }
    }
    // Where we differ, it is only that Redis takes a sorted-set score that is not a number (it
    // reads a prefix with strtod, "1" flipped to "q" is 0) or a type byte turned into zset
    // listpack over a hash's fields; we refuse those.
    console.log(`bit flips: ${accepted} accepted by both, ${refused} refused by both, differ: ${differ.join('; ')}`);
    for (const line of differ) expect(line).toMatch(/^[hz]\[\d+\]\^\d+: ours \{"e":"ERR Bad data format"\} redis \{"s":"OK"\}$/);
    expect(differ.length).toBeLessThanOrEqual(2);
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(50);
  }, 30_000);

  it('a collection larger than one transaction, or an element over the store bound, is refused and leaves the key', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    // On a 256 MB pool the intent log (4 MB) holds one write of about 4000 hash fields.
    const args: string[] = ['hset', 'huge'];
    for (let i = 0; i < 5000; i++) args.push(`f${i}`, `v${i}`);
    await pair.ref.call(...args);
    const huge = await dumpOf(pair.ref, 'huge');
    await pair.dax.call('set', 'huge', 'old');
    expect(await pair.dax.call('restore', 'huge', '0', huge, 'replace')).toEqual({ e: 'ERR too many keys for one atomic write' });
    expect(await pair.dax.call('get', 'huge')).toEqual({ b: 'old' });
    // A list takes 3 log lines an element, a hash 8: 5000 list elements fit.
    const fits: string[] = ['hset', 'fits'];
    for (let i = 0; i < 3500; i++) fits.push(`f${i}`, `v${i}`);
    await pair.ref.call(...fits);
    expect(await pair.dax.call('restore', 'fits', '0', await dumpOf(pair.ref, 'fits'))).toEqual(OK);
    expect(await pair.dax.call('hlen', 'fits')).toEqual({ i: '3500' });
    // A hash value over the store's 1 MiB element bound.
    await pair.ref.call('hset', 'wide', 'f', Buffer.alloc((1 << 20) + 1, 0x61));
    const wide = await dumpOf(pair.ref, 'wide');
    expect(await pair.dax.call('restore', 'wide', '0', wide)).toEqual({ e: 'ERR key or value too large for the store' });
    expect(await pair.dax.call('exists', 'wide')).toEqual({ i: '0' });
  });

  it('inside MULTI/EXEC a large restore is reserved with the transaction', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    await pair.ref.call('rpush', 'l', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
    const p = await dumpOf(pair.ref, 'l');
    await pair.dax.call('set', 'l', 'old');
    expect(await pair.dax.call('multi')).toEqual(OK);
    expect(await pair.dax.call('restore', 'l', '0', p, 'replace')).toEqual({ s: 'QUEUED' });
    expect(await pair.dax.call('llen', 'l')).toEqual({ s: 'QUEUED' });
    expect(await pair.dax.call('exec')).toEqual([OK, { i: '3000' }]);
  });

  it('out of memory, RESTORE REPLACE and the *STORE commands leave the destination as it was', async () => {
    const d = pair.dax;
    await d.call('flushall');
    const fat = (i: number) => `${i}-${'p'.repeat(100)}`;
    await d.call('hset', 'h', ...Array.from({ length: 3000 }, (_, i) => [fat(i), 'v']).flat());
    await d.call('sadd', 's', ...Array.from({ length: 3000 }, (_, i) => fat(i)));
    await d.call('zadd', 'z', ...Array.from({ length: 3000 }, (_, i) => [String(i), fat(i)]).flat());
    await d.call('rpush', 'l', ...Array.from({ length: 3000 }, (_, i) => fat(i)));
    const payload = await dumpOf(d, 'h');
    for (const k of ['old-h', 'old-s', 'old-z', 'old-l']) await d.call('set', k, 'keep');
    // What the FLUSHALL above dropped (earlier tests' keys) is freed in background slices: wait
    // until it is done, or the memory given back makes room under the limit below.
    const { used } = await settledUsedMemory(d);
    await d.call('config', 'set', 'maxmemory-policy', 'noeviction');
    await d.call('config', 'set', 'maxmemory', String(used + 64 * 1024)); // a copy of any of them is ~400 KB
    try {
      const oom = (r: Wire) => expect((r as { e: string }).e).toMatch(/^OOM /);
      oom(await d.call('restore', 'old-h', '0', payload, 'replace'));
      oom(await d.call('sunionstore', 'old-s', 's'));
      oom(await d.call('zunionstore', 'old-z', '1', 'z'));
      oom(await d.call('sort', 'l', 'alpha', 'store', 'old-l'));
      for (const k of ['old-h', 'old-s', 'old-z', 'old-l']) expect(await d.call('get', k)).toEqual({ b: 'keep' });
    } finally {
      await d.call('config', 'set', 'maxmemory', '0');
    }
    // With room again the same commands replace the destinations.
    expect(await d.call('restore', 'old-h', '0', payload, 'replace')).toEqual(OK);
    expect(await d.call('sunionstore', 'old-s', 's')).toEqual({ i: '3000' });
    expect(await d.call('zunionstore', 'old-z', '1', 'z')).toEqual({ i: '3000' });
    expect(await d.call('sort', 'l', 'alpha', 'store', 'old-l')).toEqual({ i: '3000' });
    expect(await d.call('hlen', 'old-h')).toEqual({ i: '3000' });
    expect(await d.call('type', 'old-l')).toEqual({ s: 'list' });
  });

  it('restored collections survive kill -9 of daxcache', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const keys: string[] = [];
    for (const c of cases()) {
      for (const cmd of c.build) await pair.ref.call(...cmd);
      const key = c.build[0]![1] as string;
      keys.push(key);
      expect(await pair.dax.call('restore', key, '0', await dumpOf(pair.ref, key))).toEqual(OK);
    }
    // The last write acknowledged before the kill: a REPLACE with a TTL, on both.
    const setBig = await dumpOf(pair.ref, 'set-big');
    for (const c of [pair.dax, pair.ref]) expect(await c.call('restore', 'set-ints', '600000', setBig, 'replace')).toEqual(OK);
    pair.dax.close();
    await pair.servers.dax.kill9();
    await pair.servers.dax.restart();
    pair.dax = await RespClient.open(pair.servers.dax.port);
    for (const key of keys) expect([key, await snapshot(pair.dax, key)]).toEqual([key, await snapshot(pair.ref, key)]);
  }, 60_000);
});

// The handlers against a real redis-server: each script runs on an empty keyspace on both, and every
// reply must be the same on the wire (type and bytes). Time-dependent replies use fixed absolute
// times or TTLs read back in whole seconds right away.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { openContext, type TestContext } from './context.js';
import { RespClient, toWire, type Wire } from './resp-client.js';
import { haveRedisServer, startRealRedis, type RealRedis } from './real-redis.js';

type Arg = string | Buffer | number;
const B = (s: string) => Buffer.from(s, 'latin1');
const BIN = B('a\r\nb\0c\xff');

const scripts: Record<string, Arg[][]> = {
  'get/set basics': [
    ['get', 'k'],
    ['set', 'k', 'v'],
    ['get', 'k'],
    ['set', 'k', ''],
    ['get', 'k'],
    ['strlen', 'k'],
    ['strlen', 'missing'],
    ['set', BIN, BIN],
    ['get', BIN],
    ['strlen', BIN],
  ],
  'set options': [
    ['set', 'k', 'v', 'nx'],
    ['set', 'k', 'w', 'nx'],
    ['set', 'k', 'w', 'xx'],
    ['set', 'x', 'w', 'xx'],
    ['get', 'k'],
    ['set', 'k', 'a', 'get'],
    ['set', 'new', 'a', 'get'],
    ['set', 'k', 'b', 'nx', 'get'],
    ['set', 'n2', 'b', 'nx', 'get'],
    ['set', 'n3', 'b', 'xx', 'get'],
    ['get', 'n3'],
    ['set', 'k', 'c', 'xx', 'get'],
    ['set', 'k', 'v', 'nx', 'xx'],
    ['set', 'k', 'v', 'xx', 'nx'],
    ['set', 'k', 'v', 'ex', '10', 'px', '100'],
    ['set', 'k', 'v', 'ex', '10', 'keepttl'],
    ['set', 'k', 'v', 'keepttl', 'exat', '10'],
    ['set', 'k', 'v', 'pxat', '10', 'exat', '10'],
    ['set', 'k', 'v', 'ex'],
    ['set', 'k', 'v', 'foo'],
    ['set', 'k', 'v', 'persist'],
    ['set', 'k', 'v', 'ex', 'abc'],
    ['set', 'k', 'v', 'ex', '0'],
    ['set', 'k', 'v', 'ex', '-5'],
    ['set', 'k', 'v', 'px', '0'],
    ['set', 'k', 'v', 'exat', '0'],
    ['set', 'k', 'v', 'ex', '9223372036854775807'],
    ['set', 'k', 'v', 'ex', '9223372036854775'],
    ['set', 'k', 'v', 'px', '9223372036854775807'],
    ['set', 'k', 'v', 'ex', '10', 'ex', '100'],
    ['ttl', 'k'],
    ['set', 'k', 'v', 'keepttl'],
    ['ttl', 'k'],
    ['set', 'k', 'v', 'keepttl', 'keepttl', 'get'],
    ['set', 'k', 'v'],
    ['ttl', 'k'],
    ['set', 'k', 'v', 'EX', '100', 'NX'],
    ['set', 'k', 'v', 'Px', '100000', 'Xx', 'GeT'],
    ['ttl', 'k'],
    ['set', 'k', 'v', 'exat', '4000000000'],
    ['expiretime', 'k'],
    ['pexpiretime', 'k'],
    ['set', 'k', 'v', 'pxat', '4000000000123'],
    ['pexpiretime', 'k'],
    ['expiretime', 'k'],
    ['set', 'k', 'v', 'exat', '1'],
    ['get', 'k'],
    ['exists', 'k'],
  ],
  'setnx setex psetex getset getdel': [
    ['setnx', 'k', 'a'],
    ['setnx', 'k', 'b'],
    ['get', 'k'],
    ['setex', 'k', '100', 'c'],
    ['ttl', 'k'],
    ['get', 'k'],
    ['setex', 'k', '0', 'c'],
    ['setex', 'k', '-1', 'c'],
    ['setex', 'k', 'x', 'c'],
    ['psetex', 'k', '0', 'c'],
    ['psetex', 'k', '100000', 'd'],
    ['ttl', 'k'],
    ['getset', 'k', 'e'],
    ['ttl', 'k'],
    ['getset', 'nokey', 'f'],
    ['get', 'nokey'],
    ['getdel', 'k'],
    ['getdel', 'k'],
    ['exists', 'k'],
  ],
  getex: [
    ['getex', 'nokey'],
    ['getex', 'nokey', 'ex', '-1'],
    ['getex', 'nokey', 'foo'],
    ['set', 'k', 'v'],
    ['getex', 'k'],
    ['getex', 'k', 'ex', '100'],
    ['ttl', 'k'],
    ['getex', 'k', 'persist'],
    ['ttl', 'k'],
    ['getex', 'k', 'px', '200000'],
    ['ttl', 'k'],
    ['getex', 'k', 'exat', '4000000000'],
    ['expiretime', 'k'],
    ['getex', 'k', 'pxat', '4000000000999'],
    ['pexpiretime', 'k'],
    ['getex', 'k', 'ex', '0'],
    ['getex', 'k', 'ex', '-1'],
    ['getex', 'k', 'ex', 'x'],
    ['getex', 'k', 'ex'],
    ['getex', 'k', 'nx'],
    ['getex', 'k', 'keepttl'],
    ['getex', 'k', 'get'],
    ['getex', 'k', 'persist', 'ex', '10'],
    ['getex', 'k', 'ex', '10', 'persist'],
    ['getex', 'k', 'ex', '10', 'px', '10'],
    ['getex', 'k', 'persist', 'persist'],
    ['getex', 'k', 'ex', '9223372036854775807'],
    ['getex', 'k', 'exat', '1'],
    ['exists', 'k'],
  ],
  'mget mset msetnx': [
    ['mset', 'a', '1', 'b', '2'],
    ['mget', 'a', 'b', 'c', 'a'],
    ['mset', 'a', '1', 'b'],
    ['msetnx', 'a', '1', 'b'],
    ['msetnx', 'c', '3', 'a', '9'],
    ['get', 'c'],
    ['msetnx', 'c', '3', 'd', '4'],
    ['mget', 'c', 'd'],
    ['mset', 'x', '1', 'x', '2'],
    ['get', 'x'],
    ['msetnx', 'y', '1', 'y', '2'],
    ['get', 'y'],
    ['set', 'e', 'v', 'ex', '100'],
    ['mset', 'e', 'w'],
    ['ttl', 'e'],
    ['mset', BIN, BIN],
    ['mget', BIN],
  ],
  'append strlen': [
    ['append', 'k', 'ab'],
    ['append', 'k', 'cd'],
    ['get', 'k'],
    ['append', 'k', ''],
    ['append', 'e', ''],
    ['exists', 'e'],
    ['strlen', 'k'],
    ['set', 't', 'x', 'ex', '100'],
    ['append', 't', 'y'],
    ['ttl', 't'],
    ['append', BIN, BIN],
    ['get', BIN],
  ],
  'incr decr': [
    ['incr', 'n'],
    ['incr', 'n'],
    ['decr', 'n'],
    ['decr', 'm'],
    ['incrby', 'n', '10'],
    ['incrby', 'n', '-20'],
    ['decrby', 'n', '5'],
    ['decrby', 'n', '-5'],
    ['incrby', 'n', 'x'],
    ['incrby', 'n', '1.5'],
    ['incrby', 'n', ' 1'],
    ['incrby', 'n', '+1'],
    ['incrby', 'n', '01'],
    ['incrby', 'n', '9223372036854775808'],
    ['decrby', 'n', '-9223372036854775808'],
    ['set', 'max', '9223372036854775807'],
    ['incr', 'max'],
    ['set', 'min', '-9223372036854775808'],
    ['decr', 'min'],
    ['incrby', 'min', '-1'],
    ['set', 's', 'abc'],
    ['incr', 's'],
    ['set', 's', '007'],
    ['incr', 's'],
    ['set', 's', ' 7'],
    ['incr', 's'],
    ['set', 's', '-0'],
    ['incr', 's'],
    ['set', 's', ''],
    ['incr', 's'],
    ['set', 'ttl', '5', 'ex', '100'],
    ['incr', 'ttl'],
    ['ttl', 'ttl'],
    ['get', 'ttl'],
  ],
  incrbyfloat: [
    ['incrbyfloat', 'f', '0.1'],
    ['incrbyfloat', 'f', '0.2'],
    ['incrbyfloat', 'f', '-0.3'],
    ['set', 'f', '10.50'],
    ['incrbyfloat', 'f', '0.1'],
    ['incrbyfloat', 'f', '-5'],
    ['set', 'f', '5.0e3'],
    ['incrbyfloat', 'f', '2.0e2'],
    ['incrbyfloat', 'f', '1e-20'],
    ['incrbyfloat', 'g', '3'],
    ['incrbyfloat', 'g', '1.5'],
    ['incrbyfloat', 'g', 'abc'],
    ['incrbyfloat', 'g', ''],
    ['incrbyfloat', 'g', ' 1'],
    ['incrbyfloat', 'g', '1 '],
    ['incrbyfloat', 'g', 'nan'],
    ['incrbyfloat', 'g', 'inf'],
    ['incrbyfloat', 'g', '-infinity'],
    ['incrbyfloat', 'g', '1e5000'],
    ['incrbyfloat', 'g', '1e-5000'],
    ['incrbyfloat', 'g', '0x10'],
    ['incrbyfloat', 'g', '1.'],
    ['incrbyfloat', 'g', '.5'],
    ['incrbyfloat', 'g', '+2'],
    ['incrbyfloat', 'h', '1e308'],
    ['incrbyfloat', 'h', '1e308'],
    ['incrbyfloat', 'h', '1e4000'],
    ['incrbyfloat', 'i', '123456789012345678901234567890'],
    ['incrbyfloat', 'j', '0.000000000000000001'],
    ['incrbyfloat', 'k', '-0.1'],
    ['incrbyfloat', 'k', '0.1'],
    ['incrbyfloat', 'l', '3.0000000000000001'],
    ['incrbyfloat', 'l', '1.1'],
    ['incrbyfloat', 'l', '100.01'],
    ['set', 's', 'abc'],
    ['incrbyfloat', 's', '1'],
    ['set', 't', '1.5', 'ex', '100'],
    ['incrbyfloat', 't', '1'],
    ['ttl', 't'],
  ],
  'getrange substr setrange': [
    ['set', 'k', 'This is a string'],
    ['getrange', 'k', '0', '3'],
    ['getrange', 'k', '-3', '-1'],
    ['getrange', 'k', '0', '-1'],
    ['getrange', 'k', '10', '100'],
    ['getrange', 'k', '5', '2'],
    ['getrange', 'k', '-1', '-5'],
    ['getrange', 'k', '-100', '2'],
    ['getrange', 'k', '100', '200'],
    ['getrange', 'k', '-9223372036854775808', '9223372036854775807'],
    ['getrange', 'k', 'a', '1'],
    ['getrange', 'k', '1', 'b'],
    ['getrange', 'nokey', '0', '-1'],
    ['substr', 'k', '0', '3'],
    ['set', 'e', ''],
    ['getrange', 'e', '0', '-1'],
    ['setrange', 'k', '10', 'STRING'],
    ['get', 'k'],
    ['setrange', 'n', '5', 'x'],
    ['get', 'n'],
    ['setrange', 'm', '5', ''],
    ['exists', 'm'],
    ['setrange', 'k', '100', ''],
    ['setrange', 'k', '-1', 'x'],
    ['setrange', 'k', 'x', 'x'],
    ['setrange', 'k', '536870911', 'xx'],
    ['setrange', 'z', '536870912', 'x'],
    ['setrange', 'k', '9223372036854775807', 'x'],
    ['setrange', BIN, '2', BIN],
    ['get', BIN],
  ],
  lcs: [
    ['mset', 'key1', 'ohmytext', 'key2', 'mynewtext'],
    ['lcs', 'key1', 'key2'],
    ['lcs', 'key1', 'key2', 'len'],
    ['lcs', 'key1', 'key2', 'idx'],
    ['lcs', 'key1', 'key2', 'idx', 'minmatchlen', '4'],
    ['lcs', 'key1', 'key2', 'idx', 'minmatchlen', '4', 'withmatchlen'],
    ['lcs', 'key1', 'key2', 'IDX', 'WITHMATCHLEN'],
    ['lcs', 'key1', 'key2', 'idx', 'len'],
    ['lcs', 'key1', 'key2', 'foo'],
    ['lcs', 'key1', 'key2', 'minmatchlen'],
    ['lcs', 'key1', 'key2', 'minmatchlen', 'x'],
    ['lcs', 'key1', 'key2', 'idx', 'minmatchlen', '-5'],
    ['lcs', 'key1', 'nokey'],
    ['lcs', 'nokey', 'nokey2', 'idx'],
    ['mset', 'a', 'ACCGGTCGAGTGCGCGGAAGCCGGCCGAA', 'b', 'GTCGTTCGGAATGCCGTTGCTCTGTAAA'],
    ['lcs', 'a', 'b'],
    ['lcs', 'a', 'b', 'idx', 'withmatchlen'],
    ['lcs', 'a', 'b', 'len'],
  ],
  'del unlink exists touch type': [
    ['mset', 'a', '1', 'b', '2', 'c', '3'],
    ['exists', 'a', 'a', 'b', 'x'],
    ['touch', 'a', 'a', 'x'],
    ['del', 'a', 'a', 'x'],
    ['del', 'b'],
    ['del', 'b'],
    ['unlink', 'c', 'd'],
    ['exists', 'a', 'b', 'c'],
    ['set', 't', 'v'],
    ['type', 't'],
    ['type', 'nokey'],
    ['set', BIN, 'x'],
    ['exists', BIN],
    ['del', BIN, 'zz'],
  ],
  'rename renamenx copy': [
    ['rename', 'nokey', 'x'],
    ['renamenx', 'nokey', 'x'],
    ['rename', 'nokey', 'nokey'],
    ['renamenx', 'nokey', 'nokey'],
    ['set', 'a', '1', 'ex', '100'],
    ['rename', 'a', 'a'],
    ['renamenx', 'a', 'a'],
    ['rename', 'a', 'b'],
    ['exists', 'a'],
    ['get', 'b'],
    ['ttl', 'b'],
    ['set', 'c', '3'],
    ['renamenx', 'b', 'c'],
    ['renamenx', 'b', 'd'],
    ['rename', 'd', 'c'],
    ['get', 'c'],
    ['ttl', 'c'],
    ['copy', 'c', 'e'],
    ['copy', 'c', 'e'],
    ['copy', 'c', 'e', 'replace'],
    ['copy', 'c', 'c'],
    ['copy', 'nokey', 'e'],
    ['copy', 'c', 'e', 'db', '0', 'replace'],
    ['copy', 'c', 'e', 'db', 'x'],
    ['copy', 'c', 'e', 'db', '-1'],
    ['copy', 'c', 'e', 'db', '99999999999'],
    ['copy', 'c', 'e', 'db', '1.5'],
    ['copy', 'c', 'e', 'foo'],
    ['copy', 'c', 'e', 'db'],
    ['copy', 'c', 'c', 'foo'],
    ['ttl', 'e'],
    ['get', 'e'],
  ],
  object: [
    ['set', 'i', '123'],
    ['set', 'big', '12345'],
    ['set', 'neg', '-5'],
    ['set', 's', 'hello'],
    ['set', 'l', 'x'.repeat(45)],
    ['set', 'l44', 'x'.repeat(44)],
    ['set', 'z', '0123'],
    ['set', 'i20', '-9223372036854775808'],
    ['object', 'encoding', 'i'],
    ['object', 'encoding', 'big'],
    ['object', 'encoding', 'neg'],
    ['object', 'encoding', 's'],
    ['object', 'encoding', 'l'],
    ['object', 'encoding', 'l44'],
    ['object', 'encoding', 'z'],
    ['object', 'encoding', 'i20'],
    ['object', 'encoding', 'nokey'],
    ['object', 'refcount', 'i'],
    ['object', 'refcount', 'big'],
    ['object', 'refcount', 'neg'],
    ['object', 'refcount', 's'],
    ['object', 'refcount', 'nokey'],
    ['object', 'freq', 'i'],
    ['object', 'freq', 'nokey'],
    ['object', 'idletime', 'nokey'],
    ['object', 'help'],
    ['object', 'HELP'],
    ['object', 'foo'],
    ['object', 'foo', 'bar'],
    ['object', 'encoding'],
    ['object', 'encoding', 'a', 'b'],
    ['object', 'help', 'x'],
    ['incr', 'cnt'],
    ['object', 'encoding', 'cnt'],
    ['object', 'refcount', 'cnt'],
  ],
  'expire family': [
    ['expire', 'nokey', '100'],
    ['set', 'k', 'v'],
    ['ttl', 'k'],
    ['pttl', 'k'],
    ['expiretime', 'k'],
    ['pexpiretime', 'k'],
    ['ttl', 'nokey'],
    ['pttl', 'nokey'],
    ['expiretime', 'nokey'],
    ['pexpiretime', 'nokey'],
    ['expire', 'k', '100'],
    ['ttl', 'k'],
    ['expire', 'k', '100', 'nx'],
    ['expire', 'k', '200', 'xx'],
    ['ttl', 'k'],
    ['expire', 'k', '100', 'gt'],
    ['expire', 'k', '300', 'gt'],
    ['ttl', 'k'],
    ['expire', 'k', '400', 'lt'],
    ['expire', 'k', '50', 'lt'],
    ['ttl', 'k'],
    ['expire', 'k', '50', 'nx', 'xx'],
    ['expire', 'k', '50', 'nx', 'gt'],
    ['expire', 'k', '50', 'nx', 'lt'],
    ['expire', 'k', '50', 'gt', 'lt'],
    ['expire', 'k', '50', 'xx', 'gt'],
    ['expire', 'k', '50', 'foo'],
    ['expire', 'k', '50', 'gt', 'bar'],
    ['expire', 'k', 'x'],
    ['expire', 'k', '1.5'],
    ['expire', 'k', '9223372036854775'],
    ['expire', 'k', '9223372036854776'],
    ['expire', 'k', '-9223372036854776'],
    ['pexpire', 'k', '9223372036854775807'],
    ['expireat', 'k', '9223372036854776'],
    ['pexpireat', 'k', '9223372036854775807', 'xx', 'lt'],
    ['persist', 'k'],
    ['persist', 'k'],
    ['ttl', 'k'],
    ['persist', 'nokey'],
    ['expire', 'k', '100', 'xx'],
    ['expire', 'k', '100', 'gt'],
    ['expire', 'k', '100', 'lt'],
    ['ttl', 'k'],
    ['pexpire', 'k', '200000'],
    ['ttl', 'k'],
    ['expireat', 'k', '4000000000'],
    ['expiretime', 'k'],
    ['pexpiretime', 'k'],
    ['pexpireat', 'k', '4000000000500'],
    ['expiretime', 'k'],
    ['pexpireat', 'k', '4000000000499'],
    ['expiretime', 'k'],
    ['expire', 'k', '0'],
    ['exists', 'k'],
    ['set', 'k', 'v'],
    ['expire', 'k', '-1'],
    ['exists', 'k'],
    ['set', 'k', 'v'],
    ['pexpireat', 'k', '1'],
    ['exists', 'k'],
    ['set', 'k', 'v'],
    ['expireat', 'k', '-10', 'nx'],
    ['exists', 'k'],
    ['set', 'k', 'v', 'ex', '100'],
    ['expire', 'k', '-1', 'gt'],
    ['expire', 'k', '-1', 'lt'],
    ['exists', 'k'],
  ],
  'keys patterns': [
    ['mset', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h[a]llo', '6', 'h*llo', '7', 'h?llo', '8', 'h\\llo', '9'],
    ['keys', 'nomatch*'],
  ],
};

// KEYS/SCAN patterns: results are compared as sorted sets.
const keyNames = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h[a]llo', 'h*llo', 'h?llo', 'h\\llo', 'HELLO', 'h-llo', 'h]llo', 'h^llo', 'hé', 'h\xffllo', 'a', '', 'abc\0def'];
const patterns = [
  '*', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[b-a]llo', 'h\\*llo', 'h\\?llo', 'h\\[a\\]llo', 'h[\\]]llo', 'h[', 'h[a', 'h[a-', 'h[]llo', 'h[^]llo',
  '*llo', 'h*', '*', '**', 'h**o', '?', '', 'hello', 'HELLO', 'h\\', '\\', 'h\\\\llo', 'h[*]llo', 'h[?]llo', '[h]*', '[^h]*', 'h[\\-]llo', 'h[a-]llo', 'h[-a]llo',
  'h[\x80-\xff]llo', 'h[\x01-\xff]*', 'abc*', 'abc?def', 'h[!e]llo', '*[', 'a*b*c*d*e*f*', 'h[^a-z]llo',
];

describe.skipIf(!haveRedisServer)('handlers against a real redis-server', () => {
  let redis: RealRedis;
  let client: RespClient;
  let ctx: TestContext;

  beforeAll(async () => {
    redis = await startRealRedis();
    client = await RespClient.open(redis.port);
    ctx = openContext();
  });
  afterAll(async () => {
    client?.close();
    await redis?.stop();
    ctx?.close();
  });

  const nextMillisecond = async (): Promise<void> => {
    const t = Date.now();
    while (Date.now() === t) await new Promise((r) => setImmediate(r));
  };

  for (const [name, script] of Object.entries(scripts)) {
    it(name, async () => {
      await client.call('flushall');
      ctx.store.flushAll();
      for (const cmd of script) {
        // Relative expiries (EXPIRE k 50 XX GT after EXPIRE k 50) compare millisecond timestamps:
        // let each server's clock move on between two commands, as it does for Redis on the wire.
        await nextMillisecond();
        const want = await client.call(...cmd);
        await nextMillisecond();
        const got = toWire(ctx.run(...cmd));
        expect({ cmd: cmd.map(String), reply: got }).toEqual({ cmd: cmd.map(String), reply: want });
      }
    });
  }

  it('KEYS and SCAN MATCH patterns', async () => {
    await client.call('flushall');
    ctx.store.flushAll();
    for (const k of keyNames) {
      await client.call('set', B(k), 'v');
      ctx.run('set', B(k), 'v');
    }
    const sorted = (w: Wire) => (w as { b: string }[]).map((x) => x.b).sort();
    for (const p of patterns) {
      const want = sorted(await client.call('keys', B(p)));
      const got = sorted(toWire(ctx.run('keys', B(p))));
      expect({ p, got }).toEqual({ p, got: want });
      // SCAN with MATCH over the whole keyspace finds the same keys.
      const scanned: string[] = [];
      let cursor = '0';
      do {
        const r = toWire(ctx.run('scan', cursor, 'match', B(p), 'count', '7')) as [{ b: string }, { b: string }[]];
        cursor = r[0].b;
        scanned.push(...r[1].map((x) => x.b));
      } while (cursor !== '0');
      expect({ p, scanned: scanned.sort() }).toEqual({ p, scanned: want });
    }
  });

  it('SCAN argument errors', async () => {
    await client.call('flushall');
    ctx.store.flushAll();
    const cases: Arg[][] = [
      ['scan', 'x'],
      ['scan', ' 1'],
      ['scan', '1 '],
      ['scan', '+'],
      ['scan', '-'],
      ['scan', '0x1'],
      ['scan', '18446744073709551616'],
      ['scan', '-18446744073709551616'],
      ['scan', '0', 'count', '0'],
      ['scan', '0', 'count', '-1'],
      ['scan', '0', 'count', 'x'],
      ['scan', '0', 'count'],
      ['scan', '0', 'match'],
      ['scan', '0', 'type'],
      ['scan', '0', 'foo', 'bar'],
      ['scan', '0', 'type', 'string'],
      ['scan', '0', 'type', 'list'],
      ['scan', '0', 'type', 'foo'],
      ['scan', '0', 'count', '10', 'match', '*', 'type', 'STRING'],
      ['scan', '18446744073709551615'],
      ['scan', '-1'],
      ['scan', ''],
      ['scan', '+0'],
      ['scan', '00'],
    ];
    for (const cmd of cases) {
      const want = await client.call(...cmd);
      const got = toWire(ctx.run(...cmd));
      if (Array.isArray(want)) {
        // Cursor values are the implementation's own; the keys (none here) must agree.
        expect(Array.isArray(got) && (got[0] as { b: string }).b).toMatch(/^\d+$/);
        expect({ cmd: cmd.map(String), keys: (got as Wire[])[1] }).toEqual({ cmd: cmd.map(String), keys: want[1] });
      } else {
        expect({ cmd: cmd.map(String), got }).toEqual({ cmd: cmd.map(String), got: want });
      }
    }
  });

  it('RANDOMKEY on an empty and a one-key keyspace', async () => {
    await client.call('flushall');
    ctx.store.flushAll();
    expect(toWire(ctx.run('randomkey'))).toEqual(await client.call('randomkey'));
    await client.call('set', BIN, '1');
    ctx.run('set', BIN, '1');
    expect(toWire(ctx.run('randomkey'))).toEqual(await client.call('randomkey'));
  });

  // Seeded fuzzing: long double arithmetic and glob matching are easy to get subtly wrong.
  it('INCRBYFLOAT fuzz (long double sums and %.17Lf output)', async () => {
    await client.call('flushall');
    ctx.store.flushAll();
    const rnd = prng(12345);
    const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
    const num = (): string => {
      const sign = rnd() < 0.3 ? '-' : '';
      const int = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 12)));
      const frac = rnd() < 0.7 ? '.' + String(Math.floor(rnd() * 1e9)).padStart(Math.floor(rnd() * 12), '0') : '';
      const exp = rnd() < 0.25 ? 'e' + pick(['', '-', '+']) + String(Math.floor(rnd() * 40)) : '';
      return sign + int + frac + exp;
    };
    for (let n = 0; n < 400; n++) {
      const key = pick(['f1', 'f2', 'f3']);
      const cmd: Arg[] = rnd() < 0.15 ? ['set', key, num()] : ['incrbyfloat', key, num()];
      const want = await client.call(...cmd);
      const got = toWire(ctx.run(...cmd));
      expect({ cmd, got }).toEqual({ cmd, got: want });
    }
  });

  it('KEYS glob fuzz', async () => {
    await client.call('flushall');
    ctx.store.flushAll();
    const rnd = prng(777);
    const keyAlphabet = ['a', 'b', 'c', '-', ']', '^', '\\', '*', '?', '[', '\xe9'];
    const patAlphabet = [...keyAlphabet, '*', '*', '?', '[', ']', '\\', '-', '^'];
    const word = (alpha: string[], max: number) => {
      let w = '';
      const len = Math.floor(rnd() * max);
      for (let i = 0; i < len; i++) w += alpha[Math.floor(rnd() * alpha.length)];
      return w;
    };
    for (let i = 0; i < 150; i++) {
      const k = B(word(keyAlphabet, 7));
      await client.call('set', k, '1');
      ctx.run('set', k, '1');
    }
    const sorted = (w: Wire) => (w as { b: string }[]).map((x) => x.b).sort();
    for (let i = 0; i < 400; i++) {
      const p = B(word(patAlphabet, 8));
      const want = sorted(await client.call('keys', p));
      const got = sorted(toWire(ctx.run('keys', p)));
      expect({ p: p.toString('latin1'), got }).toEqual({ p: p.toString('latin1'), got: want });
    }
  });
});

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

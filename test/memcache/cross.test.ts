// One keyspace, two protocols: what memcached writes RESP reads and the other way round, with
// flags, TTLs, counters, deletes and flushes crossing over (ioredis and a raw RESP socket).
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, stopServer } from './helpers.js';

let server: TestServer;
let mc: McSocket;
let redis: Redis;

beforeAll(async () => {
  server = await startServer({ memcached: true });
  redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  redis?.disconnect();
  await stopServer(server);
});
beforeEach(async () => {
  mc = await McSocket.connect(server.memcachedPort);
  expect(await redis.flushall()).toBe('OK');
});
afterEach(() => mc.close());

describe('memcached writes, RESP reads', () => {
  it('set over memcached, GET over RESP (flags stay in the item)', async () => {
    expect(await mc.ask('set k 5 0 3\r\nabc\r\n')).toEqual(['STORED']);
    expect(await redis.get('k')).toBe('abc');
    // A RESP read does not lose the memcached flags.
    mc.send('get k\r\n');
    expect(await mc.until('END\r\n')).toBe('VALUE k 5 3\r\nabc\r\nEND\r\n');
  });

  it('binary values and base64 meta keys', async () => {
    const v = Buffer.from([0, 13, 10, 255]);
    mc.send(Buffer.concat([Buffer.from('set bin 0 0 4\r\n'), v, Buffer.from('\r\n')]));
    expect(await mc.line()).toBe('STORED');
    expect(await redis.getBuffer('bin')).toEqual(v);
    const key = Buffer.from([1, 2, 0x20, 3]);
    expect(await mc.ask(`ms ${key.toString('base64')} 2 b\r\nhi\r\n`)).toEqual(['HD']);
    expect(await redis.get(key)).toBe('hi');
  });

  it('a memcached TTL is a RESP TTL; touch changes it', async () => {
    await mc.ask('set t 0 100 1\r\nx\r\n');
    const ttl = await redis.ttl('t');
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    await mc.ask('touch t 0\r\n');
    expect(await redis.ttl('t')).toBe(-1);
  });

  it('incr over memcached, INCR over RESP, on the same counter', async () => {
    await mc.ask('set n 0 0 1\r\n7\r\n');
    expect(await mc.ask('incr n 3\r\n')).toEqual(['10']);
    expect(await redis.incr('n')).toBe(11);
    expect(await mc.ask('incr n 1\r\n')).toEqual(['12']);
    expect(await mc.ask('ma n v\r\n', 2)).toEqual(['VA 2', '13']);
    expect(await redis.get('n')).toBe('13');
  });

  it('delete and flush_all over memcached are seen over RESP', async () => {
    await mc.ask('set a 0 0 1\r\nx\r\n');
    await mc.ask('set b 0 0 1\r\nx\r\n');
    expect(await mc.ask('delete a\r\n')).toEqual(['DELETED']);
    expect(await redis.exists('a')).toBe(0);
    expect(await redis.exists('b')).toBe(1);
    expect(await mc.ask('flush_all\r\n')).toEqual(['OK']);
    expect(await redis.dbsize()).toBe(0);
  });
});

describe('RESP writes, memcached reads', () => {
  it('SET over RESP, get over memcached with flags 0', async () => {
    await redis.set('r', 'resp-value');
    mc.send('get r\r\n');
    expect(await mc.until('END\r\n')).toBe('VALUE r 0 10\r\nresp-value\r\nEND\r\n');
    expect(await mc.ask('mg r v f s\r\n', 2)).toEqual(['VA 10 f0 s10', 'resp-value']);
  });

  it('EXPIRE over RESP is the memcached TTL; APPEND and INCR are visible', async () => {
    await redis.set('e', 'x', 'EX', 50);
    expect(await mc.ask('mg e t\r\n')).toEqual(['HD t50']);
    await redis.append('e', 'yz');
    mc.send('get e\r\n');
    expect(await mc.until('END\r\n')).toBe('VALUE e 0 3\r\nxyz\r\nEND\r\n');
    await redis.incr('cnt');
    expect(await mc.ask('incr cnt 1\r\n')).toEqual(['2']);
  });

  it('a RESP write gives the item a new CAS: an old memcached cas fails', async () => {
    await mc.ask('set c 0 0 1\r\na\r\n');
    mc.send('gets c\r\n');
    const cas = (await mc.line()).split(' ')[4];
    await mc.until('END\r\n');
    await redis.set('c', 'b');
    expect(await mc.ask(`cas c 0 0 1 ${cas}\r\nz\r\n`)).toEqual(['EXISTS']);
  });

  it('DEL and FLUSHALL over RESP are seen over memcached', async () => {
    await redis.set('d', '1');
    await redis.del('d');
    expect(await mc.ask('mg d v\r\n')).toEqual(['EN']);
    await redis.set('f', '1');
    await redis.flushall();
    expect(await mc.ask('delete f\r\n')).toEqual(['NOT_FOUND']);
  });

  it('keys memcached cannot express (spaces) stay out of its reach', async () => {
    await redis.set('two words', 'v');
    mc.send('get two words\r\n');
    expect(await mc.until('END\r\n')).toBe('END\r\n');
    // Through the meta protocol's base64 keys they are reachable.
    expect(await mc.ask(`mg ${Buffer.from('two words').toString('base64')} b v\r\n`, 2)).toEqual(['VA 1', 'v']);
  });

  it('a raw RESP socket and a raw memcached socket, pipelined back to back', async () => {
    const resp = await McSocket.connect(server.port);
    resp.send('*3\r\n$3\r\nSET\r\n$3\r\nraw\r\n$5\r\nvalue\r\n');
    expect(await resp.line()).toBe('+OK');
    mc.send('get raw\r\nset raw 0 0 3\r\nnew\r\n');
    expect(await mc.until('END\r\n')).toBe('VALUE raw 0 5\r\nvalue\r\nEND\r\n');
    expect(await mc.line()).toBe('STORED');
    resp.send('*2\r\n$3\r\nGET\r\n$3\r\nraw\r\n');
    expect(await resp.lines(2)).toEqual(['$3', 'new']);
    resp.close();
  });
});

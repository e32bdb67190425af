// The npm `memcached` client (3rd-Eden) against daxcache: it parses replies strictly (VALUE lines,
// STORED/EXISTS/NOT_FOUND, stats), and stores JSON, numbers and Buffers under its own flags.
import Memcached from 'memcached';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, stopServer } from './helpers.js';

let server: TestServer;
let mc: Memcached;

/** Calls a callback-style client method as a promise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the client's callbacks are loosely typed
function call<T = unknown>(fn: (cb: (err: any, res?: any) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
}

beforeAll(async () => {
  server = await startServer({ memcached: true });
  mc = new Memcached(`127.0.0.1:${server.memcachedPort}`, { retries: 0, timeout: 5000, idle: 1000 });
});
afterAll(async () => {
  mc?.end();
  await stopServer(server);
});

describe('npm memcached client', () => {
  it('set/get strings, JSON objects, numbers and Buffers', async () => {
    expect(await call<boolean>((cb) => mc.set('s', 'hello', 100, cb))).toBe(true);
    expect(await call((cb) => mc.get('s', cb))).toBe('hello');
    await call<boolean>((cb) => mc.set('o', { a: 1, b: [2, 3] }, 100, cb));
    expect(await call((cb) => mc.get('o', cb))).toEqual({ a: 1, b: [2, 3] });
    await call<boolean>((cb) => mc.set('n', 42, 100, cb));
    expect(await call((cb) => mc.get('n', cb))).toBe(42);
    const buf = Buffer.from([0, 1, 2, 13, 10, 255]);
    await call<boolean>((cb) => mc.set('b', buf, 100, cb));
    expect(Buffer.compare((await call<Buffer>((cb) => mc.get('b', cb))), buf)).toBe(0);
    expect(await call((cb) => mc.get('missing', cb))).toBeUndefined();
  });

  it('getMulti, add, replace, append, prepend, del', async () => {
    await call((cb) => mc.set('m1', 'one', 0, cb));
    await call((cb) => mc.set('m2', 'two', 0, cb));
    expect(await call((cb) => mc.getMulti(['m1', 'm2', 'm3'], cb))).toEqual({ m1: 'one', m2: 'two' });
    await expect(call((cb) => mc.add('m1', 'x', 0, cb))).rejects.toThrow(/Item is not stored/);
    expect(await call((cb) => mc.add('m4', 'four', 0, cb))).toBe(true);
    expect(await call((cb) => mc.replace('m4', 'FOUR', 0, cb))).toBe(true);
    expect(await call((cb) => mc.append('m4', '!', cb))).toBe(true);
    expect(await call((cb) => mc.prepend('m4', '<', cb))).toBe(true);
    expect(await call((cb) => mc.get('m4', cb))).toBe('<FOUR!');
    expect(await call((cb) => mc.del('m4', cb))).toBe(true);
    expect(await call((cb) => mc.get('m4', cb))).toBeUndefined();
  });

  it('gets and cas', async () => {
    await call((cb) => mc.set('c', 'v1', 0, cb));
    const g = await call<{ c: string; cas: string }>((cb) => mc.gets('c', cb));
    expect(g.c).toBe('v1');
    expect(await call((cb) => mc.cas('c', 'v2', g.cas, 0, cb))).toBe(true);
    expect(await call((cb) => mc.cas('c', 'v3', g.cas, 0, cb))).toBe(false);
    expect(await call((cb) => mc.get('c', cb))).toBe('v2');
  });

  it('incr, decr and touch', async () => {
    await call((cb) => mc.set('ctr', '10', 0, cb));
    expect(await call((cb) => mc.incr('ctr', 5, cb))).toBe(15);
    expect(await call((cb) => mc.decr('ctr', 20, cb))).toBe(0);
    expect(await call((cb) => mc.incr('nope', 1, cb))).toBe(false);
    expect(await call((cb) => mc.touch('ctr', 60, cb))).toBe(true);
    const raw = await McSocket.connect(server.memcachedPort);
    expect(await raw.ask('mg ctr t\r\n')).toEqual(['HD t60']);
    raw.close();
  });

  it('version, stats and flush', async () => {
    const [version] = await call<Array<{ version: string }>>((cb) => mc.version(cb));
    expect(version!.version).toBe('1.6.18');
    const [stats] = await call<Array<Record<string, unknown>>>((cb) => mc.stats(cb));
    expect(stats!.pid).toBe(server.proc.pid);
    expect(typeof stats!.curr_items).toBe('number');
    expect(await call((cb) => mc.flush(cb))).toEqual([true]);
    expect(await call((cb) => mc.get('s', cb))).toBeUndefined();
  });
});

// memcached ASCII authentication (memcached 1.6 -Y) with requirepass: a connection must first send
// `set <anykey> 0 0 <len>` whose data is `default <password>`; anything else before that gets
// CLIENT_ERROR unauthenticated. Without a password nothing changes. CONFIG SET requirepass applies
// to new connections at once.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, stopServer } from './helpers.js';

const auth = (data: string) => `set auth 0 0 ${Buffer.byteLength(data)}\r\n${data}\r\n`;

describe('memcached authentication with requirepass', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ memcached: true, args: ['--requirepass', 's3cret pass'] });
  });
  afterAll(async () => {
    await stopServer(server);
  });

  it('refuses every command until authenticated, then serves the shared keyspace', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', password: 's3cret pass', lazyConnect: true });
    await redis.connect();
    await redis.set('secret', 'value');
    const mc = await McSocket.connect(server.memcachedPort);
    expect(await mc.ask('get secret\r\n')).toEqual(['CLIENT_ERROR unauthenticated']);
    expect(await mc.ask('mg secret v\r\n')).toEqual(['CLIENT_ERROR unauthenticated']);
    expect(await mc.ask('add k 0 0 1\r\nx\r\n')).toEqual(['CLIENT_ERROR unauthenticated']);
    expect(await mc.ask(auth('default wrong'))).toEqual(['CLIENT_ERROR authentication failure']);
    expect(await mc.ask(auth('someone s3cret pass'))).toEqual(['CLIENT_ERROR authentication failure']);
    expect(await mc.ask(auth('nospace'))).toEqual(['CLIENT_ERROR bad authentication token format']);
    expect(await mc.ask('get secret\r\n')).toEqual(['CLIENT_ERROR unauthenticated']);
    expect(await mc.ask(auth('default s3cret pass'))).toEqual(['STORED']);
    expect(await mc.ask('get secret\r\n', 3)).toEqual(['VALUE secret 0 5', 'value', 'END']);
    expect(await mc.ask('set auth 0 0 1\r\nz\r\n')).toEqual(['STORED']); // an ordinary set now
    expect(await redis.get('auth')).toBe('z');
    mc.send('stats\r\n');
    const stats = await mc.until('END\r\n');
    expect(stats).toMatch(/STAT auth_cmds 3\r\n/);
    expect(stats).toMatch(/STAT auth_errors 2\r\n/);
    mc.close();
    redis.disconnect();
  });
});

describe('memcached without a password', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ memcached: true });
  });
  afterAll(async () => {
    await stopServer(server);
  });

  it('serves at once; after CONFIG SET requirepass, new connections must authenticate', async () => {
    const mc = await McSocket.connect(server.memcachedPort);
    expect(await mc.ask('set k 0 0 1\r\nv\r\n')).toEqual(['STORED']);
    const redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
    expect(await redis.config('SET', 'requirepass', 'pw')).toBe('OK');
    expect(await mc.ask('get k\r\n', 3)).toEqual(['VALUE k 0 1', 'v', 'END']); // connected before: as Redis
    const fresh = await McSocket.connect(server.memcachedPort);
    expect(await fresh.ask('get k\r\n')).toEqual(['CLIENT_ERROR unauthenticated']);
    expect(await fresh.ask(auth('default pw'))).toEqual(['STORED']);
    expect(await fresh.ask('get k\r\n', 3)).toEqual(['VALUE k 0 1', 'v', 'END']);
    mc.close();
    fresh.close();
    redis.disconnect();
  });
});

// CONFIG SET errors against a real redis-server: for a table of bad CONFIG SETs on settings both
// servers have (same names and ranges), daxcache's reply must be Redis 7's on the wire, byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespClient } from '../commands/resp-client.js';
import { haveRedisServer, startRealRedis, type RealRedis } from '../commands/real-redis.js';
import { startServer, type TestServer } from '../helpers/server.js';

const BAD_SETS: string[][] = [
  ['maxmemory-policy', 'foo'],
  ['maxmemory-policy', ''],
  ['foo', 'bar'],
  ['maxmemory', 'abc'],
  ['maxmemory', '-1'],
  ['maxmemory', '1.5'],
  ['maxmemory', '10zb'],
  ['timeout', 'abc'],
  ['timeout', ''],
  ['timeout', '-1'],
  ['timeout', '99999999999'],
  ['tcp-keepalive', 'x'],
  ['tcp-keepalive', '-1'],
  ['hz', 'abc'],
  ['maxclients', 'abc'],
  ['proto-max-bulk-len', '10'],
  ['proto-max-bulk-len', 'abc'],
  ['client-query-buffer-limit', '10'],
  ['client-query-buffer-limit', 'x'],
  ['requirepass'],
  ['timeout', '1', 'timeout', '2'],
  ['timeout', 'abc', 'foo', '1'],
  ['maxmemory-policy', 'foo', 'timeout', 'abc'],
];

describe.skipIf(!haveRedisServer)('CONFIG SET errors against a real redis-server', () => {
  let redis: RealRedis;
  let srv: TestServer;
  let want: RespClient;
  let got: RespClient;

  beforeAll(async () => {
    [redis, srv] = await Promise.all([startRealRedis(), startServer()]);
    [want, got] = await Promise.all([RespClient.open(redis.port), RespClient.open(srv.port)]);
  }, 30_000);
  afterAll(async () => {
    want?.close();
    got?.close();
    await Promise.all([redis?.stop(), srv?.stop()]);
  });

  it('replies with the same error text as Redis 7', async () => {
    for (const args of BAD_SETS) {
      const cmd = ['config', 'set', ...args];
      const w = await want.call(...cmd);
      expect(w).toHaveProperty('e');
      expect({ cmd, reply: await got.call(...cmd) }).toEqual({ cmd, reply: w });
    }
  });

  it('uses Redis wording for settings only daxcache has', async () => {
    expect(await got.call('config', 'set', 'hz', '501')).toEqual({
      e: "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 1 and 500 inclusive",
    });
    expect(await got.call('config', 'set', 'client-output-buffer-limit-normal', '0 0')).toEqual({
      e: "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit-normal') - Wrong number of arguments in buffer limit configuration.",
    });
    expect(await got.call('config', 'set', 'client-output-buffer-limit-normal', '1x 0 0')).toEqual({
      e: "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit-normal') - Error in hard, soft or soft_seconds setting in buffer limit configuration.",
    });
    expect(await got.call('config', 'set', 'log-level', 'loud')).toEqual({
      e: "ERR CONFIG SET failed (possibly related to argument 'log-level') - argument(s) must be one of the following: trace, debug, info, warn, error, fatal, silent",
    });
  });
});

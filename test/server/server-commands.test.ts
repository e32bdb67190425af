// Server commands: INFO DBSIZE FLUSHDB FLUSHALL TIME LASTSAVE SAVE BGSAVE CONFIG COMMAND and the
// argument errors of SHUTDOWN (the real shutdown is in lifecycle.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { RawClient, type RespValue } from '../helpers/resp.js';

let srv: TestServer;
let c: RawClient;
let configFile: string;

beforeAll(async () => {
  // A config file of our own: CONFIG REWRITE must not touch the repository's config/daxcache.yaml.
  const dir = tempDir(tmpdir());
  configFile = join(dir, 'daxcache.yaml');
  writeFileSync(configFile, '# test config\ntimeout: 0   # keep\nhz: 10\n');
  srv = await startServer({ args: ['--config', configFile] });
  c = await RawClient.connect(srv.port);
});
afterAll(async () => {
  c?.close();
  await srv?.stop();
});

const str = (v: RespValue): string => (Buffer.isBuffer(v) ? v.toString() : (v as { verbatim: string }).verbatim ?? JSON.stringify(v));

function infoFields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

describe('DBSIZE / FLUSHDB / FLUSHALL', () => {
  it('counts and empties the keyspace', async () => {
    await c.call('FLUSHALL');
    expect(await c.call('DBSIZE')).toBe(0);
    for (let i = 0; i < 10; i++) await c.call('SET', `k${i}`, 'v');
    expect(await c.call('DBSIZE')).toBe(10);
    expect(await c.call('FLUSHDB')).toEqual({ ok: 'OK' });
    expect(await c.call('DBSIZE')).toBe(0);
    await c.call('SET', 'a', '1');
    expect(await c.call('FLUSHALL', 'ASYNC')).toEqual({ ok: 'OK' });
    expect(await c.call('GET', 'a')).toBeNull();
    await c.call('SET', 'a', '1');
    expect(await c.call('flushall', 'sync')).toEqual({ ok: 'OK' });
    expect(await c.call('DBSIZE')).toBe(0);
    expect(await c.call('FLUSHALL', 'x')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('FLUSHDB', 'SYNC', 'ASYNC')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('DBSIZE', 'x')).toEqual({ err: "ERR wrong number of arguments for 'dbsize' command" });
  });
});

describe('TIME / LASTSAVE / SAVE / BGSAVE', () => {
  it('TIME is two bulk strings: seconds and microseconds', async () => {
    const [s, us] = (await c.call('TIME')) as Buffer[];
    expect(Math.abs(Number(s!.toString()) - Date.now() / 1000)).toBeLessThan(5);
    expect(us!.toString()).toMatch(/^\d{1,6}$/);
    expect(await c.call('TIME', 'x')).toEqual({ err: "ERR wrong number of arguments for 'time' command" });
  });

  it('SAVE and BGSAVE answer as Redis and move LASTSAVE', async () => {
    const before = (await c.call('LASTSAVE')) as number;
    expect(Math.abs(before - Date.now() / 1000)).toBeLessThan(60);
    expect(await c.call('SAVE')).toEqual({ ok: 'OK' });
    expect(await c.call('BGSAVE')).toEqual({ ok: 'Background saving started' });
    expect(await c.call('BGSAVE', 'SCHEDULE')).toEqual({ ok: 'Background saving started' });
    expect(await c.call('BGSAVE', 'x')).toEqual({ err: 'ERR syntax error' });
    expect((await c.call('LASTSAVE')) as number).toBeGreaterThanOrEqual(before);
    expect(await c.call('SAVE', 'x')).toEqual({ err: "ERR wrong number of arguments for 'save' command" });
    expect(await c.call('LASTSAVE', 'x')).toEqual({ err: "ERR wrong number of arguments for 'lastsave' command" });
  });
});

describe('SHUTDOWN argument errors', () => {
  it('rejects bad flag combinations and ABORT with nothing to abort', async () => {
    expect(await c.call('SHUTDOWN', 'foo')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('SHUTDOWN', 'NOSAVE', 'SAVE')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('SHUTDOWN', 'ABORT', 'NOSAVE')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('SHUTDOWN', 'ABORT')).toEqual({ err: 'ERR No shutdown in progress.' });
  });
});

describe('INFO', () => {
  it('has the Redis sections and field names', async () => {
    await c.call('SET', 'info-key', 'v');
    const text = str(await c.call('INFO'));
    const titles = text.split('\r\n').filter((l) => l.startsWith('# '));
    expect(titles).toEqual(['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace']);
    expect(text).toMatch(/^# Server\r\nredis_version:/);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('\r\n\r\n# Clients\r\n');
    const f = infoFields(text);
    for (const k of [
      'redis_version', 'redis_mode', 'os', 'arch_bits', 'process_id', 'run_id', 'tcp_port', 'uptime_in_seconds', 'hz',
      'connected_clients', 'maxclients', 'blocked_clients',
      'used_memory', 'used_memory_human', 'used_memory_rss', 'maxmemory', 'maxmemory_policy',
      'loading', 'rdb_last_save_time', 'aof_enabled',
      'total_connections_received', 'total_commands_processed', 'instantaneous_ops_per_sec', 'total_net_input_bytes',
      'rejected_connections', 'expired_keys', 'evicted_keys', 'keyspace_hits', 'keyspace_misses', 'total_error_replies',
      'role', 'connected_slaves', 'master_replid', 'used_cpu_sys', 'used_cpu_user', 'cluster_enabled',
    ]) {
      expect(f.has(k), k).toBe(true);
    }
    expect(f.get('tcp_port')).toBe(String(srv.port));
    expect(f.get('redis_mode')).toBe('standalone');
    expect(f.get('role')).toBe('master');
    expect(f.get('cluster_enabled')).toBe('0');
    expect(f.get('run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(f.get('durability')).toBe('strict');
    expect(f.get('pool_granularity')).toBe('cache_line');
    expect(Number(f.get('connected_clients'))).toBeGreaterThanOrEqual(1);
    expect(f.get('db0')).toBe(`keys=${await c.call('DBSIZE')},expires=0,avg_ttl=0`);
  });

  it('selects sections, case-insensitively; unknown sections give an empty reply', async () => {
    expect(str(await c.call('INFO', 'KEYSPACE'))).toMatch(/^# Keyspace\r\ndb0:keys=\d+,expires=0,avg_ttl=0\r\n$/);
    const two = str(await c.call('INFO', 'server', 'cpu'));
    expect(two.split('\r\n').filter((l) => l.startsWith('# '))).toEqual(['# Server', '# CPU']);
    expect(str(await c.call('INFO', 'nosuchsection'))).toBe('');
    const all = str(await c.call('INFO', 'all'));
    expect(all).toContain('# Keyspace');
    await c.call('FLUSHALL');
    expect(str(await c.call('INFO', 'keyspace'))).toBe('# Keyspace\r\n');
  });

  it('counts commands, hits, misses and errors; CONFIG RESETSTAT zeroes them', async () => {
    expect(await c.call('CONFIG', 'RESETSTAT')).toEqual({ ok: 'OK' });
    await c.call('SET', 'h', '1');
    await c.call('GET', 'h');
    await c.call('GET', 'nope');
    await c.call('MGET', 'h', 'nope', 'nope2');
    await c.call('NOSUCHCMD');
    const f = infoFields(str(await c.call('INFO', 'stats')));
    expect(f.get('keyspace_hits')).toBe('2');
    expect(f.get('keyspace_misses')).toBe('3');
    expect(f.get('total_error_replies')).toBe('1');
    // RESETSTAT itself counts (Redis resets, then counts the command that did it); rejected ones do not.
    expect(Number(f.get('total_commands_processed'))).toBe(5);
    const e = infoFields(str(await c.call('INFO', 'errorstats')));
    expect(e.get('errorstat_ERR')).toBe('count=1');
    expect(await c.call('CONFIG', 'RESETSTAT', 'x')).toEqual({ err: "ERR wrong number of arguments for 'config|resetstat' command" });
  });
});

describe('CONFIG', () => {
  it('GET returns name/value pairs, with globs', async () => {
    expect(await c.call('CONFIG', 'GET', 'maxclients')).toEqual([Buffer.from('maxclients'), Buffer.from('10000')]);
    expect(await c.call('CONFIG', 'GET', 'port')).toEqual([Buffer.from('port'), Buffer.from(String(srv.port))]);
    expect(await c.call('CONFIG', 'GET', 'nosuch')).toEqual([]);
    const max = (await c.call('CONFIG', 'GET', 'max*')) as Buffer[];
    const names = max.filter((_, i) => i % 2 === 0).map(String);
    expect(names).toEqual(expect.arrayContaining(['maxclients', 'maxmemory', 'maxmemory-policy']));
    const two = (await c.call('CONFIG', 'GET', 'timeout', 'hz')) as Buffer[];
    expect(two.map(String)).toEqual(['timeout', '0', 'hz', '10']);
  });

  it('SET validates every pair before applying any', async () => {
    expect(await c.call('CONFIG', 'SET', 'maxclients', '500')).toEqual({ ok: 'OK' });
    expect(((await c.call('CONFIG', 'GET', 'maxclients')) as Buffer[])[1]!.toString()).toBe('500');
    expect(await c.call('CONFIG', 'SET', 'foo', 'bar')).toEqual({ err: "ERR Unknown option or number of arguments for CONFIG SET - 'foo'" });
    expect(await c.call('CONFIG', 'SET', 'maxclients', 'x')).toMatchObject({
      err: expect.stringMatching(/^ERR CONFIG SET failed \(possibly related to argument 'maxclients'\) - /),
    });
    expect(await c.call('CONFIG', 'SET', 'maxclients', '100', 'maxclients', '200')).toEqual({
      err: "ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter",
    });
    expect(await c.call('CONFIG', 'SET', 'port', '1')).toEqual({
      err: "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
    });
    expect(await c.call('CONFIG', 'SET', 'maxclients', '10', 'x')).toEqual({ err: 'ERR syntax error' });
    expect(await c.call('CONFIG', 'SET', 'timeout', '5', 'hz', 'bad')).toMatchObject({ err: expect.stringContaining("'hz'") });
    expect(((await c.call('CONFIG', 'GET', 'timeout')) as Buffer[])[1]!.toString()).toBe('0');
    expect(await c.call('CONFIG', 'SET', 'maxclients', '10000', 'hz', '20')).toEqual({ ok: 'OK' });
    expect(await c.call('CONFIG', 'SET', 'log-level', 'warn')).toEqual({ ok: 'OK' });
  });

  it('REWRITE writes the running values into the config file, keeping comments', async () => {
    await c.call('CONFIG', 'SET', 'timeout', '300');
    expect(await c.call('CONFIG', 'REWRITE')).toEqual({ ok: 'OK' });
    const text = readFileSync(configFile, 'utf8');
    expect(text).toContain('# test config');
    expect(text).toMatch(/^timeout: 300/m);
    await c.call('CONFIG', 'SET', 'timeout', '0');
  });

  it('HELP', async () => {
    const help = (await c.call('CONFIG', 'HELP')) as Array<{ ok: string }>;
    expect(help[0]).toEqual({ ok: 'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:' });
  });
});

describe('COMMAND', () => {
  it('COUNT, LIST and INFO agree with the table', async () => {
    const count = (await c.call('COMMAND', 'COUNT')) as number;
    expect(count).toBeGreaterThan(50);
    const all = (await c.call('COMMAND')) as RespValue[][];
    expect(all.length).toBe(count);
    const list = ((await c.call('COMMAND', 'LIST')) as Buffer[]).map(String);
    for (const n of ['get', 'set', 'ping', 'config', 'config|get', 'client|list', 'info', 'expire', 'del']) expect(list).toContain(n);
    expect(await c.call('COMMAND', 'COUNT', 'x')).toEqual({ err: "ERR wrong number of arguments for 'command|count' command" });
  });

  it('INFO describes a command as Redis 7 does', async () => {
    const [get, none] = (await c.call('COMMAND', 'INFO', 'get', 'nosuch')) as RespValue[][];
    expect(none).toBeNull();
    expect(get!.slice(0, 8)).toEqual([
      Buffer.from('get'), 2, [{ ok: 'readonly' }, { ok: 'fast' }], 1, 1, 1, [{ ok: '@read' }, { ok: '@string' }, { ok: '@fast' }], [],
    ]);
    expect(get![8]).toEqual([[
      Buffer.from('flags'), [{ ok: 'RO' }, { ok: 'access' }],
      Buffer.from('begin_search'), [Buffer.from('type'), Buffer.from('index'), Buffer.from('spec'), [Buffer.from('index'), 1]],
      Buffer.from('find_keys'), [Buffer.from('type'), Buffer.from('range'), Buffer.from('spec'),
        [Buffer.from('lastkey'), 0, Buffer.from('keystep'), 1, Buffer.from('limit'), 0]],
    ]]);
    const [cfg] = (await c.call('COMMAND', 'INFO', 'config')) as RespValue[][];
    const subs = (cfg![9] as RespValue[][]).map((s) => String(s[0]));
    expect(subs).toEqual(expect.arrayContaining(['config|get', 'config|set', 'config|rewrite', 'config|resetstat']));
    const [cfgGet] = (await c.call('COMMAND', 'INFO', 'CONFIG|GET')) as RespValue[][];
    expect(cfgGet!.slice(0, 2)).toEqual([Buffer.from('config|get'), -3]);
    // ACL categories of the other families, as redis-server 7.0 lists them.
    const cats = async (name: string): Promise<string[]> =>
      (((await c.call('COMMAND', 'INFO', name)) as RespValue[][])[0]![6] as { ok: string }[]).map((x) => x.ok);
    expect(await cats('setbit')).toEqual(['@write', '@bitmap', '@slow']);
    expect(await cats('bitcount')).toEqual(['@read', '@bitmap', '@slow']);
    expect(await cats('publish')).toEqual(['@pubsub', '@fast']);
    expect(await cats('subscribe')).toEqual(['@pubsub', '@slow']);
    expect(await cats('multi')).toEqual(['@fast', '@transaction']);
    expect(await cats('exec')).toEqual(['@slow', '@transaction']);
  });

  it('DOCS, GETKEYS and LIST FILTERBY', async () => {
    const docs = (await c.call('COMMAND', 'DOCS', 'get')) as RespValue[];
    expect(String(docs[0])).toBe('get');
    expect(docs[1]).toEqual([Buffer.from('group'), Buffer.from('string')]);
    expect(((await c.call('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')) as Buffer[]).map(String)).toEqual(['a', 'b']);
    expect(await c.call('COMMAND', 'GETKEYS', 'PING', 'x')).toEqual({ err: 'ERR The command has no key arguments' });
    expect(await c.call('COMMAND', 'GETKEYS', 'FOO', 'x')).toEqual({ err: 'ERR Invalid command specified' });
    expect(await c.call('COMMAND', 'GETKEYS', 'GET', 'a', 'b')).toEqual({ err: 'ERR Invalid number of arguments specified for command' });
    expect(await c.call('COMMAND', 'GETKEYS', 'GET')).toEqual({ err: "ERR wrong number of arguments for 'command|getkeys' command" });
    expect(((await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'conf*')) as Buffer[]).map(String)).toContain('config');
    expect(((await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|s*')) as Buffer[]).map(String).sort()).toEqual([
      'client|setinfo', 'client|setname',
    ]);
    expect((await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'string')) as Buffer[]).toContainEqual(Buffer.from('get'));
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'foo', 'x')).toEqual({ err: 'ERR syntax error' });
  });
});

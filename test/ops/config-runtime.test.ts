import { describe, expect, it } from 'vitest';
import { configGet, configSet, loadConfig, type Config } from '../../src/ops/config.js';
import { globMatch } from '../../src/ops/glob.js';

const fresh = (): Config => loadConfig({ argv: [], env: {}, cwd: '/srv', defaultConfigFile: null });

describe('globMatch (Redis stringmatch)', () => {
  it.each([
    ['*', 'anything', true],
    ['max*', 'maxmemory', true],
    ['*port', 'memcached-port', true],
    ['*port', 'port-x', false],
    ['p?rt', 'port', true],
    ['p?rt', 'prt', false],
    ['[mp]ort', 'port', true],
    ['[^p]ort', 'port', false],
    ['[a-c]z', 'bz', true],
    ['[c-a]z', 'bz', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['MAX*', 'maxclients', true],
    ['*-*-*', 'client-query-buffer-limit', true],
  ])('%j vs %j -> %s', (p, s, want) => {
    expect(globMatch(p, s)).toBe(want);
  });
  it('can be case-sensitive', () => {
    expect(globMatch('MAX*', 'maxclients', false)).toBe(false);
  });
});

describe('configGet', () => {
  it('matches globs and exact names, case-insensitively, in table order without repeats', () => {
    const c = fresh();
    expect(configGet(c, ['maxmemory*'])).toEqual([
      ['maxmemory', '0'],
      ['maxmemory-policy', 'noeviction'],
    ]);
    expect(configGet(c, ['PORT', '*port', 'port'])).toEqual([
      ['port', '6379'],
      ['memcached-port', '11211'],
      ['tls-port', '0'],
      ['tls-memcached-port', '0'],
      ['metrics-port', '0'],
    ]);
    expect(configGet(c, ['nothing', 'x*'])).toEqual([]);
  });

  it('shows values the way Redis does: bytes, yes/no, resolved paths', () => {
    const c = fresh();
    const all = Object.fromEntries(configGet(c, ['*']));
    expect(all['pool-size']).toBe(String(1024 ** 3));
    expect(all['proto-max-bulk-len']).toBe('536870912');
    expect(all['prefault']).toBe('no');
    expect(all['client-output-buffer-limit-normal']).toBe('0 0 0');
    expect(all['pool']).toBe('/srv/data/daxcache.pool');
    expect(all['memcached-bind']).toBe('127.0.0.1');
    expect(all['tier-memory']).toBe('auto');
    expect(all['client-output-buffer-limit-pubsub']).toBe(`${32 * 1024 ** 2} ${8 * 1024 ** 2} 60`);
    expect(all['hash-max-listpack-entries']).toBe('512');
    expect(all['list-max-listpack-size']).toBe('-2');
    expect(all['client-request-timeout']).toBe('60');
    expect(Object.keys(all)).toHaveLength(56);
  });
});

describe('configSet', () => {
  it('sets mutable settings and reports which', () => {
    const c = fresh();
    expect(configSet(c, ['maxmemory', '100mb', 'LOG-LEVEL', 'warn', 'maxmemory-policy', 'ALLKEYS-LFU'])).toEqual({
      ok: true,
      set: ['maxmemory', 'log-level', 'maxmemory-policy'],
    });
    expect(c.maxmemory).toBe(100 * 1024 ** 2);
    expect(c.logLevel).toBe('warn');
    expect(c.maxmemoryPolicy).toBe('allkeys-lfu');
    expect(configSet(c, ['client-output-buffer-limit-normal', '1mb 512kb 10'])).toMatchObject({ ok: true });
    expect(c.clientOutputBufferLimitNormal).toEqual({ hardBytes: 1024 ** 2, softBytes: 512 * 1024, softSeconds: 10 });
    expect(configSet(c, ['requirepass', 's3cret'])).toMatchObject({ ok: true });
    expect(configGet(c, ['requirepass'])).toEqual([['requirepass', 's3cret']]);
  });

  it('runs the apply hook after every pair parsed and assigns nothing when it refuses', () => {
    const c = fresh();
    const seen: Array<[string, unknown]> = [];
    const refuse = (name: string, v: unknown) => (seen.push([name, v]), name === 'pool-size' ? 'the pool cannot shrink (it is 1gb)' : null);
    expect(configSet(c, ['hz', '20', 'pool-size', '512mb'], refuse)).toEqual({
      ok: false,
      error: "ERR CONFIG SET failed (possibly related to argument 'pool-size') - the pool cannot shrink (it is 1gb)",
    });
    expect(seen).toEqual([['hz', 20], ['pool-size', 512 * 1024 ** 2]]);
    expect(c.hz).toBe(10);
    expect(c.poolSize).toBe(1024 ** 3);
    // A value that does not parse never reaches the hook.
    seen.length = 0;
    expect(configSet(c, ['pool-size', '12qb'], refuse)).toMatchObject({ ok: false });
    expect(seen).toEqual([]);
    expect(configSet(c, ['pool-size', '2gb', 'hz', '20'], () => null)).toEqual({ ok: true, set: ['pool-size', 'hz'] });
    expect([c.poolSize, c.hz]).toEqual([2 * 1024 ** 3, 20]);
  });

  it('refuses immutable and unknown settings with the Redis messages', () => {
    const c = fresh();
    expect(configSet(c, ['port', '1'])).toEqual({
      ok: false,
      error: "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
    });
    expect(configSet(c, ['pool', '/tmp/x.pool'])).toMatchObject({ ok: false, error: expect.stringContaining("can't set immutable config") });
    expect(configSet(c, ['x', '1'])).toEqual({ ok: false, error: "ERR Unknown option or number of arguments for CONFIG SET - 'x'" });
    // An unknown name is reported even after an immutable one, as Redis does.
    expect(configSet(c, ['port', '1', 'x', '1'])).toEqual({
      ok: false,
      error: "ERR Unknown option or number of arguments for CONFIG SET - 'x'",
    });
    expect(configSet(c, ['hz'])).toEqual({ ok: false, error: 'ERR syntax error' });
    expect(configSet(c, [])).toMatchObject({ ok: false, error: expect.stringContaining('wrong number of arguments') });
  });

  it('validates values and applies nothing when any pair is bad', () => {
    const c = fresh();
    expect(configSet(c, ['hz', '50', 'maxmemory', '12qb'])).toEqual({
      ok: false,
      error: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    });
    expect(c.hz).toBe(10);
    expect(configSet(c, ['hz', '501'])).toMatchObject({ ok: false, error: expect.stringContaining('argument must be between 1 and 500 inclusive') });
    expect(configSet(c, ['log-level', 'loud'])).toMatchObject({ ok: false, error: expect.stringContaining('argument(s) must be one of the following: trace') });
    expect(configSet(c, ['hz', '5', 'hz', '6'])).toEqual({
      ok: false,
      error: "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
    });
    expect(c.hz).toBe(10);
  });
});

// INFO commandstats, errorstats and latencystats, and CONFIG RESETSTAT, beside a real redis-server:
// the same commands on both give the same lines (calls, rejected and failed counts; run times differ
// and are checked for form), the same sections in INFO everything, and none of them in plain INFO.
import { describe, expect, it } from 'vitest';
import { RespClient, type Wire } from '../commands/resp-client.js';
import { haveRedisServer, useServerPair } from '../commands/real-redis.js';

const servers = useServerPair();

/** The same commands on a server; then its INFO of `section`, as field -> value. */
async function workload(port: number, section: string): Promise<Map<string, string>> {
  const c = await RespClient.open(port);
  try {
    await c.call('config', 'resetstat');
    await c.call('set', 'k', 'v');
    await c.call('set', 'k', 'w');
    await c.call('get', 'k');
    await c.call('get'); // arity: rejected_calls
    await c.call('incr', 'k'); // not an integer: failed_calls
    await c.call('config', 'get', 'maxmemory');
    await c.call('nosuchcommand'); // errorstats only
    return parseInfo(((await c.call('info', section)) as { b: string }).b);
  } finally {
    c.close();
  }
}

function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** "calls=2,usec=5,..." -> fields, with run times replaced by their form. */
function shape(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=') as [string, string];
    if (k === 'usec') out[k] = /^\d+$/.test(v) ? 'int' : v;
    else if (k === 'usec_per_call' || /^p[\d.]+$/.test(k)) out[k] = /^\d+\.\d+$/.test(v) ? 'decimal' : v;
    else out[k] = v;
  }
  return out;
}

describe('INFO commandstats / errorstats / latencystats', () => {
  it('a real redis-server is installed (the reference)', () => {
    expect(haveRedisServer).toBe(true);
  });

  for (const section of ['commandstats', 'errorstats', 'latencystats']) {
    it(`${section}: the same lines as Redis for the same commands`, async () => {
      const mine = await workload(servers.dax.port, section);
      const theirs = await workload(servers.redis!.port, section);
      const norm = (m: Map<string, string>) => Object.fromEntries([...m].map(([k, v]) => [k, shape(v)]));
      // Redis also counts the `info` call being answered in commandstats (it runs after the counters are read here too).
      expect(norm(mine)).toEqual(norm(theirs));
      if (section === 'commandstats') {
        expect(mine.get('cmdstat_set')).toMatch(/^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
        expect(mine.get('cmdstat_get')).toMatch(/^calls=1,.*,rejected_calls=1,failed_calls=0$/);
        expect(mine.get('cmdstat_incr')).toMatch(/^calls=1,.*,rejected_calls=0,failed_calls=1$/);
        expect(mine.get('cmdstat_config|get')).toMatch(/^calls=1,/);
      }
      if (section === 'latencystats') expect(mine.get('latency_percentiles_usec_set')).toMatch(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    });
  }

  it('INFO everything lists them in Redis order; plain INFO does not', async () => {
    const sections = async (port: number, ...args: string[]) => {
      const c = await RespClient.open(port);
      try {
        const text = ((await c.call('info', ...args)) as { b: string }).b;
        return text.split('\r\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
      } finally {
        c.close();
      }
    };
    const all = await sections(servers.dax.port, 'everything');
    const at = (s: string) => all.indexOf(s);
    expect(at('CPU')).toBeLessThan(at('Commandstats'));
    expect(at('Commandstats')).toBeLessThan(at('Errorstats'));
    expect(at('Errorstats')).toBeLessThan(at('Latencystats'));
    expect(at('Latencystats')).toBeLessThan(at('Cluster'));
    const plain = await sections(servers.dax.port);
    const redisPlain = await sections(servers.redis!.port);
    expect(plain).not.toContain('Commandstats');
    expect(plain).not.toContain('Latencystats');
    expect(redisPlain).not.toContain('Commandstats');
  });

  it('CONFIG RESETSTAT zeroes commandstats and latencystats', async () => {
    const c = await RespClient.open(servers.dax.port);
    try {
      await c.call('set', 'a', '1');
      await c.call('config', 'resetstat');
      const stats = parseInfo(((await c.call('info', 'commandstats', 'latencystats')) as { b: string }).b);
      expect(stats.has('cmdstat_set')).toBe(false);
      expect(stats.has('latency_percentiles_usec_set')).toBe(false);
      // the reset itself is the one call counted
      expect([...stats.keys()].filter((k) => k.startsWith('cmdstat_'))).toEqual(['cmdstat_config|resetstat']);
    } finally {
      c.close();
    }
  });

  it('a transaction counts EXEC and each command it runs', async () => {
    const c = await RespClient.open(servers.dax.port);
    try {
      await c.call('config', 'resetstat');
      await c.call('multi');
      await c.call('set', 'a', '1');
      await c.call('incr', 'a');
      const r = (await c.call('exec')) as Wire[];
      expect(r).toHaveLength(2);
      const stats = parseInfo(((await c.call('info', 'commandstats')) as { b: string }).b);
      for (const cmd of ['multi', 'exec', 'set', 'incr']) expect(stats.get(`cmdstat_${cmd}`), cmd).toMatch(/^calls=1,/);
    } finally {
      c.close();
    }
  });
});

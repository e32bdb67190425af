// memcached `stats items` (it gave only items:N:number): memcached 1.6's fields in its order, checked
// beside a real memcached, with real per-class eviction and expiry figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { McSocket, startRealMemcached, stopServer } from './helpers.js';

let memcached: Awaited<ReturnType<typeof startRealMemcached>>;
let mcPort = 0;

beforeAll(async () => {
  memcached = await startRealMemcached();
  mcPort = memcached.port;
});
afterAll(() => {
  memcached?.stop();
});

/** class id -> [field, value] in the order the server sent them. */
async function itemsOf(c: McSocket): Promise<Map<string, [string, number][]>> {
  c.send('stats items\r\n');
  const text = await c.until('END\r\n');
  const byClass = new Map<string, [string, number][]>();
  for (const line of text.split('\r\n')) {
    if (line === 'END' || line === '') continue;
    const m = /^STAT items:(\d+):(\S+) (\d+)$/.exec(line);
    if (!m) throw new Error(`not an items line: ${JSON.stringify(line)}`);
    const fields = byClass.get(m[1]!) ?? [];
    fields.push([m[2]!, Number(m[3])]);
    byClass.set(m[1]!, fields);
  }
  return byClass;
}

function sum(items: Map<string, [string, number][]>, field: string): number {
  let n = 0;
  for (const fields of items.values()) for (const [f, v] of fields) if (f === field) n += v;
  return n;
}

async function general(c: McSocket, name: string): Promise<number> {
  c.send('stats\r\n');
  const m = new RegExp(`STAT ${name} (\\d+)\\r\\n`).exec(await c.until('END\r\n'));
  if (!m) throw new Error(`no ${name}`);
  return Number(m[1]);
}

async function fill(c: McSocket, prefix: string, n: number, size: number, exptime = 0): Promise<void> {
  const v = 'v'.repeat(size);
  for (let i = 0; i < n; i++) c.send(`set ${prefix}${i} 0 ${exptime} ${size} noreply\r\n${v}\r\n`);
  expect(await c.ask('version\r\n')).toHaveLength(1);
}

describe('stats items', () => {
  it('lists the same fields in the same order as memcached for every class with items', async () => {
    const server = await startServer({ memcached: true });
    try {
      const seen: string[][] = [];
      for (const port of [server.memcachedPort, mcPort]) {
        const c = await McSocket.connect(port);
        await fill(c, 'small', 3, 10);
        await fill(c, 'big', 2, 1000);
        c.send('get small0\r\n');
        await c.until('END\r\n');
        const items = await itemsOf(c);
        c.close();
        expect(items.size, `port ${port}`).toBe(2);
        for (const fields of items.values()) seen.push(fields.map(([f]) => f));
        expect(sum(items, 'number')).toBe(5);
        expect(sum(items, 'hits_to_hot') + sum(items, 'hits_to_warm') + sum(items, 'hits_to_cold')).toBe(1);
      }
      for (const fields of seen) expect(fields).toEqual(seen.at(-1));
      expect(seen.at(-1)).toHaveLength(28);
    } finally {
      await stopServer(server);
    }
  });

  it('counts evictions per class, adding up to the general evictions', async () => {
    const server = await startServer({ memcached: true, args: ['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru'] });
    try {
      const c = await McSocket.connect(server.memcachedPort);
      await fill(c, 'plain', 600, 4000);
      await fill(c, 'ttl', 600, 4000, 3600);
      const items = await itemsOf(c);
      const evictions = await general(c, 'evictions');
      expect(evictions).toBeGreaterThan(0);
      expect(sum(items, 'evicted')).toBe(evictions);
      expect(sum(items, 'evicted_nonzero')).toBeGreaterThan(0);
      expect(sum(items, 'evicted_nonzero')).toBeLessThanOrEqual(evictions);
      expect(sum(items, 'number')).toBe(await general(c, 'curr_items'));
      c.close();
    } finally {
      await stopServer(server);
    }
  });

  it('counts keys removed by active expiry as crawler_reclaimed', async () => {
    const server = await startServer({ memcached: true });
    try {
      const c = await McSocket.connect(server.memcachedPort);
      await fill(c, 'soon', 40, 100, 1);
      const deadline = Date.now() + 10_000;
      while ((await general(c, 'curr_items')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await general(c, 'curr_items')).toBe(0);
      c.send('stats items\r\n');
      // Classes with no items are not listed, as in memcached; the counters come back with the next item.
      expect(await c.until('END\r\n')).toBe('END\r\n');
      await fill(c, 'soon', 1, 100);
      const items = await itemsOf(c);
      expect(sum(items, 'crawler_reclaimed') + sum(items, 'reclaimed')).toBe(40);
      expect(sum(items, 'crawler_reclaimed')).toBeGreaterThan(0);
      expect(sum(items, 'crawler_items_checked')).toBeGreaterThanOrEqual(sum(items, 'crawler_reclaimed'));
      c.close();
    } finally {
      await stopServer(server);
    }
  });
});

// stats (general, settings, items, slabs, sizes, reset, detail), flush_all with a delay,
// shutdown, cache_memlimit, maxclients and a full pool, against real server processes.
import { describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, memcacheSession, stopServer } from './helpers.js';

/** `stats [sub]` as a name -> value map (every line must be STAT name value, then END). */
async function stats(c: McSocket, sub = ''): Promise<Map<string, string>> {
  c.send(`stats${sub ? ' ' + sub : ''}\r\n`);
  const out = await c.until('END\r\n');
  const lines = out.split('\r\n').slice(0, -2);
  const m = new Map<string, string>();
  for (const l of lines) {
    const match = /^STAT (\S+) (.*)$/.exec(l);
    if (!match) throw new Error(`not a STAT line: ${JSON.stringify(l)}`);
    m.set(match[1]!, match[2]!);
  }
  return m;
}

describe('stats and server commands', () => {
  let server: TestServer;
  let c: McSocket;
  memcacheSession(
    (srv, sock) => {
      server = srv;
      c = sock;
    },
    ['--item-size-max', '2mb'],
  );

  it('general stats use memcached names and count the commands', async () => {
    expect(await c.ask('stats reset\r\n')).toEqual(['RESET']);
    await c.ask('set a 0 0 1\r\nx\r\n');
    c.send('get a b\r\n');
    await c.until('END\r\n');
    await c.ask('delete a\r\n');
    await c.ask('delete a\r\n');
    await c.ask('incr n 1\r\n');
    await c.ask('touch a 1\r\n');
    await c.ask('cas a 0 0 1 1\r\nx\r\n');
    const s = await stats(c);
    for (const name of [
      'pid', 'uptime', 'time', 'version', 'pointer_size', 'rusage_user', 'rusage_system', 'max_connections',
      'curr_connections', 'total_connections', 'rejected_connections', 'cmd_get', 'cmd_set', 'cmd_flush',
      'cmd_touch', 'cmd_meta', 'get_hits', 'get_misses', 'delete_misses', 'delete_hits', 'incr_misses',
      'incr_hits', 'decr_misses', 'decr_hits', 'cas_misses', 'cas_hits', 'cas_badval', 'touch_hits',
      'touch_misses', 'store_too_large', 'store_no_memory', 'bytes_read', 'bytes_written', 'limit_maxbytes',
      'accepting_conns', 'threads', 'bytes', 'curr_items', 'total_items', 'evictions',
    ]) {
      expect(s.has(name), name).toBe(true);
    }
    expect(s.get('pid')).toBe(String(server.proc.pid));
    expect(s.get('version')).toBe('1.6.18');
    expect(s.get('rusage_user')).toMatch(/^\d+\.\d{6}$/);
    expect(Math.abs(Number(s.get('time')) - Date.now() / 1000)).toBeLessThan(5);
    expect(s.get('cmd_get')).toBe('2');
    expect(s.get('get_hits')).toBe('1');
    expect(s.get('get_misses')).toBe('1');
    expect(s.get('cmd_set')).toBe('2');
    expect(s.get('delete_hits')).toBe('1');
    expect(s.get('delete_misses')).toBe('1');
    expect(s.get('incr_misses')).toBe('1');
    expect(s.get('touch_misses')).toBe('1');
    expect(s.get('cas_misses')).toBe('1');
    expect(s.get('total_items')).toBe('1');
    expect(s.get('curr_items')).toBe('0');
    expect(Number(s.get('curr_connections'))).toBeGreaterThanOrEqual(1);
    expect(s.get('limit_maxbytes')).toBe(String(256 * 1024 * 1024));
    expect(Number(s.get('bytes_read'))).toBeGreaterThan(0);
  });

  it('stats settings, items, slabs and sizes', async () => {
    const st = await stats(c, 'settings');
    expect(st.get('item_size_max')).toBe(String(2 * 1024 * 1024));
    expect(st.get('tcpport')).toBe(String(server.memcachedPort));
    expect(st.get('maxconns')).toBe('10000');
    expect(st.get('shutdown_command')).toBe('no');
    expect(st.get('cas_enabled')).toBe('yes');
    await c.ask('set a 0 0 1\r\nx\r\n');
    await c.ask('set b 0 0 1\r\ny\r\n');
    c.send('get a\r\n');
    await c.until('END\r\n');
    const items = await stats(c, 'items');
    expect(items.get('items:1:number')).toBe('2');
    const slabs = await stats(c, 'slabs');
    expect(slabs.get('1:chunk_size')).toBe('64');
    expect(slabs.get('1:used_chunks')).toBe('2');
    expect(Number(slabs.get('1:get_hits'))).toBeGreaterThanOrEqual(1);
    expect(Number(slabs.get('1:cmd_set'))).toBeGreaterThanOrEqual(2);
    expect(Number(slabs.get('active_slabs'))).toBeGreaterThanOrEqual(1);
    expect(Number(slabs.get('total_malloced'))).toBeGreaterThan(0);
    expect(await c.ask('stats sizes\r\n', 2)).toEqual(['STAT sizes_status disabled', 'END']);
    expect(await c.ask('stats nonsense\r\n')).toEqual(['ERROR']);
  });

  it('stats detail on|off|dump counts per key prefix', async () => {
    expect(await c.ask('stats detail\r\n')).toEqual(['CLIENT_ERROR usage: stats detail on|off|dump']);
    expect(await c.ask('stats detail on\r\n')).toEqual(['OK']);
    await c.ask('set user:1 0 0 1\r\nx\r\n');
    c.send('get user:1 user:2 plain\r\n');
    await c.until('END\r\n');
    await c.ask('delete user:1\r\n');
    expect(await c.ask('stats detail dump\r\n', 2)).toEqual(['PREFIX user get 2 hit 1 set 1 del 1', 'END']);
    expect(await c.ask('stats detail off\r\n')).toEqual(['OK']);
    expect((await stats(c, 'settings')).get('detail_enabled')).toBe('no');
  });

  it('flush_all with a delay flushes later; a newer flush_all replaces it', async () => {
    await c.ask('set a 0 0 1\r\nx\r\n');
    expect(await c.ask('flush_all 1\r\n')).toEqual(['OK']);
    c.send('get a\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE a 0 1\r\nx\r\nEND\r\n');
    const deadline = Date.now() + 5000;
    let out = '';
    while (Date.now() < deadline) {
      c.send('get a\r\n');
      out = await c.until('END\r\n');
      if (out === 'END\r\n') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toBe('END\r\n');
    // Replaced: the delayed flush never happens.
    await c.ask('set b 0 0 1\r\nx\r\n');
    expect(await c.ask('flush_all 1\r\n')).toEqual(['OK']);
    c.send('flush_all 0 noreply\r\nset c 0 0 1\r\nx\r\n');
    expect(await c.line()).toBe('STORED');
    await new Promise((r) => setTimeout(r, 1500));
    c.send('get b c\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE c 0 1\r\nx\r\nEND\r\n');
    expect(await c.ask('flush_all x\r\n')).toEqual(['CLIENT_ERROR invalid exptime argument']);
    expect((await stats(c)).get('cmd_flush')).toBe('6');
  });

  it('shutdown is refused unless memcached-shutdown is on', async () => {
    expect(await c.ask('shutdown\r\n')).toEqual(['ERROR: shutdown not enabled']);
    expect(await c.ask('shutdown graceful\r\n')).toEqual(['ERROR: shutdown not enabled']);
  });

  it('cache_memlimit sets maxmemory within the pool', async () => {
    expect(await c.ask('cache_memlimit 5\r\n')).toEqual(['MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m']);
    expect(await c.ask('cache_memlimit 2000000000\r\n')).toEqual(['MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes']);
    expect(await c.ask('cache_memlimit 100000\r\n')).toEqual(['MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust']);
    expect(await c.ask('cache_memlimit x\r\n')).toEqual(['ERROR']);
    expect(await c.ask('cache_memlimit 64\r\n')).toEqual(['OK']);
    expect((await stats(c)).get('limit_maxbytes')).toBe(String(64 * 1024 * 1024));
    expect(await c.ask('cache_memlimit 256\r\n')).toEqual(['OK']);
  });
});

describe('shutdown when enabled', () => {
  it('shutdown stops the server cleanly; shutdown with a bad mode is refused', async () => {
    const server = await startServer({ memcached: true, args: ['--memcached-shutdown'] });
    try {
      const c = await McSocket.connect(server.memcachedPort);
      expect(await c.ask('shutdown now\r\n')).toEqual(['CLIENT_ERROR invalid shutdown mode']);
      await c.ask('set kept 0 0 1\r\nx\r\n');
      c.send('shutdown\r\n');
      expect(await c.waitClosed()).toBe(true);
      expect(await server.exited()).toBe(0);
      await server.restart();
      const d = await McSocket.connect(server.memcachedPort);
      d.send('get kept\r\n');
      expect(await d.until('END\r\n')).toBe('VALUE kept 0 1\r\nx\r\nEND\r\n');
      d.close();
    } finally {
      await stopServer(server);
    }
  });
});

describe('limits', () => {
  it('maxclients counts both protocols; past it: ERROR Too many open connections', async () => {
    const server = await startServer({ memcached: true, args: ['--maxclients', '2'] });
    try {
      // The readiness probes of startServer count until the server has seen them close.
      await new Promise((r) => setTimeout(r, 300));
      const a = await McSocket.connect(server.memcachedPort);
      // A RESP client takes the other place (the same raw socket helper speaks inline PING).
      const b = await McSocket.connect(server.port);
      expect(await a.ask('version\r\n')).toEqual(['VERSION 1.6.18']);
      expect(await b.ask('PING\r\n')).toEqual(['+PONG']);
      const c = await McSocket.connect(server.memcachedPort);
      expect(await c.line()).toBe('ERROR Too many open connections');
      expect(await c.waitClosed()).toBe(true);
      a.close();
      await new Promise((r) => setTimeout(r, 100));
      const d = await McSocket.connect(server.memcachedPort);
      expect(await d.ask('stats\r\n', 1)).toEqual([expect.stringMatching(/^STAT pid /)]);
      const s = await d.until('END\r\n');
      expect(s).toContain('STAT rejected_connections 1\r\n');
      b.close();
      d.close();
    } finally {
      await stopServer(server);
    }
  });

  it('a full pool: SERVER_ERROR out of memory storing object, and the failed set drops the old value', async () => {
    const server = await startServer({ memcached: true, poolSize: '16mb', args: ['--item-size-max', '1mb'] });
    try {
      const c = await McSocket.connect(server.memcachedPort);
      await c.ask('set victim 0 0 3\r\nold\r\n');
      const v = 'x'.repeat(900 * 1024);
      let oom = '';
      for (let i = 0; i < 64 && !oom; i++) {
        const [line] = await c.ask(`set fill${i} 0 0 ${v.length}\r\n${v}\r\n`);
        if (line !== 'STORED') oom = line!;
      }
      expect(oom).toBe('SERVER_ERROR out of memory storing object');
      expect(await c.ask(`set victim 0 0 ${v.length}\r\n${v}\r\n`)).toEqual(['SERVER_ERROR out of memory storing object']);
      c.send('get victim\r\n');
      expect(await c.until('END\r\n')).toBe('END\r\n');
      const s = await stats(c);
      expect(Number(s.get('store_no_memory'))).toBeGreaterThanOrEqual(2);
      // Room comes back after deletes.
      expect(await c.ask('flush_all\r\n')).toEqual(['OK']);
      expect(await c.ask('set small 0 0 1\r\nx\r\n')).toEqual(['STORED']);
      c.close();
    } finally {
      await stopServer(server);
    }
  });
});

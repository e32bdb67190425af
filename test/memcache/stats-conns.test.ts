// memcached `stats conns` (it was ERROR): one block per connection keyed by its fd, in memcached
// 1.6's field names and states, checked beside a real memcached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, startRealMemcached, stopServer } from './helpers.js';

let server: TestServer;
let memcached: Awaited<ReturnType<typeof startRealMemcached>>;
let mcPort = 0;

beforeAll(async () => {
  server = await startServer({ memcached: true });
  memcached = await startRealMemcached();
  mcPort = memcached.port;
});
afterAll(async () => {
  memcached?.stop();
  await stopServer(server);
});

/** fd -> fields of the client connections (memcached also lists its listening socket: left out). */
async function connsOf(port: number): Promise<Map<string, Record<string, string>>> {
  const idle = await McSocket.connect(port);
  expect(await idle.ask('version\r\n')).toHaveLength(1);
  const asker = await McSocket.connect(port);
  asker.send('stats conns\r\n');
  const text = await asker.until('END\r\n');
  idle.close();
  asker.close();
  const byFd = new Map<string, Record<string, string>>();
  for (const line of text.split('\r\n')) {
    const m = /^STAT (\d+):(\S+) (.*)$/.exec(line);
    if (!m) continue;
    const f = byFd.get(m[1]!) ?? {};
    f[m[2]!] = m[3]!;
    byFd.set(m[1]!, f);
  }
  for (const [fd, f] of byFd) if (f.state === 'conn_listening') byFd.delete(fd);
  return byFd;
}

describe('stats conns', () => {
  it('lists the idle and the asking connection with the same fields and states as memcached', async () => {
    for (const port of [server.memcachedPort, mcPort]) {
      const conns = [...(await connsOf(port)).values()];
      expect(conns.length, `port ${port}`).toBeGreaterThanOrEqual(2);
      for (const c of conns) {
        expect(Object.keys(c).sort()).toEqual(['addr', 'listen_addr', 'secs_since_last_cmd', 'state']);
        expect(c.addr).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
        expect(c.listen_addr).toBe(`tcp:127.0.0.1:${port}`);
      }
      const states = conns.map((c) => c.state).sort();
      expect(states).toContain('conn_parse_cmd');
      expect(states).toContain('conn_read');
    }
  });
});

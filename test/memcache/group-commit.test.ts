// In process: no memcached reply reaches the socket while a store write of the turn is not yet
// behind a persist barrier (strict durability), however many connections pipeline writes at once.
// Every write method of the store marks "dirty", barrier() clears it, and every socket write of a
// reply asserts that nothing is dirty.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../src/ops/config.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { ClientRegistry } from '../../src/server/clients.js';
import { GroupCommit } from '../../src/server/commit.js';
import { MemcacheListener } from '../../src/server/memcache/listener.js';
import { Store } from '../../src/store/store.js';
import { poolPath, removePool, useKind } from '../store/pools.js';
import { McSocket } from './helpers.js';

let store: Store;
let path: string;
let listener: MemcacheListener;
let dirty = 0;
let violations = 0;
let replyWrites = 0;

beforeAll(async () => {
  useKind('shm-cacheline');
  path = poolPath('shm-cacheline', 'mc-commit');
  store = Store.open(path, { createSize: 64 * 1024 * 1024 });
  const s = store as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['set', 'delete', 'touch', 'append', 'flushAll']) {
    const orig = s[name]!.bind(store);
    s[name] = (...a: unknown[]) => {
      dirty++;
      return orig(...a);
    };
  }
  const barrier = store.barrier.bind(store);
  store.barrier = () => {
    barrier();
    dirty = 0;
  };
  const config: Config = { ...DEFAULTS, memcachedPort: 0, memcachedBind: '127.0.0.1' };
  listener = new MemcacheListener({
    store,
    commit: new GroupCommit(store, 'strict', 1000),
    config,
    logger: createLogger('silent', { pretty: false }),
    metrics: createMetrics({ defaultMetrics: false }),
    clients: new ClientRegistry(() => config.maxclients),
  });
  listener.server.on('connection', (socket: net.Socket) => {
    const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
    socket.write = ((...a: unknown[]) => {
      replyWrites++;
      if (dirty > 0) violations++;
      return write(...a);
    }) as typeof socket.write;
  });
  await listener.start();
});

afterAll(async () => {
  listener.stopAccepting();
  await listener.closeConnections(1000);
  store.close();
  removePool(path);
});

describe('group commit', () => {
  it('replies leave only after the barrier covering the writes of their turn', async () => {
    const port = listener.address().port;
    const clients = await Promise.all(Array.from({ length: 8 }, () => McSocket.connect(port)));
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        clients.map(async (c, i) => {
          let req = '';
          for (let j = 0; j < 25; j++) {
            const k = `k${i}:${j}`;
            req += `set ${k} 0 0 2\r\nv${j % 10}\r\nms ${k}m 1\r\nx\r\nincr n${i} 1\r\ntouch ${k} 100\r\n`;
          }
          req += `delete k${i}:0\r\nmn\r\n`;
          c.send(req);
          await c.until('MN\r\n');
        }),
      );
    }
    for (const c of clients) c.close();
    expect(replyWrites).toBeGreaterThan(100);
    expect(violations).toBe(0);
  });
});

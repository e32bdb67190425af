// In process: no memcached reply reaches the socket while a store write of the turn is not yet
// behind a persist barrier (strict durability), however many connections pipeline writes at once.
// Every write method of the store marks "dirty", barrier() clears it, and every socket write of a
// reply asserts that nothing is dirty — through the native socket poller (the server's path) and
// through Node's sockets (the fallback).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../src/ops/config.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { ClientRegistry } from '../../src/server/clients.js';
import { GroupCommit } from '../../src/server/commit.js';
import { MemcacheListener } from '../../src/server/memcache/listener.js';
import { SocketPoller } from '../../src/server/poller.js';
import { Store } from '../../src/store/store.js';
import { AccessControl } from '../../src/security/access-control.js';
import { AclCommands } from '../../src/security/acl-commands.js';
import { poolPath, removePool, useKind } from '../store/pools.js';
import { McSocket } from './helpers.js';
import { freePort } from '../helpers/server.js';

let store: Store;
let path: string;
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
});

afterAll(() => {
  store.close();
  removePool(path);
});

/** A memcached listener whose every reply write checks that no store write is unpersisted. */
async function startListener(mode: 'poller' | 'node'): Promise<{ listener: MemcacheListener; stop: () => Promise<void> }> {
  const config: Config = { ...DEFAULTS, memcachedPort: await freePort(), memcachedBind: '127.0.0.1' };
  const commit = new GroupCommit(store, 'strict', 1000);
  const check = (): void => {
    replyWrites++;
    if (dirty > 0) violations++;
  };
  let poller: SocketPoller | null = null;
  let restore = (): void => {};
  if (mode === 'poller') {
    poller = SocketPoller.create(commit);
    expect(poller).not.toBeNull();
    const io = poller!.io;
    const write = io.write.bind(io);
    const writev = io.writev.bind(io);
    // The native methods are read-only on the prototype: shadow them on the instance.
    Object.defineProperty(io, 'write', { value: (id: number, data: Uint8Array) => (check(), write(id, data)) });
    Object.defineProperty(io, 'writev', { value: (id: number, data: Uint8Array[]) => (check(), writev(id, data)) });
  } else {
    const proto = net.Socket.prototype as unknown as { write: (...a: unknown[]) => boolean };
    const write = proto.write;
    proto.write = function (this: net.Socket, ...a: unknown[]) {
      check();
      return write.apply(this, a);
    };
    restore = () => (proto.write = write);
  }
  const listener = new MemcacheListener({
    store,
    commit,
    config,
    logger: createLogger('silent', { pretty: false }),
    metrics: createMetrics({ defaultMetrics: false }),
    clients: new ClientRegistry(() => config.maxclients),
    acl: new AccessControl(new AclCommands([]), { pubsubAllChannels: () => false, logMaxLen: () => 128 }),
    poller,
  });
  await listener.start();
  return {
    listener,
    stop: async () => {
      listener.stopAccepting();
      await listener.closeConnections(1000);
      poller?.close();
      restore();
    },
  };
}

describe.each(['poller', 'node'] as const)('group commit (%s sockets)', (mode) => {
  it('replies leave only after the barrier covering the writes of their turn', async () => {
    replyWrites = violations = 0;
    const { listener, stop } = await startListener(mode);
    const port = listener.addresses()[0]!.port;
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
    await stop();
    expect(replyWrites).toBeGreaterThan(100);
    expect(violations).toBe(0);
  });
});

// Acknowledged means durable over memcached too: a STORED (or HD, DELETED, an incr result) leaves
// only after the turn's persist barrier, so after kill -9 every acknowledged write reads back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { McSocket, stopServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ memcached: true });
});
afterAll(async () => {
  await stopServer(server);
});

describe('durability', () => {
  it('every acknowledged write survives kill -9 under a pipelined load', async () => {
    const c = await McSocket.connect(server.memcachedPort);
    const acked: number[] = [];
    let sent = 0;
    // Pipelined batches of sets, meta sets and deletes; the reply order tells which were acked.
    const killAt = Date.now() + 1500;
    for (let batch = 0; batch < 2000 && Date.now() < killAt; batch++) {
      let req = '';
      const ids: number[] = [];
      for (let j = 0; j < 50; j++, sent++) {
        const id = sent;
        ids.push(id);
        req += id % 2 ? `set d:${id} ${id} 0 ${String(id).length}\r\n${id}\r\n` : `ms d:${id} ${String(id).length} F${id}\r\n${id}\r\n`;
      }
      c.send(req);
      const replies = await c.lines(50);
      for (let j = 0; j < 50; j++) {
        expect(['STORED', 'HD']).toContain(replies[j]);
        acked.push(ids[j]!);
      }
      // One more set never waited for: whether it lands must not matter.
      if (Date.now() >= killAt) c.send('set d:unacked 0 0 1\r\nx\r\n');
    }
    await server.kill9();
    c.close();
    await server.restart();
    const d = await McSocket.connect(server.memcachedPort);
    expect(acked.length).toBeGreaterThan(100);
    for (let i = 0; i < acked.length; i += 500) {
      const ids = acked.slice(i, i + 500);
      d.send(`get ${ids.map((id) => `d:${id}`).join(' ')}\r\n`);
      const out = await d.until('END\r\n', 20_000);
      const expected = ids.map((id) => `VALUE d:${id} ${id} ${String(id).length}\r\n${id}\r\n`).join('');
      expect(out).toBe(`${expected}END\r\n`);
    }
    d.close();
  });

  it('delete and incr acknowledgements survive kill -9', async () => {
    const c = await McSocket.connect(server.memcachedPort);
    expect(await c.ask('set gone 0 0 1\r\nx\r\nset n 0 0 1\r\n1\r\n', 2)).toEqual(['STORED', 'STORED']);
    expect(await c.ask('delete gone\r\nincr n 41\r\n', 2)).toEqual(['DELETED', '42']);
    await server.kill9();
    c.close();
    await server.restart();
    const d = await McSocket.connect(server.memcachedPort);
    d.send('get gone n\r\n');
    expect(await d.until('END\r\n')).toBe('VALUE n 0 2\r\n42\r\nEND\r\n');
    d.close();
  });
});

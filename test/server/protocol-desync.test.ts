// Redis's "protocol desync" regression: a client sends 100 KiB of garbage without a newline and
// keeps writing. Like Redis, daxcache must answer the protocol error and then close the connection
// fully (not a half-close that goes on reading and discarding), so the writer sees the end.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => {
  await srv?.stop();
});

describe('protocol desync: 100 KiB of garbage without newline, then more writes', () => {
  for (const [what, garbage] of [
    ['inline', Buffer.alloc(100 * 1024, 0x78)],
    ['multibulk count', Buffer.concat([Buffer.from('*'), Buffer.alloc(100 * 1024, 0x37)])],
  ] as const) {
    it(`${what}: the client reads the error, then sees the connection close while still writing`, async () => {
      // allowHalfOpen: a FIN alone (the old half-close) would not end this socket.
      const s = net.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
      let got = '';
      let errorAt = 0;
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (!errorAt && got.includes('\r\n')) errorAt = Date.now();
      });
      const ended = new Promise<void>((resolve) => {
        // Not 'end': a FIN alone (the old half-close) is not the end for a client that keeps writing.
        s.on('close', () => resolve());
        s.on('error', () => resolve());
      });
      let done = false;
      void ended.then(() => (done = true));
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.write(garbage);
      const chunk = Buffer.alloc(1024, 0x78);
      const t0 = Date.now();
      while (!done && Date.now() - t0 < 5000) {
        if (!s.destroyed) s.write(chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(done, 'the connection was still open 5 s after the protocol error').toBe(true);
      expect(got).toMatch(/^-ERR Protocol error: (too big inline request|too big mbulk count string)\r\n$/);
      s.destroy();
    });
  }
});

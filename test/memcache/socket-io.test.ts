// The native socket poller (src/server/poller.ts) and writer (native/io/writer.h) under a real
// server process: requests split at every byte, input larger than one read, a reader too slow to
// take its replies, half-closed and reset clients, and many connections served in the same
// batches. Run four ways: the default (small batches sent inline, large ones by the writer
// thread), every batch through the writer thread, every batch inline, and a writer thread that
// is slow to run after each wakeup.
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { McSocket, memcacheSession } from './helpers.js';
import type { TestServer } from '../helpers/server.js';

const SEND_MODES: [string, Record<string, string> | undefined][] = [
  ['default', undefined],
  ['every batch by the writer thread', { DAX_IO_INLINE_MAX: '0' }],
  ['every batch inline', { DAX_IO_INLINE_MAX: String(1 << 30) }],
  // A writer thread that is slow to run (as when preempted): inline sends must still wait for it.
  ['a slow writer thread', { DAX_IO_WRITER_DELAY_US: '3000' }],
];

/**
 * Connects, sends `data`, shuts down the write side, and collects everything until the server
 * closes. With `readAfterMs`, the client reads nothing until then, so replies pile up in the server.
 */
function halfClosedExchange(port: number, data: Buffer, readAfterMs = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      if (readAfterMs > 0) {
        s.pause();
        setTimeout(() => s.resume(), readAfterMs);
      }
      s.end(data);
    });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    });
    s.on('error', reject);
    setTimeout(() => reject(new Error('server did not close the half-closed connection')), 10_000).unref();
  });
}

describe.each(SEND_MODES)('native socket I/O (%s)', (_mode, env) => {
  let server: TestServer;
  let c: McSocket;
  memcacheSession(
    (s, conn) => {
      server = s;
      c = conn;
    },
    [],
    env,
  );

  it('a request split at every byte still parses (leftovers are copied out of the shared read arena)', async () => {
    const req = Buffer.from('set split 7 0 5\r\nhello\r\nget split\r\n');
    for (const b of req) {
      c.send(Buffer.from([b]));
      // Each byte its own segment: the server sees many one-byte reads.
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await c.until('END\r\n')).toBe('STORED\r\nVALUE split 7 5\r\nhello\r\nEND\r\n');
  });

  it('a value larger than one read (64 KiB) arrives over several reads and batches', async () => {
    const v = Buffer.alloc(300 * 1024);
    for (let i = 0; i < v.length; i++) v[i] = (i * 31) & 0xff;
    c.send(Buffer.concat([Buffer.from(`set big 0 0 ${v.length}\r\n`), v, Buffer.from('\r\nget big\r\n')]));
    expect(await c.line()).toBe('STORED');
    expect(await c.line()).toBe(`VALUE big 0 ${v.length}`);
    const data = await c.bytes(v.length + 2);
    expect(data.subarray(0, v.length).equals(v)).toBe(true);
    expect(await c.line()).toBe('END');
  });

  it('a client that stops reading gets every byte once it reads again', async () => {
    const v = Buffer.alloc(500 * 1000, 'q');
    for (let i = 0; i < 8; i++) {
      c.send(Buffer.concat([Buffer.from(`set slow${i} ${i} 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
      expect(await c.line()).toBe('STORED');
    }
    c.socket.pause();
    c.send(`get ${Array.from({ length: 8 }, (_, i) => `slow${i}`).join(' ')}\r\n`);
    // 4 MB of replies wait in the server while the client does not read.
    await new Promise((r) => setTimeout(r, 300));
    c.socket.resume();
    for (let i = 0; i < 8; i++) {
      expect(await c.line(20_000)).toBe(`VALUE slow${i} ${i} ${v.length}`);
      const data = await c.bytes(v.length + 2, 20_000);
      expect(data.subarray(0, v.length).equals(v)).toBe(true);
    }
    expect(await c.line()).toBe('END');
  });

  it('a client that shuts down its side gets every reply, then the server closes', async () => {
    let req = '';
    for (let i = 0; i < 200; i++) req += `set h${i} 0 0 3\r\nabc\r\n`;
    req += 'get h0 h199\r\n';
    const out = (await halfClosedExchange(server.memcachedPort, Buffer.from(req))).toString('latin1');
    expect(out).toBe('STORED\r\n'.repeat(200) + 'VALUE h0 0 3\r\nabc\r\nVALUE h199 0 3\r\nabc\r\nEND\r\n');
  });

  it('a half-closed client that reads late still gets every byte before the server closes', async () => {
    // Replies far larger than the socket buffers: the server's writer holds most of them, and its
    // shutdown(SHUT_WR) and close must wait until they have all left.
    const v = Buffer.alloc(400 * 1000);
    for (let i = 0; i < v.length; i++) v[i] = (i * 7) & 0xff;
    c.send(Buffer.concat([Buffer.from(`set late 3 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
    expect(await c.line()).toBe('STORED');
    const out = await halfClosedExchange(server.memcachedPort, Buffer.from('get late\r\n'.repeat(10)), 400);
    const one = Buffer.concat([Buffer.from(`VALUE late 3 ${v.length}\r\n`), v, Buffer.from('\r\nEND\r\n')]);
    expect(out.length).toBe(one.length * 10);
    expect(out.equals(Buffer.concat(Array.from({ length: 10 }, () => one)))).toBe(true);
  });

  it('clients reset mid-reply leave the server serving others, and are no longer counted', async () => {
    const v = Buffer.alloc(200 * 1000, 'r');
    c.send(Buffer.concat([Buffer.from(`set reset 0 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
    expect(await c.line()).toBe('STORED');
    for (let i = 0; i < 20; i++) {
      const r = await McSocket.connect(server.memcachedPort);
      r.send(`get ${'reset '.repeat(20)}\r\n`);
      await new Promise((res) => setTimeout(res, 2));
      r.socket.resetAndDestroy();
    }
    expect(await c.ask('set after 0 0 2\r\nok\r\n')).toEqual(['STORED']);
    // The reset connections are closed by the server: only this test's client is left.
    const deadline = Date.now() + 5000;
    let curr = -1;
    while (Date.now() < deadline) {
      c.send('stats\r\n');
      const m = /STAT curr_connections (\d+)/.exec(await c.until('END\r\n'));
      curr = Number(m?.[1]);
      if (curr === 1) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(curr).toBe(1);
  });

  it('replies keep their order when batches alternate between the writer thread and inline sends', async () => {
    // Big (2 KiB) and tiny replies, sent in chunks of varying size: some batches are over the
    // inline limit and go to the writer thread, the next may be sent inline — never ahead of them.
    const big = Buffer.alloc(2048, 'B');
    c.send(Buffer.concat([Buffer.from(`set ob 1 0 ${big.length}\r\n`), big, Buffer.from('\r\nset os 2 0 1\r\ns\r\n')]));
    expect(await c.until('STORED\r\nSTORED\r\n')).toBe('STORED\r\nSTORED\r\n');
    const bigReply = Buffer.concat([Buffer.from(`VALUE ob 1 ${big.length}\r\n`), big, Buffer.from('\r\nEND\r\n')]);
    const smallReply = Buffer.from('VALUE os 2 1\r\ns\r\nEND\r\n');
    const run = (seed: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const reqs: string[] = [];
        const expected: Buffer[] = [];
        for (let i = 0; i < 300; i++) {
          const isBig = (i * 7 + seed) % 5 === 0;
          reqs.push(isBig ? 'get ob\r\n' : `mn\r\nget os\r\n`);
          expected.push(isBig ? bigReply : Buffer.concat([Buffer.from('MN\r\n'), smallReply]));
        }
        const want = Buffer.concat(expected);
        const got: Buffer[] = [];
        let gotLen = 0;
        const s = net.connect({ port: server.memcachedPort, host: '127.0.0.1' }, async () => {
          for (let i = 0; i < reqs.length; ) {
            const n = 1 + ((i + seed) % 9);
            s.write(reqs.slice(i, i + n).join(''));
            i += n;
            await new Promise((r) => setImmediate(r));
          }
        });
        s.on('data', (d: Buffer) => {
          got.push(d);
          gotLen += d.length;
          if (gotLen >= want.length) {
            s.destroy();
            const all = Buffer.concat(got);
            if (all.equals(want)) resolve();
            else reject(new Error(`connection ${seed}: replies out of order or damaged (${all.length} bytes)`));
          }
        });
        s.on('error', reject);
        setTimeout(() => reject(new Error(`connection ${seed}: ${gotLen} of ${want.length} bytes`)), 15_000).unref();
      });
    for (let k = 0; k < 10; k++) await run(k); // one at a time: each batch is one client's chunk
    await Promise.all(Array.from({ length: 10 }, (_, k) => run(10 + k)));
  });

  it('connection churn (resets, half-closes, paused readers) leaves nothing behind', async () => {
    // Bounded: 20 clients for 1.5 s, each connecting again and again with 100 KB replies in flight.
    const v = Buffer.alloc(100_000, 'z');
    c.send(Buffer.concat([Buffer.from(`set churn 0 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
    expect(await c.line()).toBe('STORED');
    const reply = v.length + 29; // VALUE churn 0 100000\r\n ... \r\nEND\r\n
    const openFds = (): number => readdirSync(`/proc/${server.proc.pid}/fd`).length;
    const fdsBefore = openFds();
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const end = Date.now() + 1500;
    let full = 0;
    const client = (): Promise<void> =>
      new Promise((resolve) => {
        const gets = 1 + Math.floor(rnd() * 5);
        const mode = rnd();
        const delay = rnd() * 10;
        const s = net.connect({ port: server.memcachedPort, host: '127.0.0.1' }, () => {
          s.write('get churn\r\n'.repeat(gets));
          if (mode < 0.3) setTimeout(() => s.resetAndDestroy(), delay);
          else if (mode < 0.5) {
            s.pause();
            setTimeout(() => (s.end(), s.resume()), delay);
          } else if (mode < 0.6) s.end();
        });
        let got = 0;
        s.on('data', (d: Buffer) => {
          got += d.length;
          if (got >= gets * reply) {
            full++;
            s.destroy();
          }
        });
        s.on('error', () => {});
        s.on('close', () => resolve());
      });
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (Date.now() < end) await client();
      }),
    );
    expect(full).toBeGreaterThan(20);
    // Every churned connection is closed by the server: only this test's client is left.
    const deadline = Date.now() + 5000;
    let curr = -1;
    while (Date.now() < deadline) {
      c.send('stats\r\n');
      curr = Number(/STAT curr_connections (\d+)/.exec(await c.until('END\r\n'))?.[1]);
      if (curr === 1) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(curr).toBe(1);
    expect(await c.ask('mn\r\n')).toEqual(['MN']);
    // ...and their fds (the accepted one and the poller's dup, closed by the writer) are gone.
    let fds = openFds();
    while (fds > fdsBefore && Date.now() < deadline + 5000) {
      await new Promise((res) => setTimeout(res, 50));
      fds = openFds();
    }
    expect(fds).toBeLessThanOrEqual(fdsBefore);
  });

  it('many connections served in the same batches each get their own replies', async () => {
    const conns = await Promise.all(Array.from({ length: 150 }, () => McSocket.connect(server.memcachedPort)));
    try {
      for (let round = 0; round < 5; round++) {
        const replies = await Promise.all(
          conns.map(async (k, i) => {
            k.send(`set m${i} ${i} 0 2\r\n${round}${i % 10}\r\nget m${i}\r\n`);
            return k.until('END\r\n');
          }),
        );
        replies.forEach((r, i) => expect(r).toBe(`STORED\r\nVALUE m${i} ${i} 2\r\n${round}${i % 10}\r\nEND\r\n`));
      }
    } finally {
      for (const k of conns) k.close();
    }
  });
});

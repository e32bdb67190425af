// What the pipelined-load benchmarks (growth.mjs, index-growth.mjs) share: a free loopback port, a
// daxcache server started on a pool and waited for, and a RESP connection that sends a batch and
// resolves with its replies (simple strings, errors and bulk strings: what SET/GET/CONFIG/INFO
// answer), so a batch's round trip can be timed.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

/** One command in RESP. */
export const cmd = (...a) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('')}`;

/**
 * A connection: send(text, n) writes `text` and resolves with its n replies, each a string (+ or
 * bulk, latin1), null (a nil bulk) or an Error (-). One batch at a time.
 */
export function respConnection(port) {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let want = 0;
    let replies = [];
    let done = null;
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let i = 0;
      while (want > 0) {
        const e = buf.indexOf('\r\n', i);
        if (e < 0) break;
        const t = buf[i];
        if (t === 0x24) {
          const n = Number(buf.subarray(i + 1, e).toString());
          const end = n < 0 ? e + 2 : e + 2 + n + 2;
          if (end > buf.length) break;
          replies.push(n < 0 ? null : buf.subarray(e + 2, e + 2 + n).toString('latin1'));
          i = end;
        } else {
          const line = buf.subarray(i + 1, e).toString('latin1');
          replies.push(t === 0x2d ? new Error(line) : line);
          i = e + 2;
        }
        want--;
      }
      buf = buf.subarray(i);
      if (want === 0 && done) {
        const d = done;
        const out = replies;
        done = null;
        replies = [];
        d(out);
      }
    });
    s.on('error', rej);
    s.on('connect', () =>
      res({
        send: (text, n) =>
          new Promise((r) => {
            want += n;
            done = r;
            s.write(text);
          }),
        close: () => s.destroy(),
      }),
    );
  });
}

/** Starts `daxcache serve` on loopback with `args` (pool, size, ...) and waits until it accepts. */
export async function startDaxcache(args, env) {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(ROOT, 'dist/daxcache.mjs'), 'serve', '--bind', '127.0.0.1', '--port', String(port), '--memcached-port', '0', '--log-level', 'warn', ...args], { env, stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      (await respConnection(port)).close();
      break;
    } catch {
      if (i > 200) {
        proc.kill('SIGKILL');
        throw new Error('daxcache did not start');
      }
      await sleep(50);
    }
  }
  return {
    port,
    /** kill -9, and wait for it to be gone. */
    async kill() {
      proc.kill('SIGKILL');
      if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
    },
  };
}

// The container image (Dockerfile, built by scripts/image.sh): runs it with podman, writes over
// RESP and memcached, stops it (SIGTERM -> clean pool close), starts a new container on the same
// volume and reads the data back over both protocols. Run with `npm run test:image` (it builds the
// images first); skipped unless DAXCACHE_IMAGE_TEST=1 (vitest.image.config.ts sets it).
// Env: DAXCACHE_IMAGE (default localhost/daxcache:<package.json version>), PODMAN_RUNTIME (runc).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const IMAGE = process.env.DAXCACHE_IMAGE ?? `localhost/daxcache:${pkg.version}`;
const RUNTIME = process.env.PODMAN_RUNTIME ?? 'runc';
const enabled = process.env.DAXCACHE_IMAGE_TEST === '1';
const tag = `daxcache-image-test-${process.pid}-${randomBytes(3).toString('hex')}`;
const volume = `${tag}-data`;
const containers: string[] = [];

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await run('podman', args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} -> exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

// The hard limits of this machine: podman's defaults for a rootful container (1048576) are above
// them and runc then fails with "error setting rlimits". nproc is also capped at pid_max: measured
// here, runc refuses any nproc above /proc/sys/kernel/pid_max.
async function ulimits(): Promise<string[]> {
  const hard = async (flag: string): Promise<number> => {
    const r = await run('bash', ['-c', `ulimit -H${flag}`], 5_000);
    const v = r.stdout.trim();
    return v === 'unlimited' || v === '' ? 1_048_576 : Number(v);
  };
  let pidMax = Number.POSITIVE_INFINITY;
  try {
    pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  } catch {
    // not Linux /proc: no cap
  }
  const nofile = Math.min(await hard('n'), 1_048_576);
  const nproc = Math.min(await hard('u'), pidMax, 1_048_576);
  return ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Sends payload on a new connection and collects bytes until done(buffer) or the timeout. */
function exchange(port: number, payload: string | Buffer, done: (b: Buffer) => boolean, timeoutMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout after ${timeoutMs} ms on port ${port}; got ${JSON.stringify(buf.toString('latin1'))}`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (done(buf)) {
        clearTimeout(timer);
        sock.end();
        resolve(buf);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Length of the first RESP2 reply (simple, error, integer, bulk) in b, or -1 when incomplete. */
function respReplyEnd(b: Buffer, pos = 0): number {
  const eol = b.indexOf('\r\n', pos);
  if (eol < 0) return -1;
  if (b[pos] !== 0x24 /* $ */) return eol + 2;
  const n = Number(b.toString('latin1', pos + 1, eol));
  if (n < 0) return eol + 2;
  return b.length >= eol + 2 + n + 2 ? eol + 2 + n + 2 : -1;
}

const encode = (...args: Array<string | Buffer>): Buffer =>
  Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((a) => {
      const v = Buffer.isBuffer(a) ? a : Buffer.from(a);
      return [Buffer.from(`$${v.length}\r\n`), v, Buffer.from('\r\n')];
    }),
  ]);

/** One RESP command; the raw reply bytes. */
async function resp(port: number, ...args: Array<string | Buffer>): Promise<Buffer> {
  return exchange(port, encode(...args), (b) => respReplyEnd(b) === b.length);
}

/** A memcached text command whose reply ends with `end` (e.g. "END\r\n" for get). */
async function mc(port: number, payload: string | Buffer, end: string): Promise<string> {
  return (await exchange(port, payload, (b) => b.toString('latin1').endsWith(end))).toString('latin1');
}

interface Running {
  name: string;
  resp: number;
  memcached: number;
  metrics: number;
}

async function start(ulimitArgs: string[]): Promise<Running> {
  const name = `${tag}-${containers.length + 1}`;
  const [r, m, x] = [await freePort(), await freePort(), await freePort()];
  containers.push(name);
  await podman([
    'run', '-d', '--name', name, '--runtime', RUNTIME, '--init', ...ulimitArgs,
    '-v', `${volume}:/data`,
    '-p', `127.0.0.1:${r}:6379`, '-p', `127.0.0.1:${m}:11211`, '-p', `127.0.0.1:${x}:9121`,
    IMAGE,
    // The image's CMD with a small pool, so that the test does not need 1 GiB of disk.
    'serve', '--bind', '0.0.0.0', '--protected-mode', 'no', '--pool', '/data/daxcache.pool', '--pool-size', '64mb',
    '--metrics-port', '9121', '--metrics-bind', '0.0.0.0',
  ]);
  const running = { name, resp: r, memcached: m, metrics: x };
  // Ready when PING answers through the published port (bounded: 30 s).
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await resp(r, 'PING')).toString() === '+PONG\r\n') break;
    } catch {
      // not listening yet (or the port forwarder answers before the server)
    }
    const state = await podman(['inspect', '-f', '{{.State.Status}}', name]);
    if (state !== 'running' || Date.now() > deadline) {
      const logs = await run('podman', ['logs', name], 10_000);
      throw new Error(`container ${name} not ready (state ${state}):\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return running;
}

async function stop(c: Running): Promise<{ exitCode: number; logs: string; ms: number }> {
  const t0 = Date.now();
  await podman(['stop', '-t', '20', c.name], 40_000);
  const ms = Date.now() - t0;
  const exitCode = Number(await podman(['inspect', '-f', '{{.State.ExitCode}}', c.name]));
  const logs = await run('podman', ['logs', c.name], 10_000);
  return { exitCode, logs: logs.stdout + logs.stderr, ms };
}

describe.skipIf(!enabled)(`container image ${IMAGE}`, () => {
  let limits: string[] = [];
  const binary = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x80, 0x7f]);

  beforeAll(async () => {
    await podman(['image', 'exists', IMAGE]).catch(() => {
      throw new Error(`image ${IMAGE} not found: run scripts/image.sh (npm run test:image does)`);
    });
    limits = await ulimits();
    await podman(['volume', 'create', volume]);
  });

  afterAll(async () => {
    for (const name of containers) await run('podman', ['rm', '-f', '-t', '0', name], 30_000);
    await run('podman', ['volume', 'rm', '-f', volume], 30_000);
  });

  it('is configured as documented (non-root uid 1001, /data volume, ports, entrypoint)', async () => {
    const cfg = JSON.parse(await podman(['image', 'inspect', '--format', '{{json .Config}}', IMAGE])) as {
      User: string;
      Volumes: Record<string, unknown>;
      ExposedPorts: Record<string, unknown>;
      Entrypoint: string[];
      Cmd: string[];
      WorkingDir: string;
    };
    expect(cfg.User).toBe('1001:1001');
    expect(Object.keys(cfg.Volumes)).toEqual(['/data']);
    expect(Object.keys(cfg.ExposedPorts).sort()).toEqual(['11211/tcp', '6379/tcp', '9121/tcp']);
    expect(cfg.Entrypoint).toEqual(['node', '/app/bin/daxcache.js']);
    expect(cfg.Cmd).toEqual(['serve', '--bind', '0.0.0.0', '--pool', '/data/daxcache.pool', '--metrics-port', '9121', '--metrics-bind', '0.0.0.0']);
    expect(cfg.WorkingDir).toBe('/app');
    // No compilers in the runtime image.
    const r = await run('podman', ['run', '--rm', '--runtime', RUNTIME, ...limits, '--entrypoint', '/bin/sh', IMAGE, '-c',
      'id -u; node --version; command -v g++ cc cmake make npm || true'], 60_000);
    expect(r.code, r.stderr).toBe(0);
    const [uid, nodeVersion, ...tools] = r.stdout.trim().split('\n');
    expect(uid).toBe('1001');
    expect(nodeVersion).toMatch(/^v20\./);
    expect(tools).toEqual([]);
  });

  it('keeps RESP and memcached data across a clean stop and a new container on the same volume', async () => {
    const first = await start(limits);

    expect((await resp(first.resp, 'SET', 'greeting', 'hello from resp')).toString()).toBe('+OK\r\n');
    expect((await resp(first.resp, 'SET', 'bin', binary)).toString()).toBe('+OK\r\n');
    expect(await mc(first.memcached, 'set mckey 5 0 16\r\nhello from mc tx\r\n', '\r\n')).toBe('STORED\r\n');
    // One keyspace: the RESP key over memcached, the memcached key over RESP.
    expect(await mc(first.memcached, 'get greeting\r\n', 'END\r\n')).toBe('VALUE greeting 0 15\r\nhello from resp\r\nEND\r\n');
    expect((await resp(first.resp, 'GET', 'mckey')).toString()).toBe('$16\r\nhello from mc tx\r\n');
    expect((await resp(first.resp, 'DBSIZE')).toString()).toBe(':3\r\n');
    const metrics = await fetch(`http://127.0.0.1:${first.metrics}/metrics`, { signal: AbortSignal.timeout(5_000) });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# (HELP|TYPE) /m);

    const stopped = await stop(first);
    expect(stopped.exitCode, stopped.logs).toBe(0);
    expect(stopped.logs).toContain('signal SIGTERM');
    expect(stopped.logs).toContain('pool closed clean');
    expect(stopped.ms, 'podman stop waited for its timeout: SIGTERM did not stop node').toBeLessThan(15_000);

    const second = await start(limits);
    const logs = await run('podman', ['logs', second.name], 10_000);
    expect(logs.stdout + logs.stderr).toContain('pool opened clean');
    expect((await resp(second.resp, 'GET', 'greeting')).toString()).toBe('$15\r\nhello from resp\r\n');
    expect(await resp(second.resp, 'GET', 'bin')).toEqual(Buffer.concat([Buffer.from('$8\r\n'), binary, Buffer.from('\r\n')]));
    expect((await resp(second.resp, 'GET', 'mckey')).toString()).toBe('$16\r\nhello from mc tx\r\n');
    expect(await mc(second.memcached, 'get mckey greeting\r\n', 'END\r\n')).toBe(
      'VALUE mckey 5 16\r\nhello from mc tx\r\nVALUE greeting 0 15\r\nhello from resp\r\nEND\r\n',
    );
    expect((await resp(second.resp, 'DBSIZE')).toString()).toBe(':3\r\n');

    const stopped2 = await stop(second);
    expect(stopped2.exitCode, stopped2.logs).toBe(0);
    expect(stopped2.logs).toContain('pool closed clean');
  });
});

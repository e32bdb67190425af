// Spawns real `daxcache serve` processes (from dist/) on free loopback ports for integration tests.
// Pools live in /dev/shm with PMEM2_FORCE_GRANULARITY=cache_line (CLWB + SFENCE as on real DAX)
// unless `poolDir` names a disk folder (page granularity: msync). Every server this module started
// is SIGKILLed and its temporary pool folder removed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'dist/daxcache.mjs');

/** Ports a test must never take: a developer's real redis-server/memcached may be there. */
const RESERVED = new Set([6379, 11211]);

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.unref();
      srv.on('error', rej);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => res(p));
      });
    });
    if (!RESERVED.has(port) && !taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('freePort: no free port found');
}
// Ports handed out by this process, so two servers started back to back never get the same one.
const taken = new Set<number>();

export interface StartOptions {
  /** Extra `serve` arguments, e.g. ['--durability', 'relaxed']. */
  args?: string[];
  env?: Record<string, string>;
  /** Folder under which the pool's temporary folder is created (default /dev/shm, cache_line granularity). */
  poolDir?: string;
  /** Exact pool path (e.g. to reopen a pool of another test); poolDir is then ignored. */
  poolPath?: string;
  /** Default 256mb. */
  poolSize?: string;
  /** Also start the memcached listener on a free port (default: disabled with --memcached-port 0). */
  memcached?: boolean;
  /** Wait for this TLS port too (the test passes --tls-port and the certificates in args). */
  tlsPort?: number;
  /** Turn the plain RESP port off (--port 0): only the other ports are waited for. */
  noPlainPort?: boolean;
  /** How long to wait for the port to accept connections (default 20 s). */
  readyTimeoutMs?: number;
}

export interface TestServer {
  port: number;
  /** 0 when the memcached listener is disabled. */
  memcachedPort: number;
  /** The pool file. */
  pool: string;
  /** The current process (changes on restart). */
  proc: ChildProcess;
  /** Everything the server printed on stdout since it was first started. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM and wait for the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for the process to be gone. */
  kill9(): Promise<void>;
  /** Starts the server again on the same pool and ports (after stop/kill9, or it stops it first). */
  restart(): Promise<void>;
  /** Waits for the process to exit by itself (e.g. after SHUTDOWN); resolves with its exit code. */
  exited(): Promise<number | null>;
}

const live = new Set<ChildProcess>();

/**
 * 'exit' handlers do not run when the test worker is killed by a signal (vitest may end workers
 * that way): a tiny detached watchdog SIGKILLs the server once this process is gone.
 */
function watchdog(child: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do kill -0 ${child} 2>/dev/null || exit 0; sleep 0.5; done; kill -9 ${child} 2>/dev/null`;
  spawn('sh', ['-c', script], { stdio: 'ignore', detached: true }).unref();
}
const tempDirs = new Set<string>();

process.once('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A temporary folder removed when the test process exits (default under /dev/shm). */
export function tempDir(base = '/dev/shm'): string {
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'daxcache-test-'));
  tempDirs.add(dir);
  // Pools in /dev/shm are RAM: remove the folder even when the worker is killed without 'exit'.
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; sleep 1; rm -rf '${dir}'`;
  spawn('sh', ['-c', script], { stdio: 'ignore', detached: true }).unref();
  return dir;
}

/**
 * A folder on a real disk (not tmpfs), so the pool gets page granularity (msync): os.tmpdir() when
 * it is on disk, else ./data under the repository.
 */
export function diskDir(): string {
  const TMPFS_MAGIC = 0x01021994;
  const base = statfsSync(tmpdir()).type !== TMPFS_MAGIC ? tmpdir() : join(ROOT, 'data');
  return tempDir(base);
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const port = await freePort();
  const memcachedPort = opts.memcached ? await freePort() : 0;
  let pool: string;
  let granularityEnv: Record<string, string> = {};
  if (opts.poolPath) {
    pool = opts.poolPath;
  } else {
    pool = join(tempDir(opts.poolDir), 'x.pool');
  }
  // tmpfs has no page cache to msync: force the DAX (cache line) path there, as the design asks.
  if (pool.startsWith('/dev/shm/')) granularityEnv = { PMEM2_FORCE_GRANULARITY: 'cache_line' };

  const args = [
    CLI, 'serve',
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--pool', pool,
    '--pool-size', opts.poolSize ?? '256mb',
    '--memcached-port', String(memcachedPort),
    '--log-level', 'warn',
    ...(opts.noPlainPort ? ['--port', '0'] : []),
    ...(opts.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, ...granularityEnv, ...opts.env };
  // A developer's DAXCACHE_* variables must not leak into tests unless the test sets them.
  for (const k of Object.keys(env)) if (k.startsWith('DAXCACHE_') && !(opts.env && k in opts.env)) delete env[k];

  let out = '';
  let err = '';
  let proc!: ChildProcess;
  let exit!: Promise<number | null>;

  const launch = async (): Promise<void> => {
    proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(proc);
    watchdog(proc.pid!);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const p = proc;
    exit = new Promise((res) => p.once('exit', (code) => {
      live.delete(p);
      res(code);
    }));
    const ports = [...(opts.noPlainPort ? [] : [port]), ...(memcachedPort ? [memcachedPort] : []), ...(opts.tlsPort ? [opts.tlsPort] : [])];
    await waitReady(ports, proc, exit, opts.readyTimeoutMs ?? 20_000, () => err || out);
  };

  const running = (): boolean => proc.exitCode === null && proc.signalCode === null;

  const server: TestServer = {
    port,
    memcachedPort,
    pool,
    get proc() {
      return proc;
    },
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (running()) proc.kill('SIGTERM');
      return exit;
    },
    async kill9() {
      if (running()) proc.kill('SIGKILL');
      await exit;
    },
    async restart() {
      if (running()) {
        proc.kill('SIGTERM');
        await exit;
      }
      await launch();
    },
    exited: () => exit,
  };
  await launch();
  return server;
}

/** Polls until the port(s) accept a connection; fails early if the process exits. */
async function waitReady(
  ports: number[],
  proc: ChildProcess,
  exit: Promise<number | null>,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  let exited = false;
  void exit.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  for (const p of ports) {
    for (;;) {
      if (exited) throw new Error(`daxcache exited with ${proc.exitCode ?? proc.signalCode} before listening:\n${output()}`);
      if (await canConnect(p)) break;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`daxcache did not listen on ${p} within ${timeoutMs} ms:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * Connects and says QUIT (both RESP inline and memcached understand it), so the probe leaves no
 * half-open client behind that a maxclients test could trip over.
 */
function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ port, host: '127.0.0.1' });
    let t: NodeJS.Timeout | undefined;
    let connected = false;
    s.once('connect', () => {
      connected = true;
      s.write('QUIT\r\n');
      t = setTimeout(() => s.destroy(), 1000);
    });
    s.on('data', () => {});
    s.once('close', () => {
      clearTimeout(t);
      res(connected);
    });
    s.once('error', () => {});
  });
}

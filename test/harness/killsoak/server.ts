// A `daxcache serve` child process for the kill -9 soak: both protocols on free loopback ports, a
// pool in /dev/shm (PMEM2_FORCE_GRANULARITY=cache_line: CLWB + SFENCE as on DAX) or on a disk
// (page granularity: msync). It can be SIGKILLed and started again on the same pool and ports, and
// `daxcache check` can be run on the pool while it is stopped.
// Every process started here is SIGKILLed when this process exits, and a detached watchdog kills it
// if this process dies without running its 'exit' handlers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { ROOT } from '../crash/proc.js';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { ROOT } from '../crash/proc.js';
export const CLI = join(ROOT, 'dist/daxcache.mjs');

const TMPFS_MAGIC = 0x01021994;
const RESERVED = new Set([6379, 11211]);
const handedOut = new Set<number>();
const live = new Set<ChildProcess>();

process.once('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.unref();
      srv.on('error', rej);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        const p = typeof a === 'object' && a ? a.port : 0;
        srv.close(() => res(p));
      });
    });
    if (!RESERVED.has(port) && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: no free port');
}

/** A fresh folder for a pool: /dev/shm for 'shm'; os.tmpdir() (when not tmpfs) or ./data for 'disk'. */
export function poolFolder(kind: 'shm' | 'disk', base?: string): string {
  let dir = base;
  if (!dir) {
    if (kind === 'shm') dir = '/dev/shm';
    else dir = statfsSync(tmpdir()).type !== TMPFS_MAGIC ? tmpdir() : join(ROOT, 'data');
  }
  mkdirSync(dir, { recursive: true });
  const folder = mkdtempSync(join(dir, 'daxcache-killsoak-'));
  if (kind === 'disk' && statfsSync(folder).type === TMPFS_MAGIC) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`killsoak: ${folder} is tmpfs; the disk run needs a real disk`);
  }
  return folder;
}

export interface SoakServerOptions {
  kind: 'shm' | 'disk';
  /** Folder under which the pool's temporary folder is made (default by kind). */
  baseDir?: string;
  poolSize?: string;
  args?: string[];
  readyTimeoutMs?: number;
}

export class SoakServer {
  proc: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();
  private out = '';
  readonly pool: string;
  private readonly folder: string;

  private constructor(
    readonly port: number,
    readonly memcachedPort: number,
    private readonly opts: SoakServerOptions,
  ) {
    this.folder = poolFolder(opts.kind, opts.baseDir);
    this.pool = join(this.folder, 'x.pool');
  }

  static async create(opts: SoakServerOptions): Promise<SoakServer> {
    const s = new SoakServer(await freePort(), await freePort(), opts);
    await s.start();
    return s;
  }

  /** The last 4 KB the server printed. */
  output(): string {
    return this.out.slice(-4096);
  }

  running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Starts the server on the pool (first start, or after kill9). */
  async start(): Promise<void> {
    if (this.running()) throw new Error('killsoak: server already running');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('DAXCACHE_')) delete env[k];
    if (this.opts.kind === 'shm') env.PMEM2_FORCE_GRANULARITY = 'cache_line';
    else delete env.PMEM2_FORCE_GRANULARITY;
    const args = [
      CLI, 'serve',
      '--bind', '127.0.0.1',
      '--port', String(this.port),
      '--pool', this.pool,
      '--pool-size', this.opts.poolSize ?? '64mb',
      '--memcached-port', String(this.memcachedPort),
      '--log-level', 'warn',
      // The DRAM tier on (a /dev/shm pool would turn it off by default), small so that it churns.
      '--tier-memory', '2mb',
      ...(this.opts.args ?? []),
    ];
    const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    live.add(proc);
    const script = `while kill -0 ${process.pid} 2>/dev/null; do kill -0 ${proc.pid} 2>/dev/null || exit 0; sleep 0.5; done; kill -9 ${proc.pid} 2>/dev/null`;
    spawn('sh', ['-c', script], { stdio: 'ignore', detached: true }).unref();
    const keep = (d: string): void => {
      this.out = (this.out + d).slice(-16384);
    };
    proc.stdout!.setEncoding('utf8').on('data', keep);
    proc.stderr!.setEncoding('utf8').on('data', keep);
    this.exit = new Promise((res) => proc.once('exit', () => {
      live.delete(proc);
      res();
    }));
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 20_000);
    for (const port of [this.port, this.memcachedPort]) {
      for (;;) {
        if (!this.running()) throw new Error(`daxcache exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${this.output()}`);
        if (await canConnect(port)) break;
        if (Date.now() > deadline) {
          await this.kill9();
          throw new Error(`daxcache did not listen on ${port} in time:\n${this.output()}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  /** SIGKILL (a crash) and wait until the process is gone. */
  async kill9(): Promise<void> {
    if (this.running()) this.proc!.kill('SIGKILL');
    await this.exit;
  }

  /**
   * Runs `daxcache check <pool>` on the stopped server's pool (a crash image after kill9): exit 0
   * when sound, 1 with `PROBLEMS: n`, 3-9 when the pool is refused. Killed after timeoutMs.
   */
  async check(timeoutMs = 60_000): Promise<{ code: number | null; problems: number; output: string }> {
    if (this.running()) throw new Error('killsoak: check needs the server stopped');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('DAXCACHE_')) delete env[k];
    const proc = spawn(process.execPath, [CLI, 'check', this.pool], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(proc);
    let output = '';
    const keep = (d: string): void => {
      output = (output + d).slice(-16384);
    };
    proc.stdout!.setEncoding('utf8').on('data', keep);
    proc.stderr!.setEncoding('utf8').on('data', keep);
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    // 'close' (not 'exit'): the output is complete only once the pipes have closed.
    const code = await new Promise<number | null>((res) => proc.once('close', (c) => {
      clearTimeout(t);
      live.delete(proc);
      res(c);
    }));
    const m = /PROBLEMS: (\d+)/.exec(output);
    const problems = code === 0 && /OK: no problems found/.test(output) ? 0 : m ? Number(m[1]) : -1;
    return { code, problems, output };
  }

  /** Kills the server and removes the pool folder. */
  async dispose(): Promise<void> {
    await this.kill9();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Connects and says QUIT (both protocols understand it). */
function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ port, host: '127.0.0.1' });
    let connected = false;
    let t: NodeJS.Timeout | undefined;
    s.once('connect', () => {
      connected = true;
      s.write('QUIT\r\n');
      t = setTimeout(() => s.destroy(), 1000);
    });
    s.on('data', () => {});
    s.once('error', () => {});
    s.once('close', () => {
      clearTimeout(t);
      res(connected);
    });
  });
}

// A raw memcached client for tests that must see exact bytes, and a runner for the libmemcached
// command line tools. Every wait is bounded.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { freePort, startServer, type TestServer } from '../helpers/server.js';

const DEFAULT_TIMEOUT_MS = 5000;

export class McSocket {
  private buf = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<McSocket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new McSocket(s)));
      s.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Waits until `take(buffer)` returns how many bytes to consume (or -1 for "not yet"). */
  private async read(take: (b: Buffer) => number, timeoutMs: number, what: string): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = take(this.buf);
      if (n >= 0) {
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return out;
      }
      const left = deadline - Date.now();
      if (this.closed || left <= 0) {
        throw new Error(`${what}: ${this.closed ? 'connection closed' : 'timed out'}; have ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
    }
  }

  /** One line, without its CRLF. */
  async line(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const b = await this.read((x) => {
      const i = x.indexOf('\r\n');
      return i < 0 ? -1 : i + 2;
    }, timeoutMs, 'line');
    return b.toString('latin1', 0, b.length - 2);
  }

  async lines(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.line(timeoutMs));
    return out;
  }

  async bytes(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    return this.read((x) => (x.length >= n ? n : -1), timeoutMs, `${n} bytes`);
  }

  /** Everything up to and including the first `marker` (e.g. "END\r\n"). */
  async until(marker: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const m = Buffer.from(marker, 'latin1');
    const b = await this.read((x) => {
      const i = x.indexOf(m);
      return i < 0 ? -1 : i + m.length;
    }, timeoutMs, `until ${JSON.stringify(marker)}`);
    return b.toString('latin1');
  }

  /** Sends and returns the next `n` lines. */
  async ask(data: string, n = 1): Promise<string[]> {
    this.send(data);
    return this.lines(n);
  }

  /** True once the server closed the connection (false after timeoutMs). */
  async waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  get pending(): string {
    return this.buf.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command line tool with a hard time limit (killed past it). */
export function runTool(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('latin1').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('latin1').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A tool that exits without reading its input (memccat on a missing key) closes the pipe first:
    // the EPIPE of that write is expected, and its exit code is what the test reads.
    p.stdin.on('error', () => {});
    p.stdin.end(opts.input ?? '');
  });
}

/** `--servers` argument of the libmemcached tools. */
export function servers(port: number): string {
  return `--servers=127.0.0.1:${port}`;
}

/**
 * Stops a test server and removes its temporary pool folder now: startServer removes it only when
 * the test process exits, which a killed vitest worker never does (and /dev/shm is memory).
 */
export async function stopServer(server: TestServer | undefined): Promise<void> {
  if (!server) return;
  await server.stop();
  if (/^\/dev\/shm\/daxcache-test-[^/]+\/x\.pool$/.test(server.pool)) rmSync(dirname(server.pool), { recursive: true, force: true });
}

/**
 * One server for the enclosing file or describe block (memcached listener on, `args` added), and for
 * every test a fresh connection on an empty keyspace; `use` receives both before each test.
 */
export function memcacheSession(
  use: (server: TestServer, c: McSocket) => void,
  args: string[] = [],
  env?: Record<string, string>,
): void {
  let server: TestServer;
  let c: McSocket;
  beforeAll(async () => {
    server = await startServer({ memcached: true, args, env });
  });
  afterAll(async () => {
    await stopServer(server);
  });
  beforeEach(async () => {
    c = await McSocket.connect(server.memcachedPort);
    expect(await c.ask('flush_all\r\n')).toEqual(['OK']);
    use(server, c);
  });
  afterEach(() => c.close());
}

/** A real memcached (Debian's /usr/bin/memcached) on a free loopback port, for side-by-side tests. */
export async function startRealMemcached(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const proc = spawn('memcached', ['-p', String(port), '-l', '127.0.0.1', '-U', '0', '-u', 'root'], { stdio: 'ignore' });
  const stop = (): void => void proc.kill('SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      (await McSocket.connect(port)).close();
      return { port, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  stop();
  throw new Error('memcached did not start');
}

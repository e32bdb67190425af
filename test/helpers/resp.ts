// A raw RESP client for tests that must see exact bytes (error wording, RESP3 types, pipelines,
// protocol errors), and a redis-cli runner. Every wait is bounded.
import { spawn } from 'node:child_process';
import net from 'node:net';

/** Decoded reply: simple strings as { ok }, errors as { err }, bulks as Buffer, maps/sets/push tagged. */
export type RespValue =
  | { ok: string }
  | { err: string }
  | number
  | bigint
  | Buffer
  | null
  | boolean
  | { double: string }
  | { verbatim: string; format: string }
  | { big: string }
  | RespValue[]
  | { map: Array<[RespValue, RespValue]> }
  | { set: RespValue[] }
  | { push: RespValue[] };

/** Decodes one reply at buf[pos]; returns [value, next pos] or undefined when incomplete. */
export function decodeOne(buf: Buffer, pos: number): [RespValue, number] | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  const aggregate = (n: number, wrap: (items: RespValue[]) => RespValue): [RespValue, number] | undefined => {
    const items: RespValue[] = [];
    let p = next;
    for (let i = 0; i < n; i++) {
      const r = decodeOne(buf, p);
      if (!r) return undefined;
      items.push(r[0]);
      p = r[1];
    }
    return [wrap(items), p];
  };
  switch (type) {
    case '+':
      return [{ ok: line }, next];
    case '-':
      return [{ err: line }, next];
    case ':':
      return [Number(line), next];
    case '(':
      return [{ big: line }, next];
    case ',':
      return [{ double: line }, next];
    case '#':
      return [line === 't', next];
    case '_':
      return [null, next];
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return undefined;
      const body = buf.subarray(next, next + n);
      if (type === '=') return [{ format: body.toString('utf8', 0, 3), verbatim: body.toString('utf8', 4) }, next + n + 2];
      return [Buffer.from(body), next + n + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      return aggregate(n, (items) => items);
    }
    case '~':
      return aggregate(Number(line), (items) => ({ set: items }));
    case '>':
      return aggregate(Number(line), (items) => ({ push: items }));
    case '%': {
      const r = aggregate(Number(line) * 2, (items) => items);
      if (!r) return undefined;
      const flat = r[0] as RespValue[];
      const map: Array<[RespValue, RespValue]> = [];
      for (let i = 0; i < flat.length; i += 2) map.push([flat[i]!, flat[i + 1]!]);
      return [{ map }, r[1]];
    }
    default:
      throw new Error(`not RESP: ${JSON.stringify(buf.toString('latin1', pos, Math.min(buf.length, pos + 40)))}`);
  }
}

/** Encodes a command as a RESP multibulk request. */
export function encodeCommand(...args: Array<string | Buffer | number>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private waiters: Array<() => void> = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.pos === this.buf.length ? d : Buffer.concat([this.buf.subarray(this.pos), d]);
      this.pos = 0;
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((r) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        r();
      }),
    );
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitData(deadline: number): Promise<void> {
    if (this.ended) throw new Error('connection closed');
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for a reply');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a command and returns its reply. */
  async call(...args: Array<string | Buffer | number>): Promise<RespValue> {
    this.write(encodeCommand(...args));
    return this.reply();
  }

  async reply(timeoutMs = 5000): Promise<RespValue> {
    return (await this.replies(1, timeoutMs))[0]!;
  }

  async replies(n: number, timeoutMs = 10_000): Promise<RespValue[]> {
    const deadline = Date.now() + timeoutMs;
    const out: RespValue[] = [];
    while (out.length < n) {
      const r = this.pos < this.buf.length ? decodeOne(this.buf, this.pos) : undefined;
      if (r) {
        out.push(r[0]);
        this.pos = r[1];
        continue;
      }
      await this.waitData(deadline);
    }
    return out;
  }

  /** Raw bytes received and not yet decoded, waiting until `until` says enough (bounded). */
  async raw(until: (b: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!until(this.buf.subarray(this.pos))) {
      if (this.ended) break;
      await this.waitData(deadline);
    }
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return Buffer.from(b);
  }

  /** Whether the server closes the connection within timeoutMs. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    const r = await Promise.race([this.closed.then(() => true), new Promise<boolean>((res) => (t = setTimeout(() => res(false), timeoutMs)))]);
    clearTimeout(t);
    return r;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Runs redis-cli against a port; resolves with stdout (and stderr, exit code). */
export function cli(port: number, args: string[], input?: string | Buffer, timeoutMs = 30_000): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`redis-cli ${args.join(' ')} timed out`));
    }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ stdout, stderr, code: code ?? -1 });
    });
    p.stdin.end(input);
  });
}

/** One redis-cli command's output, trimmed (redis-cli prints errors as "(error) ..." only on a TTY). */
export async function cli1(port: number, ...args: string[]): Promise<string> {
  const r = await cli(port, args);
  return (r.stdout + r.stderr).replace(/\n$/, '');
}

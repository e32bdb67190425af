// A pipelined socket for the kill -9 soak, over node:net. Commands are written in batches; each
// expects exactly one reply, and replies arrive in order, so a FIFO of callbacks matches them.
// Replies: RESP simple string / error / integer / bulk string (null bulk -> null), a RESP2 array of
// those (LRANGE, HGETALL, LPOP with a count, ZPOPMIN ...; null array -> null), or one memcached
// text line. Nothing here waits without a bound: the owner closes or destroys the socket.
import net from 'node:net';

export type Proto = 'resp' | 'memcached';

export interface Reply {
  /**
   * The reply text: '+OK' -> 'OK', ':3' -> '3', bulk -> its bytes as latin1, null bulk -> null;
   * an array -> JSON.stringify(items) (so a whole array compares as one string), null array -> null.
   */
  value: string | null;
  /** An array's elements (nested arrays as their JSON text); undefined for any other reply. */
  items?: Array<string | null>;
  /** An error reply ('-ERR ...' in RESP; ERROR / CLIENT_ERROR / SERVER_ERROR in memcached). */
  error: boolean;
  /** The RESP type byte ('+', '-', ':', '$', '*') or 'm' for a memcached line. */
  type: string;
}

/** Encodes a RESP multibulk request. */
export function resp(...args: Array<string | number>): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) {
    const v = String(a);
    s += `$${Buffer.byteLength(v, 'latin1')}\r\n${v}\r\n`;
  }
  return Buffer.from(s, 'latin1');
}

export class PipeConn {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<(r: Reply) => void> = [];
  private drainWaiters: Array<() => void> = [];
  closed = false;
  /** Set when a reply could not be parsed (the socket is then destroyed). */
  protocolError: string | undefined;
  readonly done: Promise<void>;

  private constructor(readonly socket: net.Socket, readonly proto: Proto) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      try {
        this.parse();
      } catch (e) {
        this.protocolError = (e as Error).message;
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    this.done = new Promise((res) => socket.once('close', () => {
      this.closed = true;
      this.wake();
      res();
    }));
  }

  static connect(port: number, proto: Proto, timeoutMs = 5000): Promise<PipeConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${port}: timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(new PipeConn(s, proto));
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  /** Writes a batch; `onReply[i]` is called with the i-th reply, in order. */
  send(data: Buffer, onReply: Array<(r: Reply) => void>): void {
    if (this.closed) return;
    this.waiting.push(...onReply);
    this.socket.write(data);
  }

  /** Resolves when every sent command has its reply, or the connection closed, or the deadline passed. */
  drained(deadline: number): Promise<void> {
    if (this.waiting.length === 0 || this.closed) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(res, Math.max(0, deadline - Date.now()));
      this.drainWaiters.push(() => {
        clearTimeout(t);
        res();
      });
    });
  }

  get pending(): number {
    return this.waiting.length;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    if (this.waiting.length && !this.closed) return;
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  private parse(): void {
    let pos = 0;
    for (;;) {
      const r = this.proto === 'resp' ? parseResp(this.buf, pos) : parseMc(this.buf, pos);
      if (!r) break;
      pos = r[1];
      const cb = this.waiting.shift();
      if (!cb) {
        throw new Error(`reply without a command: ${JSON.stringify(r[0])}`);
      }
      cb(r[0]);
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    this.wake();
  }
}

function parseResp(buf: Buffer, pos: number): [Reply, number] | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('latin1', pos + 1, eol);
  if (type === '$') {
    const n = Number(line);
    if (n < 0) return [{ value: null, error: false, type }, eol + 2];
    if (buf.length < eol + 2 + n + 2) return undefined;
    return [{ value: buf.toString('latin1', eol + 2, eol + 2 + n), error: false, type }, eol + 2 + n + 2];
  }
  if (type === '+' || type === ':' || type === '-') return [{ value: line, error: type === '-', type }, eol + 2];
  if (type === '*') {
    const n = Number(line);
    if (n < 0) return [{ value: null, error: false, type }, eol + 2];
    const items: Array<string | null> = [];
    let at = eol + 2;
    for (let i = 0; i < n; i++) {
      const r = parseResp(buf, at);
      if (!r) return undefined;
      // An error inside an array (EXEC) is kept as its text; this soak sends no such command.
      items.push(r[0].value);
      at = r[1];
    }
    return [{ value: JSON.stringify(items), error: false, type, items }, at];
  }
  throw new Error(`killsoak: unexpected RESP reply type ${JSON.stringify(buf.toString('latin1', pos, Math.min(buf.length, pos + 60)))}`);
}

function parseMc(buf: Buffer, pos: number): [Reply, number] | undefined {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const line = buf.toString('latin1', pos, eol);
  const error = line === 'ERROR' || line.startsWith('CLIENT_ERROR') || line.startsWith('SERVER_ERROR');
  return [{ value: line, error, type: 'm' }, eol + 2];
}

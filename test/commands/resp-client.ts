// A tiny RESP2 client that keeps the exact reply types (status vs bulk, integer, error, null), so
// replies of daxcache and of a real redis-server can be compared byte for byte. Also converts a
// handler's Reply value into the same shape (as the RESP2 encoder would write it).
import { connect, type Socket } from 'node:net';
import { BoolReply, BulkArray, DoubleReply, ErrorReply, MapReply, NullArray, SetReply, SimpleString, type Reply } from '../../src/protocol/resp/reply.js';
import { formatDouble } from '../../src/protocol/resp/double.js';

/** status {s}, error {e}, integer {i} (decimal text), bulk {b} (latin1 text), null, arrays. */
export type Wire = { s: string } | { e: string } | { i: string } | { b: string } | null | Wire[];

export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<(w: Wire) => void> = [];

  private constructor(private readonly sock: Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const r = parse(this.buf, 0);
        if (!r) break;
        this.buf = this.buf.subarray(r[1]);
        this.waiters.shift()!(r[0]);
      }
    });
  }

  static open(port: number): Promise<RespClient> {
    return new Promise((res, rej) => {
      const s = connect(port, '127.0.0.1', () => res(new RespClient(s)));
      s.once('error', rej);
    });
  }

  call(...args: Array<string | Buffer | number>): Promise<Wire> {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    return new Promise((res) => {
      this.waiters.push(res);
      this.sock.write(Buffer.concat(parts));
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

function parse(b: Buffer, at: number): [Wire, number] | null {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return null;
  const line = b.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (b[at]) {
    case 0x2b:
      return [{ s: line }, next];
    case 0x2d:
      return [{ e: line }, next];
    case 0x3a:
      return [{ i: line }, next];
    case 0x24: {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (b.length < next + n + 2) return null;
      return [{ b: b.toString('latin1', next, next + n) }, next + n + 2];
    }
    case 0x2a: {
      const n = Number(line);
      if (n < 0) return [null, next];
      const out: Wire[] = [];
      let pos = next;
      for (let i = 0; i < n; i++) {
        const r = parse(b, pos);
        if (!r) return null;
        out.push(r[0]);
        pos = r[1];
      }
      return [out, pos];
    }
    default:
      throw new Error(`unexpected RESP type byte ${b[at]}`);
  }
}

// Expected replies in Wire form, and the keys the command tests share.
export const OK: Wire = { s: 'OK' };
export const int = (n: number | string): Wire => ({ i: String(n) });
export const bulk = (s: string): Wire => ({ b: s });
export const err = (e: string): Wire => ({ e });
export const SYNTAX = err('ERR syntax error');
export const NOT_INT = err('ERR value is not an integer or out of range');
export const L = (s: string): Buffer => Buffer.from(s, 'latin1');
/** A binary key/value: CR LF, NUL and a high byte. */
export const BIN = L('k\r\n\0\xff');

/** A handler's reply as a RESP2 connection would receive it. */
export function toWire(r: Reply): Wire {
  if (r === null || r === NullArray) return null;
  if (typeof r === 'number' || typeof r === 'bigint') return { i: String(r) };
  if (typeof r === 'string') return { b: Buffer.from(r, 'utf8').toString('latin1') };
  if (Buffer.isBuffer(r)) return { b: r.toString('latin1') };
  if (Array.isArray(r)) return r.map(toWire);
  if (r instanceof BulkArray) return r.toArray().map(toWire);
  if (r instanceof SimpleString) return { s: r.value };
  if (r instanceof ErrorReply) return { e: r.message };
  if (r instanceof MapReply) return r.entries.flatMap(([k, v]) => [toWire(k), toWire(v)]);
  if (r instanceof SetReply) return r.items.map(toWire);
  if (r instanceof DoubleReply) return { b: formatDouble(r.value) };
  if (r instanceof BoolReply) return { i: r.value ? '1' : '0' };
  throw new Error(`toWire: unsupported reply ${String(r)}`);
}

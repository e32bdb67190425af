// RESP2/RESP3 reply encoder. Hot path: every reply of every connection goes through here, so it
// appends into one growable Buffer (no per-reply allocation), writes headers and integers digit by
// digit, and hands out the bytes with take() as a view — the writer never writes into a region it
// has handed out (until recycle(), for sockets that copy), so the view stays valid while the socket
// holds it.
import { formatDouble } from './double.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  ErrorReply,
  FillBulk,
  BulkArray,
  MapReply,
  NullArray,
  PushReply,
  SetReply,
  SimpleString,
  VerbatimReply,
  type Reply,
} from './reply.js';

export type Proto = 2 | 3;

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);
const CRLF_RE = /[\r\n]/g;

export interface ReplyWriterOptions {
  /** First buffer size and growth unit (bytes). */
  initialSize?: number;
  /** After take(), a buffer larger than this is dropped rather than reused (bounds idle memory). */
  maxRetainedSize?: number;
  /** Double -> text; formatDouble (Redis 7.2+) by default, formatDoubleRedis70 to match a 7.0 server. */
  formatDouble?: (d: number) => string;
}

export class ReplyWriter {
  private buf: Buffer = EMPTY;
  /** Start of the bytes not yet taken. */
  private start = 0;
  private pos = 0;
  private readonly initialSize: number;
  private readonly maxRetainedSize: number;
  private readonly formatDouble: (d: number) => string;

  constructor(opts: ReplyWriterOptions = {}) {
    this.initialSize = opts.initialSize ?? 16 * 1024;
    this.maxRetainedSize = opts.maxRetainedSize ?? 1024 * 1024;
    this.formatDouble = opts.formatDouble ?? formatDouble;
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos - this.start;
  }

  /** Returns the bytes written since the last take() and starts a new batch. */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    if (this.buf.length > this.maxRetainedSize) {
      this.buf = EMPTY;
      this.start = this.pos = 0;
    }
    return out;
  }

  /**
   * Lets the next replies reuse the buffer from its start instead of moving on through it (and
   * allocating the next one). Only for a caller whose socket copied every view take() handed out,
   * as the native writer does. A no-op while anything is untaken.
   */
  recycle(): void {
    if (this.pos === this.start) this.start = this.pos = 0;
  }

  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  write(r: Reply, proto: Proto): void {
    if (r instanceof Uint8Array) return this.writeBulk(r);
    switch (typeof r) {
      case 'string':
        return this.writeBulkString(r);
      case 'number':
        return Number.isInteger(r) ? this.writeInteger(r) : this.writeDouble(r, proto);
      case 'bigint':
        return this.writeLine(0x3a /* : */, r.toString());
      case 'symbol': // NullArray
        return this.writeNullArray(proto);
    }
    if (r === null) return this.writeNull(proto);
    if (r instanceof FillBulk) return this.writeFillBulk(r);
    if (r instanceof BulkArray) return this.writeBulkArray(r);
    if (Array.isArray(r)) {
      this.writeArrayHeader(r.length);
      for (let i = 0; i < r.length; i++) this.write(r[i]!, proto);
      return;
    }
    if (r instanceof SimpleString) return this.writeSimple(r.value);
    if (r instanceof ErrorReply) return this.writeError(r.message);
    if (r instanceof MapReply) {
      const e = r.entries;
      if (proto === 3) this.writeHeader(0x25 /* % */, e.length);
      else this.writeHeader(0x2a /* * */, e.length * 2);
      for (let i = 0; i < e.length; i++) {
        this.write(e[i]![0], proto);
        this.write(e[i]![1], proto);
      }
      return;
    }
    if (r instanceof SetReply || r instanceof PushReply) {
      const items = r.items;
      const type = proto === 2 ? 0x2a /* * */ : r instanceof SetReply ? 0x7e /* ~ */ : 0x3e; /* > */
      this.writeHeader(type, items.length);
      for (let i = 0; i < items.length; i++) this.write(items[i]!, proto);
      return;
    }
    if (r instanceof DoubleReply) return this.writeDouble(r.value, proto);
    if (r instanceof BoolReply) {
      if (proto === 3) return this.writeAscii(r.value ? '#t\r\n' : '#f\r\n');
      return this.writeAscii(r.value ? ':1\r\n' : ':0\r\n');
    }
    if (r instanceof VerbatimReply) {
      if (proto === 2) return this.writeBulkString(r.text);
      const textLen = Buffer.byteLength(r.text, 'utf8');
      const fmtLen = Buffer.byteLength(r.format, 'utf8');
      this.writeHeader(0x3d /* = */, fmtLen + 1 + textLen);
      this.ensure(fmtLen + 1 + textLen + 2);
      this.pos += this.buf.write(r.format, this.pos, 'utf8');
      this.buf[this.pos++] = 0x3a; // ':'
      this.pos += this.buf.write(r.text, this.pos, 'utf8');
      this.buf[this.pos++] = CR;
      this.buf[this.pos++] = LF;
      return;
    }
    if (r instanceof BigNumberReply) {
      const digits = typeof r.value === 'bigint' ? r.value.toString() : r.value;
      if (proto === 2) return this.writeBulkString(digits);
      return this.writeLine(0x28 /* ( */, digits);
    }
    throw new TypeError(`ReplyWriter: not a reply value: ${String(r)}`);
  }

  // --- Typed writers, usable directly by callers that stream large replies (no Reply tree). ---

  writeArrayHeader(n: number): void {
    this.writeHeader(0x2a /* * */, n);
  }

  /** Map header: RESP3 `%n`, RESP2 `*2n`; the caller then writes n key/value pairs. */
  writeMapHeader(n: number, proto: Proto): void {
    if (proto === 3) this.writeHeader(0x25, n);
    else this.writeHeader(0x2a, n * 2);
  }

  writeBulk(b: Uint8Array): void {
    const n = b.length;
    this.writeHeader(0x24 /* $ */, n);
    this.ensure(n + 2);
    this.buf.set(b, this.pos);
    let p = this.pos + n;
    this.buf[p++] = CR;
    this.buf[p++] = LF;
    this.pos = p;
  }

  /**
   * `*n` and n bulks cut from one buffer: room made once for the whole array, each header written
   * digit by digit and short elements copied byte by byte (Buffer.copy costs more than it moves
   * below a few dozen bytes). LRANGE's 100 small elements are this loop.
   */
  writeBulkArray(r: BulkArray): void {
    const lengths = r.lengths;
    const data = r.data;
    const count = lengths.length;
    this.writeHeader(0x2a /* * */, count);
    // At most 1 + 10 digits + CRLF + CRLF of framing per element.
    this.ensure(data.length + count * 15);
    const buf = this.buf;
    let p = this.pos;
    let off = 0;
    for (let i = 0; i < count; i++) {
      const n = lengths[i]!;
      buf[p++] = 0x24; // $
      if (n < 10) buf[p++] = 48 + n;
      else if (n < 100) {
        buf[p++] = 48 + ((n / 10) | 0);
        buf[p++] = 48 + (n % 10);
      } else p += buf.write(String(n), p, 'latin1');
      buf[p++] = CR;
      buf[p++] = LF;
      if (n <= 32) {
        for (let j = 0; j < n; j++) buf[p + j] = data[off + j]!;
      } else data.copy(buf, p, off, off + n);
      p += n;
      off += n;
      buf[p++] = CR;
      buf[p++] = LF;
    }
    this.pos = p;
  }

  /** A bulk whose bytes `r.fill` writes in place. */
  writeFillBulk(r: FillBulk): void {
    const n = r.length;
    this.writeHeader(0x24 /* $ */, n);
    this.ensure(n + 2);
    r.fill(this.buf, this.pos);
    let p = this.pos + n;
    this.buf[p++] = CR;
    this.buf[p++] = LF;
    this.pos = p;
  }

  writeBulkString(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.writeHeader(0x24 /* $ */, n);
    this.ensure(n + 2);
    let p = this.pos + (n === 0 ? 0 : this.buf.write(s, this.pos, n, 'utf8'));
    this.buf[p++] = CR;
    this.buf[p++] = LF;
    this.pos = p;
  }

  writeInteger(n: number): void {
    if (Number.isSafeInteger(n)) this.writeHeader(0x3a /* : */, n);
    else this.writeLine(0x3a, BigInt(n).toString()); // out of 2^53: exact digits, caller's concern
  }

  writeNull(proto: Proto): void {
    this.writeAscii(proto === 3 ? '_\r\n' : '$-1\r\n');
  }

  writeNullArray(proto: Proto): void {
    this.writeAscii(proto === 3 ? '_\r\n' : '*-1\r\n');
  }

  writeDouble(d: number, proto: Proto): void {
    const s = this.formatDouble(d);
    if (proto === 3) this.writeLine(0x2c /* , */, s);
    else this.writeBulkString(s);
  }

  writeSimple(s: string): void {
    this.writeLine(0x2b /* + */, sanitize(s));
  }

  /** `-message\r\n`; a leading '-' in message is not doubled, CR/LF become spaces (as Redis does). */
  writeError(message: string): void {
    const m = sanitize(message);
    if (m.charCodeAt(0) === 0x2d) this.writeLine(-1, m);
    else this.writeLine(0x2d /* - */, m);
  }

  // --- internals ---

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const used = this.pos - this.start;
    let size = this.initialSize;
    while (size < used + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    if (used > 0) this.buf.copy(nb, 0, this.start, this.pos);
    this.buf = nb;
    this.start = 0;
    this.pos = used;
  }

  /** `<type><n>\r\n` for an integer n, digits written in place without a string. */
  private writeHeader(type: number, n: number): void {
    this.ensure(24);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = type;
    if (n < 0) {
      buf[p++] = 0x2d;
      n = -n;
    }
    if (n < 10) {
      buf[p++] = 48 + n;
    } else if (n <= 0x7fffffff) {
      // digit count, then fill from the right with 32-bit integer division
      let len = 2;
      for (let t = 100; t <= n && len < 10; t *= 10) len++;
      let q = p + len;
      p = q;
      while (n >= 10) {
        const d = (n / 10) | 0;
        buf[--q] = 48 + (n - d * 10);
        n = d;
      }
      buf[--q] = 48 + n;
    } else {
      p += buf.write(String(n), p, 'latin1');
    }
    buf[p++] = CR;
    buf[p++] = LF;
    this.pos = p;
  }

  /** `<type><text>\r\n`; type < 0 writes no type byte. */
  private writeLine(type: number, text: string): void {
    this.ensure(text.length * 3 + 3);
    const buf = this.buf;
    let p = this.pos;
    if (type >= 0) buf[p++] = type;
    p += buf.write(text, p, 'utf8');
    buf[p++] = CR;
    buf[p++] = LF;
    this.pos = p;
  }

  private writeAscii(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }
}

function sanitize(s: string): string {
  return s.indexOf('\r') === -1 && s.indexOf('\n') === -1 ? s : s.replace(CRLF_RE, ' ');
}

/** Encodes one reply into a fresh Buffer (convenience for tests and cold paths). */
export function encodeReply(r: Reply, proto: Proto, opts: ReplyWriterOptions = {}): Buffer {
  const w = new ReplyWriter({ initialSize: 256, ...opts });
  w.write(r, proto);
  return w.take();
}

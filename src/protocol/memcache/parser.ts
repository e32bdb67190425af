// Streaming parser for memcached's text and meta protocols: feed() bytes as they arrive, then
// call next() until it returns undefined. Requests come out in order, so pipelining is just a
// loop. The framing mirrors memcached's try_read_command_ascii and conn_nread/conn_swallow:
//  - a line ends at '\n'; one '\r' before it is dropped (bare '\n' is accepted);
//  - a data block is exactly <bytes> + 2 bytes, and its last two must be "\r\n", else
//    "CLIENT_ERROR bad data chunk" (the block is consumed either way; what follows is parsed
//    as commands, as memcached does);
//  - a refused data block (too large, bad ms flags) is swallowed without being buffered;
//  - a line longer than maxLineLength is refused and the connection closed, except get/gets/
//    gat/gats lines (multi-gets may be huge), which are bounded by maxMultigetLineLength.
//    memcached applies the 2048-byte rule only while no newline has arrived; we apply it to
//    complete lines too, so the outcome never depends on how TCP split the bytes.

import { ERR, parseError } from './errors.js';
import { parseLine } from './line.js';
import { EMPTY, type NeedData } from './pending.js';
import { Tokens } from './tokenize.js';
import type { ParseError, ParserOptions, Request } from './types.js';

const LF = 10;
const CR = 13;
const MIN_CAPACITY = 16 * 1024;
/** Above this an emptied internal buffer is released rather than kept for reuse. */
const KEEP_CAPACITY = 256 * 1024;

const enum State {
  Line,
  Data,
  Swallow,
  Closed,
}

const MULTIGET_PREFIXES = ['get ', 'gets ', 'gat ', 'gats '].map((s) => Buffer.from(s, 'latin1'));

function startsWithAt(b: Buffer, i: number, e: number, p: Buffer): boolean {
  if (e - i < p.length) return false;
  for (let j = 0; j < p.length; j++) if (b[i + j] !== p[j]) return false;
  return true;
}

/** memcached tolerates up to 100 leading spaces before deciding a long line is a multi-get. */
function isMultigetLine(b: Buffer, s: number, e: number): boolean {
  let i = s;
  while (i < e && b[i] === 32) i++;
  if (i - s > 100) return false;
  for (const p of MULTIGET_PREFIXES) if (startsWithAt(b, i, e, p)) return true;
  return false;
}

function nextPow2(n: number): number {
  let c = MIN_CAPACITY;
  while (c < n) c *= 2;
  return c;
}

export class MemcacheParser {
  private readonly itemSizeMax: number;
  private readonly maxLineLength: number;
  private readonly maxMultigetLineLength: number;
  private readonly tokens = new Tokens();

  // Unconsumed input is buf[rpos, wpos). When the parser holds no bytes it borrows the fed
  // chunk instead of copying it; bytes are copied into `own` only to join chunks.
  // `owned` says whether buf is `own` (and so may be written to).
  private buf: Buffer = EMPTY;
  private own: Buffer = EMPTY;
  private rpos = 0;
  private wpos = 0;
  private owned = false;
  /** Where the search for '\n' resumes, so a long line is scanned once. */
  private scanPos = 0;

  private state = State.Line;
  private pending: NeedData | null = null;
  private dataBuf: Buffer = EMPTY;
  private dataFilled = 0;
  private swallowLeft = 0;

  constructor(options: ParserOptions = {}) {
    this.itemSizeMax = options.itemSizeMax ?? 1024 * 1024;
    this.maxLineLength = options.maxLineLength ?? 2048;
    this.maxMultigetLineLength = options.maxMultigetLineLength ?? 8 * 1024 * 1024;
  }

  /** Bytes received but not yet returned as requests (for per-client input limits). */
  get bufferedBytes(): number {
    return this.wpos - this.rpos + (this.state === State.Data ? this.dataFilled : 0);
  }

  /** Requests and errors returned by next() so far (a connection tells progress from a stall by it). */
  completed = 0;

  /**
   * True while a request has started to arrive but is not complete: a partial line, a data block
   * being read or swallowed (client-request-timeout).
   */
  get inRequest(): boolean {
    return this.state === State.Data || this.state === State.Swallow || (this.state === State.Line && this.wpos > this.rpos);
  }

  /** True once a fatal error was returned; the connection should be closed. */
  get closed(): boolean {
    return this.state === State.Closed;
  }

  /**
   * Adds received bytes. The parser may keep a reference to `chunk` until its bytes have been
   * consumed, so the caller must not modify it afterwards (socket chunks never are).
   */
  feed(chunk: Buffer): void {
    if (this.state === State.Closed || chunk.length === 0) return;
    let off = 0;
    // A data block being read, or swallowed, takes bytes straight from the chunk.
    if (this.state === State.Data) {
      const n = Math.min(chunk.length, this.dataBuf.length - this.dataFilled);
      chunk.copy(this.dataBuf, this.dataFilled, 0, n);
      this.dataFilled += n;
      off = n;
    } else if (this.state === State.Swallow) {
      off = Math.min(chunk.length, this.swallowLeft);
      this.swallowLeft -= off;
    }
    if (off < chunk.length) this.append(off === 0 ? chunk : chunk.subarray(off));
  }

  /**
   * Copies the unconsumed bytes that still live in a fed chunk into the parser's own buffer, so the
   * caller may reuse the chunk's memory (a socket's read buffer). Cheap when nothing is borrowed.
   */
  detach(): void {
    if (this.owned || this.rpos === this.wpos) return;
    this.ownLive(0);
  }

  /** The next complete request or error, or undefined when more bytes are needed. */
  next(): Request | ParseError | undefined {
    const r = this.nextRequest();
    if (r !== undefined) this.completed++;
    return r;
  }

  private nextRequest(): Request | ParseError | undefined {
    for (;;) {
      switch (this.state) {
        case State.Line: {
          const r = this.nextLine();
          if (r === undefined) return undefined;
          if (r.kind === 'need-data') {
            this.beginData(r);
            continue;
          }
          if (r.kind === 'error') return this.onError(r);
          return r;
        }
        case State.Data: {
          const need = this.dataBuf.length;
          if (this.dataFilled < need) return undefined;
          const nd = this.pending!;
          const d = this.dataBuf;
          this.pending = null;
          this.dataBuf = EMPTY;
          this.dataFilled = 0;
          this.state = State.Line;
          if (d[need - 2] !== CR || d[need - 1] !== LF) {
            return parseError(ERR.BAD_DATA_CHUNK, { noreply: nd.noreplyOnError });
          }
          nd.req.data = d.subarray(0, need - 2);
          return nd.req;
        }
        case State.Swallow:
          if (this.swallowLeft > 0) return undefined;
          this.state = State.Line;
          continue;
        case State.Closed:
          return undefined;
      }
    }
  }

  private nextLine(): ReturnType<typeof parseLine> | undefined {
    const b = this.buf;
    const rpos = this.rpos;
    const wpos = this.wpos;
    if (rpos === wpos) return undefined;
    let idx: number;
    if (wpos === b.length) {
      idx = b.indexOf(LF, this.scanPos);
    } else {
      // Do not search the stale bytes past wpos.
      idx = b.subarray(this.scanPos, wpos).indexOf(LF);
      if (idx >= 0) idx += this.scanPos;
    }
    if (idx < 0) {
      this.scanPos = wpos;
      const len = wpos - rpos;
      if (len > this.maxLineLength && (!isMultigetLine(b, rpos, wpos) || len > this.maxMultigetLineLength)) {
        return this.fatal(ERR.LINE_TOO_LONG);
      }
      return undefined;
    }
    // memcached drops a '\r' before the '\n' only if the line has something else in it.
    const end = idx - rpos > 1 && b[idx - 1] === CR ? idx - 1 : idx;
    const len = end - rpos;
    if (len > this.maxLineLength && (!isMultigetLine(b, rpos, end) || len > this.maxMultigetLineLength)) {
      return this.fatal(ERR.LINE_TOO_LONG);
    }
    // The line is copied so keys stay valid however the input buffer is reused later.
    const line = Buffer.allocUnsafe(len);
    if (len <= 64) for (let i = 0; i < len; i++) line[i] = b[rpos + i]!;
    else b.copy(line, 0, rpos, end);
    this.consumed(idx + 1);
    return parseLine(line, this.tokens, this.itemSizeMax);
  }

  private beginData(nd: NeedData): void {
    const need = nd.req.bytes + 2;
    this.pending = nd;
    this.dataBuf = Buffer.allocUnsafe(need);
    const n = Math.min(need, this.wpos - this.rpos);
    this.buf.copy(this.dataBuf, 0, this.rpos, this.rpos + n);
    this.dataFilled = n;
    this.state = State.Data;
    this.consumed(this.rpos + n);
  }

  private onError(e: ParseError): ParseError {
    if (e.close) {
      this.close();
    } else if (e.swallowed > 0) {
      const n = Math.min(e.swallowed, this.wpos - this.rpos);
      this.swallowLeft = e.swallowed - n;
      this.state = State.Swallow;
      this.consumed(this.rpos + n);
    }
    return e;
  }

  private fatal(line: string): ParseError {
    this.close();
    return parseError(line, { close: true });
  }

  private close(): void {
    this.state = State.Closed;
    this.buf = this.own = EMPTY;
    this.rpos = this.wpos = this.scanPos = 0;
    this.owned = false;
    this.pending = null;
    this.dataBuf = EMPTY;
    this.dataFilled = 0;
  }

  /** Marks input up to `pos` as consumed; drops the view of an emptied buffer. */
  private consumed(pos: number): void {
    this.rpos = pos;
    if (this.scanPos < pos) this.scanPos = pos;
    if (pos === this.wpos) {
      if (this.own.length > KEEP_CAPACITY) this.own = EMPTY;
      this.buf = EMPTY; // never keep a borrowed chunk alive
      this.owned = false;
      this.rpos = this.wpos = this.scanPos = 0;
    }
  }

  private append(chunk: Buffer): void {
    if (this.rpos === this.wpos) {
      // Borrow: no copy until more bytes must be joined to these.
      this.buf = chunk;
      this.owned = false;
      this.rpos = this.scanPos = 0;
      this.wpos = chunk.length;
      return;
    }
    if (this.owned && this.buf.length - this.wpos >= chunk.length) {
      chunk.copy(this.buf, this.wpos);
      this.wpos += chunk.length;
      return;
    }
    this.ownLive(chunk.length);
    chunk.copy(this.buf, this.wpos);
    this.wpos += chunk.length;
  }

  /** Moves the unconsumed bytes to the start of the parser's own buffer, with `room` bytes after them. */
  private ownLive(room: number): void {
    const live = this.wpos - this.rpos;
    const total = live + room;
    if (this.own.length < total) {
      const nb = Buffer.allocUnsafeSlow(nextPow2(total));
      this.buf.copy(nb, 0, this.rpos, this.wpos);
      this.own = nb;
    } else if (this.owned) {
      this.buf.copyWithin(0, this.rpos, this.wpos);
    } else {
      this.buf.copy(this.own, 0, this.rpos, this.wpos);
    }
    this.buf = this.own;
    this.owned = true;
    this.scanPos -= this.rpos;
    this.rpos = 0;
    this.wpos = live;
  }
}

// RESP request parser: bytes -> commands (Buffer[]), as Redis 7's networking.c reads requests
// (processInputBuffer / processMultibulkBuffer / processInlineBuffer), with its limits and its
// exact protocol error messages.
//
// Why not redis-parser (the dependency named for this): it parses *replies*. It accepts any RESP
// type inside an array (a request must be `$` bulks only: "expected '$', got 'X'"), does not parse
// or validate lengths strictly (no digit/overflow checks, so "invalid bulk length" cannot be told
// apart), buffers a whole bulk before anyone can refuse it (proto-max-bulk-len must be enforced
// from the `$len` line, before the bytes arrive), knows nothing of inline commands, and exposes
// neither how many bytes it holds (client-query-buffer-limit) nor a pull API for one synchronous
// loop over a chunk's commands. So this is a small dedicated parser instead.
//
// Memory and copying:
// - Arguments are views (subarray) into the fed chunks whenever they arrive whole: no copy. The
//   parser never writes into a fed chunk, so a view stays valid; it does keep its chunk alive, so a
//   consumer that retains an argument long-term should copy it (Buffer.from(arg)).
// - A bulk split over chunks is collected as views and joined once (Buffer.concat) when complete:
//   linear for an 8 MiB value in 64 KiB chunks, and memory grows only as bytes actually arrive.
// - Only a *line* (`*N`, `$N`, inline) split over chunks is copied, into a buffer that grows by
//   doubling and is bounded by maxInlineSize, so tiny chunks cannot make it quadratic.
import { ErrorReply } from './reply.js';
import { splitInlineArgs } from './inline.js';

export interface RequestParserOptions {
  /** proto-max-bulk-len: largest accepted bulk argument. Redis default 512 MiB. */
  maxBulkLen?: number;
  /** Largest accepted `*N`. Redis 7 allows up to INT_MAX (growing argv lazily); the pre-7 bound is
   *  kept as the default here because every bound is a configured limit in daxcache. */
  maxMultibulkLen?: number;
  /** PROTO_INLINE_MAX_SIZE: longest unterminated inline request or `*`/`$` line. 64 KiB. */
  maxInlineSize?: number;
  /** client-query-buffer-limit on bufferedBytes. Redis default 1 GiB. */
  queryBufferLimit?: number;
}

export const DEFAULT_PARSER_OPTIONS: Readonly<Required<RequestParserOptions>> = Object.freeze({
  maxBulkLen: 512 * 1024 * 1024,
  maxMultibulkLen: 1024 * 1024,
  maxInlineSize: 64 * 1024,
  queryBufferLimit: 1024 * 1024 * 1024,
});

/**
 * A protocol error. It is an ErrorReply, so the server can write it as is (when sendReply), then
 * must close the connection as Redis does (CLIENT_CLOSE_AFTER_REPLY). `reason` is Redis's log text.
 * The query-buffer limit is the one error Redis does not answer: it logs and drops the client.
 */
export class ProtocolError extends ErrorReply {
  constructor(
    message: string,
    readonly reason: string,
    readonly sendReply: boolean = true,
  ) {
    super(message);
  }
}

const EMPTY = Buffer.alloc(0);

// Parser states.
const START = 0; // at the first byte of a request
const MBULK = 1; // reading the `*N` line
const BULK = 2; // reading a `$N` line
const BODY = 3; // reading a bulk's bytes and its trailing CRLF
const INLINE = 4; // reading an inline line

export class RequestParser {
  private readonly maxBulkLen: number;
  private readonly maxMultibulkLen: number;
  private readonly maxInlineSize: number;
  private readonly queryBufferLimit: number;

  /** Chunk being parsed, and the read position in it. */
  private cur: Buffer = EMPTY;
  private pos = 0;
  /** Chunks fed but not reached yet (feed() called again before next() drained). */
  private queue: Buffer[] = [];
  private qHead = 0;
  private queuedBytes = 0;

  private state = START;
  /** A line split across chunks, accumulated here. */
  private line: Buffer | null = null;
  private lineLen = 0;
  /** The last complete line: lb[ls, le), without its terminator. */
  private lb: Buffer = EMPTY;
  private ls = 0;
  private le = 0;

  /** The multibulk command being read. */
  private args: Buffer[] = [];
  private argsLeft = 0;
  private argBytes = 0;
  /** The bulk being read: its length, bytes still due (incl. CRLF), views collected so far. */
  private bulkLen = 0;
  private bodyLeft = 0;
  private bodyGot = 0;
  private pieces: Buffer[] = [];
  /** args[0, ownedArgs) and pieces[0, ownedPieces) are already copies (see detach). */
  private ownedArgs = 0;
  private ownedPieces = 0;

  private failed: ProtocolError | null = null;
  private failureReported = false;

  constructor(opts: RequestParserOptions = {}) {
    this.maxBulkLen = opts.maxBulkLen ?? DEFAULT_PARSER_OPTIONS.maxBulkLen;
    this.maxMultibulkLen = opts.maxMultibulkLen ?? DEFAULT_PARSER_OPTIONS.maxMultibulkLen;
    this.maxInlineSize = opts.maxInlineSize ?? DEFAULT_PARSER_OPTIONS.maxInlineSize;
    this.queryBufferLimit = opts.queryBufferLimit ?? DEFAULT_PARSER_OPTIONS.queryBufferLimit;
  }

  /**
   * Bytes held and not yet returned as commands: unparsed input, plus the arguments and partial
   * bulk of the command being read (stricter than Redis, which leaves argv out of the count).
   */
  get bufferedBytes(): number {
    return this.cur.length - this.pos + this.queuedBytes + this.lineLen + this.argBytes + this.bodyGot;
  }

  /** Commands returned by next() so far (a connection tells progress from a stall by it). */
  completed = 0;

  /** True while a command has started to arrive but is not complete (client-request-timeout). */
  get inRequest(): boolean {
    return this.failed === null && (this.state !== START || this.bufferedBytes > 0);
  }

  /** The protocol error the parser stopped at, if any. */
  get error(): ProtocolError | null {
    return this.failed;
  }

  /** Appends received bytes. The chunk must not be modified afterwards (arguments may view it). */
  feed(chunk: Buffer): void {
    if (this.failed !== null || chunk.length === 0) return;
    if (this.pos >= this.cur.length && this.qHead >= this.queue.length) {
      this.cur = chunk;
      this.pos = 0;
    } else {
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
    }
    if (this.bufferedBytes > this.queryBufferLimit) {
      // Redis checks after the read and frees the client without processing the buffer.
      this.fail(new ProtocolError('ERR Protocol error: query buffer limit reached', 'client-query-buffer-limit reached', false));
    }
  }

  /**
   * Copies what the parser still holds of fed chunks — unparsed bytes, and the arguments and partial
   * bulk of a command not complete yet — so the caller may reuse the chunks' memory (a socket's read
   * buffer). Commands already returned by next() are the caller's and are not touched.
   */
  detach(): void {
    this.cur = this.pos < this.cur.length ? Buffer.from(this.cur.subarray(this.pos)) : EMPTY;
    this.pos = 0;
    for (let i = this.qHead; i < this.queue.length; i++) this.queue[i] = Buffer.from(this.queue[i]!);
    for (let i = this.ownedArgs; i < this.args.length; i++) this.args[i] = Buffer.from(this.args[i]!);
    this.ownedArgs = this.args.length;
    for (let i = this.ownedPieces; i < this.pieces.length; i++) this.pieces[i] = Buffer.from(this.pieces[i]!);
    this.ownedPieces = this.pieces.length;
  }

  /**
   * The next complete command, or undefined when more bytes are needed. After a protocol error it
   * returns the ProtocolError once (after every command that preceded it), then undefined forever.
   */
  next(): Buffer[] | ProtocolError | undefined {
    if (this.failed !== null) {
      if (this.failureReported) return undefined;
      this.failureReported = true;
      return this.failed;
    }
    for (;;) {
      const r = this.parse();
      if (r !== undefined) {
        if (r instanceof ProtocolError) {
          this.fail(r);
          this.failureReported = true;
        } else this.completed++;
        return r;
      }
      // cur is exhausted: move to the next queued chunk, if any.
      if (this.qHead >= this.queue.length) {
        if (this.queue.length !== 0) {
          this.queue = [];
          this.qHead = 0;
        }
        this.cur = EMPTY;
        this.pos = 0;
        return undefined;
      }
      const c = this.queue[this.qHead]!;
      this.queue[this.qHead++] = EMPTY;
      this.queuedBytes -= c.length;
      this.cur = c;
      this.pos = 0;
    }
  }

  private fail(e: ProtocolError): void {
    this.failed = e;
    this.cur = EMPTY;
    this.pos = 0;
    this.queue = [];
    this.qHead = 0;
    this.queuedBytes = 0;
    this.line = null;
    this.lineLen = 0;
    this.args = [];
    this.argBytes = 0;
    this.pieces = [];
    this.bodyGot = 0;
    this.ownedArgs = this.ownedPieces = 0;
  }

  /** Parses from cur; undefined means cur is used up (everything in it consumed or saved). */
  private parse(): Buffer[] | ProtocolError | undefined {
    const buf = this.cur;
    const len = buf.length;
    while (this.pos < len) {
      switch (this.state) {
        case START:
          this.state = buf[this.pos] === 0x2a /* * */ ? MBULK : INLINE;
          break;

        case MBULK: {
          let n = this.lineLen === 0 ? this.fastNumber(buf) : -1;
          if (n < 0) {
            if (!this.readLineCR()) {
              if (this.lineTooBig()) return proto('too big mbulk count string', 'too big mbulk count string');
              return undefined;
            }
            const v = parseLL(this.lb, this.ls + 1, this.le);
            if (v === null || v > this.maxMultibulkLen) return proto('invalid multibulk length', 'invalid mbulk count');
            if (v <= 0) {
              this.state = START; // `*0`, `*-1`: nothing to run, as Redis
              break;
            }
            n = v;
          }
          this.argsLeft = n;
          this.state = BULK;
          break;
        }

        case BULK: {
          let n = this.lineLen === 0 && buf[this.pos] === 0x24 /* $ */ ? this.fastNumber(buf) : -1;
          if (n < 0) {
            if (!this.readLineCR()) {
              if (this.lineTooBig()) return proto('too big bulk count string', 'too big bulk count string');
              return undefined;
            }
            const first = this.lb[this.ls]!; // for an empty line, the '\r' itself (as Redis)
            if (first !== 0x24) {
              const ch = first === 13 || first === 10 ? ' ' : String.fromCharCode(first);
              return proto(`expected '$', got '${ch}'`, 'expected $ but got something else');
            }
            const v = parseLL(this.lb, this.ls + 1, this.le);
            if (v === null || v < 0 || v > this.maxBulkLen) return proto('invalid bulk length', 'invalid bulk length');
            n = v;
          }
          if (len - this.pos >= n + 2) {
            // Whole bulk in this chunk: a view, no copy.
            const arg = buf.subarray(this.pos, this.pos + n);
            this.pos += n + 2;
            const cmd = this.pushArg(arg);
            if (cmd !== undefined) return cmd;
          } else {
            this.bulkLen = n;
            this.bodyLeft = n + 2;
            this.bodyGot = 0;
            this.state = BODY;
          }
          break;
        }

        case BODY: {
          const take = Math.min(len - this.pos, this.bodyLeft);
          const dataLeft = this.bodyLeft - 2; // bulk bytes still due (<= 0 once only CRLF is left)
          if (dataLeft > 0) {
            const d = Math.min(take, dataLeft);
            this.pieces.push(buf.subarray(this.pos, this.pos + d));
            this.bodyGot += d;
          }
          this.pos += take;
          this.bodyLeft -= take;
          if (this.bodyLeft > 0) return undefined;
          const pieces = this.pieces;
          const arg = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, this.bulkLen);
          this.pieces = [];
          this.ownedPieces = 0;
          this.bodyGot = 0;
          const cmd = this.pushArg(arg);
          if (cmd !== undefined) return cmd;
          break;
        }

        case INLINE: {
          if (!this.readLineLF()) {
            if (this.lineLen > this.maxInlineSize) return proto('too big inline request', 'too big inline request');
            return undefined;
          }
          const fromLine = this.lb === this.line;
          const argv = splitInlineArgs(this.lb, this.ls, this.le);
          // Arguments may view the line buffer: give it away rather than overwrite it later.
          if (fromLine) this.line = null;
          if (argv === null) return proto('unbalanced quotes in request', 'unbalanced quotes in inline request');
          this.state = START;
          if (argv.length > 0) return argv; // an empty line is skipped, as Redis
          break;
        }
      }
    }
    return undefined;
  }

  /** Adds a finished bulk; returns the command when it was the last one. */
  private pushArg(arg: Buffer): Buffer[] | undefined {
    this.args.push(arg);
    if (--this.argsLeft > 0) {
      this.argBytes += arg.length;
      this.state = BULK;
      return undefined;
    }
    const cmd = this.args;
    this.args = [];
    this.ownedArgs = 0;
    this.argBytes = 0;
    this.state = START;
    return cmd;
  }

  /**
   * Fast path for a well-formed `*N\r\n` / `$N\r\n` wholly in cur (the common case): parses the
   * digits in place and moves past the line. Returns -1 to defer to the exact slow path (leading
   * zero, sign, long number, no '\r' yet, anything unusual).
   */
  private fastNumber(buf: Buffer): number {
    const len = buf.length;
    let p = this.pos + 1;
    if (p >= len) return -1;
    let c = buf[p]!;
    let v: number;
    if (c >= 49 && c <= 57) {
      v = c - 48;
      const stop = Math.min(len, p + 15);
      p++;
      while (p < stop && (c = buf[p]!) >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        p++;
      }
    } else if (c === 48) {
      v = 0;
      p++;
    } else {
      return -1;
    }
    if (p + 1 >= len || buf[p] !== 13) return -1;
    if (buf[this.pos] === 0x2a ? v > this.maxMultibulkLen || v === 0 : v > this.maxBulkLen) return -1;
    this.pos = p + 2;
    return v;
  }

  /**
   * A `*`/`$` line, Redis style: it ends at the first '\r' and needs one more byte after it (taken
   * as the '\n', not checked). Sets lb/ls/le and returns true, or saves the partial line.
   */
  private readLineCR(): boolean {
    const buf = this.cur;
    if (this.lineLen === 0) {
      const i = buf.indexOf(13, this.pos);
      if (i >= 0 && i + 1 < buf.length) {
        this.setLine(buf, this.pos, i);
        this.pos = i + 2;
        return true;
      }
    } else {
      const line = this.line!;
      if (line[this.lineLen - 1] === 13) {
        // The '\r' ended the previous chunk: this first byte completes the line.
        this.pos += 1;
        this.setLine(line, 0, this.lineLen - 1);
        this.lineLen = 0;
        return true;
      }
      const i = buf.indexOf(13, this.pos);
      if (i >= 0 && i + 1 < buf.length) {
        this.appendLine(buf, this.pos, i);
        this.pos = i + 2;
        this.setLine(this.line!, 0, this.lineLen);
        this.lineLen = 0;
        return true;
      }
    }
    this.appendLine(buf, this.pos, buf.length);
    this.pos = buf.length;
    return false;
  }

  /** An inline line: ends at '\n', a '\r' before it is dropped. */
  private readLineLF(): boolean {
    const buf = this.cur;
    const i = buf.indexOf(10, this.pos);
    if (i < 0) {
      this.appendLine(buf, this.pos, buf.length);
      this.pos = buf.length;
      return false;
    }
    if (this.lineLen === 0) {
      this.setLine(buf, this.pos, i > this.pos && buf[i - 1] === 13 ? i - 1 : i);
    } else {
      this.appendLine(buf, this.pos, i);
      const line = this.line!;
      this.setLine(line, 0, line[this.lineLen - 1] === 13 ? this.lineLen - 1 : this.lineLen);
      this.lineLen = 0;
    }
    this.pos = i + 1;
    return true;
  }

  /** Redis: no '\r' in the rest of the buffer and more than PROTO_INLINE_MAX_SIZE of it. */
  private lineTooBig(): boolean {
    return this.lineLen > this.maxInlineSize && this.line![this.lineLen - 1] !== 13;
  }

  private setLine(b: Buffer, s: number, e: number): void {
    this.lb = b;
    this.ls = s;
    this.le = e;
  }

  private appendLine(src: Buffer, s: number, e: number): void {
    const n = e - s;
    if (n <= 0) return;
    const need = this.lineLen + n;
    if (this.line === null || this.line.length < need) {
      const nb = Buffer.allocUnsafe(Math.max(128, need * 2));
      if (this.line !== null && this.lineLen > 0) this.line.copy(nb, 0, 0, this.lineLen);
      this.line = nb;
    }
    src.copy(this.line, this.lineLen, s, e);
    this.lineLen = need;
  }
}

function proto(msg: string, reason: string): ProtocolError {
  return new ProtocolError(`ERR Protocol error: ${msg}`, reason);
}

/**
 * Redis string2ll() on buf[s, e): optional '-', no '+', no leading zeros ("0" alone is fine, "-0"
 * is not), no blanks, fewer than 21 bytes, within int64. Returns null when invalid. Values past
 * 2^53 come back approximate, which is enough for the limit checks that follow.
 */
export function parseLL(buf: Buffer, s: number, e: number): number | null {
  const n = e - s;
  if (n <= 0 || n >= 21) return null;
  if (n === 1 && buf[s] === 48) return 0;
  let p = s;
  const neg = buf[p] === 45;
  if (neg && ++p === e) return null;
  let c = buf[p]!;
  if (c < 49 || c > 57) return null;
  let v = c - 48;
  for (p++; p < e; p++) {
    c = buf[p]!;
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (v > Number.MAX_SAFE_INTEGER) {
    const big = BigInt(buf.toString('latin1', s, e));
    if (big > 9223372036854775807n || big < -9223372036854775808n) return null;
  }
  return neg ? -v : v;
}

// A growable output buffer for replies. Bytes are written into a preallocated Buffer; when it
// is full a new one of twice the size is started (the filled part is sealed as a chunk, never
// copied again). take() hands out what was written as Buffers that are never overwritten, so
// they can go straight to socket.write/writev. Large values are passed by reference.

const ZERO_COPY_MIN = 32 * 1024;

/** Writes exactly the announced number of bytes at dst[pos] (e.g. the store copying a value). */
export type FillFn = (dst: Uint8Array, pos: number) => void;
const MAX_GROW = 4 * 1024 * 1024;

/** Decimal digits of a non-negative safe integer. */
function decLength(n: number): number {
  let len = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    len++;
  }
  return len;
}

export class ReplyWriter {
  private buf: Buffer;
  /** Start of the bytes not yet taken. */
  private start = 0;
  private pos = 0;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;

  constructor(initialSize = 16 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initialSize);
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.chunkBytes + this.pos - this.start;
  }

  /** Ensures n contiguous writable bytes. */
  reserve(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    this.seal();
    const size = Math.max(n, Math.min(this.buf.length * 2, MAX_GROW));
    this.buf = Buffer.allocUnsafeSlow(size);
    this.start = this.pos = 0;
  }

  /** ASCII/latin1 text. */
  latin1(s: string): void {
    this.reserve(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** Raw bytes; big ones are referenced, not copied (the caller must not change them). */
  bytes(b: Buffer): void {
    if (b.length >= ZERO_COPY_MIN) {
      this.seal();
      this.chunks.push(b);
      this.chunkBytes += b.length;
      return;
    }
    const n = b.length;
    this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    if (n <= 64) {
      // Buffer.copy's call overhead dominates for keys and status lines.
      for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    } else {
      buf.set(b, p);
      p += n;
    }
    this.pos = p;
  }

  /**
   * n bytes produced in place by `fill` — a value goes from the pool straight into the reply, with
   * no Buffer of its own. Big ones get their own Buffer, referenced as in bytes().
   */
  fill(n: number, fill: FillFn): void {
    if (n >= ZERO_COPY_MIN) {
      const b = Buffer.allocUnsafe(n);
      fill(b, 0);
      this.seal();
      this.chunks.push(b);
      this.chunkBytes += n;
      return;
    }
    this.reserve(n);
    fill(this.buf, this.pos);
    this.pos += n;
  }

  byte(c: number): void {
    this.reserve(1);
    this.buf[this.pos++] = c;
  }

  /** Two bytes, e.g. a status code like "HD". */
  byte2(a: number, b: number): void {
    this.reserve(2);
    this.buf[this.pos++] = a;
    this.buf[this.pos++] = b;
  }

  crlf(): void {
    this.byte2(13, 10);
  }

  /** Decimal of a non-negative safe integer. */
  uint(n: number): void {
    this.reserve(16);
    const b = this.buf;
    if (n < 10) {
      b[this.pos++] = 48 + n;
      return;
    }
    const end = this.pos + decLength(n);
    for (let i = end - 1; i >= this.pos; i--) {
      const q = Math.floor(n / 10);
      b[i] = 48 + (n - q * 10);
      n = q;
    }
    this.pos = end;
  }

  /** Decimal of a safe integer (may be negative, e.g. a TTL of -1). */
  int(n: number): void {
    if (n < 0) {
      this.byte(45);
      n = -n;
    }
    this.uint(n);
  }

  /** Decimal of a u64 (CAS values, counters). */
  u64(n: bigint | number): void {
    if (typeof n === 'number') this.uint(n);
    else if (n <= 0x1fffffffffffffn) this.uint(Number(n));
    else this.latin1(n.toString());
  }

  /** Everything written since the last take(), as chunks that stay valid. */
  take(): Buffer[] {
    this.seal();
    const out = this.chunks;
    this.chunks = [];
    this.chunkBytes = 0;
    return out;
  }

  /**
   * Lets the next replies reuse the buffer from its start, instead of filling fresh memory (page
   * faults, GC pressure). Only for a caller that knows no chunk take() handed out is still in use,
   * e.g. a socket that wrote them all synchronously. A no-op while anything is untaken.
   */
  recycle(): void {
    if (this.chunks.length === 0 && this.pos === this.start) this.start = this.pos = 0;
  }

  /** Like take(), joined into one Buffer (copies only if there are several chunks). */
  takeBuffer(): Buffer {
    const c = this.take();
    if (c.length === 1) return c[0]!;
    return Buffer.concat(c);
  }

  private seal(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.chunkBytes += this.pos - this.start;
      this.start = this.pos;
    }
  }
}

// Reading the parts of an RDB value (rdb.c): lengths (rdbLoadLen: 6-bit, 14-bit big-endian,
// 0x80 + 32-bit BE, 0x81 + 64-bit BE, or 0xC0-based "encoded" forms) and strings
// (rdbGenericLoadStringObject: an integer encoding 0xC0 int8, 0xC1 int16 LE, 0xC2 int32 LE, an
// LZF-compressed string 0xC3 <compressed len> <len> <lzf stream>, or a length and the bytes).
// Every read past the end of the buffer is null: callers refuse the payload as "Bad data format".
import { lzfDecompress } from './lzf.js';

const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;
const LEN_32 = 0x80;
const LEN_64 = 0x81;

/** A reader over the payload's body (without the footer); every read past the end fails. */
export class Reader {
  pos = 0;
  constructor(readonly b: Buffer) {}
  byte(): number | null {
    return this.pos < this.b.length ? this.b[this.pos++]! : null;
  }
  bytes(n: number): Buffer | null {
    if (n > this.b.length - this.pos) return null;
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** rdbLoadLen: [length, isEncoded], or null when truncated or unknown. */
  length(): [number, boolean] | null {
    const first = this.byte();
    if (first === null) return null;
    const kind = first >> 6;
    if (kind === 3) return [first & 0x3f, true];
    if (kind === 0) return [first & 0x3f, false];
    if (kind === 1) {
      const second = this.byte();
      return second === null ? null : [((first & 0x3f) << 8) | second, false];
    }
    if (first === LEN_32) {
      const b = this.bytes(4);
      return b === null ? null : [b.readUInt32BE(0), false];
    }
    if (first === LEN_64) {
      const b = this.bytes(8);
      if (b === null) return null;
      const n = b.readBigUInt64BE(0);
      return n > BigInt(Number.MAX_SAFE_INTEGER) ? null : [Number(n), false];
    }
    return null;
  }
}

/** rdbGenericLoadStringObject: the string at the reader, or null when the data is corrupt. */
export function readString(r: Reader): Buffer | null {
  const len = r.length();
  if (len === null) return null;
  const [n, encoded] = len;
  if (!encoded) {
    const b = r.bytes(n);
    return b === null ? null : Buffer.from(b);
  }
  switch (n) {
    case ENC_INT8: {
      const b = r.bytes(1);
      return b === null ? null : Buffer.from(String(b.readInt8(0)));
    }
    case ENC_INT16: {
      const b = r.bytes(2);
      return b === null ? null : Buffer.from(String(b.readInt16LE(0)));
    }
    case ENC_INT32: {
      const b = r.bytes(4);
      return b === null ? null : Buffer.from(String(b.readInt32LE(0)));
    }
    case ENC_LZF: {
      const clen = r.length();
      const ulen = r.length();
      if (clen === null || ulen === null || clen[1] || ulen[1]) return null;
      const src = r.bytes(clen[0]);
      // An LZF back reference yields at most 264 bytes for 3 of input: a longer announced length is
      // corrupt, and refusing it first keeps a forged header from making us allocate gigabytes.
      if (src === null || ulen[0] > 0x7fffffff || ulen[0] > src.length * 88 + 64) return null;
      return lzfDecompress(src, ulen[0]);
    }
    default:
      return null;
  }
}

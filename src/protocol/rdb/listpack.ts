// Reading a Redis listpack (listpack.c), the blob inside the DUMP payloads of small hashes (RDB type
// 16), small sorted sets (17), small sets of strings (20, Redis 7.2) and list nodes (18):
//   <total bytes u32 LE> <element count u16 LE, 65535 = unknown> <entry>* <0xFF>
// An entry is an encoding byte (a small integer in it, or a string length / integer width after it),
// the data, and a "backlen": the entry's size so far in 1-5 bytes, 7 bits each, read backwards.
//
// We check what lpValidateIntegrity checks in its deep mode (sanitize-dump-payload yes): the header
// size equals the blob's, every entry is a known encoding that stays inside the blob, every backlen
// matches its entry, the entries end at the terminator, and the count (when known) is right. Any
// failure is null, never an exception or a read past the end.

const HDR = 6;
const EOF = 0xff;

/** lpEncodeBacklen(NULL, l): bytes of the backlen of an entry of l bytes. */
function backlenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/**
 * lpDecodeBacklen at the backlen's last byte; -1 when it runs on for more than 5 bytes. As Redis's,
 * it may run back into the entry's data (and the value then rarely matches): never before byte 0.
 */
function decodeBacklen(b: Buffer, last: number): number {
  let val = 0;
  let shift = 0;
  for (let p = last; p >= 0; p--) {
    val += (b[p]! & 127) * 2 ** shift;
    if (!(b[p]! & 128)) return val;
    shift += 7;
    if (shift > 28) return -1;
  }
  return -1;
}

/** Two's complement of an unsigned value of `bits` bits. */
function signed(u: number, bits: number): number {
  return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
}

/**
 * The elements of a listpack blob, in order, each as the bytes Redis's lpGet gives (integers as
 * their decimal text), or null when the blob is not a well-formed listpack.
 */
export function readListpack(lp: Buffer): Buffer[] | null {
  const size = lp.length;
  if (size < HDR + 1) return null;
  if (lp.readUInt32LE(0) !== size) return null;
  if (lp[size - 1] !== EOF) return null;
  const numele = lp.readUInt16LE(4);
  const out: Buffer[] = [];
  const last = size - 1; // the terminator: no entry may reach it
  let p = HDR;
  while (lp[p] !== EOF) {
    const enc = lp[p]!;
    let head: number; // encoding + length bytes
    let dataLen: number;
    if ((enc & 0x80) === 0) {
      head = 1;
      dataLen = 0;
    } else if ((enc & 0xc0) === 0x80) {
      head = 1;
      dataLen = enc & 0x3f;
    } else if ((enc & 0xe0) === 0xc0) {
      head = 1;
      dataLen = 1;
    } else if ((enc & 0xf0) === 0xe0) {
      head = 2;
      if (p + 1 > last) return null;
      dataLen = ((enc & 0x0f) << 8) | lp[p + 1]!;
    } else if (enc === 0xf0) {
      head = 5;
      if (p + 5 > last) return null;
      dataLen = lp.readUInt32LE(p + 1);
    } else if (enc >= 0xf1 && enc <= 0xf4) {
      head = 1;
      dataLen = enc === 0xf1 ? 2 : enc === 0xf2 ? 3 : enc === 0xf3 ? 4 : 8;
    } else {
      return null; // 0xf5..0xfe: no such encoding
    }
    if (p + head > last) return null;
    const entryLen = head + dataLen;
    const back = backlenBytes(entryLen);
    const next = p + entryLen + back;
    if (next > last) return null;
    if (decodeBacklen(lp, next - 1) !== entryLen) return null;
    const d = p + head; // the data
    let value: Buffer;
    if ((enc & 0x80) === 0) value = Buffer.from(String(enc & 0x7f));
    else if ((enc & 0xc0) === 0x80 || (enc & 0xf0) === 0xe0 || enc === 0xf0) value = Buffer.from(lp.subarray(d, d + dataLen));
    else if ((enc & 0xe0) === 0xc0) value = Buffer.from(String(signed(((enc & 0x1f) << 8) | lp[d]!, 13)));
    else if (enc === 0xf1) value = Buffer.from(String(lp.readInt16LE(d)));
    else if (enc === 0xf2) value = Buffer.from(String(lp.readIntLE(d, 3)));
    else if (enc === 0xf3) value = Buffer.from(String(lp.readInt32LE(d)));
    else value = Buffer.from(lp.readBigInt64LE(d).toString());
    out.push(value);
    p = next;
  }
  if (p !== last) return null;
  if (numele !== 0xffff && numele !== out.length) return null;
  return out;
}

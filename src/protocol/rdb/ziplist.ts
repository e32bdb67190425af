// Reading a Redis ziplist (ziplist.c), the blob inside the DUMP payloads of RDB versions before 10
// (Redis < 7.0) that Redis 7 still loads: list_ziplist (10), zset_ziplist (12), hash_ziplist (13)
// and quicklist nodes (14):
//   <total bytes u32 LE> <offset of the last entry u32 LE> <entry count u16 LE, 65535 = unknown>
//   <entry>* <0xFF>
// An entry is the previous entry's size (1 byte, or 0xFE + u32 LE), an encoding (a string length
// in 1, 2 or 5 bytes, or an integer type, or a 4-bit immediate 0..12) and the data.
//
// We check what ziplistValidateIntegrity checks in its deep mode (Redis always runs it on these):
// header size and terminator, every entry inside the blob with a known encoding, each entry's
// "previous size" equal to the real one, the tail offset at the last entry, and the count when it
// is known. Any failure is null, never an exception or a read past the end.

const HDR = 10;
const END = 0xff;

/** zipEncodingLenSize for an encoding byte (string encodings masked to their top 2 bits); 0 = invalid. */
function lenSize(enc: number): number {
  if (enc === 0xc0 || enc === 0xd0 || enc === 0xe0 || enc === 0xf0 || enc === 0xfe) return 1;
  if (enc >= 0xf1 && enc <= 0xfd) return 1;
  if (enc === 0x00) return 1;
  if (enc === 0x40) return 2;
  if (enc === 0x80) return 5;
  return 0;
}

/** zipIntSize: data bytes of an integer encoding. */
function intSize(enc: number): number {
  switch (enc) {
    case 0xfe:
      return 1;
    case 0xc0:
      return 2;
    case 0xf0:
      return 3;
    case 0xd0:
      return 4;
    case 0xe0:
      return 8;
    default:
      return 0; // the immediates
  }
}

/**
 * The elements of a ziplist blob, in order, each as its bytes (integers as their decimal text, as
 * Redis converts them when loading), or null when the blob is not a well-formed ziplist.
 */
export function readZiplist(zl: Buffer): Buffer[] | null {
  const size = zl.length;
  if (size < HDR + 1) return null;
  if (zl.readUInt32LE(0) !== size) return null;
  const last = size - 1; // the terminator
  if (zl[last] !== END) return null;
  const tail = zl.readUInt32LE(4);
  if (tail > last) return null;
  const headerCount = zl.readUInt16LE(8);
  const out: Buffer[] = [];
  let p = HDR;
  let prev = -1;
  let prevRawSize = 0;
  while (zl[p] !== END) {
    const prevLenSize = zl[p]! < 254 ? 1 : 5;
    if (p + prevLenSize > last) return null;
    const q = p + prevLenSize;
    let enc = zl[q]!;
    if (enc < 0xc0) enc &= 0xc0;
    const ls = lenSize(enc);
    if (ls === 0 || q + ls > last) return null;
    const prevLen = prevLenSize === 1 ? zl[p]! : zl.readUInt32LE(p + 1);
    let len: number;
    if (enc === 0x00) len = zl[q]! & 0x3f;
    else if (enc === 0x40) len = ((zl[q]! & 0x3f) << 8) | zl[q + 1]!;
    else if (enc === 0x80) len = zl.readUInt32BE(q + 1);
    else len = intSize(enc);
    const headerSize = prevLenSize + ls;
    if (p + headerSize + len > last) return null;
    if (p - prevLen < HDR) return null;
    if (prevLen !== prevRawSize) return null;
    const d = p + headerSize;
    let value: Buffer;
    if (enc < 0xc0) value = Buffer.from(zl.subarray(d, d + len));
    else if (enc === 0xfe) value = Buffer.from(String(zl.readInt8(d)));
    else if (enc === 0xc0) value = Buffer.from(String(zl.readInt16LE(d)));
    else if (enc === 0xf0) value = Buffer.from(String(zl.readIntLE(d, 3)));
    else if (enc === 0xd0) value = Buffer.from(String(zl.readInt32LE(d)));
    else if (enc === 0xe0) value = Buffer.from(zl.readBigInt64LE(d).toString());
    else value = Buffer.from(String((enc & 0x0f) - 1));
    out.push(value);
    prevRawSize = headerSize + len;
    prev = p;
    p += headerSize + len;
  }
  if (p !== last) return null;
  if (prev !== -1 && prev !== tail) return null;
  if (headerCount !== 0xffff && headerCount !== out.length) return null;
  return out;
}

// Reading a Redis intset (intset.c), the blob inside the DUMP payload of a small set of integers
// (RDB type 11): <encoding u32 LE: 2, 4 or 8 bytes a value> <count u32 LE> <values, LE, ascending>.
//
// We check what intsetValidateIntegrity checks in its deep mode: a known encoding, a size that is
// exactly the header plus count values, not empty, and values strictly ascending (no duplicates).
// Any failure is null, never an exception or a read past the end.

/** The members of an intset blob as their decimal text, ascending, or null when it is malformed. */
export function readIntset(is: Buffer): Buffer[] | null {
  if (is.length < 8) return null;
  const width = is.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) return null;
  const count = is.readUInt32LE(4);
  if (8 + count * width !== is.length) return null;
  if (count === 0) return null;
  const out: Buffer[] = new Array(count);
  let prev: bigint | null = null;
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width;
    const v = width === 2 ? BigInt(is.readInt16LE(at)) : width === 4 ? BigInt(is.readInt32LE(at)) : is.readBigInt64LE(at);
    if (prev !== null && v <= prev) return null;
    prev = v;
    out[i] = Buffer.from(v.toString());
  }
  return out;
}

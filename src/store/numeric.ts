// Number parsing and formatting with Redis's exact rules (util.c string2ll / string2ld / ld2string).

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Redis string2ll: optional '-', no '+', no spaces, no leading zeros, fits in int64. */
export function parseInt64(buf: Uint8Array): bigint | null {
  const n = buf.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && buf[0] === 0x30) return 0n;
  let i = 0;
  if (buf[0] === 0x2d) {
    i = 1;
    if (n === 1) return null;
  }
  if (buf[i]! < 0x31 || buf[i]! > 0x39) return null;
  for (let j = i + 1; j < n; j++) if (buf[j]! < 0x30 || buf[j]! > 0x39) return null;
  const v = BigInt(Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1'));
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

export function inInt64(v: bigint): boolean {
  return v <= INT64_MAX && v >= INT64_MIN;
}

/** memcached safe_strtoull: decimal digits only (memcached also rejects a leading '-'). */
export function parseU64(buf: Uint8Array): bigint | null {
  let end = buf.length;
  // memcached pads values shrunk by decr with trailing spaces; strtoull stops at them.
  while (end > 0 && buf[end - 1] === 0x20) end--;
  if (end === 0 || end > 20) return null;
  for (let j = 0; j < end; j++) if (buf[j]! < 0x30 || buf[j]! > 0x39) return null;
  const v = BigInt(Buffer.from(buf.buffer, buf.byteOffset, end).toString('latin1'));
  return v > 0xffffffffffffffffn ? null : v;
}

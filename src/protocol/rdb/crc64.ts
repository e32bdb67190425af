// CRC-64 as Redis computes it for DUMP payloads and RDB files (crc64.c): the "Jones" polynomial
// 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor. Check value:
// crc64("123456789") = 0xe9c6d914c4b8d9ca. Table-driven over two 32-bit halves (no BigInt per
// byte), so a multi-megabyte value costs milliseconds.

const POLY_REFLECTED = 0x95ac9329ac4bc9b5n;
const LO = new Uint32Array(256);
const HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY_REFLECTED : c >> 1n;
  LO[i] = Number(c & 0xffffffffn);
  HI[i] = Number(c >> 32n);
}

/** CRC-64/Jones of `data` (continuing from `crc`, 0 to start), as an unsigned 64-bit bigint. */
export function crc64(data: Uint8Array, crc = 0n): bigint {
  let lo = Number(crc & 0xffffffffn) >>> 0;
  let hi = Number((crc >> 32n) & 0xffffffffn) >>> 0;
  for (let i = 0; i < data.length; i++) {
    const t = (lo ^ data[i]!) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ LO[t]!) >>> 0;
    hi = ((hi >>> 8) ^ HI[t]!) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

// The bit arithmetic of Redis's bitmap commands (bitops.c) over plain byte arrays: population
// count, first set/clear bit, and BITFIELD's integer get/set with its overflow rules. Bit 0 is the
// most significant bit of byte 0, as in Redis. No store access, so it can be tested on its own
// (test/commands/bits.test.ts checks it against a one-bit-at-a-time model).
//
// BITFIELD values are bigint: fields are up to 64 bits and Redis's overflow checks are written in
// C's int64/uint64 arithmetic, which BigInt.asIntN/asUintN reproduce exactly (wrap included).

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** Set bits in bits [startBit, endBit] (inclusive); the caller keeps both inside buf. */
export function countBits(buf: Uint8Array, startBit: number, endBit: number): number {
  if (startBit > endBit) return 0;
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  let n = 0;
  for (let i = first; i <= last; i++) n += POPCOUNT[buf[i]!]!;
  // Take off the bits of the edge bytes that lie outside the range.
  const headMask = (0xff00 >> (startBit & 7)) & 0xff; // bits before startBit in its byte
  const tailMask = 0xff >> ((endBit & 7) + 1); // bits after endBit in its byte
  return n - POPCOUNT[buf[first]! & headMask]! - POPCOUNT[buf[last]! & tailMask]!;
}

/** The first bit equal to `bit` in [startBit, endBit] (inclusive, inside buf), or -1. */
export function findBit(buf: Uint8Array, bit: 0 | 1, startBit: number, endBit: number): number {
  const skip = bit ? 0x00 : 0xff; // a byte that cannot hold the bit sought
  let pos = startBit;
  while (pos <= endBit) {
    const byte = buf[Math.floor(pos / 8)]!; // not pos >> 3: bit offsets pass 2^31 past 256 MiB
    if ((pos & 7) === 0 && pos + 7 <= endBit && byte === skip) {
      pos += 8;
      continue;
    }
    if (((byte >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

/** The unsigned value of `bits` bits (1..64) at bit `offset`; bits past the end of buf read as 0. */
export function getUnsigned(buf: Uint8Array, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byteIndex = Math.floor(pos / 8);
    const b = byteIndex < buf.length ? (buf[byteIndex]! >> (7 - (pos % 8))) & 1 : 0;
    v = (v << 1n) | BigInt(b);
  }
  return v;
}

/** getSignedBitfield: the field read as two's complement of its width. */
export function getSigned(buf: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(buf, offset, bits));
}

/** Writes the low `bits` bits of value at bit `offset`; buf must reach the field's last bit. */
export function setField(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  let v = BigInt.asUintN(bits, value);
  for (let i = bits - 1; i >= 0; i--) {
    const pos = offset + i;
    const byteIndex = Math.floor(pos / 8);
    const mask = 1 << (7 - (pos % 8));
    if (v & 1n) buf[byteIndex]! |= mask;
    else buf[byteIndex]! &= ~mask;
    v >>= 1n;
  }
}

export type Overflow = 'wrap' | 'sat' | 'fail';

/** What an overflow check found: 0 none, 1 over the top, -1 under the bottom; value = the result to store. */
export interface Checked {
  overflow: -1 | 0 | 1;
  value: bigint;
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/**
 * checkUnsignedBitfieldOverflow for a uN field (bits 1..63): value is the uint64 operand (a SET
 * value is the int64 argument as uint64, so -1 is 2^64-1 and saturates to the maximum), incr the
 * int64 increment. Without overflow value is value+incr; with it, WRAP keeps the low bits and SAT
 * the bound (FAIL: the caller stores nothing).
 */
export function addUnsigned(value: bigint, incr: bigint, bits: number, mode: Overflow): Checked {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(-value);
  const wrapped = (): bigint => u64(value + incr) & max;
  if (value > max || (incr > 0n && incr > maxincr)) return { overflow: 1, value: mode === 'sat' ? max : wrapped() };
  if (incr < 0n && incr < minincr) return { overflow: -1, value: mode === 'sat' ? 0n : wrapped() };
  return { overflow: 0, value: value + incr };
}

/**
 * checkSignedBitfieldOverflow for an iN field (bits 1..64), with Redis's int64 edge cases: for
 * i64 the increment bounds are only trusted when value and incr have the same sign.
 */
export function addSigned(value: bigint, incr: bigint, bits: number, mode: Overflow): Checked {
  const max = bits === 64 ? (1n << 63n) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(min - value);
  const wrapped = (): bigint => BigInt.asIntN(bits, u64(value + incr));
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    return { overflow: 1, value: mode === 'sat' ? max : wrapped() };
  }
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    return { overflow: -1, value: mode === 'sat' ? min : wrapped() };
  }
  return { overflow: 0, value: value + incr };
}

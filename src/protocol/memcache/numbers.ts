// Number parsing straight from token bytes, with the acceptance rules of memcached's
// safe_strtoul / safe_strtol / safe_strtoull (util.c): optional leading whitespace and sign,
// decimal digits, and the number may be followed by whitespace (strtol stops there) but by
// nothing else. Out-of-range values are refused instead of silently truncated.

const U32_MAX = 0xffffffff;
const I32_MIN = -0x80000000;
const I32_MAX = 0x7fffffff;
const U64_MAX = 0xffffffffffffffffn;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

interface Scan {
  neg: boolean;
  ds: number; // first digit
  de: number; // end of digits
}

const scan: Scan = { neg: false, ds: 0, de: 0 };

/** Finds sign and digit run in b[s,e); false when the token is not a number. */
function scanDigits(b: Buffer, s: number, e: number): boolean {
  let i = s;
  while (i < e && isSpace(b[i]!)) i++;
  let neg = false;
  if (i < e && (b[i] === 43 /* + */ || b[i] === 45) /* - */) {
    neg = b[i] === 45;
    i++;
  }
  const ds = i;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
  if (i === ds) return false;
  // strtol stops at the first non-digit; memcached accepts the number only if that is
  // whitespace or the end of the token.
  if (i < e && !isSpace(b[i]!)) return false;
  scan.neg = neg;
  // Leading zeros do not count towards the length limits below.
  let z = ds;
  while (z < i - 1 && b[z] === 48) z++;
  scan.ds = z;
  scan.de = i;
  return true;
}

function digitsValue(b: Buffer, ds: number, de: number): number {
  let v = 0;
  for (let i = ds; i < de; i++) v = v * 10 + (b[i]! - 48);
  return v;
}

/** u32 or NaN. A minus sign is refused unless the value is 0 (as safe_strtoul does). */
export function parseU32(b: Buffer, s: number, e: number): number {
  if (!scanDigits(b, s, e)) return NaN;
  if (scan.de - scan.ds > 16) return NaN;
  const v = digitsValue(b, scan.ds, scan.de);
  if (v > U32_MAX) return NaN;
  if (scan.neg && v !== 0) return NaN;
  return v;
}

/** Signed 32-bit integer or NaN. */
export function parseI32(b: Buffer, s: number, e: number): number {
  if (!scanDigits(b, s, e)) return NaN;
  if (scan.de - scan.ds > 16) return NaN;
  let v = digitsValue(b, scan.ds, scan.de);
  if (scan.neg) v = -v;
  if (v < I32_MIN || v > I32_MAX) return NaN;
  return v === 0 ? 0 : v; // no -0
}

/** u64 as bigint, or null. A minus sign is refused unless the value is 0. */
export function parseU64(b: Buffer, s: number, e: number): bigint | null {
  if (!scanDigits(b, s, e)) return null;
  const { ds, de, neg } = scan;
  let v: bigint;
  if (de - ds <= 15) {
    v = BigInt(digitsValue(b, ds, de));
  } else {
    v = BigInt(b.toString('latin1', ds, de));
    if (v > U64_MAX) return null;
  }
  if (neg && v !== 0n) return null;
  return v;
}

// x87 80-bit long double arithmetic for INCRBYFLOAT, done exactly with BigInt so that replies match
// Redis byte for byte: Redis parses both operands with strtold (util.c string2ld), adds them in long
// double and prints the sum with "%.17Lf" minus trailing zeros (ld2string LD_STR_HUMAN). With a
// 64-bit significand, 0.1 + 0.2 prints as "0.3" — a JS double would print 0.30000000000000004.

/** A finite long double: (-1)^neg · mant · 2^exp, mant < 2^64 (0 is mant 0). */
export interface LongDouble {
  neg: boolean;
  mant: bigint;
  exp: number;
}

const P = 64; // significand bits, integer bit explicit
const EXP_MIN = -16445; // unit of the smallest subnormal: 2^(-16382-63)
const MAX_BITS = 16384; // values >= 2^16384 overflow to infinity
const MAX_CHARS = 5 * 1024; // MAX_LONG_DOUBLE_CHARS: string2ld's buffer

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * The long double nearest to num/den (round half to even), den > 0, num >= 0; null on overflow.
 */
function roundRational(neg: boolean, num: bigint, den: bigint): LongDouble | null {
  if (num === 0n) return { neg, mant: 0n, exp: 0 };
  // Choose exp so that num/den / 2^exp has P significant bits (or fewer when subnormal).
  let exp = bitLength(num) - bitLength(den) - P;
  const scaled = (e: number): [bigint, bigint, bigint] => {
    const n = e < 0 ? num << BigInt(-e) : num;
    const d = e > 0 ? den << BigInt(e) : den;
    return [n / d, n % d, d];
  };
  // num/den > 2^(exp+P-1), so the quotient has P or P+1 bits.
  if (scaled(exp)[0] >= 1n << BigInt(P)) exp++;
  if (exp < EXP_MIN) exp = EXP_MIN;
  let [mant, rem, d] = scaled(exp);
  const twice = rem * 2n;
  if (twice > d || (twice === d && (mant & 1n) === 1n)) mant++;
  if (mant === 1n << BigInt(P)) {
    mant >>= 1n;
    exp++;
  }
  if (mant !== 0n && bitLength(mant) + exp > MAX_BITS) return null;
  return { neg, mant, exp };
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Redis string2ld: strtold over the whole argument (a NUL ends the C string), no leading space,
 * no trailing bytes; rejects NaN and ranges strtold reports as ERANGE with ±HUGE_VAL or zero.
 * Returns a LongDouble, ±Infinity (the text "inf"/"infinity"), or null when invalid.
 */
export function parseLongDouble(b: Buffer): LongDouble | number | null {
  if (b.length === 0 || b.length >= MAX_CHARS) return null;
  if (isSpace(b[0]!)) return null;
  const nul = b.indexOf(0);
  const s = b.subarray(0, nul < 0 ? b.length : nul).toString('latin1');
  const m = /^([+-]?)(?:(inf(?:inity)?)|0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?|(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?)$/i.exec(s);
  if (!m) return null;
  const neg = m[1] === '-';
  if (m[2] !== undefined) return neg ? -Infinity : Infinity;
  let digits: string;
  let frac: string;
  let base: bigint;
  let exp2 = 0n; // value = int(digits+frac, base) · base^-len(frac) · 2^exp2 · 10^exp10
  let exp10 = 0n;
  if (m[3] !== undefined) {
    digits = m[3];
    frac = m[4] ?? '';
    base = 16n;
    if (digits === '' && frac === '') return null; // "0x" parses as "0" with "x" left over
    if (m[5] !== undefined) exp2 = BigInt(m[5]);
  } else {
    digits = m[6] ?? '';
    frac = m[7] ?? '';
    base = 10n;
    if (digits === '' && frac === '') return null;
    if (m[8] !== undefined) exp10 = BigInt(m[8]);
  }
  const mantText = (digits + frac).replace(/^0+/, '');
  if (mantText === '') return { neg, mant: 0n, exp: 0 };
  let num = BigInt((base === 16n ? '0x' : '') + mantText);
  let den = 1n;
  if (base === 16n) exp2 -= BigInt(frac.length * 4);
  else exp10 -= BigInt(frac.length);
  // Far outside the long double range: ERANGE (overflow to HUGE_VAL or underflow to 0).
  const magnitude2 = BigInt(bitLength(num)) + exp2 + (exp10 * 3322n) / 1000n;
  if (magnitude2 > 16500n || magnitude2 < -16600n) return null;
  if (exp10 > 0n) num *= 10n ** exp10;
  else if (exp10 < 0n) den *= 10n ** -exp10;
  if (exp2 > 0n) num <<= exp2;
  else if (exp2 < 0n) den <<= -exp2;
  const r = roundRational(neg, num, den);
  if (r === null || r.mant === 0n) return null; // ERANGE with HUGE_VAL, or underflow to zero
  return r;
}

/** a + b rounded to long double; null when the sum overflows to infinity. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  const e = Math.min(a.exp, b.exp);
  const av = (a.neg ? -a.mant : a.mant) << BigInt(a.exp - e);
  const bv = (b.neg ? -b.mant : b.mant) << BigInt(b.exp - e);
  const sum = av + bv;
  const neg = sum < 0n || (sum === 0n && a.neg && b.neg); // IEEE: -0 + -0 = -0, else +0
  const abs = sum < 0n ? -sum : sum;
  return e >= 0 ? roundRational(neg, abs << BigInt(e), 1n) : roundRational(neg, abs, 1n << BigInt(-e));
}

/** ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros (and a bare '.') removed, "-0" as "0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  const SCALE = 10n ** 17n;
  let q: bigint;
  if (v.exp >= 0) {
    q = (v.mant << BigInt(v.exp)) * SCALE;
  } else {
    const n = v.mant * SCALE;
    const d = 1n << BigInt(-v.exp);
    q = n / d;
    const twice = (n % d) * 2n;
    if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  }
  const intPart = (q / SCALE).toString();
  const fracPart = (q % SCALE).toString().padStart(17, '0').replace(/0+$/, '');
  const s = (v.neg ? '-' : '') + intPart + (fracPart ? '.' + fracPart : '');
  return s === '-0' ? '0' : s;
}

// Double -> text as Redis's addReplyDouble prints it (RESP3 ",<text>", RESP2 a bulk of <text>).
// Two Redis 7 generations differ, so both are here; ReplyWriter takes either:
// - formatDouble (default): Redis 7.2+ and Valkey, util.c d2string(): "nan", "inf", "-inf",
//   "0"/"-0"; integral values within ±LLONG_MAX/2 as plain integers (ll2string); everything else
//   through fpconv_dtoa (Grisu2, shortest digits) with its layout rules (emit_digits) reproduced
//   below. JS gives the shortest round-trip digits natively (toExponential() without argument);
//   Grisu2 agrees except in rare cases where it is not shortest. 0.1 -> "0.1", 1e17 -> "100000000000000000".
// - formatDoubleRedis70: Redis 7.0, printf("%.17g"). 0.1 -> "0.10000000000000001", 1e17 -> "1e+17".

const LL_HALF = 4611686018427387904; // (double)(LLONG_MAX/2) rounds to 2^62

export function formatDouble(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && d >= -LL_HALF && d <= LL_HALF) {
    // Exact integer digits: String() would print only the shortest digits above 2^53.
    return Number.isSafeInteger(d) ? String(d) : BigInt(d).toString();
  }
  return fpconvLayout(d);
}

function fpconvLayout(d: number): string {
  const neg = d < 0;
  const e = (neg ? -d : d).toExponential(); // "d.ddde±x", shortest digits
  const ePos = e.indexOf('e');
  const digits = e[1] === '.' ? e[0]! + e.slice(2, ePos) : e.slice(0, ePos);
  const ndigits = digits.length;
  const K = Number(e.slice(ePos + 1)) - (ndigits - 1); // value = digits · 10^K
  const exp = Math.abs(K + ndigits - 1);
  const sign = neg ? '-' : '';

  // Plain integer (trailing zeros).
  if (K >= 0 && exp < ndigits + 7) return sign + digits + '0'.repeat(K);

  // Decimal without exponent.
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = ndigits + K;
    if (offset <= 0) return sign + '0.' + '0'.repeat(-offset) + digits;
    return sign + digits.slice(0, offset) + '.' + digits.slice(offset);
  }

  // Scientific: d[.ddd]e±x, exponent without zero padding (at least 1, or 3 digits when >= 100).
  const nd = Math.min(ndigits, 18 - (neg ? 1 : 0));
  let s = sign + digits[0]!;
  if (nd > 1) s += '.' + digits.slice(1, nd);
  return s + 'e' + (K + ndigits - 1 < 0 ? '-' : '+') + String(exp);
}

/**
 * Redis 7.0's addReplyDouble: printf("%.17g") (inf/-inf spelled out, nan as "nan"). E.g. 0.1 ->
 * "0.10000000000000001", 1e17 -> "1e+17". For matching a 7.0 server byte for byte.
 */
export function formatDoubleRedis70(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const e = Math.abs(d).toExponential(16); // 17 significant digits, exactly rounded
  const ePos = e.indexOf('e');
  const digits = e[0]! + e.slice(2, ePos);
  const X = Number(e.slice(ePos + 1));
  if (X < -4 || X >= 17) {
    // %e, then %g drops trailing zeros; the exponent has at least two digits
    const frac = digits.slice(1).replace(/0+$/, '');
    const ax = Math.abs(X);
    return sign + digits[0]! + (frac ? '.' + frac : '') + 'e' + (X < 0 ? '-' : '+') + (ax < 10 ? '0' : '') + String(ax);
  }
  let int: string;
  let frac: string;
  if (X >= 0) {
    int = digits.slice(0, X + 1);
    frac = digits.slice(X + 1);
  } else {
    int = '0';
    frac = '0'.repeat(-X - 1) + digits;
  }
  frac = frac.replace(/0+$/, '');
  return sign + int + (frac ? '.' + frac : '');
}

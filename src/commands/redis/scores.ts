// Sorted-set arguments as Redis reads them: scores (getDoubleFromObject: the whole argument is a
// strtod number, no leading space, no overflow, never NaN), score ranges (zslParseRange: "(" for
// exclusive, strtod of the rest up to its end, so "" is 0 and "1e999" is inf) and member ranges
// (zslParseLexRange: "-", "+", "[member", "(member").
import { ErrorReply } from '../../protocol/resp/reply.js';
import type { LexRange, ScoreRange } from '../../store/store.js';

export const NOT_FLOAT_RANGE = new ErrorReply('ERR min or max is not a float');
export const NOT_LEX_RANGE = new ErrorReply('ERR min or max not valid string range item');

interface Strtod {
  value: number;
  /** Characters consumed; 0 when nothing converts. */
  end: number;
  /** errno ERANGE with a result of ±HUGE_VAL or zero (overflow, or underflow to 0). */
  range: boolean;
}

const SPACE = /^[ \t\n\v\f\r]*/;
const INF = /^[+-]?(infinity|inf)/i;
const NAN = /^[+-]?nan(\([0-9A-Za-z_]*\))?/i;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?/;
const DEC = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;

/** C's strtod over `s` (glibc's grammar: leading space, inf/infinity, nan, hex and decimal forms). */
export function strtod(s: string): Strtod {
  const lead = SPACE.exec(s)![0].length;
  const t = s.slice(lead);
  let m = INF.exec(t);
  if (m) return { value: t[0] === '-' ? -Infinity : Infinity, end: lead + m[0].length, range: false };
  m = NAN.exec(t);
  if (m) return { value: NaN, end: lead + m[0].length, range: false };
  m = HEX.exec(t);
  if (m) {
    const int = m[2] ?? '';
    const frac = m[3] ?? m[4] ?? '';
    const digits = (int + frac).replace(/^0+/, '');
    let v = digits === '' ? 0 : parseInt(digits.slice(0, 16), 16) * 2 ** (4 * Math.max(0, digits.length - 16));
    v *= 2 ** (Number(m[5] ?? '0') - 4 * frac.length);
    if (m[1] === '-') v = -v;
    return { value: v, end: lead + m[0].length, range: !Number.isFinite(v) || (v === 0 && digits !== '') };
  }
  m = DEC.exec(t);
  if (m) {
    const v = Number(m[0]);
    const mantissa = m[0].replace(/[eE].*$/, '');
    return { value: v, end: lead + m[0].length, range: !Number.isFinite(v) || (v === 0 && /[1-9]/.test(mantissa)) };
  }
  return { value: 0, end: 0, range: false };
}

/** A score argument (ZADD, ZINCRBY, WEIGHTS): null when Redis answers "not a valid float". */
export function parseScore(arg: Buffer): number | null {
  const s = arg.toString('latin1');
  if (s.length === 0 || /^[ \t\n\v\f\r]/.test(s)) return null;
  const r = strtod(s);
  if (r.end !== s.length || r.range || Number.isNaN(r.value)) return null;
  return r.value;
}

/** One end of a score range: strtod up to the C string's end (a NUL ends it, as in Redis). */
function scoreBound(arg: Buffer): { v: number; ex: boolean } | null {
  let s = arg.toString('latin1');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  const ex = s[0] === '(';
  if (ex) s = s.slice(1);
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  return { v: r.value, ex };
}

export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | ErrorReply {
  const a = scoreBound(min);
  const b = a && scoreBound(max);
  if (!a || !b) return NOT_FLOAT_RANGE;
  return { min: a.v, minEx: a.ex, max: b.v, maxEx: b.ex };
}

function lexBound(arg: Buffer): { v: Buffer | '-' | '+'; ex: boolean } | null {
  const c = arg[0];
  if (c === 0x2b /* + */ || c === 0x2d /* - */) {
    // A C string: "+" or "-" alone (a NUL after it ends it as well).
    if (arg.length > 1 && arg[1] !== 0) return null;
    return { v: c === 0x2b ? '+' : '-', ex: true };
  }
  if (c === 0x28 /* ( */) return { v: arg.subarray(1), ex: true };
  if (c === 0x5b /* [ */) return { v: arg.subarray(1), ex: false };
  return null;
}

export function parseLexRange(min: Buffer, max: Buffer): LexRange | ErrorReply {
  const a = lexBound(min);
  const b = a && lexBound(max);
  if (!a || !b) return NOT_LEX_RANGE;
  return { min: a.v, minEx: a.ex, max: b.v, maxEx: b.ex };
}

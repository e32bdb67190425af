// Inline command splitting, byte for byte as Redis's sdssplitargs() (sds.c), which
// processInlineBuffer uses: blanks separate arguments; "..." understands \n \r \t \b \a \xHH and
// \<any>; '...' understands only \'; a closing quote must be followed by a blank or the end; the
// line is a C string, so it ends at the first NUL byte. Returns null on unbalanced quotes.

/** C isspace(): space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits buf[start, end) into arguments. Unquoted arguments are views into buf (no copy); quoted
 * ones are new Buffers.
 */
export function splitInlineArgs(buf: Buffer, start: number, end: number): Buffer[] | null {
  const nul = buf.indexOf(0, start);
  if (nul >= 0 && nul < end) end = nul;
  // at(i): the byte at i, or 0 (the C terminator) past the end.
  const at = (i: number): number => (i < end ? buf[i]! : 0);

  const out: Buffer[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p]!)) p++;
    if (p >= end) return out;

    // Fast path: a token with no quote in it is a plain view.
    let q = p;
    for (; q < end; q++) {
      const c = buf[q]!;
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 34 || c === 39) break;
    }
    if (q >= end || (buf[q] !== 34 && buf[q] !== 39)) {
      out.push(buf.subarray(p, q));
      p = q;
      continue;
    }

    // Slow path, the sdssplitargs state machine from the quote on.
    const bytes: number[] = [];
    for (let i = p; i < q; i++) bytes.push(buf[i]!);
    p = q;
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inq) {
        let h1: number, h2: number;
        if (c === 92 && at(p + 1) === 120 && (h1 = hexVal(at(p + 2))) >= 0 && (h2 = hexVal(at(p + 3))) >= 0) {
          bytes.push(h1 * 16 + h2);
          p += 3;
        } else if (c === 92 && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          bytes.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
        } else if (c === 34) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          bytes.push(c);
        }
      } else if (insq) {
        if (c === 92 && at(p + 1) === 39) {
          p++;
          bytes.push(39);
        } else if (c === 39) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          bytes.push(c);
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        bytes.push(c);
      }
      if (at(p) !== 0) p++;
    }
    out.push(Buffer.from(bytes));
  }
}

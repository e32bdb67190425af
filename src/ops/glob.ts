// Redis glob matching (util.c stringmatchlen) for CONFIG GET patterns: * ? [abc] [^a] [a-z] \x.

export function globMatch(pattern: string, str: string, nocase = true): boolean {
  if (nocase) {
    pattern = pattern.toLowerCase();
    str = str.toLowerCase();
  }
  return matchAt(pattern, 0, str, 0);
}

function matchAt(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      while (p[pi + 1] === '*') pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchAt(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      si++;
      pi++;
      continue;
    }
    if (c === '[') {
      const r = matchClass(p, pi + 1, s[si]!);
      if (!r.matched) return false;
      pi = r.next;
      si++;
      continue;
    }
    let lit = c;
    if (c === '\\' && pi + 1 < p.length) lit = p[++pi]!;
    if (lit !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

/** Matches one character against a [...] class starting after '['; next = index after ']'. */
function matchClass(p: string, pi: number, ch: string): { matched: boolean; next: number } {
  const negate = p[pi] === '^';
  if (negate) pi++;
  let matched = false;
  while (pi < p.length && p[pi] !== ']') {
    if (p[pi] === '\\' && pi + 1 < p.length) {
      if (p[pi + 1] === ch) matched = true;
      pi += 2;
    } else if (p[pi + 1] === '-' && pi + 2 < p.length && p[pi + 2] !== ']') {
      let lo = p[pi]!;
      let hi = p[pi + 2]!;
      if (lo > hi) [lo, hi] = [hi, lo];
      if (ch >= lo && ch <= hi) matched = true;
      pi += 3;
    } else {
      if (p[pi] === ch) matched = true;
      pi++;
    }
  }
  // An unterminated class ends the pattern, as in Redis.
  return { matched: negate ? !matched : matched, next: pi < p.length ? pi + 1 : pi };
}

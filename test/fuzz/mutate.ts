// Byte mutation of valid request streams: bit flips, byte insert/delete/replace, truncation,
// duplication and splicing of ranges, long unterminated lines, length-field corruption (`$-5`, `*99999999999`, 2^31, 2^63,
// 2^64, leading zeros, signs) and CR/LF games. A mutation is plain data (what fast-check generates
// and shrinks), applied deterministically to a Buffer.
import fc from 'fast-check';

export interface Mutation {
  op: number;
  /** Position, taken modulo the stream length (+1 for inserts). */
  at: number;
  /** A range length or a byte value. */
  len: number;
  /** Index into TOKENS / NUMBERS. */
  tok: number;
}

/** Bytes that mean something to one of the two protocols. */
export const TOKENS: readonly Buffer[] = [
  '\r\n', '\r', '\n', '\n\r', '\r\r\n', '\x00', '*', '$', '*-1\r\n', '*0\r\n', '$-1\r\n', '$-5\r\n', '*99999999999\r\n',
  '*2147483648\r\n', '$4294967296\r\n', '$9223372036854775808\r\n', '*1048577\r\n', '$536870913\r\n', '*1\r\n$',
  '"', "'", '\\', '\\x', '\\x4', ' ', '\t', '  ', 'get ', 'gets ', 'gat 10 ', 'set k 0 0 ', 'ms k ', 'mg k v', 'ma k ',
  ' noreply', ' HTTP/1.1\r\n', 'GET / HTTP/1.1\r\n', 'cas k 0 0 1 ', 'incr k ', ' T-1', ' M', ' O', ' b', ' S',
  '99999999999999999999999', '-', '+', '0', '00',
].map((s) => Buffer.from(s, 'latin1'));

/** Replacements for a run of digits: length-field corruption. */
export const NUMBERS: readonly string[] = [
  '-5', '-1', '0', '00', '007', '+5', ' 5', '5 ', '', '99999999999', '2147483647', '2147483648', '4294967295', '4294967296',
  '9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '1e3', '0x10', '536870912',
  '536870913', '1048576', '1048577', '65536', '1',
];

const OPS = 13;

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.integer({ min: 0, max: OPS - 1 }),
  at: fc.nat(),
  len: fc.nat({ max: 300 }),
  tok: fc.nat(),
});

/** Applies the mutations in order; `other` is a second valid stream to splice from. */
export function applyMutations(input: Buffer, muts: readonly Mutation[], other: Buffer): Buffer {
  let b = input;
  for (const m of muts) b = mutateOnce(b, m, other);
  return b;
}

function cat(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts);
}

export function mutateOnce(b: Buffer, m: Mutation, other: Buffer): Buffer {
  const n = b.length;
  const at = n === 0 ? 0 : m.at % n;
  const ins = m.at % (n + 1);
  switch (m.op) {
    case 0: { // flip one bit
      if (n === 0) return b;
      const c = Buffer.from(b);
      c[at] = c[at]! ^ (1 << (m.len & 7));
      return c;
    }
    case 1: { // replace one byte
      if (n === 0) return b;
      const c = Buffer.from(b);
      c[at] = m.len & 0xff;
      return c;
    }
    case 2: // insert a protocol token
      return cat(b.subarray(0, ins), TOKENS[m.tok % TOKENS.length]!, b.subarray(ins));
    case 3: // delete a range
      return cat(b.subarray(0, at), b.subarray(Math.min(n, at + 1 + (m.len % 16))));
    case 4: // truncate
      return b.subarray(0, at);
    case 5: { // duplicate a range in place
      const e = Math.min(n, at + 1 + m.len);
      return cat(b.subarray(0, e), b.subarray(at, e), b.subarray(e));
    }
    case 6: { // splice: a range of the other stream
      if (other.length === 0) return b;
      const s = m.tok % other.length;
      return cat(b.subarray(0, ins), other.subarray(s, Math.min(other.length, s + 1 + m.len)), b.subarray(ins));
    }
    case 7: { // corrupt a length / numeric field: the first digit run at or after `at`
      let s = at;
      while (s < n && (b[s]! < 48 || b[s]! > 57)) s++;
      if (s >= n) return b;
      let e = s;
      while (e < n && b[e]! >= 48 && b[e]! <= 57) e++;
      return cat(b.subarray(0, s), Buffer.from(NUMBERS[m.tok % NUMBERS.length]!, 'latin1'), b.subarray(e));
    }
    case 8: { // CR/LF games: rewrite the line ending at or after `at`
      const i = b.indexOf(10, at);
      if (i < 0) return b;
      const s = i > 0 && b[i - 1] === 13 ? i - 1 : i;
      const endings = ['\n', '\r', '', '\r\r\n', '\n\n', '\r\n\r\n', ' \r\n', '\r \n'];
      return cat(b.subarray(0, s), Buffer.from(endings[m.tok % endings.length]!, 'latin1'), b.subarray(i + 1));
    }
    case 9: // insert random-looking bytes (derived from the fields, deterministic)
      return cat(b.subarray(0, ins), noise(m.tok, 1 + (m.len % 40)), b.subarray(ins));
    case 10: { // swap the halves at `at` (reorders requests and their data blocks)
      return cat(b.subarray(at), b.subarray(0, at));
    }
    case 12: { // a long line without LF (past the inline/line limits), maybe as a `*`/`$` count or a get
      const heads = ['', '*', '$', '*1\r\n$', 'get ', 'set k 0 0 1 ', 'mg ', '"'];
      const fill = ['x', '1', ' ', '"', '\r'];
      const run = Buffer.alloc(1500 + m.len * 30, fill[m.tok % fill.length]!, 'latin1');
      return cat(b.subarray(0, ins), Buffer.from(heads[(m.tok >> 3) % heads.length]!, 'latin1'), run, b.subarray(ins));
    }
    default: { // huge numbers in a fresh header line
      const heads = ['*', '$', 'set k 0 0 ', 'ms k ', 'get ', '*1\r\n$'];
      const num = NUMBERS[m.tok % NUMBERS.length]!;
      return cat(b.subarray(0, ins), Buffer.from(heads[m.len % heads.length]! + num + '\r\n', 'latin1'), b.subarray(ins));
    }
  }
}

function noise(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

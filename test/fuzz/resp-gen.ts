// Valid RESP requests (RESP2 and RESP3 clients send requests the same way: arrays of bulk strings,
// or inline commands; RESP3 is chosen by the HELLO 3 command), as fast-check arbitraries, with the
// commands the parser must return for them.
import fc from 'fast-check';

/** One request item: its bytes, and the command it stands for (null: nothing runs, e.g. `*0`). */
export interface RespItem {
  bytes: Buffer;
  command: Buffer[] | null;
}

const buf = (a: Uint8Array): Buffer => Buffer.from(a);

/** Mostly short arguments, some binary, a few larger than a TCP segment. */
export const argArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...['GET', 'SET', 'k', 'key:1', 'v', '0', '-1', 'HELLO', '3', 'PING', 'MSET', '*', '$', '"', "'", ''].map((s) => Buffer.from(s))) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }).map(buf) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 3000 }).map(buf) },
);

export const commandArb: fc.Arbitrary<Buffer[]> = fc.array(argArb, { minLength: 1, maxLength: 8 });

export function multibulk(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, CRLF);
  return Buffer.concat(parts);
}
const CRLF = Buffer.from('\r\n');

/** A plain inline token needs no quoting: no blank, quote or NUL, not empty. */
function plain(a: Buffer): boolean {
  if (a.length === 0) return false;
  for (const c of a) if (c === 32 || (c >= 9 && c <= 13) || c === 34 || c === 39 || c === 0 || c === 92) return false;
  return true;
}

/** "..." with \xHH for anything not printable, and for the quote and backslash (sdssplitargs reads it back). */
function quoted(a: Buffer): string {
  let s = '"';
  for (const c of a) s += c >= 0x20 && c < 0x7f && c !== 34 && c !== 92 ? String.fromCharCode(c) : '\\x' + c.toString(16).padStart(2, '0');
  return s + '"';
}

/** An inline command line: plain tokens where possible, else quoted; ends in CRLF or LF. */
export function inline(args: readonly Buffer[], lf: boolean, quoteAll: boolean, sep: string): Buffer {
  const toks = args.map((a, i) => (!quoteAll && plain(a) && !(i === 0 && a[0] === 0x2a) ? a.toString('latin1') : quoted(a)));
  return Buffer.from(toks.join(sep) + (lf ? '\n' : '\r\n'), 'latin1');
}

/** Longest inline line the generator makes (the parser's maxInlineSize must be above it). */
export const INLINE_MAX = 1024;

export const itemArb: fc.Arbitrary<RespItem> = fc.oneof(
  { weight: 12, arbitrary: commandArb.map((command) => ({ bytes: multibulk(command), command })) },
  {
    weight: 6,
    arbitrary: fc.tuple(commandArb, fc.boolean(), fc.boolean(), fc.constantFrom(' ', '  ', ' \t')).map(([command, lf, q, sep]) => {
      const bytes = inline(command, lf, q, sep);
      // Too long for one inline line: send it as a multibulk instead.
      return bytes.length <= INLINE_MAX ? { bytes, command } : { bytes: multibulk(command), command };
    }),
  },
  // Requests that run nothing: Redis skips them.
  { weight: 1, arbitrary: fc.constantFrom('*0\r\n', '*-1\r\n', '\r\n', '\n', '   \r\n', '\t\n').map((s) => ({ bytes: Buffer.from(s), command: null })) },
);

export const streamArb: fc.Arbitrary<RespItem[]> = fc.array(itemArb, { minLength: 1, maxLength: 12 });

export function streamBytes(items: readonly RespItem[]): Buffer {
  return Buffer.concat(items.map((i) => i.bytes));
}

export function expectedCommands(items: readonly RespItem[]): Buffer[][] {
  return items.filter((i) => i.command !== null).map((i) => i.command!);
}

import { describe, expect, it, vi } from 'vitest';
import { ProtocolError, RequestParser, parseLL, type RequestParserOptions } from '../../../src/protocol/resp/parser.js';

type Item = string[] | ProtocolError;

/** Drains every result the parser has right now; commands as latin1 strings (byte-exact). */
function drain(p: RequestParser): Item[] {
  const out: Item[] = [];
  for (let r = p.next(); r !== undefined; r = p.next()) {
    out.push(r instanceof ProtocolError ? r : r.map((b) => b.toString('latin1')));
  }
  return out;
}

/** Feeds the chunks one by one, draining after each, as the server does. */
function parseChunks(chunks: Buffer[], opts?: RequestParserOptions): Item[] {
  const p = new RequestParser(opts);
  const out: Item[] = [];
  for (const c of chunks) {
    p.feed(c);
    out.push(...drain(p));
  }
  return out;
}

const L = (s: string): Buffer => Buffer.from(s, 'latin1');
const parse = (s: string | Buffer, opts?: RequestParserOptions): Item[] =>
  parseChunks([typeof s === 'string' ? L(s) : s], opts);

/** RESP multibulk encoding of a command. */
function mb(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [L(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? L(a) : a;
    parts.push(L(`$${b.length}\r\n`), b, L('\r\n'));
  }
  return Buffer.concat(parts);
}

function errorOf(items: Item[]): string | undefined {
  const last = items[items.length - 1];
  return last instanceof ProtocolError ? last.message : undefined;
}

describe('RequestParser: multibulk', () => {
  it('parses a command', () => {
    expect(parse('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n')).toEqual([['SET', 'key', 'value']]);
  });

  it('is binary safe: CR, LF, NUL, * and $ inside arguments', () => {
    const bin = Buffer.from([0, 13, 10, 42, 36, 255, 0, 13, 10, 13]);
    const out = parse(mb('SET', bin, '\r\n'));
    expect(out).toHaveLength(1);
    const cmd = out[0] as string[];
    expect(Buffer.from(cmd[1]!, 'latin1').equals(bin)).toBe(true);
    expect(cmd[2]).toBe('\r\n');
  });

  it('accepts empty bulks', () => {
    expect(parse('*2\r\n$3\r\nGET\r\n$0\r\n\r\n')).toEqual([['GET', '']]);
  });

  it('skips *0, *-1 and other non-positive counts as Redis does', () => {
    expect(parse('*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n')).toEqual([['PING']]);
    expect(parse('*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n')).toEqual([['PING']]);
  });

  it('returns arguments as views of the fed chunk (no copy)', () => {
    const chunk = mb('SET', 'k', 'v');
    const p = new RequestParser();
    p.feed(chunk);
    const cmd = p.next() as Buffer[];
    expect(cmd.map((b) => b.toString())).toEqual(['SET', 'k', 'v']);
    expect(cmd[1]!.buffer).toBe(chunk.buffer);
  });

  it('does not return a command before the CRLF ending its last bulk has arrived', () => {
    const p = new RequestParser();
    p.feed(L('*1\r\n$4\r\nPING'));
    expect(p.next()).toBeUndefined();
    p.feed(L('\r'));
    expect(p.next()).toBeUndefined();
    p.feed(L('\n'));
    expect(drain(p)).toEqual([['PING']]);
  });

  it('does not check the bytes after a bulk (Redis skips 2 bytes without looking)', () => {
    expect(parse('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n')).toEqual([['PING'], ['PING']]);
  });

  it('ends a * or $ line at the first CR and takes the next byte as its LF', () => {
    expect(parse('*1\rX$4\rYPING\r\n')).toEqual([['PING']]);
  });

  // Redis 7 accepts up to INT_MAX (argv grows lazily); daxcache bounds it by configuration.
  it('accepts a 1 MiB multibulk count (the default bound) and refuses one more', () => {
    const p = new RequestParser();
    p.feed(L('*1048576\r\n$1\r\na\r\n'));
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(1);
    expect(errorOf(parse('*1048577\r\n'))).toBe('ERR Protocol error: invalid multibulk length');
  });
});

describe('RequestParser: pipelines and chunking', () => {
  const pipeline = Buffer.concat([
    mb('SET', 'a', '1'),
    L('PING\r\n'),
    mb('SET', 'bin', Buffer.from([13, 10, 0, 42])),
    L('\r\n'),
    L('set b "x y"\n'),
    L('*0\r\n'),
    mb('GET', ''),
    L("  echo 'it\\'s'  \r\n"),
    mb('MSET', 'k1', 'v1', 'k2', 'v2'),
  ]);
  const expected = [
    ['SET', 'a', '1'],
    ['PING'],
    ['SET', 'bin', '\r\n\u0000*'],
    ['set', 'b', 'x y'],
    ['GET', ''],
    ['echo', "it's"],
    ['MSET', 'k1', 'v1', 'k2', 'v2'],
  ];

  it('parses the whole pipeline in one chunk', () => {
    expect(parse(pipeline)).toEqual(expected);
  });

  it('gives the same commands when split at every byte position', () => {
    for (let i = 0; i <= pipeline.length; i++) {
      const out = parseChunks([pipeline.subarray(0, i), pipeline.subarray(i)]);
      expect(out, `split at ${i}`).toEqual(expected);
    }
  });

  it('gives the same commands when split at every pair of positions', () => {
    for (let i = 0; i <= pipeline.length; i += 3) {
      for (let j = i; j <= pipeline.length; j++) {
        const out = parseChunks([pipeline.subarray(0, i), pipeline.subarray(i, j), pipeline.subarray(j)]);
        expect(out, `split at ${i},${j}`).toEqual(expected);
      }
    }
  });

  it('gives the same commands fed one byte at a time', () => {
    const chunks = [...pipeline].map((b) => Buffer.from([b]));
    expect(parseChunks(chunks)).toEqual(expected);
  });

  it('handles several feeds before the caller drains', () => {
    const p = new RequestParser();
    for (let i = 0; i < pipeline.length; i += 7) p.feed(pipeline.subarray(i, i + 7));
    expect(drain(p)).toEqual(expected);
    expect(p.bufferedBytes).toBe(0);
  });

  it('parses a 10k-command pipeline in one chunk and in 1000-byte chunks', () => {
    const cmds: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) cmds.push(i % 10 === 9 ? L(`INCR n${i}\r\n`) : mb('SET', `key:${i}`, `value-${i}`));
    const all = Buffer.concat(cmds);
    const check = (out: Item[]): void => {
      expect(out).toHaveLength(10_000);
      for (let i = 0; i < 10_000; i++) {
        expect(out[i]).toEqual(i % 10 === 9 ? ['INCR', `n${i}`] : ['SET', `key:${i}`, `value-${i}`]);
      }
    };
    check(parse(all));
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 1000) chunks.push(all.subarray(i, i + 1000));
    check(parseChunks(chunks));
  });

  it('takes an 8 MiB bulk in 64 KiB chunks and joins it once', () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const wire = Buffer.concat([mb('SET', 'big', big), mb('GET', 'big')]);
    const p = new RequestParser();
    const concat = vi.spyOn(Buffer, 'concat');
    const got: Buffer[][] = [];
    let maxBuffered = 0;
    for (let i = 0; i < wire.length; i += 64 * 1024) {
      p.feed(wire.subarray(i, i + 64 * 1024));
      maxBuffered = Math.max(maxBuffered, p.bufferedBytes);
      for (let r = p.next(); r !== undefined; r = p.next()) {
        if (r instanceof ProtocolError) throw r;
        got.push(r);
      }
    }
    expect(concat).toHaveBeenCalledTimes(1); // one join of the views: linear, no re-copying
    concat.mockRestore();
    expect(got).toHaveLength(2);
    expect(got[0]![0]!.toString()).toBe('SET');
    expect(got[0]![2]!.length).toBe(big.length);
    expect(got[0]![2]!.equals(big)).toBe(true);
    expect(got[1]!.map(String)).toEqual(['GET', 'big']);
    expect(maxBuffered).toBeGreaterThan(8 * 1024 * 1024 - 64 * 1024);
    expect(p.bufferedBytes).toBe(0);
  });
});

describe('RequestParser: inline commands', () => {
  it('parses PING\\r\\n and LF-only lines', () => {
    expect(parse('PING\r\nset a b\nGET a\r\n')).toEqual([['PING'], ['set', 'a', 'b'], ['GET', 'a']]);
  });

  it('ignores empty and blank lines', () => {
    expect(parse('\r\n\n   \t \r\nPING\r\n\n')).toEqual([['PING']]);
  });

  it('splits on runs of blanks', () => {
    expect(parse('  SET\t a   b  \r\n')).toEqual([['SET', 'a', 'b']]);
  });

  it('understands double quotes with escapes', () => {
    expect(parse('SET k "a\\nb\\r\\t\\b\\a\\\\\\"\\x41\\x7a\\q"\r\n')).toEqual([
      ['SET', 'k', 'a\nb\r\t\b\u0007\\"Azq'],
    ]);
    expect(parse('SET k "\\x4g"\r\n')).toEqual([['SET', 'k', 'x4g']]);
    expect(parse('SET k "\\xff\\x00"\r\n')).toEqual([['SET', 'k', '\u00ff\u0000']]);
  });

  it("understands single quotes with \\' only", () => {
    expect(parse("SET k 'it\\'s \\n raw'\r\n")).toEqual([['SET', 'k', "it's \\n raw"]]);
  });

  it('joins a quoted part to the unquoted text before it, and accepts empty quotes', () => {
    expect(parse('SET foo"bar baz" ""\r\n')).toEqual([['SET', 'foobar baz', '']]);
  });

  // Redis's sdssplitargs stops at a NUL, but processInlineBuffer's strchr() stops there first and
  // never finds the newline, so Redis hangs the client until 64 KiB. We answer instead.
  it('ends the inline arguments at a NUL byte (sdssplitargs) instead of hanging like Redis', () => {
    expect(parse(Buffer.from('PING\0 ignored\r\n', 'latin1'))).toEqual([['PING']]);
  });

  it('accepts a long line when its newline is already there', () => {
    const v = 'x'.repeat(100 * 1024);
    expect(parse(`SET k ${v}\r\n`)).toEqual([['SET', 'k', v]]);
  });

  it('reports unbalanced quotes', () => {
    const msg = 'ERR Protocol error: unbalanced quotes in request';
    expect(errorOf(parse('SET k "abc\r\n'))).toBe(msg);
    expect(errorOf(parse("SET k 'abc\r\n"))).toBe(msg);
    expect(errorOf(parse('SET k "abc"def\r\n'))).toBe(msg);
    expect(errorOf(parse("SET k 'abc'd\r\n"))).toBe(msg);
    expect(errorOf(parse('SET k "ab\\"\r\n'))).toBe(msg);
  });
});

describe('RequestParser: protocol errors (exact Redis messages)', () => {
  const cases: Array<[string, string]> = [
    ['*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*01\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*+1\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*-0\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['* 1\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\n$4\r\nPING\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*9223372036854775807\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*-9223372036854775809\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$abc\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$04\r\nPING\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\nfoo\r\n', "ERR Protocol error: expected '$', got 'f'"],
    ['*2\r\n$3\r\nGET\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'"],
    ['*1\r\n\r\n', "ERR Protocol error: expected '$', got ' '"],
  ];
  for (const [input, msg] of cases) {
    it(`${JSON.stringify(input)} -> ${msg}`, () => {
      const out = parse(input);
      expect(errorOf(out)).toBe(msg);
      const e = out[out.length - 1] as ProtocolError;
      expect(e.sendReply).toBe(true);
      // and the same when the bytes arrive one by one
      expect(errorOf(parseChunks([...L(input)].map((b) => Buffer.from([b]))))).toBe(msg);
    });
  }

  it('accepts a bulk of exactly proto-max-bulk-len and refuses one more, before its bytes arrive', () => {
    const opts = { maxBulkLen: 10 };
    expect(parse('*1\r\n$10\r\n0123456789\r\n', opts)).toEqual([['0123456789']]);
    expect(errorOf(parse('*1\r\n$11\r\n', opts))).toBe('ERR Protocol error: invalid bulk length');
  });

  it('honours maxMultibulkLen', () => {
    expect(errorOf(parse('*3\r\n', { maxMultibulkLen: 2 }))).toBe('ERR Protocol error: invalid multibulk length');
    expect(parse('*2\r\n$1\r\na\r\n$1\r\nb\r\n', { maxMultibulkLen: 2 })).toEqual([['a', 'b']]);
  });

  it('too big mbulk count string: more than 64 KiB without a CR', () => {
    const p = new RequestParser();
    p.feed(L('*1' + '1'.repeat(40 * 1024)));
    expect(p.next()).toBeUndefined();
    p.feed(L('1'.repeat(40 * 1024)));
    expect(drain(p).map((e) => (e as ProtocolError).message)).toEqual([
      'ERR Protocol error: too big mbulk count string',
    ]);
  });

  it('too big bulk count string: more than 64 KiB without a CR', () => {
    expect(errorOf(parse('*1\r\n$' + '9'.repeat(64 * 1024 + 1)))).toBe('ERR Protocol error: too big bulk count string');
    expect(parse('*1\r\n$' + '9'.repeat(64 * 1024 - 1))).toEqual([]);
  });

  it('too big inline request: more than 64 KiB without a newline', () => {
    expect(errorOf(parse('x'.repeat(64 * 1024 + 1)))).toBe('ERR Protocol error: too big inline request');
    expect(parse('x'.repeat(64 * 1024))).toEqual([]);
    const chunks = Array.from({ length: 70 }, () => L('y'.repeat(1024)));
    expect(errorOf(parseChunks(chunks))).toBe('ERR Protocol error: too big inline request');
  });

  it('honours maxInlineSize', () => {
    expect(errorOf(parse('PING PING', { maxInlineSize: 8 }))).toBe('ERR Protocol error: too big inline request');
  });

  it('returns the commands before the error, then the error once, then nothing', () => {
    const p = new RequestParser();
    p.feed(Buffer.concat([L('PING\r\n'), mb('GET', 'a'), L('*x\r\n'), mb('GET', 'b')]));
    const out = drain(p);
    expect(out.slice(0, 2)).toEqual([['PING'], ['GET', 'a']]);
    expect((out[2] as ProtocolError).message).toBe('ERR Protocol error: invalid multibulk length');
    expect((out[2] as ProtocolError).reason).toBe('invalid mbulk count');
    expect(out).toHaveLength(3);
    expect(p.error?.message).toBe('ERR Protocol error: invalid multibulk length');
    p.feed(mb('PING'));
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(0);
  });

  it('a ProtocolError is an ErrorReply the server can write', async () => {
    const { ErrorReply } = await import('../../../src/protocol/resp/reply.js');
    expect(errorOf(parse('*x\r\n'))).toBeDefined();
    expect(parse('*x\r\n')[0]).toBeInstanceOf(ErrorReply);
  });
});

describe('RequestParser: bufferedBytes and client-query-buffer-limit', () => {
  it('counts unparsed bytes, parsed arguments of the pending command and partial bulks', () => {
    const p = new RequestParser();
    p.feed(L('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n01234'));
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(3 + 1 + 5);
    p.feed(L('56789\r\nPI'));
    expect(drain(p)).toEqual([['SET', 'k', '0123456789']]);
    expect(p.bufferedBytes).toBe(2);
  });

  it('counts fed bytes before they are parsed', () => {
    const p = new RequestParser();
    p.feed(mb('PING'));
    p.feed(mb('PING'));
    expect(p.bufferedBytes).toBe(2 * mb('PING').length);
  });

  it('drops the client without a reply past the limit, as Redis does', () => {
    const p = new RequestParser({ queryBufferLimit: 100 });
    p.feed(Buffer.concat([mb('PING'), L('*1\r\n$200\r\n'), L('x'.repeat(50))]));
    expect(p.next()).toEqual([Buffer.from('PING')]);
    expect(p.next()).toBeUndefined();
    p.feed(L('x'.repeat(60)));
    const e = p.next() as ProtocolError;
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.sendReply).toBe(false);
    expect(p.next()).toBeUndefined();
  });
});

describe('parseLL (Redis string2ll)', () => {
  const v = (s: string): number | null => parseLL(L(s), 0, s.length);
  it('parses strictly', () => {
    expect(v('0')).toBe(0);
    expect(v('123')).toBe(123);
    expect(v('-123')).toBe(-123);
    expect(v('9007199254740991')).toBe(9007199254740991);
    expect(v('9223372036854775807')).toBeGreaterThan(9e18);
    expect(v('-9223372036854775808')).toBeLessThan(-9e18);
    for (const bad of ['', '-', '-0', '00', '01', '+1', ' 1', '1 ', '1a', '9223372036854775808', '-9223372036854775809', '123456789012345678901']) {
      expect(v(bad), bad).toBeNull();
    }
  });
});

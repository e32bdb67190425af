import { describe, expect, it } from 'vitest';
import { splitInlineArgs } from '../../../src/protocol/resp/inline.js';

const split = (s: string): string[] | null => {
  const b = Buffer.from(s, 'latin1');
  const r = splitInlineArgs(b, 0, b.length);
  return r === null ? null : r.map((x) => x.toString('latin1'));
};

describe('splitInlineArgs (Redis sdssplitargs)', () => {
  it('splits on blanks; \\v and \\f separate only between arguments', () => {
    expect(split('a b\tc')).toEqual(['a', 'b', 'c']);
    expect(split('\u000ba\u000cb')).toEqual(['a\u000cb']);
    expect(split('')).toEqual([]);
    expect(split(' \t ')).toEqual([]);
  });

  it('handles escapes only inside double quotes', () => {
    expect(split('a\\nb "a\\nb"')).toEqual(['a\\nb', 'a\nb']);
    expect(split('"\\x41\\x4"')).toEqual(['Ax4']);
    expect(split('"\\xZZ"')).toEqual(['xZZ']);
  });

  it('accepts a closing quote followed by any blank or the end', () => {
    expect(split('"a"\t"b"\u000b"c"')).toEqual(['a', 'b', 'c']);
  });

  it('refuses unterminated quotes and text glued after a closing quote', () => {
    expect(split('"abc')).toBeNull();
    expect(split("'abc")).toBeNull();
    expect(split('"a"b')).toBeNull();
    expect(split('"abc\\"')).toBeNull();
    expect(split('"abc\\')).toBeNull();
  });

  it('returns unquoted arguments as views of the line', () => {
    const line = Buffer.from('GET key');
    const r = splitInlineArgs(line, 0, line.length)!;
    expect(r[1]!.buffer).toBe(line.buffer);
  });

  it('works on a sub-range of a buffer', () => {
    const b = Buffer.from('xxGET a "b c"yy');
    expect(splitInlineArgs(b, 2, b.length - 2)!.map(String)).toEqual(['GET', 'a', 'b c']);
  });
});

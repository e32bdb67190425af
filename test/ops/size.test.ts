import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from '../../src/ops/size.js';

describe('parseSize (Redis memtoull units)', () => {
  it.each([
    ['0', 0],
    ['1024', 1024],
    ['100b', 100],
    ['1k', 1000],
    ['1kb', 1024],
    ['100kb', 102400],
    ['1m', 1_000_000],
    ['512mb', 512 * 1024 ** 2],
    ['1g', 1e9],
    ['4gb', 4 * 1024 ** 3],
    ['4GB', 4 * 1024 ** 3],
    ['1Mb', 1024 ** 2],
    [' 2kb ', 2048],
  ])('%j -> %d', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'kb', '12qb', '-1', '-1mb', '1.5gb', '1 mb', '1tb', 'abc', '0x10', '99999999999999999999'])(
    'rejects %j',
    (text) => {
      expect(parseSize(text)).toBeNull();
    },
  );

  it('rejects sizes a double cannot hold exactly', () => {
    expect(parseSize(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSize('9007199254740992')).toBeNull();
  });
});

describe('formatSize', () => {
  it('uses the largest exact binary unit', () => {
    expect(formatSize(0)).toBe('0');
    expect(formatSize(1000)).toBe('1000');
    expect(formatSize(1024)).toBe('1kb');
    expect(formatSize(1536 * 1024)).toBe('1536kb');
    expect(formatSize(512 * 1024 ** 2)).toBe('512mb');
    expect(formatSize(1024 ** 3)).toBe('1gb');
  });
  it('round-trips through parseSize', () => {
    for (const n of [0, 1, 1023, 1024, 3 * 1024 ** 2, 5 * 1024 ** 3 + 7]) expect(parseSize(formatSize(n))).toBe(n);
  });
});

import { describe, expect, it } from 'vitest';
import { MemcacheParser } from '../../../src/protocol/memcache/index.js';
import { b, drain, parseAll, parseSplit, plain } from './helpers.js';

const BIN = Buffer.from([0, 13, 10, 13, 10, 255, 10, 13]);

/** A pipeline touching every framing path: lines, CRLF/LF endings, data blocks, swallows, errors. */
const PIPELINE = Buffer.concat([
  b('set a 1 0 3\r\nabc\r\n'),
  b(`set bin 2 0 ${BIN.length} noreply\r\n`),
  BIN,
  b('\r\n'),
  b('get a bin\n'),
  b('gets a\r\n'),
  b('ms m 2 T10 F3 k O99\r\nhi\r\n'),
  b('mg m v c t s\r\n'),
  b('set big 0 0 12\r\n0123456789AB\r\n'), // too large with itemSizeMax 10: swallowed
  b('ms big 11 MS\r\nxxxxxxxxxxx\r\n'), // too large: swallowed
  b('ms k 2 zz\r\nyy\r\n'), // invalid flag: swallowed
  b('set k 0 0 2\r\nabcd\r\n'), // bad data chunk, then "cd" is a command
  b('incr n 5\r\n'),
  b('delete a noreply\r\n'),
  b('touch a 5\r\n'),
  b('bogus\r\n'),
  b('md m q\r\nma n MD D2\r\nme m\r\nmn\r\n'),
  b('version\r\n'),
]);

describe('streaming', () => {
  const opts = { itemSizeMax: 10 };
  const whole = parseAll(PIPELINE, opts);

  it('parses the whole pipeline', () => {
    expect(whole.map((r) => (r.kind === 'error' ? `error:${r.line}` : r.kind))).toEqual([
      'store',
      'store',
      'get',
      'get',
      'ms',
      'mg',
      'error:SERVER_ERROR object too large for cache',
      'error:SERVER_ERROR object too large for cache',
      'error:CLIENT_ERROR invalid flag',
      'error:CLIENT_ERROR bad data chunk',
      'error:ERROR',
      'arith',
      'delete',
      'touch',
      'error:ERROR',
      'md',
      'ma',
      'me',
      'mn',
      'version',
    ]);
    const bin = whole[1]!;
    expect(bin.kind === 'store' && bin.data.equals(BIN)).toBe(true);
  });

  it('gives the same results when split at every byte position', () => {
    const expected = plain(whole);
    for (let i = 1; i < PIPELINE.length; i++) {
      expect(plain(parseSplit(PIPELINE, [i], opts)), `split at ${i}`).toEqual(expected);
    }
  });

  it('gives the same results fed one byte at a time', () => {
    const cuts = Array.from({ length: PIPELINE.length - 1 }, (_, i) => i + 1);
    expect(plain(parseSplit(PIPELINE, cuts, opts))).toEqual(plain(whole));
  });

  it('gives the same results when split at every pair of positions (sampled)', () => {
    const expected = plain(whole);
    for (let i = 1; i < PIPELINE.length; i += 7) {
      for (let j = i + 1; j < PIPELINE.length; j += 5) {
        expect(plain(parseSplit(PIPELINE, [i, j], opts)), `split at ${i},${j}`).toEqual(expected);
      }
    }
  });

  it('returns undefined until a line is complete, and keeps bytes counted', () => {
    const p = new MemcacheParser();
    p.feed(b('get fo'));
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(6);
    p.feed(b('o\r'));
    expect(p.next()).toBeUndefined();
    p.feed(b('\n'));
    expect(plain(p.next())).toEqual({ kind: 'get', cmd: 'get', keys: ['<foo>'] });
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(0);
  });

  it('counts a partly received data block in bufferedBytes', () => {
    const p = new MemcacheParser();
    p.feed(b('set k 0 0 10\r\n01234'));
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(5);
    p.feed(b('56789\r\nmn\r'));
    expect(drain(p).map((r) => r.kind)).toEqual(['store']);
    expect(p.bufferedBytes).toBe(3);
  });

  it('swallows a huge refused value without buffering it', () => {
    const p = new MemcacheParser({ itemSizeMax: 1024 });
    p.feed(b('set k 0 0 5000000\r\n'));
    expect(p.next()).toMatchObject({ line: 'SERVER_ERROR object too large for cache', swallowed: 5000002 });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    while (sent + chunk.length <= 5000002) {
      p.feed(chunk);
      sent += chunk.length;
      expect(p.next()).toBeUndefined();
      expect(p.bufferedBytes).toBe(0);
    }
    p.feed(Buffer.concat([Buffer.alloc(5000002 - sent, 0x61), b('mn\r\n')]));
    expect(drain(p)).toEqual([{ kind: 'mn' }]);
  });

  it('results stay valid when the fed chunks are reused afterwards', () => {
    const p = new MemcacheParser();
    const chunk = b('set key1 0 0 5\r\nvalu');
    p.feed(chunk);
    const tail = b('e\r\nget key2\r\n');
    p.feed(tail);
    const out = drain(p);
    chunk.fill(0x7a);
    tail.fill(0x7a);
    expect(plain(out)).toEqual([
      { kind: 'store', cmd: 'set', key: '<key1>', flags: 0, exptime: 0, bytes: 5, noreply: false, data: '<value>' },
      { kind: 'get', cmd: 'get', keys: ['<key2>'] },
    ]);
  });

  it('handles many pipelined commands across many chunks', () => {
    const parts: string[] = [];
    for (let i = 0; i < 2000; i++) parts.push(`set k${i} ${i} 0 ${String(i).length}\r\n${i}\r\nget k${i}\r\n`);
    const input = b(parts.join(''));
    const p = new MemcacheParser();
    const out = [];
    for (let off = 0; off < input.length; off += 1000) {
      p.feed(input.subarray(off, off + 1000));
      out.push(...drain(p));
    }
    expect(out.length).toBe(4000);
    for (let i = 0; i < 2000; i++) {
      expect(out[2 * i]).toMatchObject({ kind: 'store', flags: i, data: b(String(i)) });
      expect(plain(out[2 * i + 1])).toEqual({ kind: 'get', cmd: 'get', keys: [`<k${i}>`] });
    }
  });
});

describe('line length limits', () => {
  it('a non-get line over 2048 bytes without newline closes the connection', () => {
    const p = new MemcacheParser();
    p.feed(b('set ' + 'k'.repeat(2044))); // 2048 bytes: still waiting
    expect(p.next()).toBeUndefined();
    p.feed(b('k'));
    expect(p.next()).toEqual({ kind: 'error', line: 'CLIENT_ERROR line too long', noreply: false, close: true, swallowed: 0 });
    expect(p.closed).toBe(true);
    p.feed(b('\r\nversion\r\n'));
    expect(p.next()).toBeUndefined();
    expect(p.bufferedBytes).toBe(0);
  });

  it('a complete over-long non-get line is refused the same way, however it arrived', () => {
    const line = b(`mg ${'k'.repeat(3000)} v\r\nversion\r\n`);
    expect(parseAll(line)).toEqual([
      { kind: 'error', line: 'CLIENT_ERROR line too long', noreply: false, close: true, swallowed: 0 },
    ]);
  });

  it('get/gets/gat/gats lines may be long (memcached large multiget)', () => {
    const keys = Array.from({ length: 20000 }, (_, i) => `foobarbaz${i}`);
    for (const cmd of ['get', 'gets', 'gat 0', 'gats 0', '   get']) {
      const input = b(`${cmd} ${keys.join(' ')}\r\n`);
      const r = parseSplit(input, [1000, 5000, 100000]);
      expect(r.length).toBe(1);
      expect(r[0]!.kind === 'get' && r[0]!.keys.length).toBe(20000);
    }
  });

  it('a multiget line is bounded by maxMultigetLineLength', () => {
    const p = new MemcacheParser({ maxMultigetLineLength: 10_000 });
    p.feed(b('get ' + 'k '.repeat(4000)));
    expect(p.next()).toBeUndefined();
    p.feed(b('k '.repeat(2000)));
    expect(p.next()).toMatchObject({ line: 'CLIENT_ERROR line too long', close: true });
  });

  it('maxLineLength is configurable', () => {
    expect(parseAll('version\r\n', { maxLineLength: 5 })[0]).toMatchObject({ close: true });
    expect(parseAll('version\r\n', { maxLineLength: 7 })[0]).toEqual({ kind: 'version' });
  });

  it('more than 100 leading spaces do not make a line a multiget', () => {
    const input = b(' '.repeat(101) + 'get ' + 'k '.repeat(1200) + '\r\n');
    expect(parseAll(input)[0]).toMatchObject({ close: true });
  });
});

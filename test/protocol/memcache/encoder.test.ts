import { describe, expect, it } from 'vitest';
import {
  REPLY,
  ReplyWriter,
  writeEnd,
  writeLine,
  writeMeta,
  writeMetaDebug,
  writeMetaNoop,
  writeNumber,
  writeParseError,
  writeReply,
  writeStat,
  writeValue,
  writeVersion,
  type MetaFlags,
} from '../../../src/protocol/memcache/index.js';
import { b, one } from './helpers.js';

function out(fn: (w: ReplyWriter) => void, initial?: number): string {
  const w = new ReplyWriter(initial);
  fn(w);
  return w.takeBuffer().toString('latin1');
}

function flagsOf(line: string): { key: Buffer; flags: MetaFlags } {
  const r = one(line);
  if (r.kind !== 'mg' && r.kind !== 'ms' && r.kind !== 'md' && r.kind !== 'ma') throw new Error(r.kind);
  return { key: r.key, flags: r.flags };
}

describe('ReplyWriter', () => {
  it('writes decimals of every size', () => {
    const nums = [0, 1, 9, 10, 99, 100, 4294967295, Number.MAX_SAFE_INTEGER];
    expect(out((w) => nums.forEach((n) => (w.uint(n), w.byte(32))))).toBe(nums.join(' ') + ' ');
    expect(out((w) => (w.int(-1), w.int(-1234), w.int(5)))).toBe('-1-12345');
    expect(out((w) => (w.u64(18446744073709551615n), w.byte(32), w.u64(42n), w.byte(32), w.u64(7)))).toBe(
      '18446744073709551615 42 7',
    );
  });

  it('grows past its initial size without losing bytes', () => {
    const w = new ReplyWriter(8);
    let expected = '';
    for (let i = 0; i < 1000; i++) {
      writeLine(w, `line ${i}`);
      expected += `line ${i}\r\n`;
    }
    expect(w.length).toBe(expected.length);
    expect(w.takeBuffer().toString()).toBe(expected);
    expect(w.length).toBe(0);
  });

  it('taken chunks are never overwritten by later writes', () => {
    const w = new ReplyWriter(64);
    writeLine(w, 'first');
    const a = w.take();
    for (let i = 0; i < 100; i++) writeLine(w, 'second-and-more');
    const later = w.take();
    expect(Buffer.concat(a).toString()).toBe('first\r\n');
    expect(Buffer.concat(later).toString()).toBe('second-and-more\r\n'.repeat(100));
  });

  it('large values are passed by reference', () => {
    const big = Buffer.alloc(100_000, 0x41);
    const w = new ReplyWriter();
    writeValue(w, b('k'), 0, big);
    writeEnd(w);
    const chunks = w.take();
    expect(chunks).toContain(big);
    expect(Buffer.concat(chunks).toString()).toBe(`VALUE k 0 100000\r\n${'A'.repeat(100000)}\r\nEND\r\n`);
  });
});

describe('classic replies', () => {
  it('VALUE lines with and without cas, binary data', () => {
    const data = Buffer.from([0, 13, 10, 0xff]);
    const s = out((w) => {
      writeValue(w, b('foo'), 0, b('bar'));
      writeValue(w, b('k2'), 4294967295, data, 18446744073709551615n);
      writeEnd(w);
    });
    expect(s).toBe('VALUE foo 0 3\r\nbar\r\nVALUE k2 4294967295 4 18446744073709551615\r\n\0\r\n\xff\r\nEND\r\n');
  });

  it('status lines', () => {
    expect(
      out((w) => {
        for (const r of Object.values(REPLY)) writeReply(w, r);
      }),
    ).toBe('STORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\nEND\r\nERROR\r\nRESET\r\nMN\r\n');
  });

  it('numbers, version, stats', () => {
    expect(out((w) => writeNumber(w, 18446744073709551615n))).toBe('18446744073709551615\r\n');
    expect(out((w) => writeNumber(w, 0))).toBe('0\r\n');
    expect(out((w) => writeVersion(w, '1.6.0-daxcache'))).toBe('VERSION 1.6.0-daxcache\r\n');
    expect(
      out((w) => {
        writeStat(w, 'pid', 123);
        writeStat(w, 'rusage_user', '0.5');
        writeStat(w, 'total', 2n ** 63n);
        writeStat(w, 'ratio', 0.25);
        writeEnd(w);
      }),
    ).toBe('STAT pid 123\r\nSTAT rusage_user 0.5\r\nSTAT total 9223372036854775808\r\nSTAT ratio 0.25\r\nEND\r\n');
  });

  it('parse errors honour noreply and the silent hang-up', () => {
    expect(out((w) => writeParseError(w, one('set k 0 0 x\r\n') as never))).toBe(
      'CLIENT_ERROR bad command line format\r\n',
    );
    expect(out((w) => writeParseError(w, one('set k 0 0 x noreply\r\n') as never))).toBe('');
    expect(out((w) => writeParseError(w, one('GET / HTTP/1.1\r\n') as never))).toBe('');
  });
});

describe('meta replies', () => {
  it('HD with flags in request order, opaque and key', () => {
    const { key, flags } = flagsOf('mg foo O123 c k f t s\r\n');
    const s = out((w) => writeMeta(w, 'HD', key, flags, { cas: 99n, flags: 7, ttl: -1, size: 2 }));
    expect(s).toBe('HD O123 c99 kfoo f7 t-1 s2\r\n');
  });

  it('VA with value, h and l, and W/X/Z in memcached order', () => {
    const { key, flags } = flagsOf('mg foo v h l t\r\n');
    const s = out((w) =>
      writeMeta(w, 'VA', key, flags, { hit: false, lastAccess: 12, ttl: 30, won: true, stale: true, tokenSent: true }, b('hi')),
    );
    expect(s).toBe('VA 2 h0 l12 t30 Z X W\r\nhi\r\n');
  });

  it('EN carries only opaque and key', () => {
    const { key, flags } = flagsOf('mg miss v c k O1 q\r\n');
    expect(out((w) => writeMeta(w, 'EN', key, flags))).toBe('EN kmiss O1\r\n');
  });

  it('base64 keys are echoed encoded, followed by b', () => {
    const raw = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const { key, flags } = flagsOf(`ms ${raw.toString('base64')} 1 b k c\r\nx\r\n`);
    expect(key.equals(raw)).toBe(true);
    expect(out((w) => writeMeta(w, 'HD', key, flags, { cas: 5 }))).toBe('HD k3q2+7w== b c5\r\n');
  });

  it('NS, NF, EX codes; ma value; mn; an empty opaque', () => {
    const { key, flags } = flagsOf('ma n v O\r\n');
    expect(out((w) => writeMeta(w, 'VA', key, flags, {}, b('42')))).toBe('VA 2 O\r\n42\r\n');
    expect(out((w) => writeMeta(w, 'NS', key, flags))).toBe('NS O\r\n');
    expect(out((w) => writeMeta(w, 'NF', key, flags))).toBe('NF O\r\n');
    expect(out((w) => writeMeta(w, 'EX', key, flags))).toBe('EX O\r\n');
    expect(out((w) => writeMetaNoop(w))).toBe('MN\r\n');
  });

  it('ME debug line', () => {
    const info = { exp: -1, la: 3, cas: 7n, fetched: true, cls: 1, size: 68 };
    expect(out((w) => writeMetaDebug(w, b('foo'), false, info))).toBe(
      'ME foo exp=-1 la=3 cas=7 fetch=yes cls=1 size=68\r\n',
    );
    expect(out((w) => writeMetaDebug(w, Buffer.from([1, 2, 3]), true, { ...info, fetched: false }))).toBe(
      'ME AQID exp=-1 la=3 cas=7 fetch=no cls=1 size=68\r\n',
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { MetaFlags } from '../../../src/protocol/memcache/index.js';
import { b, errLine, one, parseAll, plain } from './helpers.js';

const NO_FLAGS = {
  order: '',
  base64: false,
  retCas: false,
  retFlags: false,
  retHit: false,
  retKey: false,
  retLastAccess: false,
  retSize: false,
  retTtl: false,
  retValue: false,
  quiet: false,
  noBump: false,
  invalidate: false,
  removeValue: false,
};

function flagsOf(line: string): MetaFlags {
  const r = one(line);
  if (!('flags' in r) || typeof r.flags !== 'object') throw new Error(`no meta flags: ${JSON.stringify(plain(r))}`);
  return r.flags;
}

describe('mg', () => {
  it('bare key', () => {
    expect(plain(one('mg foo\r\n'))).toEqual({ kind: 'mg', key: '<foo>', flags: NO_FLAGS });
  });

  it('every return flag, in order', () => {
    expect(plain(flagsOf('mg foo s v c f h k l t q u O123\r\n'))).toEqual({
      ...NO_FLAGS,
      order: 'svcfhkltquO',
      retSize: true,
      retValue: true,
      retCas: true,
      retFlags: true,
      retHit: true,
      retKey: true,
      retLastAccess: true,
      retTtl: true,
      quiet: true,
      noBump: true,
      opaque: '<123>',
    });
  });

  it('flags with tokens', () => {
    expect(flagsOf('mg k N30 R-5 T0 E99 C18446744073709551615 F4294967295 D7 J8 Mx I x P L\r\n')).toMatchObject({
      vivifyTtl: 30,
      recacheTtl: -5,
      ttl: 0,
      newCas: 99n,
      compareCas: 18446744073709551615n,
      clientFlags: 4294967295,
      delta: 7n,
      initial: 8n,
      mode: 'x', // mg ignores the mode, as memcached does
      invalidate: true,
      removeValue: true,
      order: 'NRTECFDJMIxPL',
    });
  });

  it('bad tokens', () => {
    expect(errLine('mg k Tabc\r\n')).toBe('CLIENT_ERROR bad token in command line format');
    expect(errLine('mg k T\r\n')).toBe('CLIENT_ERROR bad token in command line format');
    expect(errLine('mg k N1x\r\n')).toBe('CLIENT_ERROR bad token in command line format');
    expect(errLine('mg k R99999999999\r\n')).toBe('CLIENT_ERROR bad token in command line format');
    expect(errLine('mg k C-1\r\n')).toBe('CLIENT_ERROR bad token in command line format');
    expect(errLine('mg k E\r\n')).toBe('CLIENT_ERROR bad token in command line format');
    expect(errLine('mg k Dx\r\n')).toBe('CLIENT_ERROR invalid numeric delta value');
    expect(errLine('mg k J-2\r\n')).toBe('CLIENT_ERROR invalid numeric initial value');
    expect(errLine('mg k MEE\r\n')).toBe('CLIENT_ERROR incorrect length for M token');
    // a bad F token keeps memcached's default message
    expect(errLine('mg k Fx\r\n')).toBe('CLIENT_ERROR bad command line format');
    // the last bad token's message wins
    expect(errLine('mg k Tx Dx\r\n')).toBe('CLIENT_ERROR invalid numeric delta value');
  });

  it('invalid and duplicate flags stop at once', () => {
    expect(errLine('mg k z\r\n')).toBe('CLIENT_ERROR invalid flag');
    expect(errLine('mg k 1\r\n')).toBe('CLIENT_ERROR invalid flag');
    expect(errLine('mg k v v\r\n')).toBe('CLIENT_ERROR duplicate flag');
    expect(errLine('mg k T1 T2\r\n')).toBe('CLIENT_ERROR duplicate flag');
    expect(errLine('mg k Tx z\r\n')).toBe('CLIENT_ERROR invalid flag');
    // memcached's quirk: bytes >= 127 are reported as duplicates
    expect(errLine(Buffer.concat([b('mg k '), Buffer.from([0xc3, 0xa9]), b('\r\n')]))).toBe('CLIENT_ERROR duplicate flag');
  });

  it('opaque up to 32 bytes with its letter', () => {
    expect(flagsOf(`mg k O${'o'.repeat(31)}\r\n`).opaque?.length).toBe(31);
    expect(errLine(`mg k O${'o'.repeat(32)}\r\n`)).toBe('CLIENT_ERROR opaque token too long');
  });

  it('key limits and token counts', () => {
    expect(errLine('mg\r\n')).toBe('ERROR');
    expect(errLine(`mg ${'k'.repeat(251)} v\r\n`)).toBe('CLIENT_ERROR bad command line format');
    const flags17 = 'v c f s t k h l O q u T1 N1 R1 E1 C1 F1'.split(' ');
    expect(flags17.length).toBe(17);
    expect(one(`mg k ${flags17.join(' ')}\r\n`).kind).toBe('mg');
    expect(errLine(`mg k ${flags17.join(' ')} I\r\n`)).toBe('CLIENT_ERROR options flags are too long');
  });

  it('base64 keys are decoded; bad base64 is refused', () => {
    const key = Buffer.from([0, 1, 2, 0xff, 32, 13, 10]);
    const r = one(`mg ${key.toString('base64')} b v k\r\n`);
    expect(r.kind === 'mg' && r.key.equals(key)).toBe(true);
    expect(r.kind === 'mg' && r.flags.base64).toBe(true);
    expect(errLine('mg a*b= b\r\n')).toBe('CLIENT_ERROR error decoding key');
    expect(errLine('mg abc b\r\n')).toBe('CLIENT_ERROR error decoding key');
  });
});

describe('ms', () => {
  it('data block and flags', () => {
    expect(plain(one('ms foo 2 T90 F1 c k q\r\nhi\r\n'))).toEqual({
      kind: 'ms',
      key: '<foo>',
      bytes: 2,
      data: '<hi>',
      flags: { ...NO_FLAGS, order: 'TFckq', ttl: 90, clientFlags: 1, retCas: true, retKey: true, quiet: true },
    });
  });

  it('binary data with CRLF inside', () => {
    const r = one('ms k 4 b\r\n\r\n\r\n\r\n'.replace('ms k', `ms ${Buffer.from('k').toString('base64')}`));
    expect(r.kind === 'ms' && r.data.equals(b('\r\n\r\n'))).toBe(true);
    expect(r.kind === 'ms' && r.key.toString()).toBe('k');
  });

  it.each(['E', 'A', 'P', 'R', 'S'])('mode M%s', (m) => {
    expect(flagsOf(`ms k 1 M${m}\r\nx\r\n`).mode).toBe(m);
  });

  it('invalid mode swallows the data', () => {
    expect(parseAll('ms k 3 MI\r\nabc\r\nmn\r\n')).toEqual([
      { kind: 'error', line: 'CLIENT_ERROR invalid mode for ms M token', noreply: false, close: false, swallowed: 5 },
      { kind: 'mn' },
    ]);
  });

  it('flag errors swallow the data (and are never silenced by q)', () => {
    expect(parseAll('ms k 3 q z\r\nabc\r\nmn\r\n')).toEqual([
      { kind: 'error', line: 'CLIENT_ERROR invalid flag', noreply: false, close: false, swallowed: 5 },
      { kind: 'mn' },
    ]);
    expect(parseAll(`ms k 1 O${'x'.repeat(40)}\r\nz\r\nmn\r\n`).map((r) => r.kind)).toEqual(['error', 'mn']);
  });

  it('errors before the length is known do not swallow (as memcached)', () => {
    expect(errLine('ms\r\n')).toBe('ERROR');
    expect(errLine('ms k\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(parseAll('ms k -1\r\nmn\r\n').map((r) => (r.kind === 'error' ? r.line : r.kind))).toEqual([
      'CLIENT_ERROR bad command line format',
      'mn',
    ]);
    expect(parseAll('ms k abc\r\n')[0]).toMatchObject({ line: 'CLIENT_ERROR bad command line format', swallowed: 0 });
    expect(parseAll(`ms ${'k'.repeat(251)} 1\r\n`)[0]).toMatchObject({ line: 'CLIENT_ERROR bad command line format' });
    const many = Array.from({ length: 17 }, (_, i) => 'vcfstkhlOquTNRECFIx'[i]).join(' ');
    expect(errLine(`ms k 1 ${many}\r\n`)).toBe('CLIENT_ERROR options flags too long');
  });

  it('too large: swallowed, key reported for unlinking (decoded if base64)', () => {
    const r = parseAll(`ms ${Buffer.from('bin').toString('base64')} 11 b\r\n${'v'.repeat(11)}\r\nmn\r\n`, {
      itemSizeMax: 10,
    });
    expect(plain(r)).toEqual([
      {
        kind: 'error',
        line: 'SERVER_ERROR object too large for cache',
        noreply: false,
        close: false,
        swallowed: 13,
        unlinkKey: '<bin>',
      },
      { kind: 'mn' },
    ]);
  });

  it('bad data chunk is reported even with q', () => {
    expect(parseAll('ms k 1 q\r\nxx\r\n')[0]).toMatchObject({ line: 'CLIENT_ERROR bad data chunk', noreply: false });
  });
});

describe('md, ma, mn, me', () => {
  it('md', () => {
    expect(plain(one('md foo q I T30 C5 x k O1\r\n'))).toEqual({
      kind: 'md',
      key: '<foo>',
      flags: {
        ...NO_FLAGS,
        order: 'qITCxkO',
        quiet: true,
        invalidate: true,
        ttl: 30,
        compareCas: '5n',
        removeValue: true,
        retKey: true,
        opaque: '<1>',
      },
    });
    expect(errLine('md\r\n')).toBe('ERROR');
    // memcached folds md/ma flag errors into one message
    expect(errLine('md k z\r\n')).toBe('CLIENT_ERROR invalid or duplicate flag');
    expect(errLine('md k q q\r\n')).toBe('CLIENT_ERROR invalid or duplicate flag');
    expect(errLine('md k Tx\r\n')).toBe('CLIENT_ERROR invalid or duplicate flag');
  });

  it('ma', () => {
    expect(flagsOf('ma n D10 J5 N0 MD v t c\r\n')).toMatchObject({
      delta: 10n,
      initial: 5n,
      vivifyTtl: 0,
      mode: 'D',
      retValue: true,
      order: 'DJNMvtc',
    });
    for (const m of ['I', '+', 'D', '-']) expect(flagsOf(`ma n M${m}\r\n`).mode).toBe(m);
    expect(errLine('ma n MS\r\n')).toBe('CLIENT_ERROR invalid mode for ma M token');
    expect(errLine('ma n Dabc\r\n')).toBe('CLIENT_ERROR invalid or duplicate flag');
    expect(plain(one('ma n\r\n'))).toEqual({ kind: 'ma', key: '<n>', flags: NO_FLAGS });
  });

  it('mn ignores arguments; unknown m-commands are ERROR', () => {
    expect(one('mn\r\n')).toEqual({ kind: 'mn' });
    expect(one('mn whatever\r\n')).toEqual({ kind: 'mn' });
    expect(errLine('mz k\r\n')).toBe('ERROR');
    expect(errLine('mgx k\r\n')).toBe('ERROR');
  });

  it('me', () => {
    expect(plain(one('me foo\r\n'))).toEqual({ kind: 'me', key: '<foo>', base64: false });
    expect(plain(one(`me ${Buffer.from('bar').toString('base64')} b\r\n`))).toEqual({
      kind: 'me',
      key: '<bar>',
      base64: true,
    });
    expect(errLine('me\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('me !!!! b\r\n')).toBe('CLIENT_ERROR bad command line format');
  });
});

// The DUMP payload codec: CRC-64/Jones check values, LZF streams (literal runs, back references,
// overlapping runs, corrupt input), and payload round trips with every string encoding.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc64 } from '../../src/protocol/rdb/crc64.js';
import { lzfDecompress } from '../../src/protocol/rdb/lzf.js';
import { dumpString, restoreString, DUMP_RDB_VERSION } from '../../src/protocol/rdb/dump-payload.js';

const B = (s: string) => Buffer.from(s, 'latin1');

describe('crc64 (Jones, as Redis)', () => {
  it('matches the check value and Redis 7.0 payloads', () => {
    expect(crc64(B('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(B(''))).toBe(0n);
    // DUMP of "v" from redis-server 7.0: 00 01 76 0a 00 | crc 91 08 ce b2 19 38 8a ce (LE)
    expect(crc64(B('\x00\x01v\x0a\x00'))).toBe(0xce8a3819b2ce0891n);
  });

  it('continues from a partial crc', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
        expect(crc64(b, crc64(a))).toBe(crc64(Buffer.concat([a, b])));
      }),
    );
  });
});

describe('lzfDecompress', () => {
  it('decodes literal runs and back references, overlapping ones included', () => {
    // "aaaaaaaaaa": literal 'a', then a reference of length 9 to 1 byte back (overlapping run).
    expect(lzfDecompress(B('\x00a\xe0\x00\x00'), 10)).toEqual(B('a'.repeat(10)));
    // "abcabcabc": literal "abc", reference length 6 from 3 back: ctrl (6-2)<<5 | 0, offset 2.
    expect(lzfDecompress(B('\x02abc\x80\x02'), 9)).toEqual(B('abcabcabc'));
  });

  it('refuses corrupt streams instead of reading outside them', () => {
    expect(lzfDecompress(B('\x02ab'), 3)).toBeNull(); // literal run past the input
    expect(lzfDecompress(B('\x00a\x20\x05'), 4)).toBeNull(); // reference before the output
    expect(lzfDecompress(B('\x00a\xe0'), 10)).toBeNull(); // cut inside a reference
    expect(lzfDecompress(B('\x02abc'), 4)).toBeNull(); // shorter than announced
    expect(lzfDecompress(B('\x02abc'), 2)).toBeNull(); // longer than announced
  });
});

describe('DUMP payloads of strings', () => {
  it('encodes canonical 32-bit integers as Redis does, everything else verbatim', () => {
    expect(dumpString(B('12345')).subarray(0, 4)).toEqual(B('\x00\xc1\x39\x30'));
    expect(dumpString(B('-7')).subarray(0, 3)).toEqual(B('\x00\xc0\xf9'));
    expect(dumpString(B('2147483648')).subarray(0, 2)).toEqual(B('\x00\x0a')); // past int32: a string
    expect(dumpString(B('007')).subarray(0, 2)).toEqual(B('\x00\x03')); // not canonical
    expect(dumpString(B('-0')).subarray(0, 2)).toEqual(B('\x00\x02'));
    const v = dumpString(B('v'));
    expect(v).toEqual(B('\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce'));
    expect(v.readUInt16LE(v.length - 10)).toBe(DUMP_RDB_VERSION);
  });

  it('round-trips any value, every length encoding included', () => {
    for (const n of [0, 63, 64, 16383, 16384, 70_000]) {
      const value = Buffer.alloc(n, 0x5a);
      expect(restoreString(dumpString(value))).toEqual(value);
    }
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer().map((i) => B(String(i)))), (a) => {
        expect(restoreString(dumpString(Buffer.from(a)))).toEqual(Buffer.from(a));
      }),
    );
  });

  it('refuses a wrong CRC or a newer version before looking at the data, then bad data', () => {
    const p = dumpString(B('hello'));
    const flipped = Buffer.from(p);
    flipped[2]! ^= 1;
    expect(restoreString(flipped)).toBe('version-or-checksum');
    expect(restoreString(p.subarray(0, 9))).toBe('version-or-checksum');
    const reframe = (body: Buffer, version = DUMP_RDB_VERSION): Buffer => {
      const v = Buffer.alloc(2);
      v.writeUInt16LE(version);
      const head = Buffer.concat([body, v]);
      const crc = Buffer.alloc(8);
      crc.writeBigUInt64LE(crc64(head));
      return Buffer.concat([head, crc]);
    };
    expect(restoreString(reframe(B('\x00\x05hello'), 12))).toBe('version-or-checksum');
    expect(restoreString(reframe(B('\x00\x05hello'), 11))).toEqual(B('hello'));
    expect(restoreString(reframe(B('\x04\x01\x01f\x01v')))).toBe('bad-format'); // a hash
    expect(restoreString(reframe(B('\x00\x05hell')))).toBe('bad-format'); // truncated
    expect(restoreString(reframe(B('\x00\x05hello!')))).toBe('bad-format'); // trailing bytes
    expect(restoreString(reframe(B('\x00\xc4')))).toBe('bad-format'); // unknown string encoding
    expect(restoreString(reframe(B('\x00\x82')))).toBe('bad-format'); // unknown length encoding
    expect(restoreString(reframe(B('\x00\xc3\x05\x0a\x00a\xe0\x00\x00')))).toEqual(B('a'.repeat(10))); // LZF, 5 bytes -> 10
    expect(restoreString(reframe(B('\x00\xc3\x05\x0a\x00a\xe0\x00\x00').subarray(0, 7)))).toBe('bad-format');
    expect(restoreString(reframe(B('\x00\xc3\x04\x0a\x00a\xe0\x00')))).toBe('bad-format');
  });

  it('never throws on damaged payloads whose CRC is right (RESTORE takes untrusted bytes)', () => {
    const seeds = [B('hello'), B('12345'), B('x'.repeat(100)), Buffer.alloc(20_000, 3)];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: 40 }),
        (value, edits, cut) => {
          const p = Buffer.from(dumpString(value));
          const body = Buffer.from(p.subarray(0, Math.max(0, p.length - 10 - (cut % (p.length - 9)))));
          for (const [at, byte] of edits) if (body.length) body[at % body.length] = byte;
          const v = Buffer.alloc(2);
          v.writeUInt16LE(DUMP_RDB_VERSION);
          const head = Buffer.concat([body, v]);
          const crc = Buffer.alloc(8);
          crc.writeBigUInt64LE(crc64(head));
          const r = restoreString(Buffer.concat([head, crc]));
          expect(r === 'bad-format' || Buffer.isBuffer(r)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    // An LZF header announcing a huge length is refused without allocating it.
    const huge = Buffer.concat([B('\x00\xc3\x05\x81'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]), B('\x00a\xe0\x00\x00')]);
    const v = Buffer.alloc(2);
    v.writeUInt16LE(DUMP_RDB_VERSION);
    const head = Buffer.concat([huge, v]);
    const crc = Buffer.alloc(8);
    crc.writeBigUInt64LE(crc64(head));
    expect(restoreString(Buffer.concat([head, crc]))).toBe('bad-format');
    // Nor one announcing 1 GiB from 5 bytes (more than LZF can expand them).
    const forged = Buffer.concat([B('\x00\xc3\x05\x80'), Buffer.from([0x40, 0, 0, 0]), B('\x00a\xe0\x00\x00'), v]);
    const crc2 = Buffer.alloc(8);
    crc2.writeBigUInt64LE(crc64(forged));
    expect(restoreString(Buffer.concat([forged, crc2]))).toBe('bad-format');
  });
});

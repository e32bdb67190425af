// Property tests of src/commands/redis/bits.ts against a naive model: the buffer as an array of
// single bits (bit 0 = most significant bit of byte 0), and the overflow rules restated with plain
// mathematical integers (bounds of the field's range) instead of Redis's int64 expressions.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { addSigned, addUnsigned, countBits, findBit, getSigned, getUnsigned, setField, type Overflow } from '../../src/commands/redis/bits.js';

const RUNS = { numRuns: 500 };

function toBits(buf: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of buf) for (let i = 7; i >= 0; i--) out.push((b >> i) & 1);
  return out;
}

function fromBits(bits: number[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (7 - (i & 7));
  });
  return out;
}

/** A non-empty buffer and an inclusive bit range inside it. */
const bufferAndRange = fc
  .uint8Array({ minLength: 1, maxLength: 40 })
  .chain((buf) => fc.tuple(fc.constant(buf), fc.nat(buf.length * 8 - 1), fc.nat(buf.length * 8 - 1)));

/** Bias towards all-zero and all-one bytes, which the fast paths skip. */
const skewedBuffer = fc.array(fc.oneof(fc.constant(0), fc.constant(255), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }).map((a) => Uint8Array.from(a));

const fieldType = fc.oneof(
  fc.record({ signed: fc.constant(true), bits: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ signed: fc.constant(false), bits: fc.integer({ min: 1, max: 63 }) }),
);

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const smallOrEdge = fc.oneof(int64, fc.bigInt({ min: -300n, max: 300n }), fc.constantFrom(0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n)));
const mode = fc.constantFrom<Overflow>('wrap', 'sat', 'fail');

describe('countBits', () => {
  it('counts the set bits of the range', () => {
    fc.assert(
      fc.property(bufferAndRange, ([buf, a, b]) => {
        const model = toBits(buf).slice(a, b + 1).reduce((s, x) => s + x, 0);
        expect(countBits(buf, a, b)).toBe(a > b ? 0 : model);
      }),
      RUNS,
    );
  });
});

describe('findBit', () => {
  it('finds the first bit of the value in the range, or -1', () => {
    fc.assert(
      fc.property(
        skewedBuffer.chain((buf) => fc.tuple(fc.constant(buf), fc.nat(buf.length * 8 - 1), fc.nat(buf.length * 8 - 1), fc.constantFrom<0 | 1>(0, 1))),
        ([buf, a, b, bit]) => {
          const bits = toBits(buf);
          let model = -1;
          for (let i = a; i <= b; i++) {
            if (bits[i] === bit) {
              model = i;
              break;
            }
          }
          expect(findBit(buf, bit, a, b)).toBe(model);
        },
      ),
      RUNS,
    );
  });
});

describe('bitfield get/set', () => {
  it('reads a field as its bits, zero past the end, signed as two\'s complement', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fieldType, fc.nat(120), (buf, t, offset) => {
        const bits = toBits(buf);
        let u = 0n;
        for (let i = 0; i < t.bits; i++) u = u * 2n + BigInt(bits[offset + i] ?? 0);
        expect(getUnsigned(buf, offset, t.bits)).toBe(u);
        const s = u >= 1n << BigInt(t.bits - 1) ? u - (1n << BigInt(t.bits)) : u;
        expect(getSigned(buf, offset, t.bits)).toBe(s);
      }),
      RUNS,
    );
  });

  it('writes exactly the field bits and reads them back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 12 }), fieldType, fc.nat(120), int64, (buf0, t, off, value) => {
        const offset = off % (buf0.length * 8);
        const buf = Buffer.alloc(Math.ceil((offset + t.bits) / 8), 0);
        Buffer.from(buf0).copy(buf);
        const before = toBits(buf);
        setField(buf, offset, t.bits, value);
        const low = BigInt.asUintN(t.bits, value);
        const model = before.slice();
        for (let i = 0; i < t.bits; i++) model[offset + i] = Number((low >> BigInt(t.bits - 1 - i)) & 1n);
        expect(buf).toEqual(fromBits(model));
        expect(getUnsigned(buf, offset, t.bits)).toBe(low);
        expect(getSigned(buf, offset, t.bits)).toBe(BigInt.asIntN(t.bits, value));
      }),
      RUNS,
    );
  });
});

/** The model of BITFIELD arithmetic: exact sum, compared with the field's range. */
function modelAdd(value: bigint, incr: bigint, signed: boolean, bits: number, m: Overflow): { overflow: number; value: bigint } {
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const sum = value + incr;
  const overflow = sum > max ? 1 : sum < min ? -1 : 0;
  if (overflow === 0) return { overflow, value: sum };
  const wrapped = signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
  return { overflow, value: m === 'sat' ? (overflow > 0 ? max : min) : wrapped };
}

describe('INCRBY overflow', () => {
  it('signed fields: wrap, saturate or report like the exact sum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), int64, smallOrEdge, mode, (bits, raw, incr, m) => {
        const value = BigInt.asIntN(bits, raw); // a value the field can hold, as read back
        const got = addSigned(value, incr, bits, m);
        const want = modelAdd(value, incr, true, bits, m);
        expect(got.overflow).toBe(want.overflow);
        if (m !== 'fail' || got.overflow === 0) expect(got.value).toBe(want.value);
      }),
      { numRuns: 2000 },
    );
  });

  it('unsigned fields: wrap, saturate or report like the exact sum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 63 }), int64, smallOrEdge, mode, (bits, raw, incr, m) => {
        const value = BigInt.asUintN(bits, raw);
        const got = addUnsigned(value, incr, bits, m);
        const want = modelAdd(value, incr, false, bits, m);
        expect(got.overflow).toBe(want.overflow);
        if (m !== 'fail' || got.overflow === 0) expect(got.value).toBe(want.value);
      }),
      { numRuns: 2000 },
    );
  });

  it('SET of an out-of-range value: signed by its value, unsigned by its uint64 pattern', () => {
    fc.assert(
      fc.property(fieldType, int64, mode, (t, v, m) => {
        if (t.signed) {
          const got = addSigned(v, 0n, t.bits, m);
          const max = (1n << BigInt(t.bits - 1)) - 1n;
          if (t.bits < 64 && max - v > (1n << 63n) - 1n) {
            // Redis computes max - value in int64: for values this negative it wraps below 0, so
            // "0 > maxincr" reports an overflow over the top (SAT stores the maximum).
            const wrapped = BigInt.asIntN(t.bits, v);
            expect(got).toEqual({ overflow: 1, value: m === 'sat' ? max : wrapped });
          } else {
            expect(got).toEqual(modelAdd(v, 0n, true, t.bits, m));
          }
        } else {
          // Redis hands the int64 argument over as uint64: a negative SET is a huge value.
          const u = BigInt.asUintN(64, v);
          const got = addUnsigned(u, 0n, t.bits, m);
          expect(got).toEqual(modelAdd(u, 0n, false, t.bits, m));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('edge cases from Redis semantics', () => {
    expect(addSigned((1n << 63n) - 1n, 1n, 64, 'wrap')).toEqual({ overflow: 1, value: -(1n << 63n) });
    expect(addSigned(-(1n << 63n), -1n, 64, 'sat')).toEqual({ overflow: -1, value: -(1n << 63n) });
    expect(addUnsigned(0n, -1n, 8, 'wrap')).toEqual({ overflow: -1, value: 255n });
    expect(addUnsigned(BigInt.asUintN(64, -1n), 0n, 8, 'sat')).toEqual({ overflow: 1, value: 255n });
    expect(addUnsigned(5n, 0n, 63, 'wrap')).toEqual({ overflow: 0, value: 5n });
    // Checked on redis-server 7.0: BITFIELD x OVERFLOW SAT SET i3 0 -9223372036854775805 stores 3.
    expect(addSigned(-9223372036854775805n, 0n, 3, 'sat')).toEqual({ overflow: 1, value: 3n });
  });
});

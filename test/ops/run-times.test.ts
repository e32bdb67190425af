// INFO latencystats' histogram (src/ops/run-times.ts) against exact percentiles of the same values:
// every answer is the top of the bucket holding the exact value, so at or above it and within
// 1/128 of it (exact below 128 ns), for any values and any percentile.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RunTimes } from '../../src/ops/run-times.js';

function exactUsec(values: number[], p: number): number {
  const sorted = values.map((v) => Math.min(1e9, Math.max(1, Math.round(v)))).sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]! / 1000;
}

describe('RunTimes', () => {
  it('answers every percentile within 1/128 above the exact one', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 2e6 }), fc.double({ min: 0, max: 3e9, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), fc.double({ min: 0, max: 100, noNaN: true }), (values, p) => {
        const r = new RunTimes();
        for (const v of values) r.record(v);
        const exact = exactUsec(values, p);
        const got = r.percentileUsec(p);
        expect(got).toBeGreaterThanOrEqual(exact);
        expect(got).toBeLessThanOrEqual(exact < 0.128 ? exact : exact * (1 + 1 / 128));
      }),
      { numRuns: 500 },
    );
  });

  it('is 0 before any run, and clamps to 1 ns .. 1 s', () => {
    const r = new RunTimes();
    expect(r.percentileUsec(50)).toBe(0);
    r.record(-5);
    expect(r.percentileUsec(0)).toBe(0.001);
    r.record(5e9);
    expect(r.percentileUsec(100)).toBeGreaterThanOrEqual(1e6);
    expect(r.percentileUsec(100)).toBeLessThanOrEqual(1e6 * (1 + 1 / 128));
  });
});

// Random chunkings of a stream, as TCP may deliver it: cut points (fast-check shrinks them to
// fewer cuts), or byte by byte.
import fc from 'fast-check';

/** Cut positions as fractions of the length in 1/2^20 (so one value fits any stream). */
export type Cuts = { byteByByte: boolean; at: number[] };

export const cutsArb: fc.Arbitrary<Cuts> = fc.record({
  byteByByte: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  at: fc.array(fc.integer({ min: 0, max: 1 << 20 }), { maxLength: 16 }),
});

export function split(b: Buffer, cuts: Cuts): Buffer[] {
  const n = b.length;
  if (n === 0) return [];
  if (cuts.byteByByte && n <= 4096) {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) out.push(b.subarray(i, i + 1));
    return out;
  }
  const pos = [...new Set(cuts.at.map((f) => Math.floor((f / (1 << 20)) * n)))].filter((p) => p > 0 && p < n).sort((x, y) => x - y);
  const out: Buffer[] = [];
  let s = 0;
  for (const p of pos) {
    out.push(b.subarray(s, p));
    s = p;
  }
  out.push(b.subarray(s));
  return out;
}

// The run times of one command, for INFO latencystats: a log-linear histogram of nanoseconds, as
// Redis keeps an HDR histogram per command. 128 linear sub-buckets per power of two, so a value is
// known within 1/128 (< 0.8%, Redis's 2 significant digits) from 1 ns to 1 s, in 3072 counters.
//
// Why not hdr-histogram-js (it served here first): recording is on every command's path, and its
// JS histogram spent ~490 ns per value in the packed form and ~125 ns with 32-bit counts (log2 and
// pow per value), a third and then a tenth of a pipelined request's CPU. This is a clz32, a shift
// and an increment.

const MAX_NS = 1e9; // < 2^30: every value fits a 32-bit shift
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const BUCKETS = (30 - SUB_BITS + 1) * SUB; // exponents 7..29 above the 128 exact values

/** The counter of value v (1 <= v < 2^30). */
function indexOf(v: number): number {
  const e = 31 - Math.clz32(v);
  return e < SUB_BITS ? v : ((e - SUB_BITS + 1) << SUB_BITS) + (v >>> (e - SUB_BITS)) - SUB;
}

/** The highest value counter i stands for (what HDR reports a percentile as). */
function highestOf(i: number): number {
  if (i < SUB) return i;
  const shift = (i >>> SUB_BITS) - 1; // e - SUB_BITS
  const low = ((i & (SUB - 1)) + SUB) * 2 ** shift;
  return low + 2 ** shift - 1;
}

export class RunTimes {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;

  /** One run of `ns` nanoseconds (clamped to 1 ns .. 1 s, as Redis clamps). */
  record(ns: number): void {
    const v = ns < 1 ? 1 : ns > MAX_NS ? MAX_NS : Math.round(ns);
    this.counts[indexOf(v)]!++;
    this.total++;
  }

  /** The run time at a percentile (0..100), in microseconds; 0 before any run. */
  percentileUsec(p: number): number {
    if (this.total === 0) return 0;
    const want = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= want) return highestOf(i) / 1000;
    }
    return MAX_NS / 1000;
  }
}

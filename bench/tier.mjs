// The DRAM tier (W-TinyLFU in front of the pool): hit ratio against a plain LRU of the same byte
// budget, and GET throughput with the tier off / on, with and without a simulated slow pool medium.
// Usage: npm run build && node bench/tier.mjs [--keys 1000000] [--ops 2000000] [--value 100]
//          [--delay 300] [--runs 3] [--seed 42] [--pool /dev/shm/daxcache-tier-bench.pool]
// Everything reads one zipfian (s = 0.99) trace from a seeded PRNG, so reruns see the same requests.
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, relative } from 'node:path';
import { Store } from '../dist/store/store.js';

const argv = process.argv.slice(2);
function opt(name, dflt) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}
const N = Number(opt('keys', 1_000_000));
const OPS = Number(opt('ops', 2_000_000));
const VALUE = Number(opt('value', 100));
const DELAY = Number(opt('delay', 300));
const RUNS = Number(opt('runs', 3));
const SEED = Number(opt('seed', 42));
const S = 0.99;
const POOL = opt('pool', '/dev/shm/daxcache-tier-bench.pool');
const PCTS = [1, 5, 10];
const THROUGHPUT_PCT = 5;
for (const [k, v] of Object.entries({ N, OPS, VALUE, DELAY, RUNS })) {
  if (!Number.isInteger(v) || v < (k === 'DELAY' ? 0 : 1)) throw new Error(`bad --${k.toLowerCase()}: ${v}`);
}

const cmd = [basename(process.execPath), relative(process.cwd(), process.argv[1]), ...argv].join(' ');
console.log(`command: ${cmd}`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cpus`);

// mulberry32: tiny, seedable and good enough to drive a sampler (Math.random cannot be seeded).
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);

// Zipf over ranks 0..N-1: P(rank r) ∝ 1/(r+1)^s. A precomputed CDF plus binary search is exact and
// fast enough (log2 N steps per sample); rejection samplers are only needed when N is huge.
const cdf = new Float64Array(N);
let sum = 0;
for (let r = 0; r < N; r++) cdf[r] = sum += 1 / Math.pow(r + 1, S);
for (let r = 0; r < N; r++) cdf[r] /= sum;
// Rank -> key index, shuffled (Fisher-Yates), so the hot keys are spread over the key space and
// over the pool rather than being the first keys loaded.
const keyOfRank = new Int32Array(N);
for (let i = 0; i < N; i++) keyOfRank[i] = i;
for (let i = N - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  const t = keyOfRank[i];
  keyOfRank[i] = keyOfRank[j];
  keyOfRank[j] = t;
}
function trace(len) {
  const t = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    const u = rand();
    let lo = 0;
    let hi = N - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    t[i] = keyOfRank[lo];
  }
  return t;
}

// Keys `key:000123` as views into one buffer: built once, so the timed loops allocate nothing.
const width = Math.max(6, String(N - 1).length);
const KLEN = 4 + width;
const keyBytes = Buffer.alloc(N * KLEN);
const keys = new Array(N);
for (let i = 0; i < N; i++) {
  keyBytes.write(`key:${String(i).padStart(width, '0')}`, i * KLEN, 'latin1');
  keys[i] = keyBytes.subarray(i * KLEN, (i + 1) * KLEN);
}
// What the tier charges per entry (Tier::charge_of in native/tier/tier.cc): its block, 64 (Entry)
// + 48 (item header) + key + value rounded up to 64 bytes, plus 32 for its table slots and malloc.
// The LRU it is compared with is charged the same, so both hold the same number of keys.
const CHARGE = Math.ceil((64 + 48 + KLEN + VALUE) / 64) * 64 + 32;
const DATA = N * CHARGE;
const budgetOf = (pct) => Math.floor((DATA * pct) / 100);

// A /dev/shm pool stands in for DAX; cache_line granularity makes barriers CLWB+SFENCE (as on
// real PMEM) rather than msync, as bench/store.mjs does.
if (POOL.startsWith('/dev/shm/')) process.env.PMEM2_FORCE_GRANULARITY ??= 'cache_line';
const MB = 1024 * 1024;
const poolSize = Math.max(256 * MB, Math.ceil((N * (KLEN + VALUE + 200) * 2) / MB) * MB);
rmSync(POOL, { force: true });
const store = Store.open(POOL, { createSize: poolSize });
try {
  const value = Buffer.alloc(VALUE, 0x61);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    store.set(keys[i], value);
    if (i % 1000 === 999) store.barrier();
  }
  store.barrier();
  const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`keys ${N} (${KLEN} B keys, ${VALUE} B values, zipf s=${S}, seed ${SEED}), data ${DATA} B at ${CHARGE} B/key, pool ${poolSize / MB} MiB, load ${loadS.toFixed(1)} s`);

  // Warm-up and measured halves come from one trace; both caches see exactly the same requests.
  t0 = process.hrtime.bigint();
  const tr = trace(2 * OPS);
  console.log(`trace ${2 * OPS} requests generated in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s\n`);
  const lookups = (from, to) => {
    for (let i = from; i < to; i++) store.lookup(keys[tr[i]]);
  };

  // Plain LRU of the same byte budget: a Map keeps insertion order, so re-inserting on a hit makes
  // its first key the least recently used. Every miss is admitted (no admission filter).
  function lruHitRatio(budget) {
    const m = new Map();
    let bytes = 0;
    let hits = 0;
    for (let i = 0; i < 2 * OPS; i++) {
      const k = tr[i];
      if (m.has(k)) {
        m.delete(k);
        m.set(k, CHARGE);
        if (i >= OPS) hits++;
        continue;
      }
      if (CHARGE > budget) continue;
      m.set(k, CHARGE);
      bytes += CHARGE;
      while (bytes > budget) {
        const old = m.keys().next().value;
        bytes -= m.get(old);
        m.delete(old);
      }
    }
    return hits / OPS;
  }

  console.log(`Hit ratio: warm-up ${OPS} requests, then measured over ${OPS} more (tier hits / tier lookups);`);
  console.log('items at the end; admitted/rejected/evicted over warm-up + measured\n');
  console.log('| tier budget | budget bytes | W-TinyLFU hit ratio | LRU hit ratio | tier items | admitted | rejected | evicted |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  store.setPoolReadDelay(0);
  for (const pct of PCTS) {
    const budget = budgetOf(pct);
    store.setTier(0); // off empties it, so every size starts cold
    store.setTier(budget);
    const z = store.stats().tier; // admitted/rejected/evicted are cumulative across setTier calls
    lookups(0, OPS);
    const a = store.stats().tier;
    lookups(OPS, 2 * OPS);
    const b = store.stats().tier;
    const dh = b.hits - a.hits;
    const dm = b.misses - a.misses;
    const tiny = dh / (dh + dm);
    const lru = lruHitRatio(budget);
    console.log(`| ${pct}% | ${budget} | ${tiny.toFixed(4)} | ${lru.toFixed(4)} | ${b.items} | ${b.admitted - z.admitted} | ${b.rejected - z.rejected} | ${b.evicted - z.evicted} |`);
  }

  // Throughput: the timed loop is lookup() only (no value copy), over the measured half of the trace.
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  function opsPerSec() {
    const s = process.hrtime.bigint();
    lookups(OPS, 2 * OPS);
    return OPS / (Number(process.hrtime.bigint() - s) / 1e9);
  }
  // Off and on alternate, RUNS pairs, and the ratio is the median of each pair's own ratio: this
  // machine's speed drifts by tens of percent between seconds, which a pair mostly shares.
  console.log(`\nGET throughput (store.lookup, in process): ${RUNS} pairs of runs (tier off, then on) of ${OPS} zipf lookups; medians; tier ${THROUGHPUT_PCT}% = ${budgetOf(THROUGHPUT_PCT)} B\n`);
  console.log('| pool read delay | tier off ops/s | tier on ops/s | on/off (median of pairs) | tier hit ratio (timed runs) |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const delay of [DELAY, 0]) {
    store.setPoolReadDelay(delay);
    lookups(0, Math.min(OPS, 100_000)); // warm the JIT and CPU caches
    const offs = [];
    const ons = [];
    const ratios = [];
    let hits = 0;
    let misses = 0;
    for (let r = 0; r < RUNS; r++) {
      store.setTier(0);
      const off = opsPerSec();
      store.setTier(budgetOf(THROUGHPUT_PCT));
      lookups(0, OPS); // warm the tier before timing
      const a = store.stats().tier;
      const on = opsPerSec();
      const b = store.stats().tier;
      hits += b.hits - a.hits;
      misses += b.misses - a.misses;
      offs.push(off);
      ons.push(on);
      ratios.push(on / off);
    }
    const f = (x) => Math.round(x).toLocaleString('en-US');
    console.log(`| ${delay} ns | ${f(median(offs))} | ${f(median(ons))} | ${median(ratios).toFixed(2)}x | ${(hits / (hits + misses)).toFixed(4)} |`);
  }
  store.setPoolReadDelay(0);
  store.setTier(0);
} finally {
  store.close();
  rmSync(POOL, { force: true });
}

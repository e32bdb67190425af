#!/usr/bin/env node
// Key index growth (issue #16): 10M small keys (16-byte values) into a pool created with a small
// key index (--index-buckets, default 65536: 0.46M slots), served by a daxcache server (pool on
// /dev/shm, cache_line granularity). A pipelined client (one connection, batches of --pipeline
// commands) SETs new keys in steps of --step keys; after each step it runs --gets random GETs over
// the keys so far. Per step: SET and GET throughput (requests/s), p99 of a batch's round trip, the
// index's buckets, load factor and overflow buckets (INFO), and over the whole run the longest
// batch round trip (what a client waited at most, splits included). Flat means: the 10M-key step
// within 20% of the 1M one.
// Usage: npm run build && node bench/index-growth.mjs [--keys 10000000] [--step 1000000]
//          [--index-buckets 65536] [--pipeline 32] [--gets 500000] [--out FILE]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { ROOT, cmd, respConnection as conn, startDaxcache } from './lib/resp-load.mjs';

const argv = process.argv.slice(2);
const arg = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const KEYS = Number(arg('--keys', '10000000'));
const STEP = Number(arg('--step', '1000000'));
const INDEX_BUCKETS = Number(arg('--index-buckets', '65536'));
const P = Number(arg('--pipeline', '32'));
const GETS = Number(arg('--gets', '500000'));
const OUT = arg('--out', null);
const POOL_MB = Math.max(256, Math.ceil((KEYS * 150) / 2 ** 20));

const key = (i) => `key:${String(i).padStart(10, '0')}`;
const VALUE = 'v'.repeat(16);

const pct = (a, p) => {
  const v = [...a].sort((x, y) => x - y);
  return v[Math.min(v.length - 1, Math.floor(v.length * p))];
};

const dir = mkdtempSync('/dev/shm/daxcache-index-bench-');
const pool = join(dir, 'p.pool');
// The pool with a small key index: made by the store, then served.
const { Store } = await import(join(ROOT, 'dist/store/store.js'));
process.env.PMEM2_FORCE_GRANULARITY = 'cache_line';
Store.open(pool, { createSize: POOL_MB * 2 ** 20, indexBuckets: INDEX_BUCKETS }).close();
const srv = await startDaxcache(['--pool', pool], process.env);
const rows = [];
let longest = 0;
try {
  const c = await conn(srv.port);
  const info = async () => {
    const [t] = await c.send(cmd('INFO', 'memory'), 1);
    const f = (n) => Number(new RegExp(`${n}:([\\d.]+)`).exec(t)[1]);
    return { buckets: f('index_buckets'), load: f('index_load_factor'), overflow: f('index_overflow_buckets'), splits: f('index_splits'), splitBatchMaxUs: f('index_split_batch_max_us') };
  };
  let rnd = 12345;
  const next = () => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0);
  for (let have = 0; have < KEYS; ) {
    const upto = Math.min(KEYS, have + STEP);
    const setLat = [];
    let t0 = performance.now();
    for (let i = have; i < upto; i += P) {
      let text = '';
      const n = Math.min(P, upto - i);
      for (let j = 0; j < n; j++) text += cmd('SET', key(i + j), VALUE);
      const b0 = performance.now();
      const r = await c.send(text, n);
      const ms = performance.now() - b0;
      setLat.push(ms);
      longest = Math.max(longest, ms);
      if (r.some((x) => x instanceof Error)) throw new Error(`SET failed: ${r.find((x) => x instanceof Error).message}`);
    }
    const setRps = (upto - have) / ((performance.now() - t0) / 1000);
    have = upto;
    const getLat = [];
    t0 = performance.now();
    for (let g = 0; g < GETS; g += P) {
      let text = '';
      for (let j = 0; j < P; j++) text += cmd('GET', key(next() % have));
      const b0 = performance.now();
      const r = await c.send(text, P);
      const ms = performance.now() - b0;
      getLat.push(ms);
      longest = Math.max(longest, ms);
      if (r.some((x) => x !== VALUE)) throw new Error('GET missed an old key');
    }
    const getRps = GETS / ((performance.now() - t0) / 1000);
    const ix = await info();
    const row = { keys: have, setRps, setP99Ms: pct(setLat, 0.99), getRps, getP99Ms: pct(getLat, 0.99), ...ix };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
  c.close();
} finally {
  await srv.kill();
  rmSync(dir, { recursive: true, force: true });
}
const out = { date: new Date().toISOString(), host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, keys: KEYS, indexBuckets: INDEX_BUCKETS, pipeline: P, poolMiB: POOL_MB, longestBatchMs: longest, rows };
if (OUT) writeFileSync(OUT, JSON.stringify(out, null, 2));
const k = (x) => Math.round(x / 1000).toLocaleString('en-US');
console.log(`| keys | SET req/s | SET batch p99 (ms) | GET req/s | GET batch p99 (ms) | index buckets | load factor | overflow buckets |`);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.keys.toLocaleString('en-US')} | ${k(r.setRps)}k | ${r.setP99Ms.toFixed(2)} | ${k(r.getRps)}k | ${r.getP99Ms.toFixed(2)} | ${r.buckets.toLocaleString('en-US')} | ${r.load} | ${r.overflow.toLocaleString('en-US')} |`);
const first = rows[0], last = rows[rows.length - 1];
console.log(`\nlast/first step: SET ${(last.setRps / first.setRps).toFixed(2)}x, GET ${(last.getRps / first.getRps).toFixed(2)}x; longest batch round trip ${longest.toFixed(2)} ms (P=${P}); longest batch of splits ${last.splitBatchMaxUs} µs (${last.splits.toLocaleString('en-US')} splits)`);

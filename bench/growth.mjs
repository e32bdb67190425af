#!/usr/bin/env node
// Pool growth while serving (issue #16): how long a client waits while the pool grows. A daxcache
// server (pool on /dev/shm at cache_line granularity, or on the disk with msync) serves a
// pipelined load (one connection, batches of P SET+GET pairs of 100-byte values, each batch's
// round trip timed) while a second connection grows the pool by CONFIG SET pool-size, doubling
// from --from to --to. Reported per medium: the batches' p50/p99/max round trip before any growth,
// the longest round trip that overlapped a growth, and each CONFIG SET's own time (the growth:
// extending the file, mapping the new space, the header copy and primary). The longest pause a
// client saw during growth is that overlapping maximum.
// Usage: npm run build && node bench/growth.mjs [--from 64] [--to 4096] [--pipeline 16] [--media shm,disk] [--out FILE]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { ROOT, cmd as enc, respConnection as conn, sleep, startDaxcache } from './lib/resp-load.mjs';

const argv = process.argv.slice(2);
const arg = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const FROM = Number(arg('--from', '64'));
const TO = Number(arg('--to', '4096'));
const P = Number(arg('--pipeline', '16'));
const MEDIA = arg('--media', 'shm,disk').split(',');
const OUT = arg('--out', null);
const BASE_S = 3;

async function runMedium(medium) {
  const base = medium === 'shm' ? '/dev/shm' : join(ROOT, 'data');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'daxcache-growth-bench-'));
  const env = { ...process.env };
  if (medium === 'shm') env.PMEM2_FORCE_GRANULARITY = 'cache_line';
  else delete env.PMEM2_FORCE_GRANULARITY;
  const srv = await startDaxcache(['--pool', join(dir, 'p.pool'), '--pool-size', `${FROM}mb`], env);
  const { port } = srv;
  try {
    const load = await conn(port);
    const admin = await conn(port);
    const value = 'x'.repeat(100);
    const rtts = []; // [startMs, ms]
    let stop = false;
    let errors = 0;
    let k = 0;
    const loop = (async () => {
      while (!stop) {
        let text = '';
        for (let i = 0; i < P; i++, k++) text += enc('SET', `key:${k % 200000}`, value) + enc('GET', `key:${(k * 7) % 200000}`);
        const t0 = performance.now();
        const rs = await load.send(text, 2 * P);
        rtts.push([t0, performance.now() - t0]);
        errors += rs.filter((x) => x instanceof Error).length;
      }
    })();
    await sleep(BASE_S * 1000);
    const growths = [];
    for (let mb = FROM * 2; mb <= TO; mb *= 2) {
      const t0 = performance.now();
      const [r] = await admin.send(enc('CONFIG', 'SET', 'pool-size', `${mb}mb`), 1);
      if (r instanceof Error) errors++;
      growths.push({ toMiB: mb, t0, ms: performance.now() - t0 });
      await sleep(500);
    }
    stop = true;
    await loop;
    const firstGrowth = growths[0].t0;
    const before = rtts.filter(([t]) => t < firstGrowth).map(([, ms]) => ms).sort((a, b) => a - b);
    const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
    let overlapMax = 0;
    for (const g of growths) {
      for (const [t, ms] of rtts) if (t < g.t0 + g.ms && t + ms > g.t0) overlapMax = Math.max(overlapMax, ms);
    }
    const r = {
      medium,
      pipeline: P,
      batches: rtts.length,
      errors,
      beforeMs: { p50: pct(before, 0.5), p99: pct(before, 0.99), max: before[before.length - 1] },
      duringGrowthMaxMs: overlapMax,
      growths: growths.map(({ toMiB, ms }) => ({ toMiB, ms })),
    };
    load.close();
    admin.close();
    return r;
  } finally {
    await srv.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const m of MEDIA) results.push(await runMedium(m));
const out = { date: new Date().toISOString(), host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, from: FROM, to: TO, results };
if (OUT) writeFileSync(OUT, JSON.stringify(out, null, 2));
const f = (x) => x.toFixed(2);
console.log(`| medium | batches (P=${P} SET+GET) | errors | before: p50 / p99 / max (ms) | longest batch overlapping a growth (ms) | CONFIG SET pool-size ${FROM}mb -> ... (ms each) |`);
console.log('|---|---:|---:|---|---:|---|');
for (const r of results)
  console.log(`| ${r.medium} | ${r.batches} | ${r.errors} | ${f(r.beforeMs.p50)} / ${f(r.beforeMs.p99)} / ${f(r.beforeMs.max)} | ${f(r.duringGrowthMaxMs)} | ${r.growths.map((g) => `${g.toMiB}mb ${f(g.ms)}`).join(', ')} |`);

// Long crash-consistency run: crash images across the three models (adr, eadr, page) and damaged
// pools, with a progress line and a one-line summary; exit 1 on any failure (each one printed with
// its replay command). Run: node bench/crash/soak.mjs [--images 10000] [--pools 2000] [--seed 1]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { classify, describeFailure, runCampaignUntil, type CampaignResult } from './campaign.js';
import { describeFuzzFailure, runFuzz, type FuzzResult } from './fuzz.js';
import { crashDir } from './proc.js';
import type { SimMode } from './trace.js';

const { values: a } = parseArgs({
  options: {
    images: { type: 'string', default: '10000' },
    pools: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string' },
    'pool-size': { type: 'string', default: String(16 << 20) },
    ops: { type: 'string', default: '1500' },
    kills: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '2' },
  },
});
const seed = Number(a.seed);
const dir = a.dir ?? crashDir(`daxcache-soak-${process.pid}`);
const MODES: SimMode[] = ['sim-adr', 'sim-eadr', 'sim-page'];
const perModel = Math.ceil(Number(a.images) / MODES.length);
const t0 = Date.now();
const status = { phase: 'start', images: 0, pools: 0, failures: 0 };
const tty = process.stdout.isTTY;
const show = (): void => {
  const line = `[${Math.round((Date.now() - t0) / 1000)}s] ${status.phase}: ${status.images} crash images, ${status.pools}/${a.pools} corrupt pools, ${status.failures} failures`;
  process.stdout.write(tty ? `\r${line}   ` : `${line}\n`);
};
const timer = setInterval(show, tty ? 1000 : 15_000);

const results = new Map<SimMode, CampaignResult & { seeds: number }>();
for (const [m, mode] of MODES.entries()) {
  status.phase = mode;
  const r = await runCampaignUntil({
    mode,
    firstSeed: seed * 100_000 + m * 10_000,
    images: perModel,
    ops: Number(a.ops),
    imageEvery: mode === 'sim-page' ? 35 : 60,
    poolSize: Number(a['pool-size']),
    dir: `${dir}/${mode}`,
    kills: Number(a.kills),
    concurrency: Number(a.concurrency),
    onVerdict: (v) => {
      status.images++;
      if (v.fails.length) status.failures++;
    },
  });
  results.set(mode, r);
}
status.phase = 'corrupt pools';
const fuzz: FuzzResult = await runFuzz({
  seed,
  cases: Number(a.pools),
  dir: `${dir}/fuzz`,
  poolSize: Number(a['pool-size']),
  concurrency: Number(a.concurrency),
  onVerdict: (v) => {
    status.pools++;
    if (v.fails.length) status.failures++;
  },
});
clearInterval(timer);
show();
if (tty) process.stdout.write('\n');

const all = [...results.values()];
const failures = all.flatMap((r) => r.failures);
const errors = all.flatMap((r) => r.errors);
for (const f of failures.slice(0, 20)) console.log(describeFailure(f));
for (const e of errors.slice(0, 20)) console.log(e);
for (const f of fuzz.failures.slice(0, 20)) console.log(describeFuzzFailure(f));
const c = classify(failures);
const images = all.reduce((n, r) => n + r.images, 0);
const kills = all.reduce((n, r) => n + r.kills, 0);
const acked = all.reduce((n, r) => n + r.ackedOps, 0);
const recovery = all.reduce((n, r) => n + r.recoveryImages, 0);
const crashes = errors.filter((e) => e.includes('(crash)')).length + fuzz.crashes;
const hangs = errors.filter((e) => e.includes('(hang)')).length + fuzz.hangs;
const ok = !failures.length && !errors.length && !fuzz.failures.length;
const per = MODES.map((m) => `${m.slice(4)} ${results.get(m)!.images}`).join(', ');
console.log(
  `soak ${ok ? 'PASS' : 'FAIL'}: ${images} crash images (${per}; ${kills} of them from killed runs; ${acked} acknowledged ops checked) + ${recovery} images of crashes during recovery, ` +
    `${fuzz.cases} corrupt pools (${fuzz.refused} refused, ${fuzz.opened} opened, ${fuzz.dropped} damaged items/links dropped): ` +
    `${c.lost} lost acknowledged writes, ${c.torn} torn/never-written values, ${c.atomic} atomicity violations, ${c.other + errors.length + fuzz.failures.length} other failures, ` +
    `${crashes} crashes, ${hangs} hangs; ${Math.round((Date.now() - t0) / 1000)} s (seed ${seed})`,
);
if (ok) for (const d of [...MODES, 'fuzz']) rmSync(`${dir}/${d}`, { recursive: true, force: true });
if (ok && !a.dir) rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);

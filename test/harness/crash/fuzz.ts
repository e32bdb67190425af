// Corrupt-pool fuzz driver: builds a few base pools with the crash workload (some closed cleanly,
// some left by a simulated crash, so recovery runs on damaged pools too), then runs damaged-pool
// cases in batches of child processes. A child killed by a signal is a crash, one past its time
// limit a hang; both are pinned on the case it had started, and the batch goes on after it.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CorruptJob, CorruptVerdict } from './child-corrupt.js';
import type { WorkloadJob } from './child-workload.js';
import { childScript, inParallel, runChild } from './proc.js';
import { Rng } from './rng.js';

export interface FuzzOptions {
  seed: number;
  cases: number;
  dir: string;
  poolSize: number;
  bases?: number;
  batch?: number;
  concurrency?: number;
  onVerdict?: (v: CorruptVerdict) => void;
}

export interface FuzzFailure {
  seed: number;
  what: string;
  fails: string[];
  replay: string;
}

export interface FuzzResult {
  cases: number;
  refused: number;
  opened: number;
  dropped: number; // damaged items/links dropped and counted, summed
  crashes: number;
  hangs: number;
  failures: FuzzFailure[];
  byRegion: Record<string, number>;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  mkdirSync(o.dir, { recursive: true });
  const res: FuzzResult = { cases: 0, refused: 0, opened: 0, dropped: 0, crashes: 0, hangs: 0, failures: [], byRegion: {} };
  const rng = new Rng(o.seed);
  const nb = o.bases ?? 2;
  const bases: Array<{ pool: string; trace: string }> = [];
  for (let b = 0; b < nb; b++) {
    const seed = o.seed * 1000 + b;
    const job: WorkloadJob = {
      pool: join(o.dir, `base-${seed}.pool`),
      trace: join(o.dir, `base-${seed}.trace`),
      spec: { seed, mode: b % 2 ? 'sim-page' : 'sim-adr', ops: 800, poolSize: o.poolSize },
      sim: b % 2 ? { crashAtDrain: rng.range(200, 600) } : {},
    };
    rmSync(job.pool, { force: true });
    const r = await runChild(childScript('child-workload'), [JSON.stringify(job)], 300_000);
    if (r.code !== 0 && r.code !== 99) throw new Error(`fuzz base ${seed}: workload exited ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}`);
    bases.push({ pool: job.pool, trace: job.trace });
  }
  const script = childScript('child-corrupt');
  const batch = o.batch ?? 50;
  const jobs: Array<() => Promise<void>> = [];
  for (let first = 0; first < o.cases; first += batch) {
    const base = bases[(first / batch) % bases.length]!;
    const seeds = Array.from({ length: Math.min(batch, o.cases - first) }, (_, i) => o.seed * 1_000_000 + first + i);
    jobs.push(() => runBatch(script, { base: base.pool, trace: base.trace, dir: o.dir, cases: seeds }, res, o));
  }
  await inParallel(o.concurrency ?? 2, jobs);
  if (!res.failures.length) for (const b of bases) for (const f of [b.pool, b.trace]) rmSync(f, { force: true });
  return res;
}

async function runBatch(script: string, job: CorruptJob, res: FuzzResult, o: FuzzOptions): Promise<void> {
  let todo = job.cases;
  while (todo.length) {
    const r = await runChild(script, [JSON.stringify({ ...job, cases: todo })], 30_000 + todo.length * 3_000);
    let started: { start: number; what: string } | null = null;
    const done = new Set<number>();
    for (const line of r.stdout.split('\n')) {
      if (!line) continue;
      const x = JSON.parse(line) as CorruptVerdict | { start: number; what: string };
      if ('start' in x) {
        started = x;
        continue;
      }
      started = null;
      done.add(x.seed);
      res.cases++;
      res.byRegion[x.region] = (res.byRegion[x.region] ?? 0) + 1;
      if (x.outcome === 'refused') res.refused++;
      else res.opened++;
      res.dropped += x.dropped;
      o.onVerdict?.(x);
      if (x.fails.length) res.failures.push({ seed: x.seed, what: `${x.region}: ${x.what}`, fails: x.fails, replay: replayOf(job, x.seed) });
    }
    if (r.code === 0 && !r.signal && !r.timedOut) return;
    // The child died: the case it had started is a crash (signal, abort, exit) or a hang.
    const at = started?.start ?? todo.find((s) => !done.has(s))!;
    res.cases++;
    if (r.timedOut) res.hangs++;
    else res.crashes++;
    const how = r.timedOut ? 'hang (time limit)' : r.signal ? `crash (${r.signal})` : `child exited ${r.code}`;
    res.failures.push({ seed: at, what: started?.what ?? '?', fails: [`${how}: ${r.stderr.slice(-1500)}`], replay: replayOf(job, at) });
    todo = todo.filter((s) => !done.has(s) && s !== at);
  }
}

function replayOf(job: CorruptJob, seed: number): string {
  return `node build/harness/test/harness/crash/child-corrupt.js '${JSON.stringify({ ...job, cases: [seed] })}'  (base and trace are kept when a case fails)`;
}

export function describeFuzzFailure(f: FuzzFailure): string {
  return [`corrupt pool case ${f.seed} (${f.what}):`, ...f.fails.map((x) => `  - ${x}`), `  replay: ${f.replay}`].join('\n');
}

// Crash-image campaign for one model: per seed, one workload run writes crash images at random
// persist calls (snapshots: the run goes on), then a separate process checks every image. A few
// runs per seed are also really killed by the simulated crash (crashAtFlush / crashAtDrain) and the
// pool they leave is checked the same way, so both paths stay covered.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VerifyJob, ImageVerdict } from './child-verify.js';
import type { WorkloadJob } from './child-workload.js';
import { childScript, inParallel, runChild, type ChildResult } from './proc.js';
import { Rng } from './rng.js';
import type { SimMode, WorkloadSpec } from './trace.js';
import type { WorkloadSummary } from './workload.js';

export interface CampaignOptions {
  mode: SimMode;
  seeds: number[];
  ops: number; // ops per workload run
  imageEvery: number; // mean persist calls between two crash images
  poolSize: number;
  dir: string;
  kills?: number; // killed runs per seed
  fault?: WorkloadSpec['fault'];
  concurrency?: number;
  postWrites?: boolean;
  reopen?: boolean;
  recoveryEvery?: number; // every Nth image: also crash during its recovery (default 8)
  onVerdict?: (v: ImageVerdict) => void;
}

export interface ImageFailure {
  mode: SimMode;
  seed: number;
  ev: number | null;
  path: string;
  fails: string[];
  replay: string;
}

export interface CampaignResult {
  images: number;
  kills: number;
  ops: number;
  ackedOps: number; // summed over images: acknowledged ops each image had to hold
  inplace: number; // SETBIT/SETRANGE writes made in place by the workloads
  recoveryImages: number; // images of crashes during the recovery of an image
  failures: ImageFailure[];
  errors: string[]; // a child that crashed, hung, or saw the store disagree with its model
}

function ended(what: string, r: ChildResult): string | null {
  if (r.timedOut) return `${what}: timed out after ${r.ms} ms (hang)\n${r.stderr.slice(-2000)}`;
  if (r.signal) return `${what}: killed by ${r.signal} (crash)\n${r.stderr.slice(-2000)}`;
  return null;
}

function lastJson<T>(s: string): T | null {
  const lines = s.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]!) as T;
  } catch {
    return null;
  }
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  mkdirSync(o.dir, { recursive: true });
  const res: CampaignResult = { images: 0, kills: 0, ops: 0, ackedOps: 0, inplace: 0, recoveryImages: 0, failures: [], errors: [] };
  const wscript = childScript('child-workload');
  const vscript = childScript('child-verify');

  const verify = async (seed: number, src: Pick<VerifyJob, 'trace' | 'images' | 'stream'>, replay: (ev: number | null) => string): Promise<boolean> => {
    const job: VerifyJob = { ...src, postWrites: o.postWrites ?? true, reopen: o.reopen ?? true, recoveryEvery: o.recoveryEvery ?? 8 };
    const r = await runChild(vscript, [JSON.stringify(job)], 900_000);
    let last = '';
    let ok = true;
    for (const line of r.stdout.split('\n')) {
      if (!line) continue;
      const v = JSON.parse(line) as ImageVerdict;
      last = v.path;
      res.images++;
      res.ackedOps += v.acked;
      res.recoveryImages += v.recoveryImages;
      o.onVerdict?.(v);
      if (v.fails.length) {
        ok = false;
        res.failures.push({ mode: o.mode, seed, ev: v.ev, path: v.path, fails: v.fails, replay: replay(v.ev) });
      }
    }
    const bad = ended(`checker of seed ${seed} (${o.mode})`, r) ?? (r.code !== 0 ? `checker of seed ${seed} (${o.mode}) exited ${r.code}\n${r.stderr.slice(-2000)}` : null);
    if (bad) {
      ok = false;
      res.errors.push(`${bad}\n(last image checked: ${last || 'none'})`);
    }
    return ok;
  };

  const runSeed = async (seed: number): Promise<void> => {
    const base = join(o.dir, `${o.mode}-${seed}`);
    const spec: WorkloadSpec = { seed, mode: o.mode, ops: o.ops, poolSize: o.poolSize, fault: o.fault ?? 'none' };
    const prefix = `${base}-`;
    const doneFile = `${base}.done`;
    const job: WorkloadJob = {
      pool: `${base}.pool`,
      trace: `${base}.trace`,
      spec,
      sim: { imagePrefix: prefix, imageEvery: o.imageEvery },
      flow: { maxPendingImages: 12 },
    };
    for (const f of [job.pool, doneFile]) rmSync(f, { force: true });
    const replay = (ev: number | null): string =>
      `node build/harness/test/harness/crash/replay.js '${JSON.stringify({ ...spec, imageEvery: o.imageEvery, ev })}'`;
    // The checker runs alongside, taking images as they appear; the workload waits when it is ahead.
    const checked = verify(seed, { trace: job.trace, stream: { prefix, doneFile } }, replay);
    const w = await runChild(wscript, [JSON.stringify(job)], 600_000);
    writeFileSync(doneFile, '');
    let ok = await checked;
    rmSync(doneFile, { force: true });
    const werr = ended(`workload seed ${seed} (${o.mode})`, w) ?? (w.code !== 0 ? `workload seed ${seed} (${o.mode}) exited ${w.code}: ${w.stderr.slice(-3000)}` : null);
    if (werr) res.errors.push(werr);
    const sum = w.code === 0 ? lastJson<WorkloadSummary>(w.stdout) : null;
    if (sum) {
      res.ops += sum.ops;
      res.inplace += sum.inplace;
    }

    // Real crashes: the same workload, killed at a random flush or drain.
    const rng = new Rng(seed * 7919 + 1);
    for (let k = 0; sum && k < (o.kills ?? 0); k++) {
      const atFlush = rng.chance(0.5);
      const at = 1 + rng.int(atFlush ? sum.flushes : sum.drains);
      const kjob: WorkloadJob = {
        pool: `${base}-kill${k}.pool`,
        trace: `${base}-kill${k}.trace`,
        spec,
        sim: atFlush ? { crashAtFlush: at } : { crashAtDrain: at },
      };
      rmSync(kjob.pool, { force: true });
      const kr = await runChild(wscript, [JSON.stringify(kjob)], 600_000);
      const kerr = ended(`killed run seed ${seed} (${o.mode})`, kr) ?? (kr.code !== 99 && kr.code !== 0 ? `killed run seed ${seed} exited ${kr.code}: ${kr.stderr.slice(-3000)}` : null);
      if (kerr) res.errors.push(kerr);
      res.kills++;
      const kreplay = (): string => `node build/harness/test/harness/crash/replay.js '${JSON.stringify({ ...spec, ...kjob.sim })}'`;
      const kok = await verify(seed, { trace: kjob.trace, images: [{ path: kjob.pool, ev: null }] }, kreplay);
      if (kok) rmSync(kjob.trace, { force: true });
      ok &&= kok;
    }
    rmSync(job.pool, { force: true });
    if (ok && !werr) rmSync(job.trace, { force: true });
  };

  await inParallel(o.concurrency ?? 2, o.seeds.map((s) => () => runSeed(s)));
  return res;
}

/** A failure as the lines a person needs: what, where, and how to replay it. */
export function describeFailure(f: ImageFailure): string {
  return [
    `crash image ${f.path} (model ${f.mode}, seed ${f.seed}, ${f.ev === null ? 'killed run' : `persist event ${f.ev}`}):`,
    ...f.fails.map((x) => `  - ${x.replace(/\n/g, '\n    ')}`),
    `  replay: ${f.replay}`,
  ].join('\n');
}

/** Runs seeds `firstSeed, firstSeed + 1, ...` in groups until at least `images` images were checked. */
export async function runCampaignUntil(
  o: Omit<CampaignOptions, 'seeds'> & { firstSeed: number; images: number; maxSeeds?: number },
): Promise<CampaignResult & { seeds: number }> {
  const total: CampaignResult & { seeds: number } = { images: 0, kills: 0, ops: 0, ackedOps: 0, inplace: 0, recoveryImages: 0, failures: [], errors: [], seeds: 0 };
  const group = o.concurrency ?? 2;
  while (total.images < o.images && total.seeds < (o.maxSeeds ?? 1e6)) {
    const seeds = Array.from({ length: group }, (_, i) => o.firstSeed + total.seeds + i);
    const r = await runCampaign({ ...o, seeds });
    total.seeds += group;
    total.images += r.images;
    total.kills += r.kills;
    total.ops += r.ops;
    total.ackedOps += r.ackedOps;
    total.inplace += r.inplace;
    total.recoveryImages += r.recoveryImages;
    total.failures.push(...r.failures);
    total.errors.push(...r.errors);
    if (r.images === 0 && r.errors.length) break; // nothing runs: do not loop forever
  }
  return total;
}

/** The failure kinds the summaries count. */
export function classify(failures: ImageFailure[]): { lost: number; torn: number; atomic: number; other: number } {
  const c = { lost: 0, torn: 0, atomic: 0, other: 0 };
  for (const f of failures)
    for (const m of f.fails) {
      if (m.includes('acknowledged write lost')) c.lost++;
      else if (m.includes('never written')) c.torn++;
      else if (m.includes('all-or-nothing')) c.atomic++;
      else c.other++;
    }
  return c;
}

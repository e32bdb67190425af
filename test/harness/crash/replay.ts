// Replays one failing crash image: reruns the seeded workload with the same knobs (so the same image
// is written, or the same kill happens), checks that image and prints every failure with the trace
// lines of the keys involved. Usage: node build/harness/test/harness/crash/replay.js '<json from the report>'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadJob } from './child-workload.js';
import { expectationAt } from './expect.js';
import { childScript, crashDir, runChild } from './proc.js';
import { readTrace, type WorkloadSpec } from './trace.js';
import { verifyImage } from './verify.js';

interface ReplayArgs extends WorkloadSpec {
  imageEvery?: number;
  ev?: number | null;
  crashAtFlush?: number;
  crashAtDrain?: number;
}

const a = JSON.parse(process.argv[2]!) as ReplayArgs;
const dir = mkdtempSync(join(crashDir('daxcache-replay'), 'run-'));
const spec: WorkloadSpec = { seed: a.seed, mode: a.mode, ops: a.ops, poolSize: a.poolSize, fault: a.fault ?? 'none' };
const killed = a.crashAtFlush !== undefined || a.crashAtDrain !== undefined;
const job: WorkloadJob = {
  pool: join(dir, 'pool'),
  trace: join(dir, 'trace'),
  spec,
  sim: killed ? { crashAtFlush: a.crashAtFlush, crashAtDrain: a.crashAtDrain } : { imagePrefix: join(dir, 'img-'), imageEvery: a.imageEvery },
  flow: { maxPendingImages: 4 },
};
// Only the image asked for is kept; the others are removed as they appear (images are pool-sized).
const janitor = setInterval(() => {
  for (const f of readdirSync(dir)) if (f.startsWith('img-') && f.endsWith('.img') && f !== `img-${a.ev}.img`) rmSync(join(dir, f), { force: true });
}, 5);
const r = await runChild(childScript('child-workload'), [JSON.stringify(job)], 600_000);
clearInterval(janitor);
console.log(`workload exited ${r.code ?? r.signal}; trace: ${job.trace}`);
if (r.stderr) console.log(r.stderr);
const image = killed ? job.pool : join(dir, `img-${a.ev}.img`);
const exp = expectationAt(readTrace(job.trace), killed ? Infinity : (a.ev ?? Infinity));
console.log(`image ${image}: ${exp.acked} acknowledged ops, ${exp.window.length} in flight: ${exp.window.map((o) => `${o.i}:${o.op}`).join(' ')}`);
const fails = verifyImage(image, exp, { postWrites: true, reopen: true });
for (const f of fails) console.log(`- ${f}`);
console.log(fails.length ? `${fails.length} failures` : 'image is sound');
process.exit(fails.length ? 1 : 0);

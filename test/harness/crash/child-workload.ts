// Child process: runs one seeded workload on a crash-simulation pool (argv[2] = JSON job). Exits 0
// when it ran to the end (printing its summary as JSON), 99 when the simulated crash stopped it, 3
// when the store disagreed with the model during the run.
import { runWorkload, type FlowControl, type SimKnobs } from './workload.js';
import type { WorkloadSpec } from './trace.js';

export interface WorkloadJob {
  pool: string;
  trace: string;
  spec: WorkloadSpec;
  sim: SimKnobs;
  flow?: FlowControl;
}

const job = JSON.parse(process.argv[2]!) as WorkloadJob;
try {
  const sum = runWorkload(job.pool, job.spec, job.sim, job.trace, job.flow);
  process.stdout.write(JSON.stringify(sum) + '\n');
} catch (e) {
  process.stderr.write(`workload seed ${job.spec.seed} ${job.spec.mode}: ${(e as Error).stack ?? e}\n`);
  process.exit(3);
}

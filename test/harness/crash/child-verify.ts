// Child process: checks crash images of one workload run (argv[2] = JSON job) in a process that never
// wrote them, printing one JSON line per image. Either a fixed list, or streaming: images are checked
// as the running workload writes them, until `doneFile` appears (so only a few exist at a time).
// Sound images are deleted; failing ones are kept, renamed *.bad, for a post-mortem.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expectationAt } from './expect.js';
import { readTrace, type TraceRecord } from './trace.js';
import { verifyImage, verifyRecoveryCrashes } from './verify.js';

export interface VerifyJob {
  trace: string;
  images?: Array<{ path: string; ev: number | null }>; // ev null: left by a killed run
  stream?: { prefix: string; doneFile: string };
  postWrites: boolean;
  reopen: boolean;
  recoveryEvery?: number; // every Nth image also gets crashes during its recovery checked (0 = none)
}

export interface ImageVerdict {
  path: string;
  ev: number | null;
  acked: number;
  window: number;
  recoveryImages: number;
  fails: string[];
}

const job = JSON.parse(process.argv[2]!) as VerifyJob;
let count = 0;
let kept = 0; // failing images kept for a post-mortem (the rest are deleted: they are pool-sized)

function check(trace: TraceRecord[], img: { path: string; ev: number | null }): void {
  const head = trace[0]?.t === 'head' ? trace[0].spec : null;
  const exp = expectationAt(trace, img.ev ?? Infinity);
  // Before the image is opened normally (which repairs it): crashes during its recovery.
  const every = job.recoveryEvery ?? 0;
  const rec = head && every && count % every === 0 ? verifyRecoveryCrashes(img.path, exp, head.mode) : { images: 0, fails: [] };
  count++;
  const fails = [...rec.fails, ...verifyImage(img.path, exp, { postWrites: job.postWrites, reopen: job.reopen })];
  const v: ImageVerdict = { path: img.path, ev: img.ev, acked: exp.acked, window: exp.window.length, recoveryImages: rec.images, fails };
  process.stdout.write(JSON.stringify(v) + '\n');
  if (!fails.length) rmSync(img.path, { force: true });
  else if (img.ev !== null && kept++ < 3) renameSync(img.path, `${img.path}.bad`);
  else if (img.ev !== null) rmSync(img.path, { force: true });
}

if (job.images) {
  const trace = readTrace(job.trace);
  for (const img of job.images) check(trace, img);
} else if (job.stream) {
  const dir = dirname(job.stream.prefix);
  const base = basename(job.stream.prefix);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const done = existsSync(job.stream.doneFile); // read before listing: no image can appear after it
    const imgs = readdirSync(dir)
      .filter((f) => f.startsWith(base) && f.endsWith('.img'))
      .map((f) => ({ path: join(dir, f), ev: Number(f.slice(base.length, -4)) }))
      .sort((a, b) => a.ev - b.ev);
    if (imgs.length) {
      // Every trace line an image depends on was written before the image (see trace.ts).
      const trace = readTrace(job.trace);
      for (const img of imgs) check(trace, img);
    } else if (done) {
      break;
    } else {
      Atomics.wait(sleeper, 0, 0, 10);
    }
  }
}

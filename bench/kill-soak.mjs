#!/usr/bin/env node
// Long kill -9 soak against the real server (issue 4, part 3): half the cycles with the pool in
// /dev/shm (cache_line granularity), half with the pool on a disk (page granularity). Each cycle
// runs pipelined RESP + memcached load, SIGKILLs the server after 50–400 ms, restarts it on the same
// pool and checks every acknowledged write. Needs the build (`npm run build`).
//   node bench/kill-soak.mjs --cycles 200 [--seed N]
// Exits 1 on any lost or wrong value or failed restart.
import { buildHarness, compiled } from './crash/build-harness.mjs';

buildHarness();
const entry = compiled('test/harness/killsoak/index.ts');
const { runKillSoak, describeKillSoak } = await import(entry);

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : dflt;
};
const cycles = arg('cycles', 200);
const seed = arg('seed', Date.now() % 2 ** 31);
if (!Number.isInteger(cycles) || cycles < 2) {
  console.error('usage: node bench/kill-soak.mjs --cycles N (N >= 2) [--seed N]');
  process.exit(2);
}
const plan = [['shm', Math.ceil(cycles / 2), seed], ['disk', Math.floor(cycles / 2), seed + 1]];
const t0 = Date.now();
const tty = process.stderr.isTTY;
let done = 0;
const results = [];
console.log(`kill-soak: ${cycles} cycles (shm ${plan[0][1]}, disk ${plan[1][1]}), seed ${seed}`);
for (const [kind, n, s] of plan) {
  const r = await runKillSoak({
    cycles: n,
    kind,
    seed: s,
    onProgress: (p) => {
      done++;
      const width = 30;
      const bar = '#'.repeat(Math.round((done / cycles) * width)).padEnd(width, '.');
      const line = `[${bar}] ${done}/${cycles} ${kind} cycle ${p.cycle}/${p.cycles}: ${p.ackedChecked} acked writes checked, ${p.lost} lost, ${p.wrong} wrong, ${p.failedRestarts} failed restarts, ${((Date.now() - t0) / 1000).toFixed(0)} s`;
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
      else if (p.cycle % 10 === 0 || p.cycle === p.cycles) console.error(line);
    },
  });
  if (tty) process.stderr.write('\n');
  results.push(r);
  console.log(`  ${describeKillSoak(r)}`);
  for (const f of r.failures) console.log(`\n${f}`);
  if (r.failures.length) break;
}
const sum = (f) => results.reduce((a, r) => a + f(r), 0);
const ran = sum((r) => r.cyclesRun);
const lost = sum((r) => r.lost);
const wrong = sum((r) => r.wrong);
const failedRestarts = sum((r) => r.failedRestarts);
const failures = sum((r) => r.failures.length);
const ok = ran === cycles && lost === 0 && wrong === 0 && failedRestarts === 0 && failures === 0;
const byKind = (k) => results.find((r) => r.kind === k)?.cyclesRun ?? 0;
console.log(
  `kill-soak ${ok ? 'PASS' : 'FAIL'}: ${ran} cycles (shm ${byKind('shm')}, disk ${byKind('disk')}), ` +
    `${sum((r) => r.ackedChecked)} acknowledged writes checked, ${lost} lost, ${wrong} wrong values, ` +
    `${failedRestarts} failed restarts (seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
);
process.exit(ok ? 0 : 1);

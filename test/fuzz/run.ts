// `npm run fuzz`: the parser properties (a million inputs across them, in two worker processes)
// and the whole-stream server target, with a progress line and a summary (inputs, crashes, hangs,
// max RSS). Exit code 1 on any failure. Bounded: every phase has a wall-clock budget.
//
//   node build/fuzz/run.mjs [--scale 1] [--seed N] [--budget-s 900]
//   node build/fuzz/run.mjs --worker <property> --runs N --seed S   (internal)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PROPERTIES, timing, type PropertyName } from './properties.js';
import { procMemory, runServerStream, type ServerStreamStats } from './server-stream.js';
import { startServer } from '../helpers/server.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const BATCH = 2000;

interface WorkerMsg {
  done: number;
  maxMs: number;
  rssKb: number;
  failure?: string;
  hang?: boolean;
  crash?: boolean;
}

async function worker(): Promise<void> {
  const name = args[args.indexOf('--worker') + 1] as PropertyName;
  const runs = opt('runs', 1000);
  const seed = opt('seed', 1);
  const send = (m: WorkerMsg) => process.send!(m);
  let done = 0;
  for (let b = 0; done < runs; b++) {
    const n = Math.min(BATCH, runs - done);
    const s = (seed + b * 7919) >>> 0;
    const d = fc.check(PROPERTIES[name], { seed: s, numRuns: n });
    done += n;
    const rssKb = Math.round(process.memoryUsage().rss / 1024);
    if (d.failed) {
      const msg = `${name}: seed ${s} path ${d.counterexamplePath}\n${fc.defaultReportMessage(d)}`;
      send({ done, maxMs: timing.maxMs, rssKb, failure: msg.slice(0, 20000), hang: /hang:/.test(msg), crash: /threw/.test(msg) });
      process.exit(1);
    }
    send({ done, maxMs: timing.maxMs, rssKb });
  }
  process.exit(0);
}

interface TargetRow {
  name: string;
  inputs: number;
  planned: number;
  crashes: number;
  hangs: number;
  failures: number;
  maxInputMs: number;
  maxRssKb: number;
  note: string;
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const scale = opt('scale', 1);
  const seed = opt('seed', (Date.now() ^ (process.pid << 10)) >>> 0) >>> 0;
  const budgetMs = opt('budget-s', 900) * 1000;
  const t0 = Date.now();
  const plan: Array<[PropertyName, number]> = [
    ['respMutated', 340_000],
    ['mcMutated', 340_000],
    ['respValid', 150_000],
    ['mcValid', 150_000],
  ];
  const server = { commands: Math.round(60_000 * scale), garbage: Math.round(2_000 * scale) };
  const rows = new Map<string, TargetRow>();
  for (const [name, n] of plan) rows.set(name, { name, inputs: 0, planned: Math.round(n * scale), crashes: 0, hangs: 0, failures: 0, maxInputMs: 0, maxRssKb: 0, note: '' });
  const srow: TargetRow = { name: 'server stream', inputs: 0, planned: server.commands + server.garbage, crashes: 0, hangs: 0, failures: 0, maxInputMs: 0, maxRssKb: 0, note: '' };
  rows.set('server', srow);
  const failures: string[] = [];
  const total = () => [...rows.values()].reduce((s, r) => s + r.inputs, 0);
  const planned = [...rows.values()].reduce((s, r) => s + r.planned, 0);
  console.log(`fuzz: seed ${seed}, ${planned} inputs planned (parsers: ${plan.map(([n]) => `${n} ${rows.get(n)!.planned}`).join(', ')}; server: ${server.commands} commands + ${server.garbage} garbage streams)`);
  let lastLine = 0;
  const progress = (force = false) => {
    if (!force && Date.now() - lastLine < 2000) return;
    lastLine = Date.now();
    const active = [...rows.values()].filter((r) => r.inputs > 0 && r.inputs < r.planned).map((r) => `${r.name} ${r.inputs}/${r.planned}`);
    const bad = [...rows.values()].reduce((s, r) => s + r.crashes + r.hangs + r.failures, 0);
    console.log(`fuzz: ${((Date.now() - t0) / 1000).toFixed(0)}s ${total()}/${planned} inputs, ${bad} failing${active.length ? ' | ' + active.join(', ') : ''}`);
  };

  // Phase 1: parser properties, two worker processes at a time.
  const self = fileURLToPath(import.meta.url);
  const queue = [...plan];
  const runWorker = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const [name] = job;
      const row = rows.get(name)!;
      await new Promise<void>((res) => {
        const child = fork(self, ['--worker', name, '--runs', String(row.planned), '--seed', String((seed ^ hash(name)) >>> 0)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const kill = setTimeout(() => {
          row.failures++;
          failures.push(`${name}: time budget exceeded`);
          child.kill('SIGKILL');
        }, Math.max(1000, budgetMs - (Date.now() - t0)));
        child.on('message', (m: WorkerMsg) => {
          row.inputs = m.done;
          row.maxInputMs = Math.max(row.maxInputMs, m.maxMs);
          row.maxRssKb = Math.max(row.maxRssKb, m.rssKb);
          if (m.failure) {
            if (m.hang) row.hangs++;
            else if (m.crash) row.crashes++;
            else row.failures++;
            failures.push(m.failure);
          }
          progress();
        });
        child.once('exit', (code, sig) => {
          clearTimeout(kill);
          if (code !== 0 && row.crashes + row.hangs + row.failures === 0) {
            row.crashes++;
            failures.push(`${name}: worker exited with ${code ?? sig}`);
          }
          res();
        });
      });
    }
  };
  await Promise.all([runWorker(), runWorker()]);

  // Phase 2: whole command streams against the model, on a real server.
  const s = await startServer({ memcached: true, poolSize: '256mb' });
  let st: ServerStreamStats | null = null;
  try {
    const budget = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('time budget exceeded')), Math.max(60_000, budgetMs - (Date.now() - t0))).unref());
    st = await Promise.race([
      runServerStream({
        port: s.port, memcachedPort: s.memcachedPort, pid: s.proc.pid!, seed, commands: server.commands, garbage: server.garbage,
        onProgress: (p) => {
          srow.inputs = p.commands + p.garbage;
          progress();
        },
      }),
      budget,
    ]);
    srow.inputs = st.commands + st.garbage;
    srow.maxInputMs = st.maxBatchMs;
    srow.maxRssKb = st.hwmKb;
    srow.note = `RssAnon max ${mb(st.maxAnonKb)} (after warm-up ${mb(st.warmAnonKb)}), ${st.batches} batches, ${(st.garbageBytes / 1e6).toFixed(1)} MB garbage`;
    // Bounded memory: the heap must not grow with the run (the pool is a fixed mapping).
    if (st.maxAnonKb - st.warmAnonKb > 96 * 1024) {
      srow.failures++;
      failures.push(`server RssAnon grew from ${mb(st.warmAnonKb)} to ${mb(st.maxAnonKb)}`);
    }
  } catch (e) {
    const msg = (e as Error).message;
    if (/hang/.test(msg)) srow.hangs++;
    else srow.failures++;
    failures.push(`server stream: ${msg}`);
  }
  const alive = s.proc.exitCode === null && s.proc.signalCode === null;
  if (!alive) {
    srow.crashes++;
    failures.push(`server process died (${s.proc.exitCode ?? s.proc.signalCode}):\n${s.stderr().slice(-4000)}`);
  } else {
    if (st === null) srow.maxRssKb = procMemory(s.proc.pid!).hwm;
    const code = await s.stop();
    if (code !== 0) {
      srow.crashes++;
      failures.push(`server exited with ${code} on SIGTERM:\n${s.stderr().slice(-4000)}`);
    }
  }
  progress(true);

  const all = [...rows.values()];
  const sum = (f: (r: TargetRow) => number) => all.reduce((x, r) => x + f(r), 0);
  console.log('\nfuzz summary (seed %d, %s s):', seed, ((Date.now() - t0) / 1000).toFixed(0));
  console.log('  target           inputs  crashes  hangs  failures  max input  max RSS');
  for (const r of all) {
    console.log(`  ${r.name.padEnd(15)} ${String(r.inputs).padStart(8)} ${String(r.crashes).padStart(8)} ${String(r.hangs).padStart(6)} ${String(r.failures).padStart(9)} ${(r.maxInputMs.toFixed(0) + ' ms').padStart(10)}  ${mb(r.maxRssKb)}${r.note ? '  ' + r.note : ''}`);
  }
  console.log(`  ${'total'.padEnd(15)} ${String(sum((r) => r.inputs)).padStart(8)} ${String(sum((r) => r.crashes)).padStart(8)} ${String(sum((r) => r.hangs)).padStart(6)} ${String(sum((r) => r.failures)).padStart(9)}`);
  console.log('  (parser max RSS: the worker process; server: VmHWM of the daxcache process, pool mapping included)');
  const short = sum((r) => r.inputs) < planned;
  if (failures.length > 0 || short) {
    for (const f of failures) console.error(`\nFAILURE ${f}`);
    if (short && failures.length === 0) console.error('\nFAILURE fewer inputs ran than planned');
    console.error(`\nfuzz FAILED (seed ${seed}; rerun: npm run fuzz -- --seed ${seed})`);
    process.exit(1);
  }
  console.log('fuzz OK');
  process.exit(0);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

if (args.includes('--worker')) void worker();
else void main();

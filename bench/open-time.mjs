// Open time versus key count (must stay flat: O(1) open). For each N: fill a pool with N keys
// (16 B keys, 16 B values), then in fresh processes time Store.open() and the first get, after a
// clean close and after a crash (the writer exits without closing). The background rebuild that
// follows open is timed too (it is O(keys) but runs while the server already serves).
// The pool size is the same (1 GiB) for every N, so only the key count changes.
// Usage: npm run build && node bench/open-time.mjs [--sizes 100000,1000000,5000000] [--runs 3] [--dir /dev/shm]
import { spawnSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const arg = (name, def) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const sizes = arg('--sizes', '100000,1000000,5000000').split(',').map(Number);
const runs = Number(arg('--runs', '3'));
const dir = arg('--dir', '/dev/shm');
const role = arg('--role', 'main');
const storeUrl = new URL('../dist/store/store.js', import.meta.url).href;
const key = (i) => Buffer.from(`key:${String(i).padStart(12, '0')}`);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

if (role === 'fill') {
  const { Store } = await import(storeUrl);
  const [path, n, clean] = [arg('--path'), Number(arg('--n')), arg('--clean') === '1'];
  const s = Store.open(path, { createSize: 2 ** 30 });
  const v = Buffer.alloc(16, 0x76);
  for (let i = 0; i < n; i++) {
    s.set(key(i), v);
    if (i % 50_000 === 49_999) s.barrier();
  }
  s.barrier();
  if (clean) s.close();
  process.exit(0); // without close(): a crash as far as the pool can tell
} else if (role === 'open') {
  const { Store } = await import(storeUrl);
  const path = arg('--path');
  const t0 = performance.now();
  const s = Store.open(path);
  const t1 = performance.now();
  const hit = s.getValue(key(12345 % Number(arg('--n'))));
  const t2 = performance.now();
  let slices = 0;
  while (s.maintenance(512)) slices++;
  const t3 = performance.now();
  if (!hit) throw new Error('first get missed');
  console.log(JSON.stringify({ openMs: t1 - t0, firstGetMs: t2 - t1, rebuildMs: t3 - t2, slices, count: s.count() }));
  s.close();
} else {
  const env = { ...process.env };
  if (dir.startsWith('/dev/shm')) env.PMEM2_FORCE_GRANULARITY = 'cache_line';
  mkdirSync(dir, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  for (const n of sizes) {
    for (const clean of [true, false]) {
      const opens = [], firsts = [], rebuilds = [];
      for (let r = 0; r < runs; r++) {
        const path = `${dir}/daxcache-open-${process.pid}.pool`;
        rmSync(path, { force: true });
        const f = spawnSync(process.execPath, [self, '--role', 'fill', '--path', path, '--n', String(n), '--clean', clean ? '1' : '0'], { env, stdio: 'inherit' });
        if (f.status !== 0) throw new Error('fill failed');
        const o = spawnSync(process.execPath, [self, '--role', 'open', '--path', path, '--n', String(n)], { env, encoding: 'utf8' });
        if (o.status !== 0) throw new Error(`open failed: ${o.stderr}`);
        const m = JSON.parse(o.stdout.trim().split('\n').pop());
        if (m.count !== n) throw new Error(`count ${m.count} != ${n}`);
        opens.push(m.openMs);
        firsts.push(m.firstGetMs);
        rebuilds.push(m.rebuildMs);
        rmSync(path, { force: true });
      }
      rows.push({ keys: n, after: clean ? 'clean close' : 'crash', openMs: median(opens), firstGetMs: median(firsts), rebuildMs: median(rebuilds) });
      console.error(JSON.stringify(rows.at(-1)));
    }
  }
  console.log(`pool dir: ${dir}; median of ${runs} runs`);
  console.log('| keys | after | open (ms) | first GET (ms) | background rebuild (ms) |\n|---:|---|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.keys.toLocaleString('en-US')} | ${r.after} | ${r.openMs.toFixed(2)} | ${r.firstGetMs.toFixed(3)} | ${Math.round(r.rebuildMs)} |`);
}

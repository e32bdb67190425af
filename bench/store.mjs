// In-process figures for the store facade (tinybench): get/set/delete with 16-byte keys and
// 100 B / 4 KiB values, without and with a barrier per operation, in both granularities.
// Usage: npm run build && node bench/store.mjs [--time 1000]
import { Bench } from 'tinybench';
import { rmSync, mkdirSync } from 'node:fs';
import { Store } from '../dist/store/store.js';

const time = Number(process.argv[process.argv.indexOf('--time') + 1] || 1000);
const kinds = [
  ['/dev/shm', 'cache_line'],
  ['data/bench', 'page'],
];
const rows = [];
for (const [dir, gran] of kinds) {
  mkdirSync(dir, { recursive: true });
  if (gran === 'cache_line') process.env.PMEM2_FORCE_GRANULARITY = 'cache_line';
  else delete process.env.PMEM2_FORCE_GRANULARITY;
  const path = `${dir}/daxcache-bench-${process.pid}.pool`;
  rmSync(path, { force: true });
  const store = Store.open(path, { createSize: 2 * 1024 ** 3 });
  const N = 100_000;
  const keys = Array.from({ length: N }, (_, i) => Buffer.from(`key:${String(i).padStart(12, '0')}`)); // 16 B
  for (const size of [100, 4096]) {
    const value = Buffer.alloc(size, 0x61);
    for (const k of keys) store.set(k, value);
    store.barrier();
    let i = 0;
    const next = () => keys[i++ % N];
    const bench = new Bench({ time, warmupTime: 200 });
    bench
      .add(`get ${size} B`, () => void store.getValue(next()))
      .add(`set ${size} B (no barrier)`, () => void store.set(next(), value))
      .add(`set ${size} B + barrier`, () => {
        store.set(next(), value);
        store.barrier();
      })
      .add(`delete+set ${size} B (no barrier)`, () => {
        const k = next();
        store.delete(k);
        store.set(k, value);
      });
    await bench.run();
    store.barrier();
    for (const t of bench.tasks) {
      const r = t.result;
      rows.push({ granularity: gran, task: t.name, 'ops/s': Math.round(r.throughput.mean), 'p50 us': (r.latency.p50 * 1000).toFixed(2), 'p99 us': (r.latency.p99 * 1000).toFixed(2) });
    }
  }
  store.close();
  rmSync(path, { force: true });
}
console.table(rows);
console.log('| granularity | operation | ops/s | p50 µs | p99 µs |\n|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.granularity} | ${r.task} | ${r['ops/s'].toLocaleString('en-US')} | ${r['p50 us']} | ${r['p99 us']} |`);

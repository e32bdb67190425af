// SETBIT on large values: in place through the intent log (Store.setBit, issue #14) against the
// copy path every other write takes (a one-byte SETRANGE inside a transaction writes a new item
// holding the whole value),
// each followed by a barrier — one client's durable SETBITs, one per turn. In process (tinybench),
// both granularities, values from 256 B to 1 MiB. The bit flips every time, so every call writes.
// setBit copies values under 4 KiB too (INPLACE_MIN_VALUE), so its 256 B row is the copy path.
// Also GETBIT's read: one byte (getRange) against the whole value (getValue, what it did before).
// Usage: npm run build && node bench/setbit.mjs [--time 1000]
import { Bench } from 'tinybench';
import { rmSync, mkdirSync } from 'node:fs';
import { Store } from '../dist/store/store.js';

const time = Number(process.argv[process.argv.indexOf('--time') + 1] || 1000);
const kinds = [
  ['/dev/shm', 'cache_line'],
  ['data/bench', 'page'],
];
const SIZES = [256, 4096, 65536, 1 << 20];
const rows = [];
for (const [dir, gran] of kinds) {
  mkdirSync(dir, { recursive: true });
  if (gran === 'cache_line') process.env.PMEM2_FORCE_GRANULARITY = 'cache_line';
  else delete process.env.PMEM2_FORCE_GRANULARITY;
  const path = `${dir}/daxcache-bench-setbit-${process.pid}.pool`;
  rmSync(path, { force: true });
  const store = Store.open(path, { createSize: 256 * 1024 ** 2 });
  for (const size of SIZES) {
    const key = Buffer.from(`bits:${size}`);
    store.set(key, Buffer.alloc(size));
    store.barrier();
    let n = 0;
    // Pairs of calls on one byte, setting then clearing its low bit, so every call flips it; the
    // byte walks the value so every line of it is touched.
    const spot = () => {
      n++;
      return [(Math.floor((n - 1) / 2) * 7919) % size, n % 2 === 1];
    };
    const bench = new Bench({ time, warmupTime: 200 });
    bench
      .add(`setBit ${size} B + barrier`, () => {
        const [byte, on] = spot();
        store.setBit(key, byte, 0x01, on);
        store.barrier();
      })
      .add(`setRange 1 byte (copy) ${size} B + barrier`, () => {
        // Inside a transaction no write is made in place: this is the copy path.
        const [byte, on] = spot();
        store.atomically(128, size + 4096, () => store.setRange(key, byte, Buffer.of(on ? 1 : 0)));
        store.barrier();
      })
      // GETBIT: one byte read (getRange) against the whole value copied out (getValue, before).
      .add(`getbit ${size} B: getRange 1 byte`, () => void store.getRange(key, spot()[0], 1))
      .add(`getbit ${size} B: getValue`, () => void store.getValue(key)[spot()[0]]);
    await bench.run();
    for (const t of bench.tasks) {
      const r = t.result;
      rows.push({ granularity: gran, task: t.name, 'ops/s': Math.round(r.throughput.mean), 'p50 us': (r.latency.p50 * 1000).toFixed(2), 'p99 us': (r.latency.p99 * 1000).toFixed(2) });
    }
  }
  const st = store.stats();
  console.error(`${gran}: ${st.inplaceWrites} in-place writes`);
  store.close();
  rmSync(path, { force: true });
}
console.table(rows);
console.log('| granularity | operation | ops/s | p50 µs | p99 µs |\n|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.granularity} | ${r.task} | ${r['ops/s'].toLocaleString('en-US')} | ${r['p50 us']} | ${r['p99 us']} |`);

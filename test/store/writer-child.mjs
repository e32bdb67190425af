// Test child: writes keys 0..count-1 in batches; after each batch's barrier() it reports
// "acked N" (all keys below N are durable). The parent kills it with SIGKILL at a random instant.
import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';

const [, , path, countArg, batchArg, createArg] = process.argv;
const { NativeStore } = createRequire(import.meta.url)('../../build/Release/daxcache_native.node');
const FAR_FUTURE_MS = 4_102_444_800_000;
const count = Number(countArg);
const batch = Number(batchArg);
const store = new NativeStore(path, { createSize: Number(createArg) });
writeSync(1, 'open\n');
for (let i = 0; i < count; ) {
  const end = Math.min(count, i + batch);
  for (; i < end; i++) {
    const base = `value-${i}-`;
    const st = store.set(Buffer.from(`key:${i}`, 'latin1'), Buffer.from(base.repeat(1 + (i % 5)), 'latin1'), 0,
      i % 3 === 0 ? FAR_FUTURE_MS + i : 0, (i * 2654435761) >>> 0, false, false, 0);
    if (st !== 0) throw new Error(`set failed with status ${st} at ${i}`);
  }
  store.barrier();
  writeSync(1, `acked ${i}\n`);
}
writeSync(1, 'done\n');
// No close(): the parent kills us, or we exit without a clean shutdown.
process.exit(0);

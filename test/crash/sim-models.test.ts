// The crash-simulation models themselves: what an image taken before a barrier persisted anything
// holds, per model and early write-back rate; and a simulated crash really stops the process and
// leaves a pool that opens.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness } from '../../bench/crash/build-harness.mjs';
import { Store } from '../../src/store/store.js';
import { crashDir, ROOT } from '../harness/crash/proc.js';

const dir = mkdtempSync(join(crashDir('daxcache-sim'), 't-'));
beforeAll(() => buildHarness()); // the crashing child runs the compiled store
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b = (s: string): Buffer => Buffer.from(s);
const MARK = 'unpersisted-value-0123456789';
let n = 0;

/** Writes b (not yet persisted), then returns the image taken at the barrier's first persist call. */
function imageBeforeBarrier(mode: 'sim-adr' | 'sim-eadr' | 'sim-page', writeback: number): string {
  const pool = join(dir, `p${n++}.pool`);
  const prefix = `${pool}-`;
  const s = Store.open(pool, { createSize: 16 << 20, mode, seed: 1, imagePrefix: prefix, imageEvery: 1, writeback, earlyEvery: 0 });
  s.set(b('a'), b('acknowledged'));
  s.barrier();
  s.set(b('b'), b(MARK.repeat(4)));
  const st = s.stats();
  s.barrier();
  s.close();
  return `${prefix}${st.flushes + st.drains + 1}.img`;
}

describe('crash-simulation models', () => {
  it.each([
    ['sim-adr', 0, false],
    ['sim-adr', 1, true],
    ['sim-page', 0, false],
    ['sim-page', 1, true],
    ['sim-eadr', 0, true], // eADR: every store survives, whatever was flushed
  ] as const)('%s, early write-back %d: unpersisted item bytes in the image: %s', (mode, writeback, present) => {
    const img = imageBeforeBarrier(mode, writeback);
    expect(existsSync(img)).toBe(true);
    expect(readFileSync(img).includes(MARK)).toBe(present);
    // Whatever the model, the unpublished write is invisible and the acknowledged one is there.
    expect(Store.check(img).problems).toBe(0);
    const s = Store.open(img);
    expect(s.get(b('a'))?.value.toString()).toBe('acknowledged');
    expect(s.get(b('b'))).toBeNull();
    s.close();
  });

  it.each(['crashAtDrain', 'crashAtFlush'])('%s stops the process with exit 99 and leaves a pool that opens', (knob) => {
    const pool = join(dir, `k${n++}.pool`);
    const code = `
      import { Store } from ${JSON.stringify(join(ROOT, 'src/store/store.ts').replace(/\.ts$/, '.js').replace('/src/', '/dist/'))};
      const s = Store.open(${JSON.stringify(pool)}, { createSize: 16 << 20, mode: 'sim-adr', seed: 3, ${knob}: 12 });
      for (let i = 0; i < 100; i++) { s.set(Buffer.from('k' + i), Buffer.from('v' + i)); s.barrier(); }
      s.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(99);
    expect(Store.check(pool).problems).toBe(0);
    const s = Store.open(pool);
    expect(s.stats().openedClean).toBe(false);
    const present = Array.from({ length: 100 }, (_, i) => s.get(b(`k${i}`))?.value.toString());
    const k = present.findIndex((v) => v === undefined);
    expect(k).toBeGreaterThan(0); // some acknowledged, then nothing: a prefix of the writes
    expect(present.slice(0, k)).toEqual(Array.from({ length: k }, (_, i) => `v${i}`));
    expect(present.slice(k).every((v) => v === undefined)).toBe(true);
    s.close();
  });
});

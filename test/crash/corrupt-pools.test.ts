// Corrupt-pool fuzz: 200 damaged copies of real pools (header, intent log, page table, index, items,
// slab space, truncation). Each is refused with an EPOOL* error or opens; then reads return a value
// once written or nothing, the rebuild finishes, damaged items are counted, `check` passes after a
// clean close, and the process never crashes or hangs.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness } from '../../bench/crash/build-harness.mjs';
import { describeFuzzFailure, runFuzz } from '../harness/crash/fuzz.js';
import { crashDir } from '../harness/crash/proc.js';

const dir = crashDir(`daxcache-fuzz-test-${process.pid}`);
beforeAll(() => buildHarness());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('corrupt pools', () => {
  it('200 damaged pools: refused cleanly or served without garbage', async () => {
    const r = await runFuzz({ seed: 42, cases: 200, dir, poolSize: 16 << 20 });
    expect(r.failures.map(describeFuzzFailure).join('\n\n')).toBe('');
    expect(r.cases).toBe(200);
    expect(r.crashes + r.hangs).toBe(0);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.opened).toBeGreaterThan(0);
    expect(r.dropped).toBeGreaterThan(0);
    for (const region of ['header-static', 'header-dyn', 'log', 'pagetab', 'index', 'item', 'slab', 'truncate', 'multi'])
      expect(r.byRegion[region], region).toBeGreaterThan(0);
  });
});

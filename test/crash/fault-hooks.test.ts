// The crash checker can fail: with a persist or drain removed from the store (test-only fault hooks),
// crash images under ADR and page granularity must show lost or torn writes. Under eADR every store
// survives a power failure, so the same faults are harmless there, and the checker must say so.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness } from '../../bench/crash/build-harness.mjs';
import { runCampaign } from '../harness/crash/campaign.js';
import { crashDir } from '../harness/crash/proc.js';
import type { SimMode, WorkloadSpec } from '../harness/crash/trace.js';

const dir = crashDir(`daxcache-fault-test-${process.pid}`);
beforeAll(() => buildHarness());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAULTS: Array<NonNullable<WorkloadSpec['fault']>> = ['skip-item-persist', 'skip-phase1-drain', 'publish-before-persist'];

const run = (mode: SimMode, fault: WorkloadSpec['fault']) =>
  runCampaign({ mode, fault, seeds: [7, 8], ops: 1500, imageEvery: mode === 'sim-page' ? 35 : 60, poolSize: 16 << 20, dir: `${dir}/${mode}-${fault}`, recoveryEvery: 0 });

describe('fault hooks', () => {
  for (const mode of ['sim-adr', 'sim-page'] as const)
    it.each(FAULTS)(`${mode}: the checker catches %s`, async (fault) => {
      const r = await run(mode, fault);
      expect(r.errors).toEqual([]);
      expect(r.images).toBeGreaterThan(50);
      expect(r.failures.length).toBeGreaterThan(0);
      // What it reports is what such a bug does: writes lost or torn, or a damaged pool.
      expect(r.failures.flatMap((f) => f.fails).join('\n')).toMatch(/acknowledged write lost|never written|check of the raw image/);
    });

  it.each(FAULTS)('sim-eadr: %s is harmless when caches are persistent', async (fault) => {
    const r = await run('sim-eadr', fault);
    expect(r.errors).toEqual([]);
    expect(r.images).toBeGreaterThan(50);
    expect(r.failures).toEqual([]);
  });
});

// Simulated power failures: for each persistence model, at least 500 crash images taken at random
// persist calls of a randomized workload (plus a few runs really killed mid-flight, and crashes
// during the recovery of some images) must open, pass `check`, and hold every acknowledged write,
// no value never written, and multi-key writes all-or-nothing.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness } from '../../bench/crash/build-harness.mjs';
import { describeFailure, runCampaignUntil } from '../harness/crash/campaign.js';
import { crashDir } from '../harness/crash/proc.js';
import type { SimMode } from '../harness/crash/trace.js';

const dir = crashDir(`daxcache-crash-test-${process.pid}`);
beforeAll(() => buildHarness());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS: Array<[SimMode, number]> = [
  ['sim-adr', 60],
  ['sim-eadr', 60],
  ['sim-page', 35], // page granularity makes fewer persist calls per op
];

describe('crash images', () => {
  it.each(MODELS)('%s: 500 crash images are sound', async (mode, imageEvery) => {
    const r = await runCampaignUntil({
      mode,
      firstSeed: { 'sim-adr': 1000, 'sim-eadr': 2000, 'sim-page': 3000 }[mode],
      images: 500,
      ops: 1500,
      imageEvery,
      poolSize: 16 << 20,
      dir: `${dir}/${mode}`,
      kills: 2,
    });
    const report = [...r.failures.map(describeFailure), ...r.errors].join('\n\n');
    expect(report).toBe('');
    expect(r.images).toBeGreaterThanOrEqual(500);
    expect(r.kills).toBeGreaterThan(0);
    expect(r.recoveryImages).toBeGreaterThan(0);
    expect(r.ackedOps).toBeGreaterThan(0);
    expect(r.inplace).toBeGreaterThan(0); // SETBITs in place were among the crashed writes
  });
});

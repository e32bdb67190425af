// kill -9 soak against the real server (issue 4, part 3), bounded for `npm test`: 10 cycles with
// the pool in /dev/shm (cache_line granularity) and 10 with the pool on a disk (page granularity).
// Each cycle: pipelined RESP + memcached load, SIGKILL after 50–400 ms, restart on the same pool,
// every acknowledged write must read back (or a later sent write). The long run (200 cycles) is
// `node bench/kill-soak.mjs --cycles 200`.
import { describe, expect, it } from 'vitest';
import { describeKillSoak, runKillSoak, type SoakKind } from '../harness/killsoak/index.js';

const SEED = Number(process.env.KILLSOAK_SEED ?? 20240604);

describe('kill -9 soak: acknowledged writes survive SIGKILL under load (RESP + memcached)', () => {
  for (const [kind, seed] of [['shm', SEED], ['disk', SEED + 1]] as Array<[SoakKind, number]>) {
    it(`10 cycles, ${kind === 'shm' ? 'cache_line granularity (/dev/shm)' : 'page granularity (disk)'}`, async () => {
      const r = await runKillSoak({ cycles: 10, kind, seed, cycleTimeoutMs: 20_000 });
      console.log(`kill-soak ${describeKillSoak(r)}`);
      expect(r.failures.join('\n\n')).toBe('');
      expect(r.cyclesRun).toBe(10);
      expect(r.lost).toBe(0);
      expect(r.wrong).toBe(0);
      expect(r.failedRestarts).toBe(0);
      expect(r.acked).toBeGreaterThan(0);
      expect(r.ackedChecked).toBeGreaterThan(0);
    }, 60_000);
  }
});

// kill -9 soak against the real server (issue 4, part 3), bounded for `npm test`: 10 cycles with
// the pool in /dev/shm (cache_line granularity) and 10 with the pool on a disk (page granularity).
// Each cycle: pipelined RESP + memcached load on strings, and on lists, hashes, sets and sorted sets
// from the RESP clients (packed-encoding limits lowered so conversions happen), SIGKILL after
// 50–600 ms, restart on the same pool, every acknowledged write must read back (or a later sent
// write); `daxcache check` on the last crash image must find no problem. The long run (200 cycles)
// is `node bench/kill-soak.mjs --cycles 200`.
import { describe, expect, it } from 'vitest';
import { describeKillSoak, runKillSoak, type SoakKind } from '../harness/killsoak/index.js';

const SEED = Number(process.env.KILLSOAK_SEED ?? 20240604);
// KILLSOAK_SHARE=0 runs strings only (to compare); the default sends 20% of RESP writes to collections.
const SHARE = process.env.KILLSOAK_SHARE === undefined ? undefined : Number(process.env.KILLSOAK_SHARE);

describe('kill -9 soak: acknowledged writes survive SIGKILL under load (RESP + memcached, strings and collections)', () => {
  for (const [kind, seed] of [['shm', SEED], ['disk', SEED + 1]] as Array<[SoakKind, number]>) {
    it(`10 cycles, ${kind === 'shm' ? 'cache_line granularity (/dev/shm)' : 'page granularity (disk)'}`, async () => {
      const r = await runKillSoak({ cycles: 10, kind, seed, cycleTimeoutMs: 20_000, collectionShare: SHARE });
      console.log(`kill-soak ${describeKillSoak(r)}`);
      expect(r.failures.join('\n\n')).toBe('');
      expect(r.cyclesRun).toBe(10);
      expect(r.lost).toBe(0);
      expect(r.wrong).toBe(0);
      expect(r.failedRestarts).toBe(0);
      expect(r.acked).toBeGreaterThan(0);
      expect(r.ackedChecked).toBeGreaterThan(0);
      // Every type of key was written, acknowledged and verified after a crash.
      for (const t of ['string', 'list', 'hash', 'set', 'zset'] as const) {
        expect(r.byType[t].acked, `${t} writes acknowledged`).toBeGreaterThan(0);
        expect(r.byType[t].ackedChecked, `${t} acknowledged writes checked`).toBeGreaterThan(0);
      }
      // The load reached both the packed and the large form of each collection type (seen after restarts).
      for (const enc of ['hash:listpack', 'hash:hashtable', 'set:intset', 'set:hashtable', 'zset:listpack', 'zset:skiplist', 'list:quicklist']) {
        expect(r.encodings[enc] ?? 0, `${enc} keys seen`).toBeGreaterThan(0);
      }
      expect(r.poolChecks).toBe(1);
      expect(r.poolProblems).toBe(0);
    }, 60_000);
  }
});

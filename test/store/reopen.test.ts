// Reopen with 1M keys: after close+open, and after kill -9 of a child that was writing (every
// write it reported after barrier() must be there), in both granularities.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Store } from '../../src/store/store.js';
import { POOL_KINDS, poolPath, removePool, useKind, envFor, MiB } from './pools.js';
import { keyOf, valueOf, flagsOf, expireOf } from './workload.js';

const N = 1_000_000;
const POOL = 512 * MiB;
const created: string[] = [];
afterAll(() => created.forEach(removePool));

function verify(s: Store, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const e = s.get(keyOf(i));
    if (e === null || !e.value.equals(valueOf(i)) || e.flags !== flagsOf(i) || e.expireMs !== expireOf(i)) {
      expect.fail(`key ${i}: ${e === null ? 'missing' : `value ${e.value.toString()} flags ${e.flags} expire ${e.expireMs}`}`);
    }
  }
}

for (const kind of POOL_KINDS) {
  describe(`reopen with 1M keys (${kind})`, () => {
    it('close + open: every key with its value, flags and expiry; count exact; O(1) open', () => {
      useKind(kind);
      const path = poolPath(kind, 'reopen');
      created.push(path);
      let s = Store.open(path, { createSize: POOL });
      for (let i = 0; i < N; i++) {
        s.set(keyOf(i), valueOf(i), { flags: flagsOf(i), expireMs: expireOf(i) });
        if (i % 10_000 === 9_999) s.barrier();
      }
      s.close();
      const t0 = performance.now();
      s = Store.open(path);
      const openMs = performance.now() - t0;
      expect(s.count()).toBe(N);
      expect(s.stats().rebuild).toBe('mark'); // served before any scan of the keys
      verify(s, 0, N);
      let guard = 0;
      while (s.maintenance(4096) && guard++ < 1_000_000);
      expect(s.stats().rebuild).toBe('done');
      expect(s.count()).toBe(N);
      expect(s.stats().corruptDropped).toBe(0);
      s.close();
      expect(Store.check(path).problems).toBe(0);
      expect(Store.check(path).items).toBe(N);
      // open time is recorded, not asserted (bench/ measures it); still sanity-check it is not a scan
      expect(openMs).toBeLessThan(5_000);
    });

    it('kill -9 of a writing child: every acknowledged write survives', async () => {
      const path = poolPath(kind, 'kill9');
      created.push(path);
      const child = spawn(process.execPath, [fileURLToPath(new URL('./writer-child.mjs', import.meta.url)), path, String(N), '2000', String(POOL)], {
        env: envFor(kind),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let acked = 0;
      let buf = '';
      let opened = false;
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line === 'open') opened = true;
          const m = /^acked (\d+)$/.exec(line);
          if (m) acked = Number(m[1]);
        }
      });
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      const deadline = Date.now() + 30_000;
      while (!opened && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
      child.kill('SIGKILL');
      await exited;
      expect(acked).toBeGreaterThan(0);
      // the raw crash image is already sound, before any recovery
      const report = Store.check(path);
      expect(report.messages).toEqual([]);
      useKind(kind);
      const s = Store.open(path);
      expect(s.stats().openedClean).toBe(false);
      verify(s, 0, acked);
      // keys written after the last acknowledgement are either absent or exactly what was written
      let extra = 0;
      for (let i = acked; i < Math.min(N, acked + 5000); i++) {
        const e = s.get(keyOf(i));
        if (e) {
          extra++;
          expect(e.value.equals(valueOf(i))).toBe(true);
        }
      }
      let guard = 0;
      while (s.maintenance(4096) && guard++ < 1_000_000);
      expect(s.count()).toBe(acked + extra);
      s.close();
    });
  });
}

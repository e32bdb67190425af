// Key index splits are crash-consistent at every instant (issue #16): a pool created with a
// 64-bucket index takes keys in turns on a crash-simulation pool that writes an image at EVERY
// persist event (flush or drain), so images fall at each step of the batches of splits (their segments zeroed in phase 1, the
// bucket images, directory line and meta line in one redo-log commit) and inside the first one's
// header upgrade to version 2. Every image must pass `check` (every slot in its home bucket under
// the image's own split state), open, rebuild with nothing damaged, and hold every key
// acknowledged before its instant with its value; images must have caught several split states.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { crashDir } from '../harness/crash/proc.js';

const dir = mkdtempSync(join(crashDir('daxcache-split-crash'), 't-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (i: number) => Buffer.from(`s:${i}`);
const value = (i: number) => Buffer.from(`v${i}`.padEnd(8 + (i % 40), '.'));

describe.each(['sim-adr', 'sim-page'] as const)('key index splits in crash images (%s)', (mode) => {
  it('every image is sound and holds every acknowledged key, whatever split state it caught', () => {
    const pool = join(dir, `${mode}.pool`);
    const prefix = `${pool}-`;
    const s = Store.open(pool, { createSize: 16 * 1024 * 1024, indexBuckets: 64, mode, seed: 3, imagePrefix: prefix, imageEvery: 1, writeback: 0.5 });
    const events = () => s.stats().flushes + s.stats().drains;
    const acked: number[] = [];
    const n = 1000;
    for (let i = 0; i < n; i += 20) {
      for (let j = i; j < i + 20; j++) s.set(key(j), value(j));
      s.barrier(); // the turn's commit, then the splits it made due
      for (let j = i; j < i + 20; j++) acked.push(events());
    }
    expect(s.stats().indexSplits).toBeGreaterThan(100);
    s.close();

    const images = readdirSync(dir)
      .filter((f) => f.startsWith(`${mode}.pool-`) && f.endsWith('.img'))
      .map((f) => ({ f, event: Number(f.slice(`${mode}.pool-`.length, -'.img'.length)) }));
    expect(images.length).toBeGreaterThan(300);
    const bucketsSeen = new Set<number>();
    for (const { f, event } of images) {
      const path = join(dir, f);
      const report = Store.check(path);
      expect(report.messages, f).toEqual([]);
      bucketsSeen.add(report.buckets);
      const img = Store.open(path);
      for (let k = 0; k < 50 && img.stats().rebuild !== 'done'; k++) img.maintenance(1 << 16);
      expect(img.stats().rebuild, f).toBe('done');
      for (let i = 0; i < acked.length; i++) {
        if (acked[i]! >= event) continue; // not yet durable at this instant
        const v = img.getValue(key(i));
        if (!v || !v.equals(value(i))) throw new Error(`${f}: acknowledged key ${i} lost or wrong`);
      }
      expect(img.stats().corruptDropped, f).toBe(0);
      img.close();
      rmSync(path);
    }
    expect(bucketsSeen.size).toBeGreaterThan(10);
  });
});

// A pool growth is crash-atomic at every instant (issue #16): a pool filled near OOM is reopened in
// a crash-simulation mode that writes an image at EVERY persist event (flush or drain), grows
// (first growth: page-table extension + version 2 header copy, then primary), takes writes into the
// new space, and grows again (the extension already there). Every image must pass `check`, open
// at the old or the new size (never another, never refused), rebuild with nothing damaged, and
// hold every key acknowledged before the image's instant with its value. Both growths must show
// images at both sizes, so the instants inside them really were taken.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { crashDir } from '../harness/crash/proc.js';

const dir = mkdtempSync(join(crashDir('daxcache-growth-crash'), 't-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const key = (i: number) => Buffer.from(`g:${i}`);
const value = (i: number) => Buffer.alloc(3000 + (i % 500), String.fromCharCode(65 + (i % 26)));

/** Fills a fresh 16 MiB pool until a write fails for room; returns how many keys went in. */
function fill(pool: string): number {
  const s = Store.open(pool, { createSize: 16 * MiB });
  let n = 0;
  try {
    for (;; n++) {
      s.set(key(n), value(n));
      if (n % 64 === 63) s.barrier();
    }
  } catch (e) {
    expect((e as { code?: string }).code).toBe('OOM');
  }
  s.close();
  return n;
}

describe.each(['sim-adr', 'sim-page'] as const)('pool growth in crash images (%s)', (mode) => {
  it('every image opens at the old or the new size, sound, with every acknowledged key', () => {
    const pool = join(dir, `${mode}.pool`);
    const n = fill(pool);
    expect(n).toBeGreaterThan(2000);
    const prefix = `${pool}-`;
    const s = Store.open(pool, { mode, seed: 7, imagePrefix: prefix, imageEvery: 1, writeback: 0.5 });
    const events = () => s.stats().flushes + s.stats().drains;
    // acked[i] = the persist event count after which key i was acknowledged (durable)
    const acked: number[] = Array.from({ length: n }, () => 0);
    const growthAt: Array<{ from: number; to: number; first: number; last: number }> = [];
    const grow = (to: number) => {
      const from = s.stats().poolSize;
      const first = events() + 1;
      s.grow(to);
      growthAt.push({ from, to, first, last: events() });
    };
    grow(20 * MiB);
    let next = n;
    for (let j = 0; j < 12; j++, next++) {
      s.set(key(next), value(next)); // lands in the new pages: the old ones are full
      s.barrier();
      acked.push(events());
    }
    grow(24 * MiB);
    for (let j = 0; j < 6; j++, next++) {
      s.set(key(next), value(next));
      s.barrier();
      acked.push(events());
    }
    s.close();
    expect(growthAt[0]!.last - growthAt[0]!.first + 1).toBeGreaterThanOrEqual(6); // entries, copy, primary: flush + drain each

    const images = readdirSync(dir)
      .filter((f) => f.startsWith(`${mode}.pool-`) && f.endsWith('.img'))
      .map((f) => ({ f, event: Number(f.slice(`${mode}.pool-`.length, -'.img'.length)) }))
      .sort((a, b) => a.event - b.event);
    expect(images.length).toBeGreaterThan(30);
    const sizesIn = growthAt.map(() => new Set<number>());
    for (const { f, event } of images) {
      const path = join(dir, f);
      const report = Store.check(path);
      expect(report.messages, f).toEqual([]);
      const size = Store.info(path).poolSize;
      const g = growthAt.findIndex((x) => event >= x.first && event <= x.last + 1);
      if (g >= 0) {
        expect([growthAt[g]!.from, growthAt[g]!.to], `${f}: size inside growth ${g}`).toContain(size);
        sizesIn[g]!.add(size);
      } else {
        // Outside a growth the size is the one the last completed growth gave.
        const done = growthAt.filter((x) => x.last < event);
        expect(size, f).toBe(done.length ? done[done.length - 1]!.to : 16 * MiB);
      }
      const img = Store.open(path);
      img.maintenance(1 << 20); // the rebuild must find nothing damaged either
      for (let i = 0; i < acked.length; i++) {
        if (acked[i]! >= event) continue; // not yet durable at this instant: may or may not be there
        const v = img.getValue(key(i));
        if (!v || !v.equals(value(i))) throw new Error(`${f}: acknowledged key ${i} lost or wrong`);
      }
      expect(img.stats().corruptDropped, f).toBe(0);
      img.close();
      rmSync(path);
    }
    // Each growth was caught at both sizes: images from inside it really were taken.
    for (const [g, sizes] of sizesIn.entries()) expect([...sizes].sort(), `growth ${g}`).toEqual([growthAt[g]!.from, growthAt[g]!.to].sort());
  });
});

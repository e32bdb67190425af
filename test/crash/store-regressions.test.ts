// Regressions for store bugs found by the crash and corrupt-pool suites (see docs/reliability.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store, StoreError } from '../../src/store/store.js';
import { liveItems, PoolFile, readLayout } from '../harness/crash/corrupt.js';
import { crashDir } from '../harness/crash/proc.js';

const dir = mkdtempSync(join(crashDir('daxcache-regress'), 't-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b = (s: string): Buffer => Buffer.from(s);
let n = 0;
const fresh = (): Store => Store.open(join(dir, `p${n++}.pool`), { createSize: 16 << 20 });

describe('store regressions', () => {
  it('a write that fails for lack of room does not free the expired item its lookup dropped', () => {
    const s = fresh();
    const path = join(dir, `p${n - 1}.pool`);
    s.set(b('k'), Buffer.alloc(100, 1)); // the only item of its size class
    s.touch(b('k'), Date.now() - 1000); // expired, still in the index
    s.barrier();
    for (let i = 0; ; i++) {
      try {
        s.set(b(`big${i}`), Buffer.alloc(1 << 20, 2));
      } catch (e) {
        expect((e as StoreError).code).toBe('OOM');
        break;
      }
    }
    s.barrier();
    // The lookup drops the expired item, the write finds no room and is undone: the item must stay.
    expect(() => s.set(b('k'), Buffer.alloc(3 << 20, 3))).toThrow(StoreError);
    s.barrier();
    for (let i = 0; i < 50; i++) s.set(b(`small${i}`), Buffer.alloc(100, 4)); // would reuse its chunk
    s.barrier();
    s.close();
    const r = Store.check(path);
    expect(r.messages).toEqual([]);
    expect(r.problems).toBe(0);
  });

  it('a turn with a multi-key write and thousands of other writes stays inside the intent log', () => {
    const s = fresh();
    const path = join(dir, `p${n - 1}.pool`);
    s.mset([b('a'), b('1'), b('b'), b('2')]);
    for (let i = 0; i < 15000; i++) s.set(b(`key${i}`), b(`v${i}`)); // > log capacity buckets
    s.barrier();
    s.close();
    expect(Store.check(path).problems).toBe(0);
    const t = Store.open(path);
    expect(t.get(b('a'))?.value.toString()).toBe('1');
    for (let i = 0; i < 15000; i += 997) expect(t.get(b(`key${i}`))?.value.toString()).toBe(`v${i}`);
    t.close();
  });

  it('a damaged slot in a chain its key does not hash to cannot take the key away', () => {
    const s = fresh();
    const path = join(dir, `p${n - 1}.pool`);
    for (let i = 0; i < 200; i++) s.set(b(`key${i}`), b(`value${i}`));
    s.close();
    const f = new PoolFile(path);
    const l = readLayout(f);
    const home = liveItems(f, l).filter((x) => x.bucketOff < l.slabOff).sort((x, y) => x.bucketOff - y.bucketOff);
    const [x, y] = [home[0]!, home[home.length - 1]!]; // x's bucket is walked first
    const slotAt = x.bucketOff + x.slot * 8;
    f.setU64(slotAt, (f.u64(slotAt) & ~((1n << 48n) - 1n)) | BigInt(y.off)); // x's slot -> y's item
    const ykey = f.read(y.off + 48, f.read(y.off + 4, 4).readUInt32LE(0)).toString();
    f.close();
    const t = Store.open(path);
    while (t.maintenance(4096));
    expect(t.get(b(ykey))?.value.toString()).toBe(ykey.replace('key', 'value'));
    expect(t.stats().corruptDropped).toBeGreaterThan(0);
    t.close();
    expect(Store.check(path).problems).toBe(0);
  });
});

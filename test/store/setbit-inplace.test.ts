// SETBIT in place: a value of 4 KiB or more (256 KiB where persistence is msync) that holds the
// byte is changed through the intent log instead of copied (Store::patch_range, which a SETRANGE
// of up to 4 KiB within such a value takes too). Checked against a model on both pool kinds: the
// value, its TTL and flags, a new CAS per write (WATCH depends on it), the copy path for short
// values, growth, long ranges and transactions, and a reopen that verifies every item's patched
// CRC (a wrong one would drop the key as damaged). Crash consistency at every persist point is the
// crash-image harness's 'setbit' and 'setrange' ops.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { Rng } from '../harness/crash/rng.js';
import { MiB, poolPath, removePool, useKind, POOL_KINDS } from './pools.js';

let path = '';
let s: Store | undefined;
afterEach(() => {
  if (s && !s.isClosed) s.close();
  removePool(path);
});

const b = (x: string) => Buffer.from(x);

function flip(model: Buffer, byte: number, mask: number, on: boolean): boolean {
  const was = (model[byte]! & mask) !== 0;
  model[byte] = on ? model[byte]! | mask : model[byte]! & ~mask;
  return was;
}

describe.each(POOL_KINDS)('SETBIT in place (%s)', (kind) => {
  // INPLACE_MIN_VALUE / INPLACE_MIN_VALUE_PAGE (native/core/store.h): where copying costs more.
  const threshold = kind === 'shm-cacheline' ? 4096 : 256 * 1024;
  function open(): Store {
    useKind(kind);
    path = poolPath(kind, 'setbit');
    s = Store.open(path, { createSize: 64 * MiB });
    return s;
  }

  function reopen(): Store {
    s!.close();
    s = Store.open(path, {});
    return s;
  }

  it('changes large values in place, keeps TTL and flags, gives a new CAS, survives a reopen', () => {
    const st = open();
    const rng = new Rng(4242);
    const exp = Date.now() + 3_600_000;
    const sizes = [4096, 8192 + 13, 300_000, 700_000]; // a slab chunk, and a run of pages for the largest
    const models = sizes.map((n, i) => {
      const v = Buffer.alloc(n);
      for (let j = 0; j < n; j++) v[j] = (j * 31 + i) & 0xff;
      st.set(b(`big${i}`), v, { expireMs: exp, flags: 77 + i });
      return v;
    });
    st.barrier();
    let flips = 0;
    let lastCas = st.head(b('big0'))!.cas;
    for (let n = 0; n < 400; n++) {
      const i = rng.range(0, sizes.length - 1);
      const m = models[i]!;
      const byte = rng.range(0, m.length - 1);
      const mask = 1 << rng.range(0, 7);
      const on = rng.chance(0.5);
      const before = m[byte]!;
      const was = flip(m, byte, mask, on);
      expect(st.setBit(b(`big${i}`), byte, mask, on)).toBe(was);
      if (m[byte] !== before) {
        if (m.length >= threshold) flips++;
        if (i === 0) {
          const cas = st.head(b('big0'))!.cas;
          expect(cas).not.toBe(lastCas);
          lastCas = cas;
        }
      }
      if (rng.chance(0.1)) st.barrier();
    }
    expect(st.stats().inplaceWrites).toBe(flips);
    for (const [i, m] of models.entries()) {
      const e = st.get(b(`big${i}`))!;
      expect(e.value.equals(m)).toBe(true);
      expect(e.expireMs).toBe(exp);
      expect(e.flags).toBe(77 + i);
    }
    const again = reopen();
    for (const [i, m] of models.entries()) expect(again.get(b(`big${i}`))!.value.equals(m)).toBe(true);
    expect(again.stats().corruptDropped).toBe(0);
  });

  it('copies short values, grows and creates as SETRANGE does, and copies inside a transaction', () => {
    const st = open();
    st.set(b('small'), Buffer.alloc(threshold - 1, 0x0f));
    expect(st.setBit(b('small'), 10, 0x80, true)).toBe(false);
    expect(st.getValue(b('small'))![10]).toBe(0x8f);
    expect(st.setBit(b('new'), 3, 0x01, true)).toBe(false); // created, zero-padded
    expect(st.getValue(b('new'))).toEqual(Buffer.from([0, 0, 0, 1]));
    st.set(b('big'), Buffer.alloc(threshold));
    expect(st.setBit(b('big'), threshold, 0x01, true)).toBe(false); // grows: a copy
    expect(st.getValue(b('big'))!.length).toBe(threshold + 1);
    expect(st.setBit(b('big'), threshold, 0x01, true)).toBe(true); // unchanged: no write at all
    expect(st.stats().inplaceWrites).toBe(0);
    expect(st.atomically(64, 8192, () => st.setBit(b('big'), 7, 0x01, true))).toBe(true);
    expect(st.stats().inplaceWrites).toBe(0); // no barrier may run inside a transaction
    expect(st.getValue(b('big'))![7]).toBe(1);
    st.setBit(b('big'), 8, 0x01, true);
    expect(st.stats().inplaceWrites).toBe(1);
    const again = reopen();
    const v = again.getValue(b('big'))!;
    expect([v[7], v[8], v.length]).toEqual([1, 1, threshold + 1]);
    expect(again.getValue(b('small'))![10]).toBe(0x8f);
  });

  it('SETRANGE of up to 4 KiB within a large value is made in place too; longer or growing ones copy', () => {
    const st = open();
    let model = Buffer.alloc(threshold * 2, 0x11);
    st.set(b('r'), model, { flags: 9 });
    const patch = (at: number, data: Buffer): void => {
      expect(st.setRange(b('r'), at, data)).toBe(Math.max(model.length, at + data.length));
      if (at + data.length > model.length) model = Buffer.concat([model, Buffer.alloc(at + data.length - model.length)]);
      data.copy(model, at);
    };
    patch(0, Buffer.from('head'));
    patch(model.length - 5, Buffer.from('tail!'));
    patch(1000, Buffer.alloc(4096, 0x22)); // exactly the span bound, across 65 lines
    patch(77, Buffer.from('x'.repeat(200)));
    expect(st.stats().inplaceWrites).toBe(4);
    patch(5000, Buffer.alloc(4097, 0x33)); // over the span bound (and, on shm, past the end): a copy
    expect(st.stats().inplaceWrites).toBe(4);
    expect(st.getValue(b('r'))!.equals(model)).toBe(true);
    expect(st.get(b('r'))!.flags).toBe(9);
    const again = reopen();
    expect(again.getValue(b('r'))!.equals(model)).toBe(true);
    expect(again.stats().corruptDropped).toBe(0);
  });
});

// Pools that are not ours, of another layout version, truncated, or with a damaged header are
// refused with a clear message and a distinct exit code, and never modified.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, truncateSync, copyFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Store } from '../../src/store/store.js';
import { poolPath, removePool, useKind, MiB } from './pools.js';

const CLI = fileURLToPath(new URL('../../dist/daxcache.mjs', import.meta.url));
const HEADER_STATIC_SIZE = 376; // sizeof(PoolHeaderStatic), covered by the CRC at offset 1024
const CRC_OFF = 1024;

function crc32c(buf: Buffer): number {
  let crc = ~0 >>> 0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('corrupt and foreign pools', () => {
  let good: string;
  const made: string[] = [];
  const variant = (tag: string) => {
    const p = poolPath('shm-cacheline', tag);
    made.push(p);
    copyFileSync(good, p);
    return p;
  };

  beforeAll(() => {
    useKind('shm-cacheline');
    good = poolPath('shm-cacheline', 'good');
    made.push(good);
    const s = Store.open(good, { createSize: 32 * MiB });
    for (let i = 0; i < 1000; i++) s.set(Buffer.from(`k${i}`), Buffer.from(`v${i}`));
    s.close();
  });
  afterAll(() => made.forEach(removePool));

  function refused(path: string, code: string, exit: number, pattern: RegExp) {
    const before = sha(path);
    let err: (Error & { code?: string }) | undefined;
    try {
      Store.open(path, { createSize: 32 * MiB }).close();
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe(code);
    expect(err?.message).toMatch(pattern);
    const r = cli('check', path);
    expect(r.status).toBe(exit);
    expect(r.stderr).toMatch(pattern);
    expect(cli('info', path).status).toBe(exit);
    expect(sha(path)).toBe(before); // never reformatted or touched
  }

  it('a sound pool passes check and info', () => {
    const r = cli('check', good);
    expect(r.stdout).toMatch(/items\s+1000/);
    expect(r.stdout).toMatch(/OK: no problems found/);
    expect(r.status).toBe(0);
    const i = cli('info', good);
    expect(i.status).toBe(0);
    expect(i.stdout).toMatch(/clean shutdown\s+yes/);
    expect(i.stdout).toMatch(/keys\s+1000/);
  });

  it('a file that is not a pool', () => {
    const p = variant('foreign');
    writeFileSync(p, Buffer.alloc(8 * MiB, 0x41));
    refused(p, 'EPOOLMAGIC', 3, /not a daxcache pool/);
  });

  it('an empty or tiny file', () => {
    const p = variant('tiny');
    writeFileSync(p, Buffer.from('hello'));
    refused(p, 'EPOOLMAGIC', 3, /not a daxcache pool/);
  });

  it('another layout version (with a valid checksum)', () => {
    const p = variant('version');
    const h = Buffer.alloc(4096);
    const fd = openSync(p, 'r+');
    h.set(readFileSync(p).subarray(0, 4096));
    h.writeUInt32LE(99, 8);
    h.writeUInt32LE(crc32c(h.subarray(0, HEADER_STATIC_SIZE)), CRC_OFF);
    writeSync(fd, h, 0, 4096, 0);
    closeSync(fd);
    refused(p, 'EPOOLVERSION', 4, /layout version 99 is not supported/);
  });

  it('a flipped byte in the header', () => {
    for (const off of [9, 40, 100, 300]) {
      const p = variant(`flip${off}`);
      const buf = Buffer.alloc(1);
      const fd = openSync(p, 'r+');
      const cur = readFileSync(p).subarray(off, off + 1);
      buf[0] = cur[0]! ^ 0x10;
      writeSync(fd, buf, 0, 1, off);
      closeSync(fd);
      refused(p, 'EPOOLCHECKSUM', 5, /checksum mismatch/);
    }
  });

  it('a truncated file', () => {
    const p = variant('trunc');
    truncateSync(p, 20 * MiB);
    refused(p, 'EPOOLTRUNCATED', 6, /truncated/);
    const q = variant('trunc2');
    truncateSync(q, 100);
    refused(q, 'EPOOLTRUNCATED', 6, /truncated/);
  });

  it('a missing file without a size to create it', () => {
    const p = poolPath('shm-cacheline', 'missing');
    expect(() => Store.open(p)).toThrowError(expect.objectContaining({ code: 'EPOOLIO' }));
    expect(cli('check', p).status).toBe(8);
    expect(existsSync(p)).toBe(false);
  });

  it('a pool in use is refused by a second writer', () => {
    const p = variant('busy');
    const s = Store.open(p);
    try {
      expect(() => Store.open(p)).toThrowError(expect.objectContaining({ code: 'EPOOLBUSY' }));
      expect(cli('check', p).status).toBe(0); // read-only inspection is allowed
    } finally {
      s.close();
    }
  });

  it('check finds damaged items and the store never returns them', () => {
    const p = variant('items');
    // Flip a byte in every item's value region: find items via a fresh store's own view.
    const raw = readFileSync(p);
    let flipped = 0;
    for (let i = 0; i < 1000; i += 10) {
      const needle = Buffer.from(`k${i}v${i}`);
      const at = raw.indexOf(needle);
      if (at > 0) {
        raw[at + needle.length - 1]! ^= 0x01;
        flipped++;
      }
    }
    writeFileSync(p, raw);
    expect(flipped).toBeGreaterThan(50);
    const r = cli('check', p);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`PROBLEMS: ${flipped}`));
    expect(r.stdout).toMatch(/checksum mismatch/);
    const s = Store.open(p);
    let found = 0;
    for (let i = 0; i < 1000; i++) {
      const e = s.get(Buffer.from(`k${i}`));
      if (e) {
        found++;
        expect(e.value.toString()).toBe(`v${i}`);
      }
    }
    expect(found).toBe(1000 - flipped);
    expect(s.stats().corruptDropped).toBe(flipped);
    s.close();
    expect(cli('check', p).status).toBe(0);
  });
});

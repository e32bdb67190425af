// Damage for the corrupt-pool fuzz: bit flips, zeroed ranges, random bytes and truncation, aimed at
// one region of a closed pool (header, intent log, page table, index, live items, slab space), plus
// structure-aware damage a random flip rarely produces: duplicate or cyclic index links, plausible
// page-table entries, and a forged intent log with a valid checksum.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { Rng } from './rng.js';

export interface Layout {
  size: number;
  logOff: number;
  logSize: number;
  pagetabOff: number;
  npages: number;
  indexOff: number;
  buckets: number;
  slabOff: number;
}

export interface LiveItem {
  off: number;
  len: number; // header + key + value
  bucketOff: number; // where its slot is
  slot: number;
}

export type Region = 'header-static' | 'header-dyn' | 'log' | 'pagetab' | 'index' | 'item' | 'slab' | 'truncate' | 'multi';

export interface Mutation {
  region: Region;
  what: string;
  mustRefuse: boolean; // the pool must be refused (damaged static header, truncated file)
}

const HDR_STATIC = 376;
const HDR_CRC_OFF = 1024;
const HDR_DYN_OFF = 2048;
const OFF_MASK = (1n << 48n) - 1n;

/** A pool file opened for damage: reads and writes at offsets. */
export class PoolFile {
  readonly fd: number;
  constructor(path: string, mode: 'r' | 'r+' = 'r+') {
    this.fd = openSync(path, mode);
  }
  read(off: number, n: number): Buffer {
    const b = Buffer.alloc(n);
    readSync(this.fd, b, 0, n, off);
    return b;
  }
  write(off: number, b: Buffer): void {
    writeSync(this.fd, b, 0, b.length, off);
  }
  u64(off: number): bigint {
    return this.read(off, 8).readBigUInt64LE(0);
  }
  setU64(off: number, v: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, v));
    this.write(off, b);
  }
  size(): number {
    return fstatSync(this.fd).size;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export function readLayout(f: PoolFile): Layout {
  const h = f.read(0, 128);
  const n = (o: number): number => Number(h.readBigUInt64LE(o));
  return { size: n(32), logOff: n(48), logSize: n(56), pagetabOff: n(64), npages: n(72), indexOff: n(80), buckets: n(88), slabOff: n(96) };
}

/** Items referenced by the index (home buckets and overflow chains), for aimed damage. */
export function liveItems(f: PoolFile, l: Layout): LiveItem[] {
  const out: LiveItem[] = [];
  const index = f.read(l.indexOff, l.buckets * 64);
  const visit = (b: Buffer, boff: number, depth: number): void => {
    for (let i = 0; i < 7; i++) {
      const off = Number(b.readBigUInt64LE(i * 8) & OFF_MASK);
      if (!off || off < l.slabOff || off + 48 > l.size) continue;
      const h = f.read(off, 16);
      const len = 48 + h.readUInt32LE(4) + Number(h.readBigUInt64LE(8));
      if (len <= 8 << 20) out.push({ off, len, bucketOff: boff, slot: i });
    }
    const next = Number(b.readBigUInt64LE(56));
    if (next && next >= l.slabOff && next + 64 <= l.size && depth < 64) visit(f.read(next, 64), next, depth + 1);
  };
  for (let i = 0; i < l.buckets; i++) visit(index.subarray(i * 64, i * 64 + 64), l.indexOff + i * 64, 0);
  return out;
}

let CRC_TABLE: Uint32Array | null = null;
export function crc32c(b: Uint8Array, crc = 0): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
      CRC_TABLE[i] = c >>> 0;
    }
  }
  crc = ~crc >>> 0;
  for (const x of b) crc = CRC_TABLE[(crc ^ x) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function flipBits(f: PoolFile, rng: Rng, lo: number, hi: number, bits = rng.range(1, 4)): string {
  const at = new Set<number>(); // distinct bits: flipping one twice would undo the damage
  while (at.size < Math.min(bits, (hi - lo) * 8)) at.add((lo + rng.int(Math.max(1, hi - lo))) * 8 + rng.int(8));
  for (const x of at) {
    const b = f.read(Math.floor(x / 8), 1);
    b[0] ^= 1 << x % 8;
    f.write(Math.floor(x / 8), b);
  }
  return `flip bit(s) ${[...at].map((x) => `${Math.floor(x / 8)}.${x % 8}`).join(',')}`;
}

function fill(f: PoolFile, rng: Rng, lo: number, hi: number, zero: boolean): string {
  const start = lo + rng.int(Math.max(1, hi - lo));
  const n = Math.min(hi - start, rng.chance(0.7) ? rng.range(1, 64) : rng.range(64, 64 << 10));
  const b = Buffer.alloc(Math.max(0, n));
  if (!zero) for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
  f.write(start, b);
  return `${zero ? 'zero' : 'random'} ${n} bytes at ${start}`;
}

function damageIndex(f: PoolFile, l: Layout, rng: Rng, items: LiveItem[]): string {
  const it = items.length ? rng.pick(items) : null;
  const kind = rng.int(6);
  if (it && kind === 0) {
    const other = rng.pick(items);
    f.setU64(it.bucketOff + it.slot * 8, (f.u64(it.bucketOff + it.slot * 8) & ~OFF_MASK) | BigInt(other.off));
    return `slot ${it.bucketOff}/${it.slot} -> another item ${other.off} (a second reference)`;
  }
  if (it && kind === 1) {
    f.setU64(it.bucketOff + it.slot * 8, BigInt(it.off + rng.range(-300, 300)));
    return `slot ${it.bucketOff}/${it.slot} -> near its item (not a chunk start)`;
  }
  if (kind === 2) {
    const b = l.indexOff + rng.int(l.buckets) * 64;
    const target = rng.pick([b, l.indexOff + rng.int(l.buckets) * 64, l.slabOff + rng.int(l.npages) * (1 << 20), it?.bucketOff ?? b, rng.u32() * 64]);
    f.setU64(b + 56, BigInt(target));
    return `bucket ${b} next -> ${target}`;
  }
  if (it && kind === 3 && it.bucketOff >= l.slabOff) {
    f.setU64(it.bucketOff + 56, BigInt(it.bucketOff)); // an overflow bucket linked to itself
    return `overflow bucket ${it.bucketOff} links to itself`;
  }
  if (it && kind === 4) return flipBits(f, rng, it.bucketOff, it.bucketOff + 64);
  return rng.chance(0.5) ? flipBits(f, rng, l.indexOff, l.indexOff + l.buckets * 64, rng.range(1, 32)) : fill(f, rng, l.indexOff, l.indexOff + l.buckets * 64, rng.chance(0.5));
}

function damagePagetab(f: PoolFile, l: Layout, rng: Rng): string {
  const p = rng.int(l.npages);
  const at = l.pagetabOff + p * 8;
  switch (rng.int(4)) {
    case 0: {
      const e = BigInt(rng.int(5)) | (BigInt(rng.int(64)) << 8n) | (BigInt(rng.int(l.npages + 3)) << 32n);
      f.setU64(at, e);
      return `page ${p} entry = ${e.toString(16)}`;
    }
    case 1:
      return flipBits(f, rng, at, at + 8);
    case 2:
      return fill(f, rng, l.pagetabOff, l.pagetabOff + l.npages * 8, true);
    default: {
      const q = rng.int(l.npages);
      const a = f.u64(at);
      f.setU64(at, f.u64(l.pagetabOff + q * 8));
      f.setU64(l.pagetabOff + q * 8, a);
      return `page table entries ${p} and ${q} swapped`;
    }
  }
}

function damageLog(f: PoolFile, l: Layout, rng: Rng, items: LiveItem[]): string {
  const kind = rng.int(4);
  if (kind === 0) return flipBits(f, rng, l.logOff, l.logOff + 64);
  if (kind === 1) {
    f.setU64(l.logOff, BigInt(rng.chance(0.5) ? rng.range(1, 8) : rng.u32()));
    return 'log state set without entries';
  }
  if (kind === 2) return fill(f, rng, l.logOff, l.logOff + l.logSize, rng.chance(0.5));
  // A committed log with a valid checksum and hostile entries: recovery must stay in bounds.
  const n = rng.range(1, 6);
  const entries = Buffer.alloc(n * 128);
  for (let i = 0; i < n; i++) {
    const boff = rng.pick([l.indexOff + rng.int(l.buckets) * 64, l.slabOff + rng.int(l.npages << 14) * 64, rng.u32() * 64, l.size - 64, l.size]);
    entries.writeBigUInt64LE(BigInt(boff), i * 128);
    for (let s = 0; s < 8; s++) {
      const v = rng.pick([0n, BigInt(items.length ? rng.pick(items).off : 0), BigInt(rng.u32()) * 64n, BigInt(rng.u32()) | (BigInt(rng.u32()) << 32n)]);
      entries.writeBigUInt64LE(v, i * 128 + 64 + s * 8);
    }
  }
  f.write(l.logOff + 64, entries);
  f.setU64(l.logOff + 8, BigInt(crc32c(entries)));
  f.setU64(l.logOff, BigInt(n));
  return `forged committed log of ${n} entries (valid checksum)`;
}

function damageItem(f: PoolFile, rng: Rng, items: LiveItem[]): string {
  if (!items.length) return 'no live item to damage';
  const it = rng.pick(items);
  const kind = rng.int(4);
  if (kind === 0) return `item ${it.off} header: ${flipBits(f, rng, it.off, it.off + 48, 1)}`;
  if (kind === 1) return `item ${it.off} body: ${flipBits(f, rng, it.off + 48, it.off + it.len)}`;
  if (kind === 2) return `item ${it.off}: ${fill(f, rng, it.off, it.off + it.len, true)}`;
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(rng.chance(0.5) ? rng.u32() : 1) << BigInt(rng.int(40))));
  f.write(it.off + 8, b); // vlen: huge or tiny
  return `item ${it.off} vlen overwritten`;
}

function mutateOnce(f: PoolFile, l: Layout, rng: Rng, items: LiveItem[], region: Region): Mutation {
  switch (region) {
    case 'header-static':
      return { region, mustRefuse: true, what: rng.chance(0.8) ? flipBits(f, rng, 0, HDR_STATIC) : flipBits(f, rng, HDR_CRC_OFF, HDR_CRC_OFF + 4) };
    case 'header-dyn': {
      const w = HDR_DYN_OFF + rng.int(7) * 8;
      if (rng.chance(0.5)) return { region, mustRefuse: false, what: flipBits(f, rng, w, w + 8) };
      f.setU64(w, rng.chance(0.5) ? BigInt(rng.u32()) : (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
      return { region, mustRefuse: false, what: `dynamic header word ${w} = random` };
    }
    case 'log':
      return { region, mustRefuse: false, what: damageLog(f, l, rng, items) };
    case 'pagetab':
      return { region, mustRefuse: false, what: damagePagetab(f, l, rng) };
    case 'index':
      return { region, mustRefuse: false, what: damageIndex(f, l, rng, items) };
    case 'item':
      return { region, mustRefuse: false, what: damageItem(f, rng, items) };
    case 'slab':
      return { region, mustRefuse: false, what: rng.chance(0.5) ? flipBits(f, rng, l.slabOff, l.size, rng.range(1, 64)) : fill(f, rng, l.slabOff, l.size, rng.chance(0.3)) };
    case 'truncate': {
      const n = rng.chance(0.2) ? rng.int(4096) : rng.int(l.size);
      ftruncateSync(f.fd, n);
      return { region, mustRefuse: true, what: `truncated to ${n} bytes` };
    }
    case 'multi': {
      const parts: string[] = [];
      for (let i = rng.range(2, 5); i > 0; i--) {
        const r = rng.pick(['header-dyn', 'log', 'pagetab', 'index', 'item', 'slab'] as const);
        parts.push(`${r}: ${mutateOnce(f, l, rng, items, r).what}`);
      }
      return { region, mustRefuse: false, what: parts.join('; ') };
    }
  }
}

/** Damages a copy of a pool in one region chosen by `rng`. */
export function mutate(path: string, rng: Rng, items: LiveItem[]): Mutation {
  const f = new PoolFile(path);
  try {
    const l = readLayout(f);
    const region = rng.weighted<Exclude<Region, never>>({
      'header-static': 1, 'header-dyn': 1, log: 2, pagetab: 2, index: 3, item: 3, slab: 1, truncate: 0.5, multi: 1.5,
    });
    return mutateOnce(f, l, rng, items, region);
  } finally {
    f.close();
  }
}

// The `tier-memory` setting: how much DRAM the hot-key tier may hold. `auto` (the default), a size
// (`256mb`, `0` = off) or a share of the pool (`5%`). `auto` decides at open from what the pool
// reports: off when the pool file is in DRAM already (tmpfs, /dev/shm: a copy cannot be faster),
// else AUTO_PERCENT of the pool, at most AUTO_RAM_SHARE of the machine's memory.
import { totalmem } from 'node:os';
import { InvalidValue } from './errors.js';
import { formatSize, parseSize } from './size.js';

export type TierMemory = 'auto' | { bytes: number } | { percent: number };

export const AUTO_PERCENT = 5;
export const AUTO_RAM_SHARE = 0.1;

export function parseTierMemory(raw: string): TierMemory {
  const s = raw.trim().toLowerCase();
  if (s === 'auto') return 'auto';
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent > 100) throw new InvalidValue('a share of the pool must be at most 100%', 'argument must be a memory or percent value');
    return { percent };
  }
  const bytes = parseSize(s);
  if (bytes === null) throw new InvalidValue('expected auto, a size like 256mb, or a share of the pool like 5%', 'argument must be a memory or percent value');
  return { bytes };
}

/** CONFIG GET form: auto, N% or bytes. */
export function showTierMemory(v: TierMemory): string {
  if (v === 'auto') return 'auto';
  return 'percent' in v ? `${v.percent}%` : String(v.bytes);
}

/** YAML form: auto, N% or a size. */
export function textTierMemory(v: TierMemory): string {
  if (v === 'auto') return 'auto';
  return 'percent' in v ? `${v.percent}%` : formatSize(v.bytes);
}

/** The tier budget in bytes for a pool of `poolSize` bytes (`poolInDram`: a tmpfs/ramfs file). */
export function tierBudget(v: TierMemory, poolSize: number, poolInDram: boolean, ram = totalmem()): number {
  if (v === 'auto') return poolInDram ? 0 : Math.floor(Math.min((poolSize * AUTO_PERCENT) / 100, ram * AUTO_RAM_SHARE));
  if ('percent' in v) return Math.floor((poolSize * v.percent) / 100);
  return v.bytes;
}

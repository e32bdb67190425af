// The `pool-size` setting: a size (`1gb`), `auto`, or a share of the file system's free space
// (`50%`). `auto` and shares size a NEW pool from the space free where the pool file goes (a PVC of
// any size just works); an existing pool keeps its own size. `auto` leaves headroom for the file
// system itself: AUTO_HEADROOM of the free space, at least AUTO_HEADROOM_MIN.
import { InvalidValue } from './errors.js';
import { formatSize, parseSize } from './size.js';

export type PoolSize = number | 'auto' | { percent: number };

export const MIN_POOL_SIZE = 16 * 1024 ** 2;
export const AUTO_HEADROOM = 0.05;
export const AUTO_HEADROOM_MIN = 64 * 1024 ** 2;
/** Pools are made of whole 2 MiB pages. */
const GRAIN = 2 * 1024 ** 2;

export function parsePoolSize(raw: string): PoolSize {
  const s = raw.trim().toLowerCase();
  if (s === 'auto') return 'auto';
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent <= 0 || percent > 100) throw new InvalidValue('a share of the free space must be above 0% and at most 100%', 'argument must be a memory or percent value');
    return { percent };
  }
  const bytes = parseSize(s);
  if (bytes === null) throw new InvalidValue('expected a size like 4gb, auto, or a share of the free space like 50%', 'argument must be a memory value');
  if (bytes < MIN_POOL_SIZE) {
    throw new InvalidValue(`must be at least ${formatSize(MIN_POOL_SIZE)}`, `argument must be between ${MIN_POOL_SIZE} and 9223372036854775807 inclusive`);
  }
  return bytes;
}

export function showPoolSize(v: PoolSize): string {
  if (typeof v === 'number') return String(v);
  return v === 'auto' ? 'auto' : `${v.percent}%`;
}

export function textPoolSize(v: PoolSize): string {
  if (typeof v === 'number') return formatSize(v);
  return showPoolSize(v);
}

/** Bytes for a new pool, given the bytes free on its file system. */
export function resolvePoolSize(v: PoolSize, freeBytes: number): number {
  if (typeof v === 'number') return v;
  const want = v === 'auto' ? freeBytes - Math.max(freeBytes * AUTO_HEADROOM, AUTO_HEADROOM_MIN) : (freeBytes * v.percent) / 100;
  return Math.max(MIN_POOL_SIZE, Math.floor(want / GRAIN) * GRAIN);
}

/** Pool sizes are whole 2 MiB units (the mapping's alignment on DAX); a request rounds up to one. */
export const POOL_UNIT = 2 * 1024 * 1024;
export const poolUnits = (bytes: number): number => Math.ceil(bytes / POOL_UNIT) * POOL_UNIT;

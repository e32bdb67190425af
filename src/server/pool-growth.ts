// Growing the pool while serving (issue #16): a larger pool-size at start or by CONFIG SET. The
// store does the crash-atomic part (native Pool::grow); this decides what a request means and says
// what happened: the same size is nothing to do, a smaller one is refused (a pool never shrinks),
// and a failure (no room on the volume, past what this process reserved) is the refusal's reason.
import { formatSize } from '../ops/config.js';
import type { Logger } from '../ops/logger.js';
import type { Store } from '../store/store.js';

/** Pool sizes are whole 2 MiB units (the mapping's alignment on DAX); a request rounds up to one. */
const UNIT = 2 * 1024 * 1024;
export const poolUnits = (bytes: number): number => Math.ceil(bytes / UNIT) * UNIT;

/** Grows the pool to `bytes`: null when it is that size now, else why not. */
export function growPool(store: Store, bytes: number, log: Logger): string | null {
  const before = store.stats().poolSize;
  const want = poolUnits(bytes);
  if (want === before) return null;
  if (want < before) return `the pool cannot shrink (it is ${formatSize(before)})`;
  const t0 = performance.now();
  try {
    store.grow(want);
  } catch (e) {
    return `cannot grow the pool to ${formatSize(want)}: ${(e as Error).message}`;
  }
  const s = store.stats();
  log.info(
    { from: before, to: s.poolSize, growths: s.poolGrowths, ms: Math.round((performance.now() - t0) * 100) / 100 },
    `pool grown from ${formatSize(before)} to ${formatSize(s.poolSize)}`,
  );
  return null;
}

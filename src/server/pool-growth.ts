// Growing the pool while serving (issue #16): a larger pool-size at start or by CONFIG SET, or
// pool-autogrow following the volume under the pool. The
// store does the crash-atomic part (native Pool::grow); this decides what a request means and says
// what happened: the same size is nothing to do, a smaller one is refused (a pool never shrinks),
// and a failure (no room on the volume, past what this process reserved) is the refusal's reason.
import { statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatSize } from '../ops/config.js';
import { POOL_UNIT, poolUnits } from '../ops/pool-size.js';
import type { Logger } from '../ops/logger.js';
import type { Store } from '../store/store.js';


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

/** What autogrow reads of the pool's file and its file system (injectable for tests). */
export interface VolumeView {
  fileBytes(): number;
  fs(): { totalBytes: number; availBytes: number };
}

export function volumeOf(pool: string): VolumeView {
  return {
    fileBytes: () => statSync(pool).size,
    fs: () => {
      const f = statfsSync(dirname(pool));
      return { totalBytes: f.blocks * f.bsize, availBytes: f.bavail * f.bsize };
    },
  };
}

/**
 * pool-autogrow: the size the pool should have now, or 0 for "as it is". The pool follows its
 * volume: `percent` of the file system's size (a volume expanded online, e.g. a PVC resized by
 * PMEM-CSI), or the pool file's own length when someone extended it (truncate -s), whichever is
 * larger, never more than the file system has free beyond the file, in whole 2 MiB units.
 * Steps under 4 MiB are not worth a growth (the first one spends 1 MiB on the page-table
 * extension).
 */
export function autogrowTarget(poolSize: number, v: VolumeView, percent: number): number {
  const file = v.fileBytes();
  const fs = v.fs();
  const byFs = Math.floor((fs.totalBytes * percent) / 100 / POOL_UNIT) * POOL_UNIT;
  const room = Math.floor((file + fs.availBytes) / POOL_UNIT) * POOL_UNIT; // what the file can become
  const byFile = Math.floor(file / POOL_UNIT) * POOL_UNIT;
  const target = Math.min(Math.max(byFs, byFile), Math.max(room, byFile));
  return target >= poolSize + 2 * POOL_UNIT ? target : 0;
}

/**
 * Checks the volume every `intervalS` seconds while pool-autogrow is on (read live). The file's
 * blocks are allocated on a worker thread first (Store.preallocate), so the growth itself, on the
 * event loop, does not wait for the file system.
 */
export class PoolAutogrow {
  private next = 0;
  private lastRefusal = '';
  private preallocating = false;
  constructor(
    private readonly store: Store,
    private readonly volume: VolumeView,
    private readonly settings: () => { on: boolean; percent: number; intervalS: number },
    private readonly log: Logger,
  ) {}

  /** From the server's cron; grows the pool when the volume says so. */
  tick(now: number): void {
    const s = this.settings();
    if (!s.on || now < this.next || this.store.isClosed || this.preallocating) return;
    this.next = now + s.intervalS * 1000;
    let target: number;
    try {
      target = autogrowTarget(this.store.stats().poolSize, this.volume, s.percent);
    } catch (e) {
      return this.refused(`cannot read the pool's volume: ${(e as Error).message}`);
    }
    if (target === 0) return;
    this.preallocating = true;
    this.store.preallocate(poolUnits(target)).then(
      () => {
        this.preallocating = false;
        if (this.store.isClosed) return;
        const why = growPool(this.store, target, this.log);
        if (why !== null) this.refused(why);
        else this.lastRefusal = '';
      },
      (e: Error) => {
        this.preallocating = false;
        this.refused(`cannot grow the pool to ${formatSize(poolUnits(target))}: ${e.message}`);
      },
    );
  }

  /** Says why once, not every interval. */
  private refused(why: string): void {
    if (why === this.lastRefusal) return;
    this.lastRefusal = why;
    this.log.warn({ reason: why }, `pool-autogrow: ${why}`);
  }
}

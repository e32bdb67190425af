// Runs the store's background work in small slices on the event loop: the rebuild after open
// (as fast as the loop allows, one slice per turn so requests keep flowing), then flush cleanup and
// active expiry at `hz` slices per second. Single-threaded: no locks.
import type { Store } from './store.js';

export interface MaintenanceHandle {
  stop(): void;
  /** Resolves when the rebuild after open has finished (for logs and tests). */
  readonly rebuilt: Promise<void>;
}

export function startMaintenance(store: Store, hz = 10, budget = 512): MaintenanceHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let resolveRebuilt!: () => void;
  const rebuilt = new Promise<void>((r) => (resolveRebuilt = r));

  const step = (): void => {
    immediate = undefined;
    timer = undefined;
    if (stopped || store.isClosed) return;
    // Not urgent means the rebuild is done (and no flush cleanup is pending): no stats() call needed.
    const urgent = store.maintenance(budget);
    if (urgent) immediate = setImmediate(step);
    else {
      resolveRebuilt();
      timer = setTimeout(step, Math.max(1, Math.round(1000 / hz)));
      timer.unref();
    }
  };
  immediate = setImmediate(step);
  return {
    rebuilt,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}

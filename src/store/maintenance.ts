// Runs the store's background work in small slices on the event loop: the rebuild after open
// (as fast as the loop allows, one slice per turn so requests keep flowing), then flush cleanup and
// active expiry at `hz` slices per second. A slice spends at most `expireMicros` removing keys whose
// TTL has passed; when it had no time for all that are due, the next slice runs on the next turn
// (Redis's fast expire cycle), so a mass expiry is worked off in ~1 ms slices between requests.
// Single-threaded: no locks.
import type { Store } from './store.js';

export interface MaintenanceHandle {
  stop(): void;
  /** Resolves when the rebuild after open has finished (for logs and tests). */
  readonly rebuilt: Promise<void>;
}

export function startMaintenance(store: Store, hz = 10, budget = 512, expireMicros = 1000): MaintenanceHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let resolveRebuilt!: () => void;
  const rebuilt = new Promise<void>((r) => (resolveRebuilt = r));

  const step = (): void => {
    immediate = undefined;
    timer = undefined;
    if (stopped || store.isClosed) return;
    // Not urgent means the rebuild is done, no flush cleanup is pending and no expired key is left.
    const urgent = store.maintenance(budget, expireMicros);
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

// Applies `tier-memory` to the store (at open and on CONFIG SET), and the test-only pool read
// latency that lets the tier's benefit be measured without persistent memory.
import type { Config } from '../ops/config.js';
import { tierBudget } from '../ops/tier-memory.js';
import type { Store } from '../store/store.js';

/** Test-only: nanoseconds every pool read busy-waits (bench/ and tests; never set in production). */
export const POOL_READ_DELAY_ENV = 'DAX_TEST_POOL_READ_NS';

/** Sets the tier's budget from the setting and what the pool reports; returns it in bytes. */
export function applyTierMemory(store: Store, config: Config): number {
  const s = store.stats();
  const budget = tierBudget(config.tierMemory, s.poolSize, s.poolInDram);
  store.setTier(budget);
  return budget;
}

/** The test-only read delay from the environment, applied; 0 when unset. */
export function applyPoolReadDelay(store: Store, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[POOL_READ_DELAY_ENV];
  const ns = raw && /^\d+$/.test(raw) ? Math.min(Number(raw), 1_000_000) : 0;
  if (ns > 0) store.setPoolReadDelay(ns);
  return ns;
}

// memcached's exptime rules (memcached.c realtime()), mapped onto the store's absolute
// milliseconds: 0 = never; negative = expired at once; up to 30 days = seconds from now; above
// that = an absolute Unix time (one in the past is expired at once).

/** memcached's REALTIME_MAXDELTA: exptimes above this are absolute Unix times. */
export const REALTIME_MAXDELTA = 60 * 60 * 24 * 30;

/** An instant long past: the store treats an item with it as expired and never returns it. */
export const EXPIRED_MS = 1;

/** Absolute expiry in ms since the epoch for a memcached exptime (0 = none). */
export function expireAt(exptime: number, nowMs: number): number {
  if (exptime === 0) return 0;
  if (exptime < 0) return EXPIRED_MS;
  if (exptime > REALTIME_MAXDELTA) {
    const at = exptime * 1000;
    return at <= nowMs ? EXPIRED_MS : at;
  }
  return nowMs + exptime * 1000;
}

/**
 * Remaining TTL in whole seconds as memcached reports it (mg t, ma t): -1 for none. Rounded up,
 * so an item set with T100 reports 100 until a full second has passed, as memcached's clock does.
 */
export function ttlSeconds(expireMs: number, nowMs: number): number {
  if (expireMs === 0) return -1;
  const left = Math.ceil((expireMs - nowMs) / 1000);
  return left > 0 ? left : 0;
}

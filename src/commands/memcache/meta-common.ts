// Pieces shared by the meta commands (mg ms md ma).
import { ERR, writeLine, type MetaFlags } from '../../protocol/memcache/index.js';
import { ttlSeconds } from './expiry.js';
import type { McContext } from './types.js';

/**
 * The E flag (caller-chosen CAS) cannot be honoured: the store assigns every CAS itself. It is
 * refused with the error memcached versions before E gave ("invalid flag") rather than ignored,
 * so a client never believes an item carries a CAS it does not have. True when refused.
 */
export function refuseExplicitCas(ctx: McContext, f: MetaFlags): boolean {
  if (f.newCas === undefined) return false;
  writeLine(ctx.w, ERR.INVALID_FLAG);
  return true;
}

/**
 * The TTL a `t` flag echoes. memcached walks the flags in request order, so a T (or, on an item
 * it just created, an N) placed before `t` is already applied and one placed after is not.
 */
export function echoedTtl(f: MetaFlags, setter: string, beforeMs: number, afterMs: number, nowMs: number): number {
  const t = f.order.indexOf('t');
  if (t < 0) return -1;
  const s = f.order.indexOf(setter);
  return ttlSeconds(s >= 0 && s < t ? afterMs : beforeMs, nowMs);
}

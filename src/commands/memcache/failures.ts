// Replies for writes the store refused, shared by the classic and meta storage commands.
import { ERR, writeLine, type ReplyWriter } from '../../protocol/memcache/index.js';
import { StoreError } from '../../store/store.js';
import type { McContext } from './types.js';

export const OUT_OF_MEMORY = 'SERVER_ERROR out of memory storing object';
/** memcached's reply when an incr/decr (or ma) cannot allocate its new value. */
export const OUT_OF_MEMORY_ARITH = 'SERVER_ERROR out of memory';
export const NON_NUMERIC = 'CLIENT_ERROR cannot increment or decrement non-numeric value';

/**
 * A set that cannot be stored removes the key's old value, as memcached does, so a failed
 * overwrite never leaves stale data readable (process_update_command / process_mset_command).
 */
export function unlinkOld(ctx: McContext, key: Buffer): void {
  try {
    ctx.store.delete(key);
  } catch {
    // Deleting never allocates; if even that fails the old value stays, which memcached also allows.
  }
}

/** The line for a StoreError thrown by a write, counting it; rethrows anything else. */
export function storeErrorLine(ctx: McContext, e: unknown): string {
  if (!(e instanceof StoreError)) throw e;
  const c = ctx.server.counters;
  if (e.code === 'TOO_LARGE') {
    c.storeTooLarge++;
    return ERR.TOO_LARGE;
  }
  if (e.code === 'OOM') {
    c.storeNoMemory++;
    return OUT_OF_MEMORY;
  }
  throw e;
}

/**
 * store.touch with memcached's answer to a full pool: the touch rewrites the item, so it can fail
 * for memory; then the failure is counted, the out-of-memory line written (unless noreply) and
 * null returned. Otherwise: whether the key was there.
 */
export function touchOrFail(ctx: McContext, key: Buffer, expireMs: number, noreply = false): boolean | null {
  if (ctx.store.headIfString(key) === null) return false; // memcached sees strings only
  try {
    return ctx.store.touch(key, expireMs);
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== 'OOM') throw e;
    ctx.server.counters.storeNoMemory++;
    replyLine(ctx.w, OUT_OF_MEMORY, noreply);
    return null;
  }
}

/** Writes `line` unless the command asked for no reply. */
export function replyLine(w: ReplyWriter, line: string, noreply: boolean): void {
  if (!noreply) writeLine(w, line);
}

// delete, touch, incr, decr: the classic single-key commands that change an existing item.
import {
  REPLY,
  writeNumber,
  writeReply,
  type ArithRequest,
  type DeleteRequest,
  type TouchRequest,
} from '../../protocol/memcache/index.js';
import { StoreError } from '../../store/store.js';
import { addDelta } from './arith.js';
import { C } from './counters.js';
import { expireAt } from './expiry.js';
import { NON_NUMERIC, OUT_OF_MEMORY_ARITH, replyLine, touchOrFail } from './failures.js';
import type { McContext } from './types.js';

export function deleteCommand(ctx: McContext, req: DeleteRequest): void {
  const { store, server, w } = ctx;
  const c = server.counters;
  if (server.prefixes.enabled) server.prefixes.recordDelete(req.key);
  // The item's size gives its slab class for the per-class delete_hits.
  const head = store.headIfString(req.key);
  if (head === null || !store.delete(req.key)) {
    c.deleteMisses++;
    if (!req.noreply) writeReply(w, REPLY.NOT_FOUND);
    return;
  }
  c.deleteHits++;
  c.classHit(server.classes.classOf(req.key.length, head.length), C.deleteHits);
  server.items.forget(req.key);
  if (!req.noreply) writeReply(w, REPLY.DELETED);
}

export function touchCommand(ctx: McContext, req: TouchRequest): void {
  const { store, server, w } = ctx;
  const c = server.counters;
  c.cmdTouch++;
  const head = store.headIfString(req.key);
  let touched = false;
  if (head !== null) {
    const t = touchOrFail(ctx, req.key, expireAt(req.exptime, ctx.now), req.noreply);
    if (t === null) return;
    touched = t;
  }
  if (!touched) {
    c.touchMisses++;
    if (!req.noreply) writeReply(w, REPLY.NOT_FOUND);
    return;
  }
  c.touchHits++;
  c.classHit(server.classes.classOf(req.key.length, head!.length), C.touchHits);
  if (!req.noreply) writeReply(w, REPLY.TOUCHED);
}

/** incr wraps at 2^64, decr stops at 0; the value must be a decimal u64 (memcached do_add_delta). */
export function arithCommand(ctx: McContext, req: ArithRequest): void {
  const { store, server, w } = ctx;
  const c = server.counters;
  const decr = req.cmd === 'decr';
  let next: bigint | null | 'non_numeric';
  try {
    next = addDelta(store, req.key, req.delta, decr);
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== 'OOM') throw e;
    replyLine(w, OUT_OF_MEMORY_ARITH, req.noreply);
    return;
  }
  if (next === 'non_numeric') {
    replyLine(w, NON_NUMERIC, req.noreply);
    return;
  }
  if (next === null) {
    c.arithMiss(decr);
    if (!req.noreply) writeReply(w, REPLY.NOT_FOUND);
    return;
  }
  c.arithHit(decr, server.classes.classOf(req.key.length, next.toString().length));
  server.items.noteWrite(req.key, store.lastWriteCas, ctx.now);
  if (!req.noreply) writeNumber(w, next);
}

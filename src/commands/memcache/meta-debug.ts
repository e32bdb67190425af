// me <key> [b]: a human-readable line of an item's metadata, and mn, the pipeline end marker.
import { writeLine, writeMetaDebug, writeMetaNoop, type MetaDebugRequest } from '../../protocol/memcache/index.js';
import { ITEM_HEADER_BYTES } from './classes.js';
import { ttlSeconds } from './expiry.js';
import type { McContext } from './types.js';

export function metaDebug(ctx: McContext, req: MetaDebugRequest): void {
  const { store, server, w } = ctx;
  server.counters.cmdMeta++;
  // A client wants fetch and access state: record it from now on.
  server.items.trackAccess(ctx.now);
  const h = store.headIfString(req.key);
  if (h === null) {
    writeLine(w, 'EN');
    return;
  }
  const mark = server.items.get(req.key, h.cas);
  const accessMs = server.items.lastAccessMs(mark);
  writeMetaDebug(w, req.key, req.base64, {
    // memcached prints current_time - exptime: minus the seconds left, or -1 for no expiry.
    exp: h.expireMs === 0 ? -1 : -ttlSeconds(h.expireMs, ctx.now),
    la: Math.max(0, Math.floor((ctx.now - accessMs) / 1000)),
    cas: h.cas,
    fetched: mark?.fetched ?? false,
    cls: server.classes.classOf(req.key.length, h.length),
    size: ITEM_HEADER_BYTES + req.key.length + h.length,
  });
}

export function metaNoop(ctx: McContext): void {
  ctx.server.counters.cmdMeta++;
  writeMetaNoop(ctx.w);
}

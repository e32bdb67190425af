// Retrieval: get gets gat gats. One `VALUE <key> <flags> <bytes>[ <cas>]` block per hit, then
// END. A huge multi-get is served in slices: the handler stops once the connection's output passes
// a bound and the listener resumes it at the next key when the socket has drained.
import { writeEnd, writeValue, writeValueHead, type GetRequest } from '../../protocol/memcache/index.js';
import { C } from './counters.js';
import { expireAt } from './expiry.js';
import { touchOrFail } from './failures.js';
import type { McContext } from './types.js';

/** Output bytes after which a multi-get yields to let the socket drain. */
export const GET_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Serves keys from index `from`. Returns -1 when the reply is complete, or the index of the next
 * key when it stopped because `ctx.w` holds more than GET_SLICE_BYTES (call again later).
 */
export function getCommand(ctx: McContext, req: GetRequest, from = 0): number {
  if (req.exptime !== undefined) return getAndTouch(ctx, req, from);
  const { store, w, server } = ctx;
  const c = server.counters;
  const items = server.items;
  const withCas = req.cmd === 'gets';
  const keys = req.keys;
  for (let i = from; i < keys.length; i++) {
    const key = keys[i]!;
    c.cmdGet++;
    // lookup + copy: the value goes from the pool straight into the reply buffer (nothing may
    // touch the store between the two calls).
    const length = store.lookup(key);
    if (server.prefixes.enabled) server.prefixes.recordGet(key, length >= 0);
    if (length < 0) {
      c.getMisses++;
      continue;
    }
    const cas = store.lastCas;
    writeValueHead(w, key, store.lastFlags, length, withCas ? cas : undefined);
    w.fill(length, store.copyFoundValue);
    w.crlf();
    c.getHits++;
    c.classHit(server.classes.classOf(key.length, length), C.getHits);
    items.noteFetch(key, cas, ctx.now);
    if (w.length > GET_SLICE_BYTES && i + 1 < keys.length) return i + 1;
  }
  writeEnd(w);
  return -1;
}

/**
 * gat/gats: fetch, then set the new TTL (a negative one still returns the value once, as
 * memcached does). Touching rewrites the item, so it may run out of memory: like memcached, the
 * whole reply then becomes the error, so the values of a slice are collected before writing.
 */
function getAndTouch(ctx: McContext, req: GetRequest, from: number): number {
  const { store, w, server } = ctx;
  const c = server.counters;
  const withCas = req.cmd === 'gats';
  const expireMs = expireAt(req.exptime!, ctx.now);
  const keys = req.keys;
  const hits: { key: Buffer; flags: number; value: Buffer; cas: number }[] = [];
  let bytes = 0;
  let i = from;
  for (; i < keys.length; i++) {
    const key = keys[i]!;
    c.cmdTouch++;
    const value = store.getValue(key);
    if (server.prefixes.enabled) server.prefixes.recordGet(key, value !== null);
    if (value === null) {
      c.touchMisses++;
      continue;
    }
    const flags = store.lastFlags;
    if (touchOrFail(ctx, key, expireMs) === null) return -1;
    const cas = store.lastCas;
    hits.push({ key, flags, value, cas });
    c.touchHits++;
    c.classHit(server.classes.classOf(key.length, value.length), C.touchHits);
    server.items.noteFetch(key, cas, ctx.now);
    bytes += value.length + key.length + 64;
    if (bytes > GET_SLICE_BYTES && i + 1 < keys.length) {
      i++;
      break;
    }
  }
  for (const h of hits) writeValue(w, h.key, h.flags, h.value, withCas ? h.cas : undefined);
  if (i < keys.length) return i;
  writeEnd(w);
  return -1;
}

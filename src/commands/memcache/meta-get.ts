// mg <key> <flags>*: one lookup that can replace get, gets, gat, gats and touch, plus the
// anti-dogpile flags: N (vivify an empty item on miss and win it), R (win a recache when the TTL
// is low), and the W/X/Z markers (won / stale / a token was already handed out).
// Replies: VA <size> (with v) or HD on a hit, EN on a miss (silenced by q).
import { writeMeta, type MetaGetRequest } from '../../protocol/memcache/index.js';
import { StoreError } from '../../store/store.js';
import { C } from './counters.js';
import { expireAt } from './expiry.js';
import { touchOrFail } from './failures.js';
import { echoedTtl, refuseExplicitCas } from './meta-common.js';
import type { McContext } from './types.js';

const EMPTY = Buffer.alloc(0);

interface Hit {
  flags: number;
  expireMs: number;
  cas: number;
  length: number;
  value: Buffer | undefined;
  created: boolean;
}

export function metaGet(ctx: McContext, req: MetaGetRequest): void {
  const { store, server, w } = ctx;
  const { key, flags: f } = req;
  const c = server.counters;
  c.cmdMeta++;
  if (refuseExplicitCas(ctx, f)) return;
  const touching = f.ttl !== undefined;
  // h and l need fetch/access state: once a client asks, it is recorded from then on.
  if (f.retHit || f.retLastAccess) server.items.trackAccess(ctx.now);

  const hit = lookup(ctx, req) ?? vivify(ctx, req);
  if (hit === null) {
    if (touching) {
      c.cmdTouch++;
      c.touchMisses++;
    } else {
      c.cmdGet++;
      c.getMisses++;
    }
    if (!f.quiet) writeMeta(w, 'EN', key, f);
    return;
  }

  const now = ctx.now;
  const items = server.items;
  // The item's stale/token/fetch mark, if anything was ever recorded for this version.
  let mark = hit.created ? items.written(key, hit.cas, now) : items.get(key, hit.cas);
  const hitBefore = mark?.fetched ?? false;
  const lastAccess = Math.max(0, Math.floor((now - items.lastAccessMs(mark)) / 1000));
  const expireBefore = hit.created ? 0 : hit.expireMs;
  let cas = hit.cas;
  if (touching) {
    const expireMs = expireAt(f.ttl!, now);
    if (touchOrFail(ctx, key, expireMs) === null) return;
    // Touching rewrites the item under a new CAS; its meta state moves with it.
    cas = store.lastCas;
    items.moved(key, hit.cas, cas);
    hit.expireMs = expireMs;
  }

  // W: vivified now, or the TTL is under R and nobody holds the token, or stale and unclaimed.
  const tokenSent = mark?.tokenSent ?? false;
  const stale = mark?.stale ?? false;
  let won = hit.created;
  if (!won && f.recacheTtl !== undefined && !tokenSent && hit.expireMs !== 0) {
    won = hit.expireMs < expireAt(f.recacheTtl, now);
  }
  if (stale && !tokenSent) won = true;
  if (won) {
    mark ??= items.mark(key, cas);
    mark.tokenSent = true;
  }
  if (!f.noBump) items.noteFetch(key, cas, now);

  const cls = server.classes.classOf(key.length, hit.length);
  if (touching) {
    c.cmdTouch++;
    c.touchHits++;
    c.classHit(cls, C.touchHits);
  } else {
    c.cmdGet++;
    c.getHits++;
    c.classHit(cls, C.getHits);
  }

  const ttl = echoedTtl(f, hit.created ? 'N' : 'T', expireBefore, hit.expireMs, now);
  writeMeta(
    w,
    f.retValue ? 'VA' : 'HD',
    key,
    f,
    {
      cas,
      flags: hit.flags,
      hit: hitBefore,
      lastAccess,
      size: hit.length,
      ttl,
      won,
      stale,
      tokenSent,
    },
    hit.value,
  );
}

function lookup(ctx: McContext, req: MetaGetRequest): Hit | null {
  const { store } = ctx;
  if (req.flags.retValue) {
    const value = store.getValue(req.key);
    if (value === null) return null;
    return {
      flags: store.lastFlags,
      expireMs: store.lastExpireMs,
      cas: store.lastCas,
      length: value.length,
      value,
      created: false,
    };
  }
  const h = store.headIfString(req.key);
  if (h === null) return null;
  return { flags: h.flags, expireMs: h.expireMs, cas: h.cas, length: h.length, value: undefined, created: false };
}

/** N<ttl> on a miss: create an empty item (flags 0) and hand this client the win. */
function vivify(ctx: McContext, req: MetaGetRequest): Hit | null {
  const f = req.flags;
  if (f.vivifyTtl === undefined) return null;
  const expireMs = expireAt(f.vivifyTtl, ctx.now);
  try {
    if (ctx.store.set(req.key, EMPTY, { condition: 'NX', expireMs }) !== 'stored') return null;
  } catch (e) {
    // memcached answers a failed vivify as a plain miss.
    if (e instanceof StoreError && e.code === 'OOM') return null;
    throw e;
  }
  ctx.server.counters.totalItems++;
  return {
    flags: 0,
    expireMs,
    cas: ctx.store.lastWriteCas,
    length: 0,
    value: f.retValue ? EMPTY : undefined,
    created: true,
  };
}

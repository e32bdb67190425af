// Classic storage commands: set add replace append prepend cas (memcached's do_store_item).
// Replies: STORED, NOT_STORED, EXISTS, NOT_FOUND; `noreply` silences every one of them.
import { ERR, REPLY, writeReply, type StoreRequest } from '../../protocol/memcache/index.js';
import type { SetOutcome } from '../../store/store.js';
import { C } from './counters.js';
import { memcachedItemBytes } from './classes.js';
import { expireAt } from './expiry.js';
import { replyLine, storeErrorLine, unlinkOld } from './failures.js';
import type { McContext } from './types.js';

export function storeCommand(ctx: McContext, req: StoreRequest): void {
  const { server, w } = ctx;
  const c = server.counters;
  const { key, data } = req;
  c.cmdSet++;
  if (server.prefixes.enabled) server.prefixes.recordSet(key);
  const cls = server.classes.classOf(key.length, data.length);
  c.classHit(cls, C.cmdSet);

  // memcached refuses an item whose whole size (header, key, value) passes item_size_max; the
  // parser already refused data blocks larger than the limit itself without reading them.
  if (memcachedItemBytes(key.length, data.length, req.flags) > server.config.itemSizeMax) {
    c.storeTooLarge++;
    if (req.cmd === 'set') unlinkOld(ctx, key);
    replyLine(w, ERR.TOO_LARGE, req.noreply);
    return;
  }

  let reply: Buffer;
  try {
    reply = apply(ctx, req, cls);
  } catch (e) {
    const line = storeErrorLine(ctx, e);
    if (req.cmd === 'set') unlinkOld(ctx, key);
    replyLine(w, line, req.noreply);
    return;
  }
  if (!req.noreply) writeReply(w, reply);
}

function apply(ctx: McContext, req: StoreRequest, cls: number): Buffer {
  const { store, server } = ctx;
  const c = server.counters;
  const { key, data } = req;
  const expireMs = expireAt(req.exptime, ctx.now);
  let outcome: SetOutcome;
  switch (req.cmd) {
    case 'set':
      outcome = store.set(key, data, { expireMs, flags: req.flags });
      break;
    case 'add':
      outcome = store.set(key, data, { condition: 'NX', expireMs, flags: req.flags });
      break;
    case 'replace':
      outcome = store.set(key, data, { condition: 'XX', expireMs, flags: req.flags });
      break;
    case 'append':
    case 'prepend':
      return concat(ctx, req);
    case 'cas':
      outcome = casStore(ctx, req, expireMs);
      if (outcome === 'stored') {
        c.casHits++;
        c.classHit(cls, C.casHits);
      } else if (outcome === 'not_found') {
        c.casMisses++;
        return REPLY.NOT_FOUND;
      } else {
        c.casBadval++;
        c.classHit(cls, C.casBadval);
        return REPLY.EXISTS;
      }
      break;
  }
  if (outcome !== 'stored') return REPLY.NOT_STORED;
  stored(ctx, key);
  return REPLY.STORED;
}

/** cas: store only if the item's CAS still equals the one given. */
function casStore(ctx: McContext, req: StoreRequest, expireMs: number): SetOutcome {
  const cas = Number(req.cas);
  // The store reads CAS 0 as "no comparison"; memcached items never have CAS 0, so it never matches.
  if (cas === 0) return ctx.store.headIfString(req.key) !== null ? 'cas_mismatch' : 'not_found';
  return ctx.store.set(req.key, req.data, { cas, expireMs, flags: req.flags });
}

/** append/prepend keep the item's flags and TTL; a result past item_size_max is NOT_STORED. */
function concat(ctx: McContext, req: StoreRequest): Buffer {
  const { store, server } = ctx;
  const head = store.headIfString(req.key);
  if (head === null) return REPLY.NOT_STORED;
  if (memcachedItemBytes(req.key.length, head.length + req.data.length, head.flags) > server.config.itemSizeMax) {
    return REPLY.NOT_STORED;
  }
  if (store.append(req.key, req.data, req.cmd === 'prepend') === null) return REPLY.NOT_STORED;
  stored(ctx, req.key);
  return REPLY.STORED;
}

function stored(ctx: McContext, key: Buffer): void {
  ctx.server.counters.totalItems++;
  ctx.server.items.noteWrite(key, ctx.store.lastWriteCas, ctx.now);
}

// md <key> <flags>*: delete, or with I mark the item stale (new CAS, token released, T may set a
// new TTL) so one client recaches it while others may still serve it; x empties the value but
// keeps the item. C makes any of these conditional. Replies: HD, NF, EX; q silences HD and NF.
import { writeLine, writeMeta, type MetaCode, type MetaDeleteRequest } from '../../protocol/memcache/index.js';
import { C } from './counters.js';
import { expireAt } from './expiry.js';
import { storeErrorLine } from './failures.js';
import { refuseExplicitCas } from './meta-common.js';
import type { McContext } from './types.js';

const EMPTY = Buffer.alloc(0);

export function metaDelete(ctx: McContext, req: MetaDeleteRequest): void {
  const { w } = ctx;
  const { key, flags: f } = req;
  ctx.server.counters.cmdMeta++;
  if (refuseExplicitCas(ctx, f)) return;
  let code: MetaCode;
  try {
    code = apply(ctx, req);
  } catch (e) {
    writeLine(w, storeErrorLine(ctx, e));
    return;
  }
  if (f.quiet && (code === 'HD' || code === 'NF')) return;
  writeMeta(w, code, key, f);
}

function apply(ctx: McContext, req: MetaDeleteRequest): MetaCode {
  const { store, server } = ctx;
  const { key, flags: f } = req;
  const c = server.counters;
  const head = store.headIfString(key);
  if (head === null) {
    c.deleteMisses++;
    return 'NF';
  }
  if (f.compareCas !== undefined && Number(f.compareCas) !== head.cas) {
    c.deleteMisses++;
    return 'EX';
  }
  if (f.invalidate || f.removeValue) {
    const value = f.removeValue ? EMPTY : store.getValue(key);
    if (value === null) return 'NF';
    const newTtl = f.invalidate && f.ttl !== undefined;
    const expireMs = newTtl ? expireAt(f.ttl!, ctx.now) : 0;
    store.set(key, value, { keepFlags: true, keepTtl: !newTtl, expireMs });
    const cas = store.lastWriteCas;
    if (f.invalidate) {
      // Stale, under a new CAS, and the recache token is free for the next mg to win.
      const mark = server.items.moved(key, head.cas, cas) ?? server.items.mark(key, cas);
      mark.stale = true;
      mark.tokenSent = false;
    } else {
      server.items.noteWrite(key, cas, ctx.now);
    }
    return 'HD';
  }
  store.delete(key);
  c.deleteHits++;
  c.classHit(server.classes.classOf(key.length, head.length), C.deleteHits);
  server.items.forget(key);
  return 'HD';
}

// ms <key> <datalen> <flags>*: every storage command in one. M picks the mode (E add, A append,
// P prepend, R replace, S set), C compares CAS (set and replace then behave like `cas`), and I
// with C lets an older CAS through but marks the item stale (memcached's set_stale).
// Replies: HD (silenced by q), NS, EX, NF; `c` echoes the new CAS (0 when nothing was stored).
import { ERR, writeLine, writeMeta, type MetaCode, type MetaSetRequest } from '../../protocol/memcache/index.js';
import { C } from './counters.js';
import { memcachedItemBytes } from './classes.js';
import { expireAt } from './expiry.js';
import { storeErrorLine, unlinkOld } from './failures.js';
import { refuseExplicitCas } from './meta-common.js';
import type { McContext } from './types.js';

export function metaSet(ctx: McContext, req: MetaSetRequest): void {
  const { server, w } = ctx;
  const { key, data, flags: f } = req;
  const c = server.counters;
  c.cmdMeta++;
  c.cmdSet++;
  if (refuseExplicitCas(ctx, f)) return;
  const cls = server.classes.classOf(key.length, data.length);
  c.classHit(cls, C.cmdSet);

  if (memcachedItemBytes(key.length, data.length, f.clientFlags ?? 0) > server.config.itemSizeMax) {
    // memcached unlinks the old value whatever the mode; meta errors are never silenced.
    c.storeTooLarge++;
    unlinkOld(ctx, key);
    writeLine(w, ERR.TOO_LARGE);
    return;
  }

  let code: MetaCode;
  try {
    code = apply(ctx, req, cls);
  } catch (e) {
    const line = storeErrorLine(ctx, e);
    unlinkOld(ctx, key);
    writeLine(w, line);
    return;
  }
  if (code === 'HD') {
    c.totalItems++;
    if (f.quiet) return;
  }
  writeMeta(w, code, key, f, { cas: code === 'HD' ? ctx.store.lastWriteCas : 0 });
}

function apply(ctx: McContext, req: MetaSetRequest, cls: number): MetaCode {
  const { store } = ctx;
  const { key, data, flags: f } = req;
  const expireMs = expireAt(f.ttl ?? 0, ctx.now);
  const flags = f.clientFlags ?? 0;
  switch (f.mode ?? 'S') {
    case 'E':
      // add ignores a C token, as memcached's NREAD_ADD does.
      return written(ctx, key, store.set(key, data, { condition: 'NX', expireMs, flags }) === 'stored');
    case 'A':
    case 'P':
      return concat(ctx, req);
    case 'R':
      if (f.compareCas !== undefined) return casSet(ctx, req, expireMs, flags, cls);
      return written(ctx, key, store.set(key, data, { condition: 'XX', expireMs, flags }) === 'stored');
    default:
      if (f.compareCas !== undefined) return casSet(ctx, req, expireMs, flags, cls);
      store.set(key, data, { expireMs, flags });
      return written(ctx, key, true);
  }
}

function written(ctx: McContext, key: Buffer, stored: boolean): MetaCode {
  if (!stored) return 'NS';
  ctx.server.items.noteWrite(key, ctx.store.lastWriteCas, ctx.now);
  return 'HD';
}

/** Set with a CAS comparison; with I an older CAS still stores but leaves the item stale. */
function casSet(ctx: McContext, req: MetaSetRequest, expireMs: number, flags: number, cls: number): MetaCode {
  const { store, server } = ctx;
  const { key, data, flags: f } = req;
  const c = server.counters;
  const head = store.headIfString(key);
  if (head === null) {
    c.casMisses++;
    return 'NF';
  }
  const want = Number(f.compareCas);
  if (want !== 0 && want === head.cas) {
    if (store.set(key, data, { cas: want, expireMs, flags }) !== 'stored') return 'EX';
    c.casHits++;
    c.classHit(cls, C.casHits);
    return written(ctx, key, true);
  }
  if (f.invalidate && want < head.cas) {
    // The value is replaced but the item keeps its TTL, stays stale and keeps a handed-out token.
    const tokenSent = server.items.get(key, head.cas)?.tokenSent ?? false;
    store.set(key, data, { keepTtl: true, flags });
    const mark = server.items.written(key, store.lastWriteCas, ctx.now);
    mark.stale = true;
    mark.tokenSent = tokenSent;
    c.casHits++;
    c.classHit(cls, C.casHits);
    return 'HD';
  }
  c.casBadval++;
  c.classHit(cls, C.casBadval);
  return 'EX';
}

/** Append/prepend modes: keep flags and TTL; a C token must match (EX otherwise). */
function concat(ctx: McContext, req: MetaSetRequest): MetaCode {
  const { store, server } = ctx;
  const { key, data, flags: f } = req;
  const head = store.headIfString(key);
  if (head === null) return 'NS';
  if (f.compareCas !== undefined && Number(f.compareCas) !== head.cas) return 'EX';
  if (memcachedItemBytes(key.length, head.length + data.length, head.flags) > server.config.itemSizeMax) return 'NS';
  return written(ctx, key, store.append(key, data, f.mode === 'P') !== null);
}

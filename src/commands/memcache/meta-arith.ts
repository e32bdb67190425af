// ma <key> <flags>*: incr/decr with options. D delta (default 1), MI/M+ incr, MD/M- decr, N<ttl>
// creates a missing counter with J (default 0), C compares CAS, T sets a new TTL on success.
// Replies: HD, or VA <len> with the new value (v); NF, EX, NS. q silences every success (HD and
// VA alike, as memcached skips the whole OK response).
import { writeLine, writeMeta, type MetaArithRequest } from '../../protocol/memcache/index.js';
import { StoreError } from '../../store/store.js';
import { addDelta } from './arith.js';
import { expireAt } from './expiry.js';
import { NON_NUMERIC, OUT_OF_MEMORY_ARITH } from './failures.js';
import { echoedTtl, refuseExplicitCas } from './meta-common.js';
import type { McContext } from './types.js';

/** memcached's reply when a vivified counter cannot be allocated. */
const OUT_OF_MEMORY_VIVIFY = 'SERVER_ERROR Out of memory allocating new item';

export function metaArith(ctx: McContext, req: MetaArithRequest): void {
  const { store, server, w } = ctx;
  const { key, flags: f } = req;
  const c = server.counters;
  c.cmdMeta++;
  if (refuseExplicitCas(ctx, f)) return;
  const decr = f.mode === 'D' || f.mode === '-';
  const now = ctx.now;

  const head = store.headIfString(key);
  let value: bigint;
  let created = false;
  let expireBefore: number;
  let expireAfter: number;
  if (head === null) {
    if (f.vivifyTtl === undefined) {
      c.arithMiss(decr);
      writeMeta(w, 'NF', key, f);
      return;
    }
    value = f.initial ?? 0n;
    expireAfter = expireAt(f.vivifyTtl, now);
    expireBefore = 0; // memcached creates the item without a TTL, then applies N
    try {
      if (store.set(key, Buffer.from(value.toString(), 'latin1'), { condition: 'NX', expireMs: expireAfter }) !== 'stored') {
        writeMeta(w, 'NS', key, f);
        return;
      }
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== 'OOM') throw e;
      writeLine(w, OUT_OF_MEMORY_VIVIFY);
      return;
    }
    created = true;
    c.totalItems++;
  } else {
    if (f.compareCas !== undefined && Number(f.compareCas) !== head.cas) {
      writeMeta(w, 'EX', key, f);
      return;
    }
    let r: bigint | null | 'non_numeric';
    try {
      r = addDelta(store, key, f.delta ?? 1n, decr);
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== 'OOM') throw e;
      writeLine(w, OUT_OF_MEMORY_ARITH);
      return;
    }
    if (r === 'non_numeric') {
      writeLine(w, NON_NUMERIC);
      return;
    }
    value = r!; // the key exists: head() found it just above
    c.arithHit(decr, server.classes.classOf(key.length, value.toString().length));
    expireBefore = expireAfter = head.expireMs;
  }

  let cas = store.lastWriteCas;
  let setter = created ? 'N' : 'T';
  if (f.ttl !== undefined) {
    expireAfter = expireAt(f.ttl, now);
    setter = 'T';
    try {
      store.touch(key, expireAfter);
      cas = store.lastCas;
    } catch (e) {
      // The new value is stored; only the TTL change failed for lack of room.
      if (!(e instanceof StoreError) || e.code !== 'OOM') throw e;
      expireAfter = expireBefore;
    }
  }
  server.items.noteWrite(key, cas, now);
  if (f.quiet) return;

  const text = Buffer.from(value.toString(), 'latin1');
  const ttl = echoedTtl(f, setter, expireBefore, expireAfter, now);
  writeMeta(w, f.retValue ? 'VA' : 'HD', key, f, { cas, ttl }, f.retValue ? text : undefined);
}

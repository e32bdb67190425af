// The typed face of the native store. Both protocols reach data only through this class, so a key
// set over memcached is the same key GET reads over RESP. Keys and values are Buffers (binary-safe);
// expiry is absolute milliseconds since the epoch (0 = none).
//
// It knows items (key, value, flags, TTL, CAS), not protocols: Redis's and memcached's rules (INCR's
// int64 arithmetic, memcached's u64 incr/decr, GETRANGE's indexes) live in their command families,
// which compose reads and writes here; the server runs one command at a time, so nothing interleaves.
import { native, type NativeStore, type NativeStoreOptions, type NativeStats, type NativeClassStats, type CheckReport, type PoolInfo } from './native.js';
import { StoreError, Status, failIfError } from './errors.js';
import { EVICTION_POLICIES, type EvictionPolicy } from '../ops/policies.js';
import { Kind, MapStore, keyInfoOf, type KeyInfo } from './maps.js';
import { ZsetStore } from './zsets.js';
import { ListStore } from './lists.js';

export { StoreError } from './errors.js';
export { Kind, MapStore, PACK_INTS, type KeyInfo, type MapLimits } from './maps.js';
export { ZsetStore, type ScoreRange, type LexRange } from './zsets.js';
export { ListStore, type ListSetResult } from './lists.js';
export type { NativeStats as StoreStats, NativeClassStats as ClassStats, TierStats, CheckReport, PoolInfo } from './native.js';

export interface Entry {
  value: Buffer;
  flags: number;
  expireMs: number;
  cas: number;
}

export interface SetOptions {
  /** NX: only if absent; XX: only if present. */
  condition?: 'NX' | 'XX';
  expireMs?: number;
  keepTtl?: boolean;
  flags?: number;
  keepFlags?: boolean;
  /** memcached CAS: store only if the item's CAS still equals this. */
  cas?: number;
}

/**
 * Index buckets one keyed write may stage, as the store bounds it (LOG_OP_MARGIN in
 * native/core/store.h: its slots, new overflow buckets, expired items dropped on the way), plus
 * two per key for writes of several keys (MSET, DEL).
 */
export const ATOMIC_BUCKETS_PER_WRITE: number = native.logOpMargin;
export const ATOMIC_BUCKETS_PER_KEY = 2;

/** Slots in one bucket of the key index (native/core/layout.h BUCKET_SLOTS). */
export const BUCKET_SLOTS = 7;

/** Keys per slot of the key index's home buckets: above 1, chains past home buckets are certain. */
export function indexLoadFactor(st: { items: number; indexBuckets: number }): number {
  return st.indexBuckets > 0 ? st.items / (st.indexBuckets * BUCKET_SLOTS) : 0;
}

export type SetOutcome = 'stored' | 'not_found' | 'exists' | 'cas_mismatch';
export type PairOutcome = 'ok' | 'not_found' | 'exists';

export interface OpenOptions extends NativeStoreOptions {}

export { EVICTION_POLICIES, type EvictionPolicy } from '../ops/policies.js';

const outcome: Record<number, SetOutcome> = {
  [Status.Ok]: 'stored',
  [Status.NotFound]: 'not_found',
  [Status.Exists]: 'exists',
  [Status.CasMismatch]: 'cas_mismatch',
};

export class Store {
  private readonly meta = new Float64Array(5); // [flags, expireMs, cas, length, type] of the last op
  private closed = false;
  private inAtomic = false;
  /** Hashes, sets, and sorted sets' members with their scores (maps.ts). */
  readonly hashes: MapStore;
  readonly sets: MapStore;
  readonly zsets: ZsetStore;
  /** Lists (lists.ts). */
  readonly lists: ListStore;

  private constructor(private readonly n: NativeStore) {
    n.setMeta(this.meta);
    this.hashes = new MapStore(n, Kind.Hash);
    this.sets = new MapStore(n, Kind.Set);
    this.zsets = new ZsetStore(n);
    this.lists = new ListStore(n);
  }

  /**
   * After a string read that found nothing (getValue, lookup, getRange): whether the key is there
   * but holds a collection (Redis answers WRONGTYPE; memcached misses).
   */
  get lastMissWasCollection(): boolean {
    return this.meta[4]! > 0;
  }

  /** getValue for a command that works on strings only: a collection there throws WRONGTYPE. */
  stringValue(key: Buffer): Buffer | null {
    const v = this.n.get(key);
    if (v === null) this.failIfCollection();
    return v;
  }

  /** lookup() for strings only (WRONGTYPE on a collection). */
  stringLookup(key: Buffer): number {
    const n = this.n.lookup(key);
    if (n < 0) this.failIfCollection();
    return n;
  }

  /** getRange() for strings only (WRONGTYPE on a collection). */
  stringRange(key: Buffer, offset: number, length: number): Buffer | null {
    const v = this.n.getRange(key, offset, length);
    if (v === null) this.failIfCollection();
    return v;
  }

  /**
   * head() as memcached sees the keyspace: strings only, so a collection reads as absent (a read
   * misses, add stores nothing, append/incr/touch/delete answer as for a missing key).
   */
  headIfString(key: Buffer): { flags: number; expireMs: number; cas: number; length: number } | null {
    const h = this.head(key);
    return h !== null && this.meta[4]! !== 0 ? null : h;
  }

  /** head() for strings only (WRONGTYPE on a collection). */
  stringHead(key: Buffer): { flags: number; expireMs: number; cas: number; length: number } | null {
    const h = this.head(key);
    if (h !== null && this.meta[4]! !== 0) throw new StoreError('WRONGTYPE', 'the key holds another type');
    return h;
  }

  private failIfCollection(): void {
    if (this.meta[4]! > 0) throw new StoreError('WRONGTYPE', 'the key holds another type');
  }

  /**
   * Runs fn with lookups that leave the eviction clocks (idle time, LFU frequency) alone, as
   * Redis's LOOKUP_NOTOUCH does for TYPE, EXISTS and TTL.
   */
  withoutTouch<T>(fn: () => T): T {
    this.n.setNoTouch(true);
    try {
      return fn();
    } finally {
      this.n.setNoTouch(false);
    }
  }

  /** What the key holds (TYPE, OBJECT ENCODING), or null when absent. */
  keyInfo(key: Buffer): KeyInfo | null {
    return keyInfoOf(this.n.keyInfo(key));
  }

  /** Opens (or, with createSize, creates) a pool. Throws an Error with code EPOOL* when refused. */
  static open(path: string, options: OpenOptions = {}): Store {
    return new Store(new native.NativeStore(path, options));
  }

  static check(path: string): CheckReport {
    return native.checkPool(path);
  }

  static info(path: string): PoolInfo {
    return native.poolInfo(path);
  }

  static readonly layoutVersion: number = native.layoutVersion;

  /** The value only (fast path); metadata of the hit is in lastFlags/lastExpireMs/lastCas. */
  getValue(key: Buffer): Buffer | null {
    return this.n.get(key);
  }

  /**
   * Bytes [offset, offset + length) of the value, cut at its end (empty past it), or null when the
   * key is absent; only they are copied. The value's whole length is in lastLength.
   */
  getRange(key: Buffer, offset: number, length: number): Buffer | null {
    return this.n.getRange(key, offset, length);
  }

  /** The value length of the last getRange()/lookup() hit. */
  get lastLength(): number {
    return this.meta[3]!;
  }

  /**
   * Finds a key without copying its value: the value's length, or -1 when absent. Metadata of a hit
   * is in lastFlags/lastExpireMs/lastCas. copyFoundValue() then copies the value into a reply buffer
   * — it must come right after, before any other call on this store.
   */
  lookup(key: Buffer): number {
    return this.n.lookup(key);
  }

  /**
   * Copies the value found by the lookup() just before into dst at pos (which must have room).
   * A bound function, so a reply writer can take it as its fill callback without a closure per call.
   */
  readonly copyFoundValue = (dst: Uint8Array, pos: number): void => {
    this.n.copyFound(dst, pos);
  };

  get lastFlags(): number {
    return this.meta[0]!;
  }
  get lastExpireMs(): number {
    return this.meta[1]!;
  }
  get lastCas(): number {
    return this.meta[2]!;
  }

  get(key: Buffer): Entry | null {
    const value = this.n.get(key);
    if (value === null) return null;
    return { value, flags: this.meta[0]!, expireMs: this.meta[1]!, cas: this.meta[2]! };
  }

  exists(key: Buffer): boolean {
    return this.n.exists(key);
  }

  /** Metadata without copying the value; null when absent. */
  head(key: Buffer): { flags: number; expireMs: number; cas: number; length: number } | null {
    if (!this.n.exists(key)) return null;
    return { flags: this.meta[0]!, expireMs: this.meta[1]!, cas: this.meta[2]!, length: this.meta[3]! };
  }

  set(key: Buffer, value: Buffer, o?: SetOptions): SetOutcome {
    const mode = o?.condition === 'NX' ? 1 : o?.condition === 'XX' ? 2 : 0;
    const st = this.n.set(key, value, mode, o?.expireMs ?? 0, o?.flags ?? 0, o?.keepTtl ?? false, o?.keepFlags ?? false, o?.cas ?? 0);
    failIfError(st);
    return outcome[st]!;
  }

  /** CAS of the item written by the last successful write. */
  get lastWriteCas(): number {
    return this.meta[2]!;
  }

  delete(key: Buffer): boolean {
    return this.n.del(key) === 1;
  }

  /** Deletes several keys as one crash-atomic write; returns how many existed. */
  deleteMany(keys: Buffer[]): number {
    const r = this.n.delMany(keys);
    if (r < 0) failIfError(-r);
    return r;
  }

  /** Sets a new absolute expiry (0 = persist). False when the key is absent. */
  touch(key: Buffer, expireMs: number): boolean {
    const st = this.n.touch(key, expireMs);
    failIfError(st);
    return st === Status.Ok;
  }

  /** Appends (or prepends); returns the new length, or null when the key is absent. */
  append(key: Buffer, data: Buffer, prepend = false): number | null {
    const st = this.n.append(key, data, prepend);
    failIfError(st);
    return st === Status.Ok ? this.meta[3]! : null;
  }

  /** Redis SETRANGE: zero-pads, creates the key unless data is empty; returns the new length. */
  setRange(key: Buffer, offset: number, data: Buffer): number {
    const st = this.n.setRange(key, offset, data);
    failIfError(st);
    return this.meta[3]!;
  }

  /**
   * SETBIT: sets (on) or clears the bits of `mask` in byte `byteOffset`, creating or zero-padding
   * the value like setRange; true when they were set before. A large value is changed in place
   * (one crash-atomic step of its own through the intent log) instead of copied.
   */
  setBit(key: Buffer, byteOffset: number, mask: number, on: boolean): boolean {
    failIfError(this.n.setBit(key, byteOffset, mask, on));
    return this.meta[3] === 1;
  }

  /** RENAME/RENAMENX as one crash-atomic write; keeps the TTL. */
  rename(src: Buffer, dst: Buffer, nx = false): PairOutcome {
    const st = this.n.rename(src, dst, nx);
    failIfError(st);
    return st === Status.Ok ? 'ok' : st === Status.NotFound ? 'not_found' : 'exists';
  }

  copy(src: Buffer, dst: Buffer, replace = false): PairOutcome {
    const st = this.n.copy(src, dst, replace);
    failIfError(st);
    return st === Status.Ok ? 'ok' : st === Status.NotFound ? 'not_found' : 'exists';
  }

  /** MSET/MSETNX as one crash-atomic write. With nx, false when any key exists (nothing written). */
  mset(keysAndValues: Buffer[], nx = false): boolean {
    const st = this.n.mset(keysAndValues, nx);
    failIfError(st);
    return st === Status.Ok;
  }

  /** Removes every key at once (one failure-atomic word); memory is reclaimed in the background. */
  flushAll(): void {
    this.n.flushAll();
  }

  /**
   * Runs `fn` as one crash-atomic transaction (MULTI/EXEC): every write it makes is committed by
   * the next barrier through the intent log, all or none. `buckets` bounds the index buckets those
   * writes stage (see ATOMIC_BUCKETS_PER_WRITE), `bytes` about what they allocate (room is made
   * first by eviction: inside, a write that finds the pool full fails with OOM). Returns false, fn
   * not run, when `buckets` is over atomicCapacity.
   */
  atomically(buckets: number, bytes: number, fn: () => void): boolean {
    // Within a transaction already (a SINTERSTORE inside EXEC): its writes join the outer one.
    if (this.inAtomic) {
      fn();
      return true;
    }
    if (!this.n.beginAtomic(buckets, bytes)) return false;
    this.inAtomic = true;
    try {
      fn();
    } finally {
      this.inAtomic = false;
      this.n.endAtomic();
    }
    return true;
  }

  /** The most buckets one transaction may stage (the intent log's size less one op's margin). */
  get atomicCapacity(): number {
    return this.n.atomicCapacity();
  }

  count(): number {
    return this.n.count();
  }

  /** Cursor-based iteration; a cursor stays valid across inserts. Returns [next cursor (0 = done), keys]. */
  scan(cursor: number, count = 10): [number, Buffer[]] {
    return this.n.scan(cursor, count);
  }

  randomKey(): Buffer | null {
    return this.n.randomKey();
  }

  /** Makes every write since the last barrier durable. */
  barrier(): void {
    this.n.barrier();
  }

  /** One slice of background work (rebuild after open, flush cleanup, active expiry). True while urgent work remains. */
  maintenance(budget = 256, expireMicros = 1000): boolean {
    return this.n.maintenance(budget, expireMicros);
  }

  /**
   * Grows the pool to `bytes` (rounded up to 2 MiB) while serving: addresses stay, the new space is
   * free at once, and a crash at any instant leaves the old or the new size. Throws a PoolError-like
   * Error (`code` EPOOLINVALID: not larger, or past poolMaxSize; EPOOLIO: no room on the volume).
   */
  grow(bytes: number): void {
    this.n.grow(bytes);
  }

  /**
   * Allocates the pool file's blocks up to `bytes` on a worker thread while the pool serves, so a
   * grow() to that size after it need not wait for the file system (tmpfs zeroes each page it
   * allocates). The pool's size does not change. Rejects when the volume has no room.
   */
  preallocate(bytes: number): Promise<void> {
    return this.n.preallocate(bytes);
  }

  stats(): NativeStats {
    return this.n.stats();
  }

  classStats(): NativeClassStats[] {
    return this.n.classStats();
  }

  /**
   * What a write does when there is no room: fail with OOM (noeviction) or evict keys sampled by
   * the policy. maxmemory > 0 caps the bytes data may use below the pool size.
   */
  /** The DRAM tier's budget in bytes; 0 turns it off and empties it. */
  setTier(budgetBytes: number): void {
    this.n.setTier(budgetBytes);
  }

  /** Test-only: every pool read busy-waits `ns` nanoseconds, as a slower medium would. */
  setPoolReadDelay(ns: number): void {
    this.n.setReadDelay(ns);
  }

  setEviction(policy: EvictionPolicy, maxmemory = 0): void {
    const i = EVICTION_POLICIES.indexOf(policy);
    if (i < 0) throw new TypeError(`unknown maxmemory-policy ${policy}`);
    this.n.setLimits(i, maxmemory);
  }

  /** OBJECT IDLETIME / OBJECT FREQ data: idle seconds (LRU policies) and LFU counter (LFU policies). */
  accessInfo(key: Buffer): { idleSeconds: number; frequency: number } | null {
    const r = this.n.accessInfo(key);
    return r === null ? null : { idleSeconds: r[0], frequency: r[1] };
  }

  /**
   * RESTORE's IDLETIME / FREQ: under an LFU policy `frequency` becomes the key's LFU counter, under
   * any other `idleSeconds` its idle time (at most 65535 s, the clock's range); null = not given.
   */
  setAccessHint(key: Buffer, hint: { idleSeconds: number | null; frequency: number | null }): boolean {
    return this.n.setAccessHint(key, hint.idleSeconds ?? -1, hint.frequency ?? -1);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Clean shutdown: final barrier, exact key count, clean flag. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.n.close();
  }
}

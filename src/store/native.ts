// The surface of the native store core (native/addon.cc), typed for src/store/store.ts.
import { addon } from '../addon.js';

export interface NativeStoreOptions {
  createSize?: number;
  prefault?: boolean;
  /** A new pool's key index in buckets (a power of two from 64, below the default one per KiB): it splits as keys come. */
  indexBuckets?: number;
  /** Address space (not memory) reserved so the pool can grow without a restart; default a little headroom. */
  reserveSize?: number;
  /** sim-*: crash-simulation pools (tests only): private mapping, the file is the persistence domain. */
  mode?: 'shared' | 'sim-cacheline' | 'sim-adr' | 'sim-eadr' | 'sim-page';
  /** Seeds the simulation's random choices (image instants, early write-backs). */
  seed?: number;
  /** The Nth drain / flush crashes: the model's early write-backs reach the file, then _exit(99). */
  crashAtDrain?: number;
  crashAtFlush?: number;
  /** Writes crash images `<imagePrefix><event>.img` about every `imageEvery` persist calls, and goes on. */
  imagePrefix?: string;
  imageEvery?: number;
  /** Early write-back probability per unstored line/page at a crash (default: drawn per crash). */
  writeback?: number;
  /** While running, one drain in N writes back a random subset of unpersisted lines/pages (0 = never). */
  earlyEvery?: number;
  /** Test-only fault injection, to show the crash checker catches a missing persist or drain. */
  fault?: 'none' | 'skip-item-persist' | 'skip-phase1-drain' | 'publish-before-persist';
  onProgress?: (done: number, total: number) => void;
}

export interface NativeStats {
  items: number;
  usedBytes: number;
  slabBytes: number;
  freePages: number;
  poolSize: number;
  /** Times the pool has grown over its life (header), and the largest size grow() reaches now. */
  poolGrowths: number;
  poolMaxSize: number;
  corruptDropped: number;
  /** SETRANGE/SETBIT writes made in place within a large value rather than by copying it. */
  inplaceWrites: number;
  /** Deleted large collections whose chunks background slices are still freeing. */
  collsFreeing: number;
  /** DRAM the large sorted sets' order trees take, how many there are, how many were built. */
  zsetOrderBytes: number;
  zsetOrderTrees: number;
  zsetOrderBuilds: number;
  expiredRemoved: number;
  flushedRemoved: number;
  barriers: number;
  flushes: number;
  drains: number;
  logReplayed: number;
  nextCas: number;
  openCount: number;
  crashCount: number;
  rebuild: 'mark' | 'sweep' | 'done';
  rebuildProgress: number;
  countExact: boolean;
  openedClean: boolean;
  created: boolean;
  indexBuckets: number;
  /** The key index's overflow buckets (chains past their home bucket); exact once the rebuild is done. */
  indexOverflowBuckets: number;
  /** Buckets of the key index this process split (linear hashing: the index grows with its keys). */
  indexSplits: number;
  /** The longest batch of splits (µs): what one turn waited for them after its own commit. */
  indexSplitBatchMaxUs: number;
  evicted: number;
  maxmemory: number;
  /** Live keys that carry a TTL (Redis INFO keyspace `expires=`). */
  expires: number;
  /** Their mean remaining time to live in ms (Redis `avg_ttl=`), 0 when there are none. */
  avgTtlMs: number;
  granularity: 'page' | 'cache_line';
  header: PoolHeaderInfo;
  /** The pool file is in DRAM already (tmpfs, ramfs). */
  poolInDram: boolean;
  tier: TierStats;
}

/** The DRAM tier (native/tier): its budget and contents, and counters since open. */
export interface TierStats {
  /** Bytes it may hold, 0 = off. */
  budget: number;
  bytes: number;
  items: number;
  /** Reads answered from the tier / from the pool while it was on. */
  hits: number;
  misses: number;
  /** Copies let into its main area / refused there (or too large); main-area copies evicted. */
  admitted: number;
  rejected: number;
  evicted: number;
}

export interface PoolHeaderInfo {
  version: number;
  uuid: string;
  poolSize: number;
  createdMs: number;
  logSize: number;
  indexBuckets: number;
  slabPages: number;
  slabPageSize: number;
  slabOffset: number;
  sizeClasses: number;
  /** The size the pool was created with, and how many times it has grown since. */
  createdSize: number;
  growths: number;
}

export interface NativeClassStats {
  chunkSize: number;
  perPage: number;
  pages: number;
  usedChunks: number;
  /** Since open: live items removed for room, of them with a TTL, idle seconds of the last one. */
  evicted: number;
  evictedNonzero: number;
  evictedTime: number;
  /** Since open: expired items removed by a request or a write for room / by active expiry. */
  reclaimed: number;
  crawlerReclaimed: number;
  crawlerItemsChecked: number;
}

export interface CheckReport {
  items: number;
  itemBytes: number;
  staleItems: number;
  expiredItems: number;
  largeItems: number;
  overflowBuckets: number;
  /** Large collections (hashes, sets past their packed size) and their elements. */
  collections: number;
  elements: number;
  maxChain: number;
  buckets: number;
  logPending: number;
  pagesSlab: number;
  pagesLarge: number;
  pagesFree: number;
  classes: Array<{ chunkSize: number; items: number }>;
  problems: number;
  messages: string[];
}

export interface PoolInfo extends PoolHeaderInfo {
  cleanShutdown: boolean;
  itemsAtClose: number;
  itemsHint: number;
  openCount: number;
  crashCount: number;
  flushEpoch: number;
  pagesSlab: number;
  pagesLarge: number;
  pagesFree: number;
  logPending: number;
}

type Bytes = Uint8Array;

export interface NativeStore {
  setMeta(meta: Float64Array): void;
  get(key: Bytes): Buffer | null;
  getRange(key: Bytes, offset: number, length: number): Buffer | null;
  exists(key: Bytes): boolean;
  lookup(key: Bytes): number;
  copyFound(dst: Bytes, pos: number): void;
  set(key: Bytes, value: Bytes, mode: number, expireMs: number, flags: number, keepTtl: boolean, keepFlags: boolean, casCmp: number): number;
  del(key: Bytes): number;
  delMany(keys: Bytes[]): number;
  touch(key: Bytes, expireMs: number): number;
  append(key: Bytes, data: Bytes, prepend: boolean): number;
  setRange(key: Bytes, offset: number, data: Bytes): number;
  setBit(key: Bytes, byteOffset: number, mask: number, on: boolean): number;
  rename(src: Bytes, dst: Bytes, nx: boolean): number;
  copy(src: Bytes, dst: Bytes, replace: boolean): number;
  mset(keysAndValues: Bytes[], nx: boolean): number;
  flushAll(): void;
  beginAtomic(buckets: number, bytes: number): boolean;
  endAtomic(): void;
  atomicCapacity(): number;
  count(): number;
  scan(cursor: number, count: number): [number, Buffer[]];
  randomKey(): Buffer | null;
  barrier(): void;
  maintenance(budget: number, expireMicros?: number): boolean;
  close(): void;
  stats(): NativeStats;
  classStats(): NativeClassStats[];
  setLimits(policy: number, maxmemory: number): void;
  accessInfo(key: Bytes): [number, number] | null;
  setAccessHint(key: Bytes, idleSeconds: number, frequency: number): boolean;
  setTier(budgetBytes: number): void;
  setReadDelay(ns: number): void;
  keyInfo(key: Bytes): [number, number, number] | null;
  setNoTouch(on: boolean): void;
  mapGet(kind: number, key: Bytes, field: Bytes): Buffer | null | number;
  mapPut(kind: number, key: Bytes, fieldsAndValues: Bytes[], nx: boolean, replace?: boolean): number;
  mapDel(kind: number, key: Bytes, fields: Bytes[]): number;
  mapLen(kind: number, key: Bytes): number;
  mapScan(kind: number, key: Bytes, cursor: number, count: number, values: boolean): Array<number | Buffer> | number;
  mapRandom(kind: number, key: Bytes): [Buffer, Buffer] | null | number;
  setMapLimits(kind: number, entries: number, value: number, intEntries: number): void;
  setListFill(fill: number): void;
  grow(bytes: number): void;
  preallocate(bytes: number): Promise<void>;
  mapLookup(kind: number, key: Bytes, field: Bytes): number;
  listPopOne(key: Bytes, left: boolean): number;
  zsetSpan(key: Bytes, byLex: boolean, min: number | Bytes, max: number | Bytes, minEx: boolean, maxEx: boolean): [number, number] | number;
  zsetSlice(key: Bytes, start: number, end: number): Buffer[] | number;
  zsetRank(key: Bytes, member: Bytes): number | null;
  setZsetOrderBudget(bytes: number): void;
  zsetOrderCheck(): string | null;
  listPush(key: Bytes, left: boolean, values: Bytes[], xx: boolean, replace?: boolean): number;
  listPop(key: Bytes, left: boolean, count: number): Buffer[] | null | number;
  listLen(key: Bytes): number;
  listRange(key: Bytes, start: number, stop: number, packed?: false): Buffer[] | number;
  listRange(key: Bytes, start: number, stop: number, packed: true): [Buffer, Uint32Array] | number;
  listIndex(key: Bytes, index: number): Buffer | null | number;
  listSet(key: Bytes, index: number, value: Bytes): number;
  listTrim(key: Bytes, start: number, stop: number): number;
  listInsert(key: Bytes, before: boolean, pivot: Bytes, value: Bytes): number | [number];
  listRem(key: Bytes, count: number, value: Bytes): number;
  listPos(key: Bytes, value: Bytes, rank: number, count: number, maxlen: number): number[] | number;
  listMove(src: Bytes, dst: Bytes, fromLeft: boolean, toLeft: boolean): Buffer | null | number;
}

interface NativeModule {
  NativeStore: new (path: string, options: NativeStoreOptions) => NativeStore;
  checkPool(path: string): CheckReport;
  poolInfo(path: string): PoolInfo;
  layoutVersion: number;
  /** Index buckets one keyed write may stage (LOG_OP_MARGIN in native/core/store.h). */
  logOpMargin: number;
}

/** The store's part of the native addon (src/addon.ts loads it once for the store and the server's socket I/O). */
export const native = addon as unknown as NativeModule;


// Loads the compiled native core (built by `npm run build:native`) and describes its surface.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface NativeStoreOptions {
  createSize?: number;
  prefault?: boolean;
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
  corruptDropped: number;
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
  evicted: number;
  maxmemory: number;
  /** Live keys that carry a TTL (Redis INFO keyspace `expires=`). */
  expires: number;
  /** Their mean remaining time to live in ms (Redis `avg_ttl=`), 0 when there are none. */
  avgTtlMs: number;
  granularity: 'page' | 'cache_line';
  header: PoolHeaderInfo;
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
}

export interface NativeClassStats {
  chunkSize: number;
  perPage: number;
  pages: number;
  usedChunks: number;
}

export interface CheckReport {
  items: number;
  itemBytes: number;
  staleItems: number;
  expiredItems: number;
  largeItems: number;
  overflowBuckets: number;
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
  exists(key: Bytes): boolean;
  lookup(key: Bytes): number;
  copyFound(dst: Bytes, pos: number): void;
  set(key: Bytes, value: Bytes, mode: number, expireMs: number, flags: number, keepTtl: boolean, keepFlags: boolean, casCmp: number): number;
  del(key: Bytes): number;
  delMany(keys: Bytes[]): number;
  touch(key: Bytes, expireMs: number): number;
  append(key: Bytes, data: Bytes, prepend: boolean): number;
  setRange(key: Bytes, offset: number, data: Bytes): number;
  rename(src: Bytes, dst: Bytes, nx: boolean): number;
  copy(src: Bytes, dst: Bytes, replace: boolean): number;
  mset(keysAndValues: Bytes[], nx: boolean): number;
  flushAll(): void;
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
}

/** Client socket I/O on the event loop (native/io/poller.h); used by src/server/poller.ts. */
export interface NativePoller {
  /** Polls a dup of fd for reading: the connection id (> 0), or -errno. */
  add(fd: number): number;
  interest(id: number, read: boolean): number;
  /**
   * Queues a copy for the writer thread (sent after the current dispatch, or at once outside one):
   * the connection's queued bytes, this write included, or -errno.
   */
  write(id: number, data: Uint8Array): number;
  writev(id: number, data: Uint8Array[]): number;
  /** shutdown(SHUT_WR) after the queued output: the queued bytes, or -errno. */
  shutdown(id: number): number;
  /** Bytes queued and not yet taken by the kernel, or -errno. */
  queued(id: number): number;
  /** 1: nothing is queued now; 0: a writable event comes once the queue is empty; or -errno. */
  wantDrain(id: number): number;
  remove(id: number): void;
  close(): void;
}

/** The socket writer's knobs (native/io/writer.h Options); tests turn them to run its extreme modes. */
export interface WriterOptions {
  /** Largest batch the event-loop thread sends itself (default 1024 bytes; 0: every batch by the thread). */
  inlineMax?: number;
  /** The writer thread sleeps this long after each wakeup, as if preempted (default 0). */
  writerDelayUs?: number;
}

interface NativeModule {
  NativeStore: new (path: string, options: NativeStoreOptions) => NativeStore;
  /**
   * dispatch(n) gets n events as [id, kind, offset, length] in `events`, bytes in `arena`: at the
   * end of the loop's poll phase, or as soon as `batch` events are waiting.
   */
  Poller?: new (
    arena: Buffer,
    events: Int32Array,
    batch: number,
    dispatch: (count: number) => void,
    writer?: WriterOptions,
  ) => NativePoller;
  checkPool(path: string): CheckReport;
  poolInfo(path: string): PoolInfo;
  layoutVersion: number;
}

// The addon is build/Release/ of the package: found from the package root (the nearest folder above
// this file with a package.json), so this module works from src/ (vitest), dist/, and the test
// harness's own build (build/harness/src/store/).
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const addonPath = join(packageRoot(), 'build', 'Release', 'daxcache_native.node');

function load(): NativeModule {
  if (!existsSync(addonPath)) {
    throw new Error(`daxcache native addon not built (${addonPath}): run \`npm run build\` (needs \`apt-get install libpmem2-dev\`)`);
  }
  return createRequire(import.meta.url)(addonPath) as NativeModule;
}

export const native: NativeModule = load();

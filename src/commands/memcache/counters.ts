// The counters behind `stats`, named after memcached's fields (camelCase here, snake_case on the
// wire). Per slab class counters back `stats slabs`, which memcached_exporter reads per class.

/** Counters kept per slab class (memcached's slab_stats). */
export const CLASS_COUNTERS = [
  'get_hits',
  'cmd_set',
  'delete_hits',
  'incr_hits',
  'decr_hits',
  'cas_hits',
  'cas_badval',
  'touch_hits',
] as const;
export type ClassCounter = (typeof CLASS_COUNTERS)[number];

export class McCounters {
  cmdGet = 0;
  cmdSet = 0;
  cmdFlush = 0;
  cmdTouch = 0;
  cmdMeta = 0;
  getHits = 0;
  getMisses = 0;
  getExpired = 0;
  getFlushed = 0;
  deleteMisses = 0;
  deleteHits = 0;
  incrMisses = 0;
  incrHits = 0;
  decrMisses = 0;
  decrHits = 0;
  casMisses = 0;
  casHits = 0;
  casBadval = 0;
  touchHits = 0;
  touchMisses = 0;
  storeTooLarge = 0;
  storeNoMemory = 0;
  authCmds = 0;
  authErrors = 0;
  /** Items stored since start (memcached total_items). */
  totalItems = 0;
  bytesRead = 0;
  bytesWritten = 0;
  totalConnections = 0;
  rejectedConnections = 0;
  /** Per class id (1-based, as memcached numbers classes): counters in CLASS_COUNTERS order. */
  private perClass: Float64Array;

  constructor(private readonly classCount: number) {
    this.perClass = new Float64Array((classCount + 1) * CLASS_COUNTERS.length);
  }

  /** Adds one to a per-class counter (class ids outside 1..classCount are ignored). */
  classHit(cls: number, which: number): void {
    if (cls > 0 && cls <= this.classCount) this.perClass[cls * CLASS_COUNTERS.length + which]!++;
  }

  /** An incr/decr (classic or ma) that found no item. */
  arithMiss(decr: boolean): void {
    if (decr) this.decrMisses++;
    else this.incrMisses++;
  }

  /** An incr/decr that changed an item of slab class `cls`. */
  arithHit(decr: boolean, cls: number): void {
    if (decr) {
      this.decrHits++;
      this.classHit(cls, C.decrHits);
    } else {
      this.incrHits++;
      this.classHit(cls, C.incrHits);
    }
  }

  classValue(cls: number, which: number): number {
    return this.perClass[cls * CLASS_COUNTERS.length + which] ?? 0;
  }

  /** `stats reset`: everything but gauges (connections open, items stored) starts again. */
  reset(): void {
    for (const k of Object.keys(this) as (keyof this)[]) {
      if (typeof this[k] === 'number' && k !== 'classCount') (this[k] as number) = 0;
    }
    this.perClass = new Float64Array(this.perClass.length);
  }
}

/** Index into CLASS_COUNTERS, as a constant for hot paths. */
export const C = {
  getHits: 0,
  cmdSet: 1,
  deleteHits: 2,
  incrHits: 3,
  decrHits: 4,
  casHits: 5,
  casBadval: 6,
  touchHits: 7,
} as const;

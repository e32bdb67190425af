// Slab classes as memcached reports them (ids from 1), from the store's size classes. They are
// fixed when the pool is created, so they are read once.
import type { ClassStats, Store } from '../../store/store.js';

/** Bytes of the store's item header before key and value (native/core/layout.h ItemHeader). */
export const ITEM_HEADER_BYTES = 48;

/**
 * memcached's ITEM_ntotal for a key and value with CAS on: 48-byte header, 8-byte CAS, key and
 * its NUL, 4 bytes of client flags unless they are 0, value and its CRLF. Items above
 * item_size_max are refused with this rule, so the largest accepted value is exactly memcached's.
 */
export function memcachedItemBytes(keyBytes: number, valueBytes: number, flags: number): number {
  return 48 + 8 + keyBytes + 1 + (flags === 0 ? 0 : 4) + valueBytes + 2;
}

export class SlabClasses {
  /** Chunk size of class id i at index i - 1. */
  readonly chunkSizes: number[];

  constructor(classes: ClassStats[]) {
    this.chunkSizes = classes.map((c) => c.chunkSize);
  }

  static of(store: Store): SlabClasses {
    return new SlabClasses(store.classStats());
  }

  get count(): number {
    return this.chunkSizes.length;
  }

  /** Class id of an item of this key and value size; items past the largest chunk count in it. */
  classOf(keyBytes: number, valueBytes: number): number {
    const size = ITEM_HEADER_BYTES + keyBytes + valueBytes;
    const s = this.chunkSizes;
    let lo = 0;
    let hi = s.length - 1;
    if (hi < 0) return 0;
    if (size > s[hi]!) return hi + 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! >= size) hi = mid;
      else lo = mid + 1;
    }
    return lo + 1;
  }
}

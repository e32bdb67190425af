// Maps in the store: hashes, sets and sorted sets' members, one key each (native/core/store_map.cc
// holds them: small ones packed in one item, large ones as a table of element items). A MapStore is
// the store's face for one kind; commands compose its calls, the server runs one command at a
// time. Every call on a key of another type throws StoreError WRONGTYPE.
import type { NativeStore } from './native.js';
import { Status, failIfError } from './errors.js';

/** The type tag of a pool item (native/core/coll.h): kind in the low nibble, encoding in the high one. */
export const enum Kind {
  String = 0,
  Hash = 1,
  Set = 2,
  Zset = 3,
  List = 4,
}
export const ENC_ROOT = 0x10;
/** A packed set of integers kept in numeric order: what Redis calls an intset. */
export const PACK_INTS = 1;

/** What a key holds: its item type byte, a packed collection's flags, and its size. */
export interface KeyInfo {
  kind: Kind;
  /** A large collection (hashtable/skiplist in Redis's terms) rather than a packed one. */
  large: boolean;
  flags: number;
  /** Elements of a collection, bytes of a string. */
  count: number;
}

export function keyInfoOf(r: [number, number, number] | null): KeyInfo | null {
  if (r === null) return null;
  return { kind: (r[0] & 0x0f) as Kind, large: (r[0] & 0xf0) === ENC_ROOT, flags: r[1], count: r[2] };
}

/** When a packed map becomes a large one (Redis's *-max-listpack-* and set-max-intset-entries). */
export interface MapLimits {
  entries: number;
  value: number;
  intEntries: number;
}

function check(r: number): number {
  if (r < 0) failIfError(-r);
  return r;
}

export class MapStore {
  constructor(
    private readonly n: NativeStore,
    readonly kind: Kind.Hash | Kind.Set | Kind.Zset,
  ) {}

  /** The field's value, or null when the field or the key is absent. */
  get(key: Buffer, field: Buffer): Buffer | null {
    const r = this.n.mapGet(this.kind, key, field);
    if (typeof r === 'number') check(r);
    return r as Buffer | null;
  }

  /**
   * The field's value length, or -1 when the field or the key is absent; Store.copyFoundValue then
   * copies the value into a reply buffer (it must come right after, before any other store call).
   */
  lookup(key: Buffer, field: Buffer): number {
    const r = this.n.mapLookup(this.kind, key, field);
    return r === -Status.NotFound ? -1 : check(r);
  }

  /** Sets fields (f1 v1 f2 v2 ...) as one crash-atomic write, creating the key; returns how many are new. */
  put(key: Buffer, fieldsAndValues: Buffer[], nx = false): number {
    return check(this.n.mapPut(this.kind, key, fieldsAndValues, nx));
  }

  /**
   * The key becomes a new collection of these fields, whatever it held before (any type): the old
   * value goes in the same undoable op as the first write, so running out of memory leaves it.
   */
  replaceWith(key: Buffer, fieldsAndValues: Buffer[]): void {
    check(this.n.mapPut(this.kind, key, fieldsAndValues, false, true));
  }

  /** Removes fields; the key goes with its last one. Returns how many were there. */
  delete(key: Buffer, fields: Buffer[]): number {
    return check(this.n.mapDel(this.kind, key, fields));
  }

  /** Elements; 0 when the key is absent. */
  size(key: Buffer): number {
    return check(this.n.mapLen(this.kind, key));
  }

  /**
   * A page of entries from `cursor` ([f, v] pairs, or fields alone without values) and the next
   * cursor, 0 at the end. A small (packed) map answers whole with cursor 0.
   */
  scan(key: Buffer, cursor: number, count: number, values: boolean): { next: number; items: Buffer[] } {
    const r = this.n.mapScan(this.kind, key, cursor, count, values);
    if (typeof r === 'number') {
      check(r);
      return { next: 0, items: [] };
    }
    return { next: r[0] as number, items: r.slice(1) as Buffer[] };
  }

  /** Every entry (f1 v1 f2 v2 ..., or fields alone): the scan to its end. */
  all(key: Buffer, values: boolean): Buffer[] {
    let { next, items } = this.scan(key, 0, 1024, values);
    while (next !== 0) {
      const page = this.scan(key, next, 1024, values);
      items = items.concat(page.items);
      next = page.next;
    }
    return items;
  }

  /** One entry chosen at random, or null when the key is absent. */
  random(key: Buffer): [Buffer, Buffer] | null {
    const r = this.n.mapRandom(this.kind, key);
    if (typeof r === 'number') check(r);
    return r as [Buffer, Buffer] | null;
  }

  setLimits(l: MapLimits): void {
    this.n.setMapLimits(this.kind, l.entries, l.value, l.intEntries);
  }
}

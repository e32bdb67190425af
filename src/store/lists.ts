// Lists in the store (native/core/store_list.cc: a chain of nodes of packed entries under a root,
// as Redis's quicklist; a push or pop at an end changes a node line and the header line in one
// crash-atomic step). Indexes are Redis's: negative ones count from the end. Every call on a key
// of another type throws StoreError WRONGTYPE.
import type { NativeStore } from './native.js';
import { Status, failIfError } from './errors.js';

function check<T>(r: T | number): T {
  if (typeof r === 'number' && r < 0) failIfError(-r);
  return r as T;
}

/** LSET's failures other than the store's own: Redis answers them with their own errors. */
export type ListSetResult = 'ok' | 'no-key' | 'out-of-range';

export class ListStore {
  constructor(private readonly n: NativeStore) {}

  /**
   * list-max-listpack-size: -1..-5 bound a node to 4..64 KiB of entries, a positive fill to that many
   * entries (and 8 KiB). New nodes follow it; written ones keep their size.
   */
  setFill(fill: number): void {
    this.n.setListFill(fill);
  }

  /** Pushes values one after another at the head (left) or tail; returns the length after (0: absent with xx). */
  push(key: Buffer, left: boolean, values: Buffer[], xx = false): number {
    return check(this.n.listPush(key, left, values, xx));
  }

  /** The key becomes a list of these values, whatever it held (as MapStore.replaceWith). */
  replaceWith(key: Buffer, values: Buffer[]): void {
    check(this.n.listPush(key, false, values, false, true));
  }

  /** Up to count values from the head or tail in pop order; null when the key is absent. */
  pop(key: Buffer, left: boolean, count: number): Buffer[] | null {
    return check(this.n.listPop(key, left, count));
  }

  /**
   * Pops one value: its length, or -1 when the key is absent; Store.copyFoundValue then copies it
   * into a reply buffer (right after, before any other store call).
   */
  popOne(key: Buffer, left: boolean): number {
    const r = this.n.listPopOne(key, left);
    return r === -Status.NotFound ? -1 : check(r);
  }

  /** Elements; 0 when the key is absent. */
  length(key: Buffer): number {
    return check(this.n.listLen(key));
  }

  range(key: Buffer, start: number, stop: number): Buffer[] {
    return check(this.n.listRange(key, start, stop));
  }

  /** The same range packed: the elements' bytes back to back, and their lengths (one copy, two allocations). */
  rangePacked(key: Buffer, start: number, stop: number): { data: Buffer; lengths: Uint32Array } {
    const [data, lengths] = check(this.n.listRange(key, start, stop, true));
    return { data, lengths };
  }

  /** The element at index, or null (absent key or out of range). */
  index(key: Buffer, index: number): Buffer | null {
    return check(this.n.listIndex(key, index));
  }

  set(key: Buffer, index: number, value: Buffer): ListSetResult {
    const r = this.n.listSet(key, index, value);
    if (r === -Status.NotFound) return 'no-key';
    if (r === -Status.OutOfRange) return 'out-of-range';
    check(r);
    return 'ok';
  }

  trim(key: Buffer, start: number, stop: number): void {
    check(this.n.listTrim(key, start, stop));
  }

  /** The length after, -1 when the pivot is not there, 0 when the key is absent. */
  insert(key: Buffer, before: boolean, pivot: Buffer, value: Buffer): number {
    const r = this.n.listInsert(key, before, pivot, value);
    if (Array.isArray(r)) failIfError(r[0]);
    return r as number;
  }

  /** LREM: count > 0 from the head, < 0 from the tail, 0 every match; returns how many went. */
  remove(key: Buffer, count: number, value: Buffer): number {
    return check(this.n.listRem(key, count, value));
  }

  /** LPOS: indexes of matches from the |rank|-th (from the tail when rank < 0), count of them (0: all). */
  positions(key: Buffer, value: Buffer, rank: number, count: number, maxlen: number): number[] {
    return check(this.n.listPos(key, value, rank, count, maxlen));
  }

  /** LMOVE: the value moved, or null when src is absent. Crash-atomic across both keys. */
  move(src: Buffer, dst: Buffer, fromLeft: boolean, toLeft: boolean): Buffer | null {
    return check(this.n.listMove(src, dst, fromLeft, toLeft));
  }
}

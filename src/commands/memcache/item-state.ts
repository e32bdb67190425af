// Per-item state memcached keeps in its item header but the persistent store does not: "fetched
// before" (mg h, me fetch=), last access time (mg l, me la=), and the meta protocol's stale (X)
// and token-sent (Z) bits. It lives in DRAM only, in a bounded table, and each entry is tied to
// the item's CAS: any rewrite of the item (from either protocol) gives it a new CAS, which makes
// the entry obsolete, just as memcached's bits belong to one item and vanish when it is replaced.
//
// Fetches and access times cost a table update on every get and set, so they are recorded only
// once a client has asked for them (h, l or me); stale/token bits are kept whenever meta
// commands set them. Approximations (documented): the state is lost on restart and when the
// table evicts an entry (oldest first); an item with no entry reads as never fetched, not stale,
// no token sent, last accessed when tracking began.

export interface ItemMark {
  /** CAS of the item version this mark describes. */
  cas: number;
  /** Last access (fetch, bump or write) in ms since the epoch. */
  accessMs: number;
  fetched: boolean;
  stale: boolean;
  tokenSent: boolean;
}

/** Default bound on remembered items (a few MiB of DRAM). */
export const ITEM_STATE_MAX = 100_000;

export class ItemState {
  private readonly marks = new Map<string, ItemMark>();
  /** Whether fetches and access times are being recorded (since `sinceMs`). */
  private tracking = false;

  constructor(
    /** Unknown items count as last accessed at this time: server start, then tracking start. */
    private sinceMs: number,
    private readonly max = ITEM_STATE_MAX,
  ) {}

  get size(): number {
    return this.marks.size;
  }

  get tracksAccess(): boolean {
    return this.tracking;
  }

  /** A client asked for fetch/access state: record it from now on. */
  trackAccess(nowMs: number): void {
    if (this.tracking) return;
    this.tracking = true;
    this.sinceMs = nowMs;
  }

  /** The mark of this exact item version, or undefined. */
  get(key: Buffer, cas: number): ItemMark | undefined {
    const m = this.marks.get(key.toString('latin1'));
    return m !== undefined && m.cas === cas ? m : undefined;
  }

  /** When the item was last accessed (for l / la=): known, else since tracking began. */
  lastAccessMs(mark: ItemMark | undefined): number {
    return mark?.accessMs ?? this.sinceMs;
  }

  /** The mark for this item version, created (as "unknown") if needed. */
  mark(key: Buffer, cas: number): ItemMark {
    const k = key.toString('latin1');
    let m = this.marks.get(k);
    if (m === undefined) {
      m = { cas, accessMs: this.sinceMs, fetched: false, stale: false, tokenSent: false };
      this.insert(k, m);
    } else if (m.cas !== cas) {
      m.cas = cas;
      m.accessMs = this.sinceMs;
      m.fetched = m.stale = m.tokenSent = false;
    }
    return m;
  }

  /** A fresh item version (never fetched, not stale, no token), always recorded. */
  written(key: Buffer, cas: number, nowMs: number): ItemMark {
    const m = this.mark(key, cas);
    m.cas = cas;
    m.accessMs = nowMs;
    m.fetched = m.stale = m.tokenSent = false;
    return m;
  }

  /** A hit that bumps the item (get, mg without u): recorded while tracking. */
  noteFetch(key: Buffer, cas: number, nowMs: number): void {
    if (!this.tracking) return;
    const m = this.mark(key, cas);
    m.fetched = true;
    m.accessMs = nowMs;
  }

  /** A plain write: recorded while tracking (a rewrite already obsoletes any older mark). */
  noteWrite(key: Buffer, cas: number, nowMs: number): void {
    if (this.tracking) this.written(key, cas, nowMs);
  }

  /**
   * The store rewrote the item without memcached seeing a new item (a touch, a stale marking):
   * the state of the old version, if any, carries over to the new CAS.
   */
  moved(key: Buffer, oldCas: number, newCas: number): ItemMark | undefined {
    const m = this.get(key, oldCas);
    if (m !== undefined) m.cas = newCas;
    return m;
  }

  forget(key: Buffer): void {
    if (this.marks.size > 0) this.marks.delete(key.toString('latin1'));
  }

  clear(): void {
    this.marks.clear();
  }

  private insert(k: string, m: ItemMark): void {
    this.marks.set(k, m);
    if (this.marks.size > this.max) {
      // Oldest first: Map iterates in insertion order.
      const oldest = this.marks.keys().next().value;
      if (oldest !== undefined) this.marks.delete(oldest);
    }
  }
}

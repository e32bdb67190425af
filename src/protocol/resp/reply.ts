// Reply values produced by the command layer and encoded by ReplyWriter (encoder.ts).
// A command returns one of these; the protocol version (RESP2/RESP3) is only chosen at encoding
// time, so handlers never branch on it.

/** Status reply: `+value\r\n`. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/** Error reply: `-message\r\n`. The message carries its code and no leading '-': "ERR syntax error". */
export class ErrorReply {
  constructor(readonly message: string) {}
}

/** RESP3 map `%`; RESP2 a flat array of 2·n items (key, value, key, value…). */
export class MapReply {
  constructor(readonly entries: Array<[Reply, Reply]>) {}
}

/** RESP3 set `~`; RESP2 an array. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 double `,`; RESP2 a bulk string. Formatted like Redis's d2string (see double.ts). */
export class DoubleReply {
  constructor(readonly value: number) {}
}

/** RESP3 boolean `#t`/`#f`; RESP2 the integer 1/0. */
export class BoolReply {
  constructor(readonly value: boolean) {}
}

/** RESP3 verbatim string `=len\r\nfmt:text\r\n` (fmt is 3 chars, e.g. "txt"); RESP2 a bulk string of text. */
export class VerbatimReply {
  constructor(
    readonly format: string,
    readonly text: string,
  ) {}
}

/** RESP3 big number `(`; RESP2 a bulk string of its digits (as Redis's addReplyBigNum). */
export class BigNumberReply {
  constructor(readonly value: bigint | string) {}
}

/**
 * A bulk string of `length` bytes that `fill` writes straight into the reply buffer (a value
 * copied from the pool without a Buffer of its own). It must be written before anything else
 * touches its source (the store's next call).
 */
export class FillBulk {
  constructor(
    readonly length: number,
    readonly fill: (dst: Uint8Array, pos: number) => void,
  ) {}
}

/**
 * An array of bulk strings packed in one buffer (element i is the next lengths[i] bytes): what a
 * range of a collection is read as, so a reply of many elements costs one buffer, not one per
 * element. Encoded exactly as an array of those bulks.
 */
export class BulkArray {
  constructor(
    readonly data: Buffer,
    readonly lengths: Uint32Array,
  ) {}

  get length(): number {
    return this.lengths.length;
  }

  /** The elements as separate buffers (views into data). */
  toArray(): Buffer[] {
    const out: Buffer[] = new Array(this.lengths.length);
    let off = 0;
    for (let i = 0; i < this.lengths.length; i++) {
      const n = this.lengths[i]!;
      out[i] = this.data.subarray(off, off + n);
      off += n;
    }
    return out;
  }
}

/** RESP3 out-of-band push `>` (pub/sub messages, client tracking); RESP2 an array. */
export class PushReply {
  constructor(readonly items: Reply[]) {}
}

/** Null array: RESP2 `*-1\r\n`, RESP3 `_\r\n` (e.g. EXEC aborted by WATCH, BLPOP timeout). */
export const NullArray: unique symbol = Symbol('NullArray');

/**
 * number | bigint: integer reply `:`. Buffer | string: bulk string `$` (strings UTF-8 encoded).
 * null: null bulk (`$-1` in RESP2, `_` in RESP3). An array: `*` of its items.
 */
export type Reply =
  | SimpleString
  | ErrorReply
  | number
  | bigint
  | Buffer
  | string
  | null
  | typeof NullArray
  | Reply[]
  | MapReply
  | SetReply
  | DoubleReply
  | BoolReply
  | VerbatimReply
  | BigNumberReply
  | PushReply
  | FillBulk
  | BulkArray;

export const OK = new SimpleString('OK');
export const QUEUED = new SimpleString('QUEUED');
export const PONG = new SimpleString('PONG');

export function isErrorReply(r: Reply): r is ErrorReply {
  return r instanceof ErrorReply;
}

// What a kill -9 soak load client sends: one write command with the reply it must get and the
// models it advances. Shared by the string models (driver.ts) and the collection models
// (collections.ts), so one pipelined client can mix both and acknowledge them in reply order.
import type { Reply } from './conn.js';

/** A model with a history of sent writes whose prefix has been acknowledged. */
export interface Ackable {
  readonly name: string;
  /** Marks write `index` acknowledged; writes are acknowledged in order. */
  ack(index: number): void;
  /** The last writes, for a failure report. */
  describe(): string;
}

/** The kinds of key the soak writes, for the per-type counts. */
export type WriteType = 'string' | 'list' | 'hash' | 'set' | 'zset';
export const WRITE_TYPES: readonly WriteType[] = ['string', 'list', 'hash', 'set', 'zset'];

export interface Cmd {
  data: Buffer;
  /** The exact reply: RESP type byte (or 'm' for memcached) and value (arrays as JSON of their items). */
  expect: { type: string; value: string | null };
  writes: Array<{ key: Ackable; index: number }>;
  /** The command as sent (abbreviated), for the failure report. */
  text: string;
  type: WriteType;
}

/** Per-type counts of a run. */
export interface TypeCounts {
  sent: number;
  acked: number;
  /** Acknowledged writes verified after a restart (per model: its acknowledged prefix). */
  ackedChecked: number;
  /** Keys verified after a restart (this cycle's and the previous cycle's). */
  keysChecked: number;
}

export function emptyTypeCounts(): Record<WriteType, TypeCounts> {
  const r = {} as Record<WriteType, TypeCounts>;
  for (const t of WRITE_TYPES) r[t] = { sent: 0, acked: 0, ackedChecked: 0, keysChecked: 0 };
  return r;
}

/** A value shortened for a report: long values show their start and length. */
export function short(v: string, max = 40): string {
  return v.length <= max ? v : `${v.slice(0, max)}…(${v.length} B)`;
}

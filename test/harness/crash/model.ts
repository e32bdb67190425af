// The workload's model of the store: what every key holds after each op, computed independently of
// the store (from the op's meaning), so the checker knows which states a crash image may show.
import { fingerprint, type Fingerprint } from './values.js';

export interface Cell {
  v: Buffer;
  flags: number;
  exp: number; // absolute ms, 0 = none; the workload uses only far-future or past expiries
}

/** Fingerprint of a cell (absent when missing or already expired). */
export function fpOf(c: Cell | null | undefined, now: number): Fingerprint {
  if (!c || (c.exp !== 0 && c.exp <= now)) return fingerprint(null);
  return fingerprint(c.v, c.flags, c.exp);
}

export class Model {
  private readonly cells = new Map<string, Cell>();

  get(k: string, now: number): Cell | undefined {
    const c = this.cells.get(k);
    if (c && c.exp !== 0 && c.exp <= now) return undefined;
    return c;
  }

  put(k: string, c: Cell | null): void {
    if (c) this.cells.set(k, c);
    else this.cells.delete(k);
  }

  keys(now: number): string[] {
    return [...this.cells.keys()].filter((k) => this.get(k, now));
  }
}

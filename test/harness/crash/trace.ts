// The workload's record of what it did, written line by line (synchronously, so it is in the kernel
// before the next store call and survives the simulated crash's _exit). The checker derives what a
// crash image may hold from it.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Fingerprint } from './values.js';

export type SimMode = 'sim-adr' | 'sim-eadr' | 'sim-page';

export interface WorkloadSpec {
  seed: number;
  mode: SimMode;
  ops: number;
  poolSize: number;
  fault?: 'none' | 'skip-item-persist' | 'skip-phase1-drain' | 'publish-before-persist';
}

/** One key's state after an op: [key (latin1), fingerprint]. */
export type Effect = [string, Fingerprint];

export type TraceRecord =
  | { t: 'head'; spec: WorkloadSpec }
  /** A turn: ops up to the next ack; ev = persist calls (flushes + drains) made before it. */
  | { t: 'turn'; n: number; ev: number }
  /** An op, written BEFORE it runs, with the state it leaves if it succeeds. */
  | { t: 'op'; i: number; n: number; op: string; args: string; fx: Effect[]; atomic?: 1 }
  /** The op failed without effect (pool full, ...). */
  | { t: 'fail'; i: number; why: string }
  /** barrier() returned: every op of turn n is acknowledged; ev = persist calls made so far. */
  | { t: 'ack'; n: number; ev: number }
  | { t: 'end'; ev: number; ops: number; fails: number; turns: number };

export class TraceWriter {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(r: TraceRecord): void {
    writeSync(this.fd, JSON.stringify(r) + '\n');
  }
  close(): void {
    closeSync(this.fd);
  }
}

export function readTrace(path: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as TraceRecord);
    } catch {
      break; // a line cut by the crash: everything before it is whole
    }
  }
  return out;
}

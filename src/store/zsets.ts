// Sorted sets in the store: a map member -> score (MapStore, 8-byte little-endian doubles as the
// values) plus ordered reads. The order is DRAM only (native/core/zorder.h): a packed set is sorted
// per call, a large one has an order tree built on first use and kept in step after that.
import type { NativeStore } from './native.js';
import { failIfError } from './errors.js';
import { Kind, MapStore } from './maps.js';

/** A score range: min/max with exclusive flags (-Infinity/Infinity for open ends). */
export interface ScoreRange {
  min: number;
  max: number;
  minEx: boolean;
  maxEx: boolean;
}

/** A member range: a bound is the member's bytes, or '-' / '+' for the open ends. */
export interface LexRange {
  min: Buffer | '-' | '+';
  max: Buffer | '-' | '+';
  minEx: boolean;
  maxEx: boolean;
}

export function encodeScore(score: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleLE(score, 0);
  return b;
}

export function decodeScore(b: Buffer): number {
  return b.length === 8 ? b.readDoubleLE(0) : 0;
}

function check<T>(r: T | number): T {
  if (typeof r === 'number' && r < 0) failIfError(-r);
  return r as T;
}

/** m1 s1 m2 s2 ... with the scores encoded as the map's values. */
function withScores(members: Buffer[], scores: number[]): Buffer[] {
  const fv: Buffer[] = new Array(members.length * 2);
  for (let i = 0; i < members.length; i++) {
    fv[2 * i] = members[i]!;
    fv[2 * i + 1] = encodeScore(scores[i]!);
  }
  return fv;
}

function lexBound(b: Buffer | '-' | '+'): number | Buffer {
  return b === '-' ? -1 : b === '+' ? 1 : b;
}

export class ZsetStore extends MapStore {
  constructor(private readonly native: NativeStore) {
    super(native, Kind.Zset);
  }

  /** The member's score, or null when it or the key is absent. */
  score(key: Buffer, member: Buffer): number | null {
    const v = this.get(key, member);
    return v === null ? null : decodeScore(v);
  }

  /** Sets members' scores (m1 s1 m2 s2 ...) as one crash-atomic write; returns how many are new. */
  putScores(key: Buffer, members: Buffer[], scores: number[]): number {
    return this.put(key, withScores(members, scores));
  }

  /** The key becomes a sorted set of these members, whatever it held (as MapStore.replaceWith). */
  replaceWithScores(key: Buffer, members: Buffer[], scores: number[]): void {
    this.replaceWith(key, withScores(members, scores));
  }

  /** Ranks [start, end) of the members within the score range. */
  spanByScore(key: Buffer, r: ScoreRange): [number, number] {
    return check(this.native.zsetSpan(key, false, r.min, r.max, r.minEx, r.maxEx));
  }

  /** Ranks [start, end) of the members within the member range (meaningful when all scores are equal). */
  spanByLex(key: Buffer, r: LexRange): [number, number] {
    return check(this.native.zsetSpan(key, true, lexBound(r.min), lexBound(r.max), r.minEx, r.maxEx));
  }

  /** Members and scores of ranks [start, end), ascending. */
  slice(key: Buffer, start: number, end: number): { members: Buffer[]; scores: number[] } {
    const r = check(this.native.zsetSlice(key, start, end));
    const members: Buffer[] = new Array(r.length / 2);
    const scores: number[] = new Array(r.length / 2);
    for (let i = 0; i < r.length; i += 2) {
      members[i / 2] = r[i]!;
      scores[i / 2] = decodeScore(r[i + 1]!);
    }
    return { members, scores };
  }

  /** The member's rank ascending, or null when it or the key is absent. */
  rank(key: Buffer, member: Buffer): number | null {
    const r = this.native.zsetRank(key, member);
    if (r === null) return null;
    return check(r);
  }

  setOrderBudget(bytes: number): void {
    this.native.setZsetOrderBudget(bytes);
  }

  /** Null, or the first broken invariant of the DRAM order trees (for tests). */
  checkOrder(): string | null {
    return this.native.zsetOrderCheck();
  }
}

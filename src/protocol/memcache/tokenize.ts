// Splits a command line into tokens the way memcached's tokenize_command does: on single
// spaces only (tabs and other bytes belong to tokens), runs of spaces are one separator.
// Offsets are recorded instead of slicing, so a line costs no allocation beyond its copy.

export const KEY_MAX_LENGTH = 250;

export class Tokens {
  starts: number[] = [];
  ends: number[] = [];
  count = 0;

  /** Tokenizes line[0, end). */
  split(line: Buffer, end: number): void {
    const starts = this.starts;
    const ends = this.ends;
    let n = 0;
    let i = 0;
    while (i < end) {
      while (i < end && line[i] === 32) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && line[i] !== 32) i++;
      starts[n] = s;
      ends[n] = i;
      n++;
    }
    this.count = n;
  }

  len(i: number): number {
    return this.ends[i]! - this.starts[i]!;
  }

  /** Token i equals the ASCII string `s`. */
  is(line: Buffer, i: number, s: string): boolean {
    const st = this.starts[i]!;
    if (this.ends[i]! - st !== s.length) return false;
    for (let j = 0; j < s.length; j++) if (line[st + j] !== s.charCodeAt(j)) return false;
    return true;
  }

  str(line: Buffer, i: number): string {
    return line.toString('latin1', this.starts[i]!, this.ends[i]!);
  }

  slice(line: Buffer, i: number): Buffer {
    return line.subarray(this.starts[i]!, this.ends[i]!);
  }
}

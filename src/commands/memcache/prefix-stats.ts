// `stats detail on|off|dump`: per key-prefix counters (memcached stats_prefix.c). A key's prefix
// is everything before the first ':' (memcached's default stat_key_prefix); keys without it are
// not counted. Bounded: past MAX_PREFIXES distinct prefixes, new ones are not tracked.

export const PREFIX_DELIMITER = 0x3a; // ':'
export const MAX_PREFIXES = 10_000;

interface PrefixCounts {
  get: number;
  hit: number;
  set: number;
  del: number;
}

export class PrefixStats {
  enabled = false;
  private readonly byPrefix = new Map<string, PrefixCounts>();

  recordGet(key: Buffer, hit: boolean): void {
    const p = this.counts(key);
    if (p === undefined) return;
    p.get++;
    if (hit) p.hit++;
  }

  recordSet(key: Buffer): void {
    const p = this.counts(key);
    if (p !== undefined) p.set++;
  }

  recordDelete(key: Buffer): void {
    const p = this.counts(key);
    if (p !== undefined) p.del++;
  }

  /** memcached's dump lines, newest prefix first, without the closing END. */
  dump(): string {
    const lines: string[] = [];
    for (const [prefix, p] of this.byPrefix) {
      lines.push(`PREFIX ${prefix} get ${p.get} hit ${p.hit} set ${p.set} del ${p.del}\r\n`);
    }
    return lines.reverse().join('');
  }

  clear(): void {
    this.byPrefix.clear();
  }

  private counts(key: Buffer): PrefixCounts | undefined {
    const end = key.indexOf(PREFIX_DELIMITER);
    if (end < 0) return undefined;
    const prefix = key.toString('latin1', 0, end);
    let p = this.byPrefix.get(prefix);
    if (p === undefined) {
      if (this.byPrefix.size >= MAX_PREFIXES) return undefined;
      p = { get: 0, hit: 0, set: 0, del: 0 };
      this.byPrefix.set(prefix, p);
    }
    return p;
  }
}

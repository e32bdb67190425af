// Redis-style memory sizes (util.c memtoull): a non-negative integer with an optional unit,
// case-insensitive: b=1, k=1000, kb=1024, m=1e6, mb=1024^2, g=1e9, gb=1024^3.
// Unlike Redis, an empty number ("", "kb") is rejected rather than read as 0.

const UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

const SIZE_RE = /^(\d+)([a-z]*)$/;

/** Bytes for `512mb`, `4gb`, `1k`, `100kb`, `1024`; null when the text is not a size. */
export function parseSize(str: string): number | null {
  const m = SIZE_RE.exec(str.trim().toLowerCase());
  if (!m) return null;
  const mul = UNITS[m[2]!];
  if (mul === undefined) return null;
  const bytes = BigInt(m[1]!) * mul;
  // Sizes are JS numbers everywhere else; refuse what a double cannot hold exactly.
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(bytes);
}

/** The shortest exact form using binary units (1073741824 -> "1gb"), or plain bytes. */
export function formatSize(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [unit, mul] of [['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024]] as const) {
    if (bytes % mul === 0) return `${bytes / mul}${unit}`;
  }
  return String(bytes);
}

/** Bytes for people (daxcache info/check): binary units with one decimal, e.g. "1.5 GiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

// Deterministic key/value/metadata for key i, shared by the writer child and the verifiers.
export const FAR_FUTURE_MS = 4_102_444_800_000; // 2100-01-01

export function keyOf(i: number): Buffer {
  return Buffer.from(`key:${i}`, 'latin1');
}

export function valueOf(i: number): Buffer {
  const base = `value-${i}-`;
  return Buffer.from(base.repeat(1 + (i % 5)), 'latin1');
}

export function flagsOf(i: number): number {
  return (i * 2654435761) >>> 0;
}

export function expireOf(i: number): number {
  return i % 3 === 0 ? FAR_FUTURE_MS + i : 0;
}

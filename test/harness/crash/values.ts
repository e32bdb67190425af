// Self-describing values and state fingerprints. A value starts with "<key>#<seq>#<len>;" and is
// filled with bytes derived from seq, so a torn or misplaced value is recognisable in a dump; the
// checker compares fingerprints (digest + metadata), so any byte out of place is caught.
import { createHash } from 'node:crypto';

export function makeValue(key: string, seq: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  const head = Buffer.from(`${key}#${seq}#${len};`, 'latin1');
  head.copy(buf, 0, 0, Math.min(len, head.length));
  let x = (seq * 2654435761 + len) >>> 0 || 1;
  for (let i = head.length; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = 0x20 + ((x >>> 0) % 95); // printable, so dumps stay readable
  }
  return buf;
}

export function digest(v: Uint8Array): string {
  return createHash('sha1').update(v).digest('hex').slice(0, 16);
}

/** One key's state: "-" when absent, else digest:length:flags:expireMs. */
export type Fingerprint = string;
export const ABSENT: Fingerprint = '-';

export function fingerprint(v: Uint8Array | null, flags = 0, expireMs = 0): Fingerprint {
  return v === null ? ABSENT : `${digest(v)}:${v.length}:${flags}:${expireMs}`;
}

// Base64 for meta-protocol binary keys (the `b` flag). Node's decoder silently skips junk, so
// the token is validated first: memcached refuses a key that does not decode cleanly.

function isB64(c: number): boolean {
  return (
    (c >= 65 && c <= 90) || // A-Z
    (c >= 97 && c <= 122) || // a-z
    (c >= 48 && c <= 57) || // 0-9
    c === 43 || // +
    c === 47 // /
  );
}

/** Decodes standard padded base64 from b[s,e); null if malformed or empty. */
export function decodeBase64Key(b: Buffer, s: number, e: number): Buffer | null {
  const n = e - s;
  if (n === 0 || n % 4 !== 0) return null;
  let pad = 0;
  if (b[e - 1] === 61 /* = */) pad = b[e - 2] === 61 ? 2 : 1;
  for (let i = s; i < e - pad; i++) if (!isB64(b[i]!)) return null;
  const out = Buffer.from(b.toString('latin1', s, e), 'base64');
  return out.length === 0 ? null : out;
}

export function encodeBase64(key: Buffer): string {
  return key.toString('base64');
}

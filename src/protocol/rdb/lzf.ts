// LZF decompression (liblzf's lzf_d.c format), for the compressed strings of Redis DUMP payloads:
// Redis compresses a string value over 20 bytes when that makes it smaller (rdbcompression yes).
// The stream is a sequence of
//   000LLLLL <L+1 literal bytes>                      a literal run of 1..32 bytes
//   LLLooooo [LLLLLLLL if LLL = 7] oooooooo           a back reference: length LLL(+next byte)+2,
//                                                     from offset ((ooooo << 8) | next byte) + 1 back
// A reference may overlap what it produces (a run), so it is copied byte by byte.

/** Decompresses `src` into exactly `outLen` bytes; null when the stream is corrupt or not that long. */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > src.length) return null;
      out.set(src.subarray(ip, ip + n), op);
      ip += n;
      op += n;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= src.length) return null;
      len += src[ip++]!;
    }
    if (ip >= src.length) return null;
    const ref = op - ((ctrl & 0x1f) << 8) - 1 - src[ip++]!;
    len += 2;
    if (ref < 0 || op + len > outLen) return null;
    for (let k = 0; k < len; k++) out[op + k] = out[ref + k]!;
    op += len;
  }
  return op === outLen ? out : null;
}

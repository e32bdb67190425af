// Syntax of memcached's classic text commands, mirroring proto_text.c's process_*_command:
// the same token-count checks (a wrong count is a bare "ERROR"), the same order of checks and
// error lines, and the same `noreply` detection (the last token), which also silences errors.

import { ERR, parseError } from './errors.js';
import { parseI32, parseU32, parseU64 } from './numbers.js';
import { EMPTY, type NeedData } from './pending.js';
import { KEY_MAX_LENGTH, type Tokens } from './tokenize.js';
import type { GetCmd, ParseError, Request, StoreCmd } from './types.js';

export type LineResult = Request | ParseError | NeedData;

const INT_MAX = 0x7fffffff;

function noreplyLast(line: Buffer, t: Tokens): boolean {
  return t.is(line, t.count - 1, 'noreply');
}

/** set/add/replace/append/prepend/cas — the data block follows. */
export function parseStore(cmd: StoreCmd, line: Buffer, t: Tokens, itemSizeMax: number): LineResult {
  const n = t.count;
  if (cmd === 'cas' ? n !== 6 && n !== 7 : n !== 5 && n !== 6) return parseError(ERR.ERROR);
  const noreply = noreplyLast(line, t);
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT, { noreply });
  const st = t.starts;
  const en = t.ends;
  const flags = parseU32(line, st[2]!, en[2]!);
  const exptime = parseI32(line, st[3]!, en[3]!);
  const bytes = parseI32(line, st[4]!, en[4]!);
  if (flags !== flags || exptime !== exptime || bytes !== bytes) {
    return parseError(ERR.BAD_FORMAT, { noreply });
  }
  let cas: bigint | undefined;
  if (cmd === 'cas') {
    const c = parseU64(line, st[5]!, en[5]!);
    if (c === null) return parseError(ERR.BAD_FORMAT, { noreply });
    cas = c;
  }
  if (bytes < 0 || bytes > INT_MAX - 2) return parseError(ERR.BAD_FORMAT, { noreply });
  const key = t.slice(line, 1);
  if (bytes > itemSizeMax) {
    // memcached swallows the data and, for set only, unlinks the old value so a failed
    // overwrite cannot leave stale data behind (process_update_command).
    return parseError(ERR.TOO_LARGE, {
      noreply,
      swallowed: bytes + 2,
      unlinkKey: cmd === 'set' ? key : undefined,
    });
  }
  const req: NeedData['req'] = { kind: 'store', cmd, key, flags, exptime, bytes, noreply, data: EMPTY };
  if (cas !== undefined) req.cas = cas;
  return { kind: 'need-data', req, noreplyOnError: noreply };
}

/** get/gets/gat/gats (and the ancient bget, an alias of get kept by memcached). */
export function parseGet(cmd: GetCmd, line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n < 2) return parseError(ERR.ERROR);
  let first = 1;
  let exptime: number | undefined;
  if (cmd === 'gat' || cmd === 'gats') {
    exptime = parseI32(line, t.starts[1]!, t.ends[1]!);
    if (exptime !== exptime) return parseError(ERR.INVALID_EXPTIME);
    first = 2;
  }
  const keys: Buffer[] = new Array(n - first);
  for (let i = first; i < n; i++) {
    // One bad key fails the whole command; memcached drops the replies it had queued.
    if (t.len(i) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT);
    keys[i - first] = t.slice(line, i);
  }
  return exptime === undefined ? { kind: 'get', cmd, keys } : { kind: 'get', cmd, keys, exptime };
}

/** delete <key> [0] [noreply] — the "0" is a legacy hold time still accepted by memcached. */
export function parseDelete(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n < 2 || n > 4) return parseError(ERR.ERROR);
  let noreply = false;
  if (n > 2) {
    const holdIsZero = t.is(line, 2, '0');
    noreply = noreplyLast(line, t);
    const valid = (n === 3 && (holdIsZero || noreply)) || (n === 4 && holdIsZero && noreply);
    if (!valid) return parseError(ERR.DELETE_USAGE, { noreply });
  }
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT, { noreply });
  return { kind: 'delete', key: t.slice(line, 1), noreply };
}

export function parseArith(cmd: 'incr' | 'decr', line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n !== 3 && n !== 4) return parseError(ERR.ERROR);
  const noreply = noreplyLast(line, t);
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT, { noreply });
  const delta = parseU64(line, t.starts[2]!, t.ends[2]!);
  if (delta === null) return parseError(ERR.INVALID_DELTA, { noreply });
  return { kind: 'arith', cmd, key: t.slice(line, 1), delta, noreply };
}

export function parseTouch(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n !== 3 && n !== 4) return parseError(ERR.ERROR);
  const noreply = noreplyLast(line, t);
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT, { noreply });
  const exptime = parseI32(line, t.starts[2]!, t.ends[2]!);
  if (exptime !== exptime) return parseError(ERR.INVALID_EXPTIME, { noreply });
  return { kind: 'touch', key: t.slice(line, 1), exptime, noreply };
}

export function parseFlushAll(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n > 3) return parseError(ERR.ERROR);
  const noreply = n >= 2 && noreplyLast(line, t);
  let delay = 0;
  if (n !== (noreply ? 2 : 1)) {
    delay = parseI32(line, t.starts[1]!, t.ends[1]!);
    if (delay !== delay) return parseError(ERR.INVALID_EXPTIME, { noreply });
  }
  return { kind: 'flush_all', delay, noreply };
}

export function parseVerbosity(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n !== 2 && n !== 3) return parseError(ERR.ERROR);
  const noreply = noreplyLast(line, t);
  const level = parseU32(line, t.starts[1]!, t.ends[1]!);
  if (level !== level) return parseError(ERR.BAD_FORMAT, { noreply });
  return { kind: 'verbosity', level, noreply };
}

export function parseCacheMemlimit(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n !== 2 && n !== 3) return parseError(ERR.ERROR);
  const noreply = noreplyLast(line, t);
  const megabytes = parseU32(line, t.starts[1]!, t.ends[1]!);
  // memcached answers a bad number here with a bare ERROR.
  if (megabytes !== megabytes) return parseError(ERR.ERROR, { noreply });
  return { kind: 'cache_memlimit', megabytes, noreply };
}

export function parseStats(line: Buffer, t: Tokens): LineResult {
  const args: string[] = [];
  for (let i = 1; i < t.count; i++) args.push(t.str(line, i));
  return { kind: 'stats', args };
}

export function parseShutdown(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n === 1) return { kind: 'shutdown', mode: 'immediate' };
  if (n === 2 && t.is(line, 1, 'graceful')) return { kind: 'shutdown', mode: 'graceful' };
  return { kind: 'shutdown', mode: 'invalid' };
}

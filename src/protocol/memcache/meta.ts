// Syntax of the meta commands (mg ms md ma mn me), mirroring proto_text.c: one flag pre-parser
// for all of them (_meta_flag_preparse), then per-command checks in memcached's order.
// Meta errors are never silenced by `q`: memcached's out_errstring always writes them.

import { decodeBase64Key } from './base64.js';
import type { LineResult } from './classic.js';
import { ERR, parseError } from './errors.js';
import { parseI32, parseU32, parseU64 } from './numbers.js';
import { EMPTY } from './pending.js';
import { KEY_MAX_LENGTH, type Tokens } from './tokenize.js';
import type { MetaFlags } from './types.js';

/** memcached's MFLAG_MAX_OPT_LENGTH, compared with its token count (which includes a terminator). */
const MAX_OPT_TOKENS = 20;
/** MFLAG_MAX_OPAQUE_LENGTH: the whole O token, letter included. */
const MAX_OPAQUE_TOKEN = 32;
const INT_MAX = 0x7fffffff;

function newFlags(): MetaFlags {
  return {
    order: '',
    base64: false,
    retCas: false,
    retFlags: false,
    retHit: false,
    retKey: false,
    retLastAccess: false,
    retSize: false,
    retTtl: false,
    retValue: false,
    quiet: false,
    noBump: false,
    invalidate: false,
    removeValue: false,
  };
}

// Flags seen so far, a 128-bit set (codes >= 127 are refused before this is touched).
const seen = new Int32Array(4);

export interface MetaParsed {
  flags: MetaFlags;
  /** The key, base64-decoded when the b flag was given. */
  key: Buffer;
}

/**
 * Parses tokens [start, count) as meta flags. Returns the exact error line on failure.
 * Like memcached: an unknown or repeated flag stops at once; a bad token is remembered and
 * parsing goes on (a later bad token's message wins); a bad F token keeps the default message.
 */
export function parseMetaFlags(line: Buffer, t: Tokens, start: number): MetaParsed | string {
  const f = newFlags();
  let key = t.slice(line, 1);
  let err: string | null = null;
  let hasError = false;
  let order = '';
  seen.fill(0);
  const st = t.starts;
  const en = t.ends;
  for (let i = start; i < t.count; i++) {
    const o = line[st[i]!]!;
    if (o >= 127 || (seen[o >> 5]! & (1 << (o & 31))) !== 0) return ERR.DUPLICATE_FLAG;
    seen[o >> 5] |= 1 << (o & 31);
    const s = st[i]! + 1;
    const e = en[i]!;
    switch (o) {
      case 0x62: /* b */ {
        const k = decodeBase64Key(line, st[1]!, en[1]!);
        if (k === null) {
          err = ERR.DECODING_KEY;
          hasError = true;
        } else {
          key = k;
        }
        f.base64 = true;
        break;
      }
      case 0x4e: /* N */ {
        const v = parseI32(line, s, e);
        if (v !== v) {
          err = ERR.BAD_TOKEN;
          hasError = true;
        } else f.vivifyTtl = v;
        break;
      }
      case 0x54: /* T */ {
        const v = parseI32(line, s, e);
        if (v !== v) {
          err = ERR.BAD_TOKEN;
          hasError = true;
        } else f.ttl = v;
        break;
      }
      case 0x52: /* R */ {
        const v = parseI32(line, s, e);
        if (v !== v) {
          err = ERR.BAD_TOKEN;
          hasError = true;
        } else f.recacheTtl = v;
        break;
      }
      case 0x4f: /* O */
        f.opaque = line.subarray(s, e);
        break;
      case 0x50: /* P */
      case 0x4c: /* L */
        break; // proxy hints, accepted and ignored by memcached
      case 0x6b: /* k */
        f.retKey = true;
        break;
      case 0x73: /* s */
        f.retSize = true;
        break;
      case 0x74: /* t */
        f.retTtl = true;
        break;
      case 0x63: /* c */
        f.retCas = true;
        break;
      case 0x66: /* f */
        f.retFlags = true;
        break;
      case 0x6c: /* l */
        f.retLastAccess = true;
        break;
      case 0x76: /* v */
        f.retValue = true;
        break;
      case 0x68: /* h */
        f.retHit = true;
        break;
      case 0x75: /* u */
        f.noBump = true;
        break;
      case 0x71: /* q */
        f.quiet = true;
        break;
      case 0x78: /* x */
        f.removeValue = true;
        break;
      case 0x49: /* I */
        f.invalidate = true;
        break;
      case 0x46: /* F */ {
        const v = parseU32(line, s, e);
        if (v !== v) hasError = true;
        else f.clientFlags = v;
        break;
      }
      case 0x43: /* C */ {
        const v = parseU64(line, s, e);
        if (v === null) {
          err = ERR.BAD_TOKEN;
          hasError = true;
        } else f.compareCas = v;
        break;
      }
      case 0x45: /* E */ {
        const v = parseU64(line, s, e);
        if (v === null) {
          err = ERR.BAD_TOKEN;
          hasError = true;
        } else f.newCas = v;
        break;
      }
      case 0x4d: /* M */
        if (e - s !== 1) {
          err = ERR.M_TOKEN_LENGTH;
          hasError = true;
        } else f.mode = String.fromCharCode(line[s]!);
        break;
      case 0x4a: /* J */ {
        const v = parseU64(line, s, e);
        if (v === null) {
          err = ERR.INITIAL_VALUE;
          hasError = true;
        } else f.initial = v;
        break;
      }
      case 0x44: /* D */ {
        const v = parseU64(line, s, e);
        if (v === null) {
          err = ERR.DELTA_VALUE;
          hasError = true;
        } else f.delta = v;
        break;
      }
      default:
        return ERR.INVALID_FLAG;
    }
    order += String.fromCharCode(o);
  }
  if (hasError) return err ?? ERR.BAD_FORMAT;
  f.order = order;
  return { flags: f, key };
}

function opaqueTooLong(f: MetaFlags): boolean {
  return f.opaque !== undefined && f.opaque.length + 1 > MAX_OPAQUE_TOKEN;
}

/** mg <key> <flags>* */
export function parseMg(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n < 2) return parseError(ERR.ERROR);
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT);
  if (n + 1 > MAX_OPT_TOKENS) return parseError(ERR.MG_FLAGS_TOO_LONG);
  const p = parseMetaFlags(line, t, 2);
  if (typeof p === 'string') return parseError(p);
  if (opaqueTooLong(p.flags)) return parseError(ERR.OPAQUE_TOO_LONG);
  return { kind: 'mg', key: p.key, flags: p.flags };
}

/** md and ma share their checks; memcached reports any flag error of theirs as one line. */
function parseMdMa(kind: 'md' | 'ma', line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n < 2) return parseError(ERR.ERROR);
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT);
  if (n + 1 > MAX_OPT_TOKENS) return parseError(ERR.FLAGS_TOO_LONG);
  const p = parseMetaFlags(line, t, 2);
  if (typeof p === 'string') return parseError(ERR.INVALID_OR_DUPLICATE_FLAG);
  const f = p.flags;
  if (kind === 'ma' && f.mode !== undefined && !'I+D-'.includes(f.mode)) {
    return parseError(ERR.MA_MODE);
  }
  if (opaqueTooLong(f)) return parseError(ERR.OPAQUE_TOO_LONG);
  return { kind, key: p.key, flags: f };
}

export function parseMd(line: Buffer, t: Tokens): LineResult {
  return parseMdMa('md', line, t);
}

export function parseMa(line: Buffer, t: Tokens): LineResult {
  return parseMdMa('ma', line, t);
}

/**
 * ms <key> <datalen> <flags>* — errors found before the length is known leave the data to be
 * read as commands (as memcached does); later ones swallow it.
 */
export function parseMs(line: Buffer, t: Tokens, itemSizeMax: number): LineResult {
  const n = t.count;
  if (n < 2) return parseError(ERR.ERROR);
  if (t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT);
  if (n === 2) return parseError(ERR.BAD_FORMAT);
  if (n + 1 > MAX_OPT_TOKENS) return parseError(ERR.FLAGS_TOO_LONG);
  const bytes = parseI32(line, t.starts[2]!, t.ends[2]!);
  if (bytes !== bytes || bytes < 0 || bytes > INT_MAX - 2) return parseError(ERR.BAD_FORMAT);
  const swallowed = bytes + 2;
  const p = parseMetaFlags(line, t, 3);
  if (typeof p === 'string') return parseError(p, { swallowed });
  const f = p.flags;
  if (f.mode !== undefined && !'EAPRS'.includes(f.mode)) {
    return parseError(ERR.MS_MODE, { swallowed });
  }
  if (opaqueTooLong(f)) return parseError(ERR.OPAQUE_TOO_LONG, { swallowed });
  if (bytes > itemSizeMax) {
    // memcached unlinks the old value whatever the mode (process_mset_command).
    return parseError(ERR.TOO_LARGE, { swallowed, unlinkKey: p.key });
  }
  return {
    kind: 'need-data',
    req: { kind: 'ms', key: p.key, bytes, flags: f, data: EMPTY },
    noreplyOnError: false,
  };
}

/** me <key> [b] — only an exact `b` third token decodes the key. */
export function parseMe(line: Buffer, t: Tokens): LineResult {
  const n = t.count;
  if (n < 2 || t.len(1) > KEY_MAX_LENGTH) return parseError(ERR.BAD_FORMAT);
  if (n >= 3 && t.is(line, 2, 'b')) {
    const key = decodeBase64Key(line, t.starts[1]!, t.ends[1]!);
    if (key === null) return parseError(ERR.BAD_FORMAT);
    return { kind: 'me', key, base64: true };
  }
  return { kind: 'me', key: t.slice(line, 1), base64: false };
}

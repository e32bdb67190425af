// Reply builders for the memcached text and meta protocols, writing into a ReplyWriter.
// Formats follow proto_text.c byte for byte: `VALUE <key> <flags> <bytes>[ <cas>]`, meta status
// codes with return flags in the order the request gave them, then W/X/Z markers.

import { encodeBase64 } from './base64.js';
import type { MetaFlags, ParseError } from './types.js';
import type { ReplyWriter } from './writer.js';

function line(s: string): Buffer {
  return Buffer.from(s + '\r\n', 'latin1');
}

/** Fixed reply lines, CRLF included. */
export const REPLY = {
  STORED: line('STORED'),
  NOT_STORED: line('NOT_STORED'),
  EXISTS: line('EXISTS'),
  NOT_FOUND: line('NOT_FOUND'),
  DELETED: line('DELETED'),
  TOUCHED: line('TOUCHED'),
  OK: line('OK'),
  END: line('END'),
  ERROR: line('ERROR'),
  RESET: line('RESET'),
  MN: line('MN'),
} as const;

const VALUE_ = Buffer.from('VALUE ', 'latin1');
const STAT_ = Buffer.from('STAT ', 'latin1');
const VERSION_ = Buffer.from('VERSION ', 'latin1');
const ME_ = Buffer.from('ME ', 'latin1');
const SP = 32;

/** A fixed line from REPLY. */
export function writeReply(w: ReplyWriter, reply: Buffer): void {
  w.bytes(reply);
}

/** Any line: text + CRLF (e.g. an error string from a command handler). */
export function writeLine(w: ReplyWriter, text: string): void {
  w.latin1(text);
  w.crlf();
}

/**
 * The reply to a parse error, unless memcached would stay silent (noreply on a classic
 * command, or the empty line of an HTTP hang-up). Returns whether anything was written.
 */
export function writeParseError(w: ReplyWriter, e: ParseError): boolean {
  if (e.noreply || e.line === '') return false;
  writeLine(w, e.line);
  return true;
}

/** `VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n` — one hit of get/gets/gat/gats. */
/** `VALUE <key> <flags> <bytes>[ <cas>]\r\n` — the data block and its CRLF follow. */
export function writeValueHead(w: ReplyWriter, key: Buffer, flags: number, bytes: number, cas?: bigint | number): void {
  w.reserve(6 + key.length + 48);
  w.bytes(VALUE_);
  w.bytes(key);
  w.byte(SP);
  w.uint(flags);
  w.byte(SP);
  w.uint(bytes);
  if (cas !== undefined) {
    w.byte(SP);
    w.u64(cas);
  }
  w.crlf();
}

export function writeValue(w: ReplyWriter, key: Buffer, flags: number, data: Buffer, cas?: bigint | number): void {
  writeValueHead(w, key, flags, data.length, cas);
  w.bytes(data);
  w.crlf();
}

export function writeEnd(w: ReplyWriter): void {
  w.bytes(REPLY.END);
}

/** incr/decr result: the new value alone on a line. */
export function writeNumber(w: ReplyWriter, n: bigint | number): void {
  w.u64(n);
  w.crlf();
}

export function writeVersion(w: ReplyWriter, version: string): void {
  w.bytes(VERSION_);
  w.latin1(version);
  w.crlf();
}

/** `STAT <name> <value>` (a stats reply ends with END). */
export function writeStat(w: ReplyWriter, name: string, value: string | number | bigint): void {
  w.bytes(STAT_);
  w.latin1(name);
  w.byte(SP);
  if (typeof value === 'string') w.latin1(value);
  else if (typeof value === 'bigint') w.u64(value);
  else if (Number.isSafeInteger(value) && value >= 0) w.uint(value);
  else w.latin1(String(value));
  w.crlf();
}

export type MetaCode = 'HD' | 'VA' | 'EN' | 'NF' | 'NS' | 'EX';

/**
 * What the command layer knows about the item, for the return flags the request asked for.
 * A field left undefined is not echoed even if asked (e.g. EN carries only O and k).
 */
export interface MetaItem {
  cas?: bigint | number;
  /** Client flags (f). */
  flags?: number;
  /** Fetched before (h). */
  hit?: boolean;
  /** Seconds since last access (l). */
  lastAccess?: number;
  /** Value size (s). */
  size?: number;
  /** Remaining TTL in seconds, -1 for none (t). */
  ttl?: number;
  /** W: this client won the recache/vivify token. */
  won?: boolean;
  /** X: the item is stale. */
  stale?: boolean;
  /** Z: a token was already handed out for this item. */
  tokenSent?: boolean;
}

/**
 * A meta reply: `<code>[ <size>]<flags>\r\n[<value>\r\n]`. For VA pass the value; flags are
 * echoed in request order (O, k always; c f h l s t when the item provides them), then Z X W.
 */
export function writeMeta(
  w: ReplyWriter,
  code: MetaCode,
  key: Buffer,
  f: MetaFlags,
  item?: MetaItem,
  value?: Buffer,
): void {
  w.byte2(code.charCodeAt(0), code.charCodeAt(1));
  if (value !== undefined) {
    w.byte(SP);
    w.uint(value.length);
  }
  const order = f.order;
  for (let i = 0; i < order.length; i++) {
    const c = order.charCodeAt(i);
    switch (c) {
      case 0x4f /* O */:
        w.byte2(SP, c);
        if (f.opaque) w.bytes(f.opaque);
        break;
      case 0x6b /* k */:
        w.byte2(SP, c);
        if (f.base64) {
          w.latin1(encodeBase64(key));
          w.byte2(SP, 0x62 /* b */);
        } else {
          w.bytes(key);
        }
        break;
      case 0x63 /* c */:
        if (item?.cas !== undefined) {
          w.byte2(SP, c);
          w.u64(item.cas);
        }
        break;
      case 0x66 /* f */:
        if (item?.flags !== undefined) {
          w.byte2(SP, c);
          w.uint(item.flags);
        }
        break;
      case 0x68 /* h */:
        if (item?.hit !== undefined) {
          w.byte2(SP, c);
          w.byte(item.hit ? 0x31 : 0x30);
        }
        break;
      case 0x6c /* l */:
        if (item?.lastAccess !== undefined) {
          w.byte2(SP, c);
          w.uint(item.lastAccess);
        }
        break;
      case 0x73 /* s */:
        if (item?.size !== undefined) {
          w.byte2(SP, c);
          w.uint(item.size);
        }
        break;
      case 0x74 /* t */:
        if (item?.ttl !== undefined) {
          w.byte2(SP, c);
          w.int(item.ttl);
        }
        break;
    }
  }
  if (item !== undefined) {
    // memcached's order: Z, then X, then W.
    if (item.tokenSent) w.byte2(SP, 0x5a);
    if (item.stale) w.byte2(SP, 0x58);
    if (item.won) w.byte2(SP, 0x57);
  }
  w.crlf();
  if (value !== undefined) {
    w.bytes(value);
    w.crlf();
  }
}

export function writeMetaNoop(w: ReplyWriter): void {
  w.bytes(REPLY.MN);
}

export interface MetaDebugInfo {
  /** Seconds until expiry, -1 for none (memcached prints its internal difference). */
  exp: number;
  /** Seconds since last access. */
  la: number;
  cas: bigint | number;
  fetched: boolean;
  /** Slab class id (or 0 when not meaningful). */
  cls: number;
  /** Total item size in bytes. */
  size: number;
}

/** `ME <key> exp=<n> la=<n> cas=<n> fetch=<yes|no> cls=<n> size=<n>` — key base64 if binary. */
export function writeMetaDebug(w: ReplyWriter, key: Buffer, binary: boolean, info: MetaDebugInfo): void {
  w.bytes(ME_);
  if (binary) w.latin1(encodeBase64(key));
  else w.bytes(key);
  w.latin1(' exp=');
  w.int(info.exp);
  w.latin1(' la=');
  w.uint(info.la);
  w.latin1(' cas=');
  w.u64(info.cas);
  w.latin1(info.fetched ? ' fetch=yes cls=' : ' fetch=no cls=');
  w.uint(info.cls);
  w.latin1(' size=');
  w.uint(info.size);
  w.crlf();
}

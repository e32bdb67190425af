// Redis DUMP payloads (cluster.c createDumpPayload/verifyDumpPayload, rdb.c):
//   <RDB type> <RDB value> <RDB version, 2 bytes LE> <CRC-64 of all before it, 8 bytes LE>
// A string value (type 0) is an RDB string (rdb-reader.ts): an integer encoding (0xC0 int8, 0xC1
// int16 LE, 0xC2 int32 LE) for a canonical decimal in int32 range, an LZF-compressed string (0xC3
// <compressed len> <len> <lzf stream>), or a length (6-bit, 14-bit big-endian, 0x80 + 32-bit BE,
// 0x81 + 64-bit BE) and the bytes. Collections are read by rdb-value.ts.
//
// We write what Redis 7.0 writes for values it does not compress (integers as integers, every other
// value verbatim: LZF is optional for the reader), collections in their plain forms, with RDB
// version 10, the version of Redis 7.0, so that Redis 7.0 and later RESTORE our payloads. We read
// every form Redis 7.0 and 7.2 write or load for strings, hashes, sets, sorted sets and lists, from
// RDB versions up to 11 (Redis 7.2).
import { crc64 } from './crc64.js';
import { Reader, readString } from './rdb-reader.js';
import { readCollection, type RestoredValue } from './rdb-value.js';

export type { RestoredValue } from './rdb-value.js';

/** RDB version written in our payloads (Redis 7.0's RDB_VERSION). */
export const DUMP_RDB_VERSION = 10;
/** The newest RDB version we read (Redis 7.2's, which adds set_listpack, type 20). */
export const MAX_RDB_VERSION = 11;

const RDB_TYPE_STRING = 0;
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const LEN_32 = 0x80;
const LEN_64 = 0x81;

/** Why a payload was refused, in Redis's two words for it. */
export type PayloadError = 'version-or-checksum' | 'bad-format';

function encodeLength(n: number): Buffer {
  if (n < 1 << 6) return Buffer.from([n]);
  if (n < 1 << 14) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = LEN_32;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = LEN_64;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

/** rdbTryIntegerEncoding: a value that prints back as itself and fits 32 bits is stored as an integer. */
function integerEncoding(v: Buffer): Buffer | null {
  if (v.length === 0 || v.length > 11) return null;
  const s = v.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const n = Number(s);
  if (n >= -128 && n <= 127) return Buffer.from([0xc0 | ENC_INT8, n & 0xff]);
  if (n >= -32768 && n <= 32767) {
    const b = Buffer.from([0xc0 | ENC_INT16, 0, 0]);
    b.writeInt16LE(n, 1);
    return b;
  }
  if (n >= -2147483648 && n <= 2147483647) {
    const b = Buffer.from([0xc0 | ENC_INT32, 0, 0, 0, 0]);
    b.writeInt32LE(n, 1);
    return b;
  }
  return null;
}

/** An RDB string: an integer encoding where one fits, else length and bytes. */
function rdbString(value: Buffer): Buffer[] {
  const int = integerEncoding(value);
  return int ? [int] : [encodeLength(value.length), value];
}

/** The DUMP payload of a string value. */
export function dumpString(value: Buffer): Buffer {
  return withFooter([Buffer.from([RDB_TYPE_STRING]), ...rdbString(value)]);
}

const RDB_TYPE_LIST = 1; // a plain list of strings: Redis 7 still loads it (into a quicklist)
const RDB_TYPE_SET = 2;
const RDB_TYPE_HASH = 4;
const RDB_TYPE_ZSET_2 = 5;

/**
 * The DUMP payload of a set (members), a hash (field, value, field, value ...) or a sorted set
 * (member, 8-byte little-endian score, ...) or a list (elements, head first), in the plain RDB forms every Redis reads
 * (RDB_TYPE_SET / RDB_TYPE_HASH / RDB_TYPE_LIST: a count, then RDB strings; RDB_TYPE_ZSET_2: a count, then each
 * member as an RDB string and its score as a binary double), as Redis writes a hashtable- or
 * skiplist-encoded one.
 */
export function dumpCollection(kind: 'set' | 'hash' | 'zset' | 'list', items: Buffer[]): Buffer {
  const type = kind === 'set' ? RDB_TYPE_SET : kind === 'hash' ? RDB_TYPE_HASH : kind === 'list' ? RDB_TYPE_LIST : RDB_TYPE_ZSET_2;
  const single = kind === 'set' || kind === 'list';
  const parts = [Buffer.from([type]), encodeLength(single ? items.length : items.length / 2)];
  for (let i = 0; i < items.length; i++) {
    if (kind === 'zset' && i % 2 === 1) parts.push(items[i]!);
    else parts.push(...rdbString(items[i]!));
  }
  return withFooter(parts);
}

function withFooter(parts: Buffer[]): Buffer {
  const footer = Buffer.alloc(10);
  footer.writeUInt16LE(DUMP_RDB_VERSION, 0);
  const head = Buffer.concat(parts);
  footer.writeBigUInt64LE(crc64(footer.subarray(0, 2), crc64(head)), 2);
  return Buffer.concat([head, footer]);
}

/**
 * The payload's body (type byte and value, without the footer), or 'version-or-checksum' for a
 * version newer than we read or a wrong CRC (checked first, as verifyDumpPayload does).
 */
function payloadBody(payload: Buffer): Buffer | 'version-or-checksum' {
  if (payload.length < 10) return 'version-or-checksum';
  const footer = payload.length - 10;
  const version = payload.readUInt16LE(footer);
  if (version > MAX_RDB_VERSION) return 'version-or-checksum';
  if (crc64(payload.subarray(0, payload.length - 8)) !== payload.readBigUInt64LE(footer + 2)) return 'version-or-checksum';
  return payload.subarray(0, footer);
}

/**
 * The string value of a DUMP payload, or why it is refused: the version or CRC
 * ('version-or-checksum'), then anything but one well-formed string value ('bad-format': other
 * types, corrupt or truncated data, trailing bytes).
 */
export function restoreString(payload: Buffer): Buffer | PayloadError {
  const body = payloadBody(payload);
  if (typeof body === 'string') return body;
  const r = new Reader(body);
  if (r.byte() !== RDB_TYPE_STRING) return 'bad-format';
  const value = readString(r);
  if (value === null || r.pos !== body.length) return 'bad-format';
  return value;
}

/**
 * The value of a DUMP payload of any type we hold (rdb-value.ts reads the collection forms), or why
 * it is refused: 'version-or-checksum' as restoreString, then 'bad-format' for anything malformed,
 * an empty collection, duplicate members or fields, a NaN score, or bytes left after the value.
 */
export function restorePayload(payload: Buffer): RestoredValue | PayloadError {
  const body = payloadBody(payload);
  if (typeof body === 'string') return body;
  const r = new Reader(body);
  const type = r.byte();
  if (type === null) return 'bad-format';
  let value: RestoredValue | null;
  if (type === RDB_TYPE_STRING) {
    const v = readString(r);
    value = v === null ? null : { type: 'string', value: v };
  } else {
    value = readCollection(type, r);
  }
  if (value === null || r.pos !== body.length) return 'bad-format';
  return value;
}

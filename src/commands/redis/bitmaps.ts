// Redis bitmap commands (bitops.c, as in Redis 7.0) over string values: SETBIT GETBIT BITCOUNT
// BITPOS BITOP BITFIELD BITFIELD_RO. Argument checks run in Redis's order, so the same bad call
// gets the same error; the bit arithmetic itself is in bits.ts. Writes go through setRange with only
// the bytes that change (it zero-pads and creates the key, as Redis's sdsgrowzero does), except
// BITOP, which replaces the destination.
import { ErrorReply, type Reply } from '../../protocol/resp/reply.js';
import { NOT_INTEGER, SYNTAX_ERR } from '../../protocol/resp/errors.js';
import { optIs, parseLongLong, protoMaxBulkLen } from './args.js';
import { addSigned, addUnsigned, countBits, findBit, getSigned, getUnsigned, setField, type Overflow } from './bits.js';
import type { CommandContext, CommandFlag, CommandSpec } from './types.js';

const BIT_OFFSET_ERR = new ErrorReply('ERR bit offset is not an integer or out of range');
const BIT_VALUE_ERR = new ErrorReply('ERR bit is not an integer or out of range');
const BIT_ARG_ERR = new ErrorReply('ERR The bit argument must be 1 or 0.');
const BITFIELD_TYPE_ERR = new ErrorReply('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
const OVERFLOW_TYPE_ERR = new ErrorReply('ERR Invalid OVERFLOW type specified');
const BITOP_NOT_ERR = new ErrorReply('ERR BITOP NOT must be called with a single source key.');
const BITFIELD_RO_ERR = new ErrorReply('ERR BITFIELD_RO only supports the GET subcommand');

const EMPTY = Buffer.alloc(0);
const HASH = 0x23; // '#'

/**
 * getBitOffsetFromArgument: a non-negative int64 whose byte is below proto-max-bulk-len. With
 * `bits` (BITFIELD), "#N" means N * bits, multiplied in C's int64 (so a huge N wraps, then fails
 * the sign check or not, exactly as in Redis).
 */
function bitOffset(ctx: CommandContext, arg: Buffer, bits = 0): number | ErrorReply {
  const useHash = bits > 0 && arg.length > 0 && arg[0] === HASH;
  let v = parseLongLong(useHash ? arg.subarray(1) : arg);
  if (v === null) return BIT_OFFSET_ERR;
  if (useHash) v = BigInt.asIntN(64, v * BigInt(bits));
  if (v < 0n || v >> 3n >= BigInt(protoMaxBulkLen(ctx))) return BIT_OFFSET_ERR;
  return Number(v);
}

function setbit(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = bitOffset(ctx, argv[2]!);
  if (offset instanceof ErrorReply) return offset;
  const on = parseLongLong(argv[3]!);
  if (on === null || (on & ~1n) !== 0n) return BIT_VALUE_ERR;
  // The store writes when the string grows (or is created) or the bit flips, as Redis does; a
  // large value is changed in place rather than copied.
  return ctx.store.setBit(argv[1]!, Math.floor(offset / 8), 1 << (7 - (offset % 8)), on === 1n) ? 1 : 0;
}

function getbit(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = bitOffset(ctx, argv[2]!);
  if (offset instanceof ErrorReply) return offset;
  // One byte is read, not the whole value.
  const byte = ctx.store.stringRange(argv[1]!, Math.floor(offset / 8), 1);
  if (byte === null || byte.length === 0) return 0;
  return (byte[0]! >> (7 - (offset % 8))) & 1;
}

/** The BIT|BYTE word of BITCOUNT/BITPOS: true for BIT, null when it is neither. */
function unitIsBit(arg: Buffer): boolean | null {
  if (optIs(arg, 'bit')) return true;
  if (optIs(arg, 'byte')) return false;
  return null;
}

/**
 * Redis's index normalisation for BITCOUNT/BITPOS: negative counts from the end, then clamped to
 * [0, total-1]. Returns bit positions [start, end] (start > end means an empty range).
 */
function bitRange(start: bigint, end: bigint, length: number, isBit: boolean): [number, number] {
  const total = BigInt(isBit ? length * 8 : length);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  if (start > end) return [1, 0];
  return isBit ? [Number(start), Number(end)] : [Number(start) * 8, Number(end) * 8 + 7];
}

/**
 * The bytes holding bits [from, to] of the value, read out of the pool alone (a range of a large
 * bitmap costs its range), and the bit offset of the first of them.
 */
function bitsOf(ctx: CommandContext, key: Buffer, from: number, to: number): [Buffer, number] {
  const first = Math.floor(from / 8);
  return [ctx.store.stringRange(key, first, Math.floor(to / 8) - first + 1) ?? EMPTY, first * 8];
}

/** BITCOUNT key [start end [BYTE|BIT]]. Redis 7.0 looks the key up first: a missing key is 0 whatever the arguments. */
function bitcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const length = ctx.store.stringLookup(argv[1]!);
  if (length < 0) return 0;
  if (argv.length === 2) {
    const [bytes] = bitsOf(ctx, argv[1]!, 0, length * 8 - 1);
    return countBits(bytes, 0, length * 8 - 1);
  }
  if (argv.length !== 4 && argv.length !== 5) return SYNTAX_ERR;
  const start = parseLongLong(argv[2]!);
  if (start === null) return NOT_INTEGER;
  const end = parseLongLong(argv[3]!);
  if (end === null) return NOT_INTEGER;
  // Checked before the unit word, as in Redis 7.0: "-1 -2 junk" is 0, not a syntax error.
  if (start < 0n && end < 0n && start > end) return 0;
  let isBit = false;
  if (argv.length === 5) {
    const unit = unitIsBit(argv[4]!);
    if (unit === null) return SYNTAX_ERR;
    isBit = unit;
  }
  const [from, to] = bitRange(start, end, length, isBit);
  if (from > to) return 0;
  const [bytes, base] = bitsOf(ctx, argv[1]!, from, to);
  return countBits(bytes, from - base, to - base);
}

/** BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is all zeros: 0 for a clear bit, -1 for a set one. */
function bitpos(ctx: CommandContext, argv: Buffer[]): Reply {
  const bitArg = parseLongLong(argv[2]!);
  if (bitArg === null) return NOT_INTEGER;
  if (bitArg !== 0n && bitArg !== 1n) return BIT_ARG_ERR;
  const bit = bitArg === 1n ? 1 : 0;
  const length = ctx.store.stringLookup(argv[1]!);
  if (length < 0) return bit ? -1 : 0;
  let from: number;
  let to: number;
  let endGiven = false;
  if (argv.length === 3) {
    from = 0;
    to = length * 8 - 1;
  } else if (argv.length <= 6) {
    const start = parseLongLong(argv[3]!);
    if (start === null) return NOT_INTEGER;
    let isBit = false;
    if (argv.length === 6) {
      const unit = unitIsBit(argv[5]!);
      if (unit === null) return SYNTAX_ERR;
      isBit = unit;
    }
    let end: bigint;
    if (argv.length >= 5) {
      const e = parseLongLong(argv[4]!);
      if (e === null) return NOT_INTEGER;
      end = e;
      endGiven = true;
    } else {
      end = BigInt(length * (isBit ? 8 : 1)) - 1n; // to the end of the string
    }
    [from, to] = bitRange(start, end, length, isBit);
  } else {
    return SYNTAX_ERR;
  }
  if (from > to) return -1; // an empty range holds neither a 0 nor a 1
  const [bytes, base] = bitsOf(ctx, argv[1]!, from, to);
  const found = findBit(bytes, bit, from - base, to - base);
  if (found >= 0) return found + base;
  // Without an explicit end the string counts as padded with zeros on the right.
  return bit === 0 && !endGiven ? to + 1 : -1;
}

type BitopKind = 'and' | 'or' | 'xor' | 'not';

/** BITOP op destkey key [key ...]: missing keys are empty strings, shorter ones are zero-padded. */
function bitop(ctx: CommandContext, argv: Buffer[]): Reply {
  const opArg = argv[1]!;
  const op: BitopKind | null = optIs(opArg, 'and') ? 'and' : optIs(opArg, 'or') ? 'or' : optIs(opArg, 'xor') ? 'xor' : optIs(opArg, 'not') ? 'not' : null;
  if (op === null) return SYNTAX_ERR;
  if (op === 'not' && argv.length !== 4) return BITOP_NOT_ERR;
  const sources: Buffer[] = [];
  let maxLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = ctx.store.stringValue(argv[j]!) ?? EMPTY;
    sources.push(v);
    if (v.length > maxLen) maxLen = v.length;
  }
  const dest = argv[2]!;
  if (maxLen === 0) {
    ctx.store.delete(dest);
    return 0;
  }
  const out = Buffer.alloc(maxLen);
  const first = sources[0]!;
  for (let i = 0; i < maxLen; i++) {
    let acc = i < first.length ? first[i]! : 0;
    if (op === 'not') acc = ~acc & 0xff;
    for (let k = 1; k < sources.length; k++) {
      const s = sources[k]!;
      const b = i < s.length ? s[i]! : 0;
      if (op === 'and') acc &= b;
      else if (op === 'or') acc |= b;
      else acc ^= b;
    }
    out[i] = acc;
  }
  ctx.store.set(dest, out);
  return maxLen;
}

interface FieldOp {
  kind: 'get' | 'set' | 'incrby';
  signed: boolean;
  bits: number;
  offset: number;
  /** SET value / INCRBY increment (int64). */
  arg: bigint;
  overflow: Overflow;
}

/** getBitfieldTypeFromArgument: 'i' 1..64 or 'u' 1..63 (case-sensitive; the digits end at a NUL, as strlen does). */
function fieldType(arg: Buffer): { signed: boolean; bits: number } | null {
  const sign = arg[0];
  if (sign !== 0x69 && sign !== 0x75) return null;
  const nul = arg.indexOf(0, 1);
  const bits = parseLongLong(arg.subarray(1, nul < 0 ? arg.length : nul));
  const signed = sign === 0x69;
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) return null;
  return { signed, bits: Number(bits) };
}

/** Parses every subcommand first (any error means nothing runs), as bitfieldGeneric does. */
function parseFieldOps(ctx: CommandContext, argv: Buffer[]): FieldOp[] | ErrorReply {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!;
    let kind: FieldOp['kind'];
    if (optIs(sub, 'get') && rem >= 2) kind = 'get';
    else if (optIs(sub, 'set') && rem >= 3) kind = 'set';
    else if (optIs(sub, 'incrby') && rem >= 3) kind = 'incrby';
    else if (optIs(sub, 'overflow') && rem >= 1) {
      const word = argv[++j]!;
      if (optIs(word, 'wrap')) overflow = 'wrap';
      else if (optIs(word, 'sat')) overflow = 'sat';
      else if (optIs(word, 'fail')) overflow = 'fail';
      else return OVERFLOW_TYPE_ERR;
      continue;
    } else return SYNTAX_ERR;
    const type = fieldType(argv[j + 1]!);
    if (type === null) return BITFIELD_TYPE_ERR;
    const offset = bitOffset(ctx, argv[j + 2]!, type.bits);
    if (offset instanceof ErrorReply) return offset;
    let arg = 0n;
    if (kind !== 'get') {
      const v = parseLongLong(argv[j + 3]!);
      if (v === null) return NOT_INTEGER;
      arg = v;
    }
    ops.push({ kind, signed: type.signed, bits: type.bits, offset, arg, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  return ops;
}

/** One SET/INCRBY on buf (already long enough): the reply, and buf updated unless FAIL refused it. */
function applyWrite(buf: Buffer, op: FieldOp): Reply {
  const old = op.signed ? getSigned(buf, op.offset, op.bits) : getUnsigned(buf, op.offset, op.bits);
  const add = op.signed ? addSigned : addUnsigned;
  // SET checks the new value alone (incr 0); an unsigned SET sees the int64 argument as uint64.
  const checked = op.kind === 'incrby' ? add(old, op.arg, op.bits, op.overflow) : add(op.signed ? op.arg : BigInt.asUintN(64, op.arg), 0n, op.bits, op.overflow);
  if (checked.overflow !== 0 && op.overflow === 'fail') return null;
  setField(buf, op.offset, op.bits, checked.value);
  return op.kind === 'incrby' ? checked.value : old;
}

function bitfieldGeneric(ctx: CommandContext, argv: Buffer[], readOnlyCommand: boolean): Reply {
  const ops = parseFieldOps(ctx, argv);
  if (ops instanceof ErrorReply) return ops;
  const key = argv[1]!;
  let highestBit = -1; // of the writes
  let lo = Infinity; // of every field
  let hi = -1;
  for (const op of ops) {
    if (op.kind !== 'get') highestBit = Math.max(highestBit, op.offset + op.bits - 1);
    lo = Math.min(lo, op.offset);
    hi = Math.max(hi, op.offset + op.bits - 1);
  }
  // Only the bytes the fields touch are read out of the pool (a window from byte `first`), not
  // the whole value; bits past the value's end read as 0.
  const first = Math.floor(lo / 8);
  const base = first * 8;
  const window = ctx.store.stringRange(key, first, Math.floor(hi / 8) - first + 1);
  const valueLength = window === null ? 0 : ctx.store.lastLength;
  const original = window ?? EMPTY;
  const read = (buf: Buffer, op: FieldOp): Reply =>
    op.signed ? getSigned(buf, op.offset - base, op.bits) : getUnsigned(buf, op.offset - base, op.bits);
  if (highestBit < 0) return ops.map((op) => read(original, op));
  if (readOnlyCommand) return BITFIELD_RO_ERR;

  // Redis grows the string to the farthest bit written before running anything, so even an
  // all-FAIL call creates or pads the key. The window covers the growth (the farthest write is in
  // it); a GET past the new end reads zeros without growing it.
  const newLength = Math.max(valueLength, Math.floor(highestBit / 8) + 1);
  const work = Buffer.alloc(Math.min(newLength, Math.floor(hi / 8) + 1) - first);
  original.copy(work);
  const replies: Reply[] = ops.map((op) => (op.kind === 'get' ? read(work, op) : applyWrite(work, { ...op, offset: op.offset - base })));
  writeChanges(ctx, key, first, original, work, newLength > valueLength);
  return replies;
}

/**
 * Writes the span of the window (from byte `first`) that differs from the stored bytes, plus any
 * growth; SETRANGE zero-pads a gap between the old end and the window.
 */
function writeChanges(ctx: CommandContext, key: Buffer, first: number, original: Buffer, work: Buffer, grows: boolean): void {
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < original.length; i++) {
    if (original[i] !== work[i]) {
      if (lo < 0) lo = i;
      hi = i;
    }
  }
  if (grows) {
    if (lo < 0) lo = original.length;
    hi = work.length - 1;
  }
  if (lo >= 0) ctx.store.setRange(key, first + lo, work.subarray(lo, hi + 1));
}

function spec(name: string, arity: number, flags: CommandFlag[], handler: CommandSpec['handler'], firstKey = 1, lastKey = 1, step = 1): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, handler };
}

// Arity, flags and key positions as Redis 7 COMMAND INFO reports them.
export const bitmapCommands: CommandSpec[] = [
  spec('setbit', 4, ['write', 'denyoom'], setbit),
  spec('getbit', 3, ['readonly', 'fast'], getbit),
  spec('bitcount', -2, ['readonly'], bitcount),
  spec('bitpos', -3, ['readonly'], bitpos),
  spec('bitop', -4, ['write', 'denyoom'], bitop, 2, -1, 1),
  spec('bitfield', -2, ['write', 'denyoom'], (ctx, argv) => bitfieldGeneric(ctx, argv, false)),
  spec('bitfield_ro', -2, ['readonly', 'fast'], (ctx, argv) => bitfieldGeneric(ctx, argv, true)),
];

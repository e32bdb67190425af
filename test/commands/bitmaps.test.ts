// The bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) of a real
// `daxcache serve` (dist/, built first) against a real redis-server: each script runs on an empty
// keyspace on both and every reply must be the same on the wire. Also: a bitmap set over RESP
// (through redis-cli) reads back over memcached.
import { describe, it, expect } from 'vitest';
import { McSocket, runTool } from '../memcache/helpers.js';
import { RespClient } from './resp-client.js';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { rng } from './unordered.js';

type Arg = string | Buffer;
const B = (s: string) => Buffer.from(s, 'latin1');
const BIN = B('\x00\xff\x0f\xf0\x55\xaa');

const scripts: Record<string, Arg[][]> = {
  'setbit / getbit': [
    ['setbit', 'k', '7', '1'],
    ['get', 'k'],
    ['getbit', 'k', '7'],
    ['getbit', 'k', '6'],
    ['getbit', 'k', '100'],
    ['getbit', 'missing', '0'],
    ['setbit', 'k', '7', '1'],
    ['setbit', 'k', '7', '0'],
    ['get', 'k'],
    ['setbit', 'k', '0', '1'],
    ['setbit', 'k', '100', '1'],
    ['strlen', 'k'],
    ['get', 'k'],
    ['setbit', 'k', '100', '0'],
    ['strlen', 'k'],
    ['setbit', 'z', '40', '0'], // clearing a bit still creates and pads the key
    ['get', 'z'],
    ['set', 's', 'foobar'],
    ['setbit', 's', '1', '0'],
    ['get', 's'],
    ['setbit', 's', '-1', '1'],
    ['setbit', 's', 'abc', '1'],
    ['setbit', 's', '1.5', '1'],
    ['setbit', 's', '1', '2'],
    ['setbit', 's', '1', '-1'],
    ['setbit', 's', '1', 'x'],
    ['setbit', 's', '1', ''],
    ['setbit', 's', ' 1', '1'],
    ['getbit', 's', '-1'],
    ['getbit', 's', 'x'],
    ['getbit', 's', '4294967296'],
    ['setbit', 's', '4294967296', '1'],
    ['setbit', 's', '9223372036854775807', '1'],
    ['setbit', 's', '99999999999999999999', '1'],
    ['getbit', 's', '4294967295'],
    ['setbit', 's'],
    ['getbit', 's'],
    ['set', 'n', '12345'],
    ['getbit', 'n', '2'],
    ['setbit', 'n', '7', '0'],
    ['get', 'n'],
    ['set', 't', 'v', 'ex', '1000'],
    ['setbit', 't', '3', '1'],
    ['ttl', 't'],
    ['bitfield', 't', 'set', 'u8', '16', '7'],
    ['ttl', 't'],
    ['get', 't'],
  ],
  'bitcount': [
    ['bitcount', 'missing'],
    ['bitcount', 'missing', '0', '-1'],
    ['bitcount', 'missing', 'a', 'b'],
    ['bitcount', 'missing', '1'],
    ['set', 's', 'foobar'],
    ['bitcount', 's'],
    ['bitcount', 's', '0', '0'],
    ['bitcount', 's', '1', '1'],
    ['bitcount', 's', '0', '-1'],
    ['bitcount', 's', '-2', '-1'],
    ['bitcount', 's', '-100', '100'],
    ['bitcount', 's', '-1', '-2'],
    ['bitcount', 's', '-1', '-2', 'junk'],
    ['bitcount', 's', '-100', '-200'],
    ['bitcount', 's', '3', '1'],
    ['bitcount', 's', '5', '100'],
    ['bitcount', 's', '6', '100'],
    ['bitcount', 's', '0', '0', 'byte'],
    ['bitcount', 's', '0', '0', 'BYTE'],
    ['bitcount', 's', '1', '1', 'bit'],
    ['bitcount', 's', '5', '30', 'BIT'],
    ['bitcount', 's', '3', '3', 'bit'],
    ['bitcount', 's', '-5', '-1', 'bit'],
    ['bitcount', 's', '-100', '-3', 'bit'],
    ['bitcount', 's', '7', '8', 'bit'],
    ['bitcount', 's', '0', '47', 'bit'],
    ['bitcount', 's', '0', '1000', 'bit'],
    ['bitcount', 's', '9', '2', 'bit'],
    ['bitcount', 's', '0', '1', 'bits'],
    ['bitcount', 's', '0', '1', 'bit\0'],
    ['bitcount', 's', '0'],
    ['bitcount', 's', '0', '1', 'bit', 'x'],
    ['bitcount', 's', 'a', '1'],
    ['bitcount', 's', '1', 'a'],
    ['bitcount', 's', '1', '99999999999999999999'],
    ['bitcount', 's', '-9223372036854775808', '9223372036854775807'],
    ['bitcount', 's', '-9223372036854775808', '9223372036854775807', 'bit'],
    ['set', 'e', ''],
    ['bitcount', 'e'],
    ['bitcount', 'e', '0', '-1'],
    ['bitcount', 'e', '0', '-1', 'bit'],
    ['set', 'b', BIN],
    ['bitcount', 'b'],
    ['bitcount', 'b', '1', '4'],
    ['bitcount', 'b', '4', '44', 'bit'],
    ['bitcount'],
  ],
  'bitpos': [
    ['bitpos', 'missing', '1'],
    ['bitpos', 'missing', '0'],
    ['bitpos', 'missing', '1', 'abc'],
    ['bitpos', 'missing', '2'],
    ['bitpos', 'missing', 'x'],
    ['set', 'ones', B('\xff\xf0\x00')],
    ['bitpos', 'ones', '0'],
    ['bitpos', 'ones', '1'],
    ['bitpos', 'ones', '0', '0'],
    ['bitpos', 'ones', '0', '1'],
    ['bitpos', 'ones', '1', '2'],
    ['bitpos', 'ones', '1', '1', '-1'],
    ['bitpos', 'ones', '0', '0', '0'],
    ['bitpos', 'ones', '0', '-1'],
    ['bitpos', 'ones', '0', '3'],
    ['bitpos', 'ones', '0', '2', '1'],
    ['bitpos', 'ones', '1', '7', '15', 'bit'],
    ['bitpos', 'ones', '0', '7', '15', 'bit'],
    ['bitpos', 'ones', '0', '0', '11', 'bit'],
    ['bitpos', 'ones', '0', '3', '5', 'BIT'],
    ['bitpos', 'ones', '0', '-13', '-1', 'bit'],
    ['bitpos', 'ones', '1', '-12', '-1', 'bit'],
    ['bitpos', 'ones', '1', '12', '-1', 'bit'],
    ['bitpos', 'ones', '0', '0', '-1', 'byte'],
    ['bitpos', 'ones', '1', '5', '2', 'bit'],
    ['bitpos', 'ones', '0', '0', '1', 'bits'],
    ['bitpos', 'ones', '0', '0', 'x', 'bits'],
    ['bitpos', 'ones', '0', 'x'],
    ['bitpos', 'ones', '0', '0', 'x'],
    ['bitpos', 'ones', '0', '0', '1', 'bit', 'x'],
    ['bitpos', 'ones', '2'],
    ['bitpos', 'ones', '-1'],
    ['set', 'all', B('\xff\xff\xff')],
    ['bitpos', 'all', '0'],
    ['bitpos', 'all', '0', '1'],
    ['bitpos', 'all', '0', '1', '-1'],
    ['bitpos', 'all', '0', '3', '-1', 'bit'],
    ['bitpos', 'all', '0', '3', '-1', 'byte'],
    ['bitpos', 'all', '1', '100'],
    ['bitpos', 'all', '0', '100'],
    ['set', 'zero', B('\x00\x00\x00')],
    ['bitpos', 'zero', '1'],
    ['bitpos', 'zero', '0', '1'],
    ['bitpos', 'zero', '1', '0', '-1', 'bit'],
    ['set', 'e', ''],
    ['bitpos', 'e', '0'],
    ['bitpos', 'e', '1'],
    ['bitpos', 'e', '0', '0'],
    ['set', 's', 'foobar'],
    ['bitpos', 's', '1', '2', '-1'],
    ['bitpos', 's', '0', '5', '40', 'bit'],
    ['bitpos', 's', '1', '-9223372036854775808', '9223372036854775807', 'bit'],
    ['bitpos'],
    ['bitpos', 's'],
  ],
  'bitop': [
    ['set', 'a', 'foobar'],
    ['set', 'b', 'abcdef'],
    ['set', 'c', B('\xff')],
    ['bitop', 'and', 'd', 'a', 'b'],
    ['get', 'd'],
    ['bitop', 'OR', 'd', 'a', 'b', 'c'],
    ['get', 'd'],
    ['bitop', 'xor', 'd', 'a', 'c'],
    ['get', 'd'],
    ['bitop', 'Not', 'd', 'a'],
    ['get', 'd'],
    ['bitop', 'and', 'd', 'a', 'missing'],
    ['get', 'd'],
    ['bitop', 'or', 'd', 'missing', 'c'],
    ['get', 'd'],
    ['bitop', 'and', 'd', 'c', 'a'],
    ['get', 'd'],
    ['bitop', 'not', 'd', 'missing'],
    ['exists', 'd'],
    ['set', 'd', 'x'],
    ['bitop', 'or', 'd', 'missing', 'missing2'],
    ['exists', 'd'],
    ['set', 'e', ''],
    ['set', 'd', 'x'],
    ['bitop', 'xor', 'd', 'e', 'missing'],
    ['exists', 'd'],
    ['bitop', 'not', 'd', 'a', 'b'],
    ['bitop', 'nand', 'd', 'a'],
    ['bitop', 'and\0', 'd', 'a'],
    ['bitop', 'and', 'd'],
    ['bitop', 'and', 'a', 'a', 'b'],
    ['get', 'a'],
    ['set', 't', 'v', 'ex', '1000'],
    ['bitop', 'or', 't', 'b'],
    ['ttl', 't'],
    ['bitop', 'xor', 'x', 'a', 'a'],
    ['get', 'x'],
  ],
  'bitfield get/set/incrby': [
    ['bitfield', 'missing', 'get', 'u8', '0'],
    ['exists', 'missing'],
    ['bitfield', 'k'],
    ['bitfield', 'k', 'set', 'i8', '0', '100'],
    ['bitfield', 'k', 'get', 'i8', '0', 'get', 'u4', '0', 'get', 'i4', '4', 'get', 'u1', '1'],
    ['bitfield', 'k', 'incrby', 'i8', '0', '27'],
    ['bitfield', 'k', 'incrby', 'i8', '0', '1'],
    ['bitfield', 'k', 'incrby', 'u2', '100', '1', 'get', 'u2', '100'],
    ['strlen', 'k'],
    ['bitfield', 'k', 'set', 'u8', '#1', '255', 'get', 'u8', '#1', 'set', 'i16', '#2', '-1', 'get', 'u16', '#2'],
    ['get', 'k'],
    ['bitfield', 'k', 'SET', 'u5', '3', '31', 'GET', 'u5', '3', 'Get', 'i5', '3'],
    ['bitfield', 'k', 'set', 'u8', '0', '256'],
    ['bitfield', 'k', 'set', 'u8', '0', '-1', 'get', 'u8', '0'],
    ['bitfield', 'k', 'set', 'i8', '0', '128', 'get', 'i8', '0'],
    ['bitfield', 'k', 'set', 'i8', '0', '-129', 'get', 'i8', '0'],
    ['bitfield', 'w', 'set', 'i64', '0', '9223372036854775807', 'get', 'i64', '0', 'get', 'u63', '0', 'get', 'u63', '1'],
    ['bitfield', 'w', 'incrby', 'i64', '0', '1'],
    ['bitfield', 'w', 'incrby', 'i64', '0', '-1'],
    ['bitfield', 'w', 'set', 'u63', '3', '9223372036854775807', 'get', 'u63', '3', 'get', 'i64', '2'],
    ['bitfield', 'w', 'incrby', 'u63', '3', '1', 'incrby', 'u63', '3', '-1'],
    ['bitfield', 'w', 'set', 'i64', '61', '-9223372036854775808', 'get', 'i64', '61', 'get', 'i1', '61'],
    ['get', 'w'],
    ['bitfield', 'w', 'set', 'i1', '0', '1', 'get', 'i1', '0', 'set', 'u1', '1', '1', 'get', 'u1', '1'],
    ['bitfield', 'x', 'get', 'i64', '#1', 'get', 'u63', '#2', 'incrby', 'i64', '#1', '-5', 'get', 'i64', '#1'],
    ['strlen', 'x'],
    ['bitfield', 'y', 'incrby', 'u3', '#0', '9', 'incrby', 'u3', '#1', '-1', 'incrby', 'i3', '#2', '4', 'incrby', 'i3', '#3', '-5'],
    ['get', 'y'],
    ['set', 'n', '1234'],
    ['bitfield', 'n', 'incrby', 'u8', '0', '1'],
    ['get', 'n'],
  ],
  'bitfield windows: fields far apart, past the end, gaps': [
    ['set', 'w', 'abcdefghijklmnopqrstuvwxyz'],
    ['bitfield', 'w', 'get', 'u8', '0', 'get', 'u8', '200', 'set', 'u8', '#3', '65'],
    ['get', 'w'],
    ['bitfield', 'w', 'get', 'u16', '1000', 'set', 'u4', '100', '15'],
    ['get', 'w'],
    ['bitfield', 'w', 'set', 'u8', '400', '7', 'get', 'i8', '0'],
    ['strlen', 'w'],
    ['get', 'w'],
    ['bitfield', 'gap', 'set', 'u8', '80', '255'],
    ['get', 'gap'],
    ['bitfield', 'gap', 'incrby', 'u8', '160', '0', 'get', 'u8', '80'],
    ['get', 'gap'],
    ['bitfield', 'w', 'set', 'u8', '8', '98'],
    ['get', 'w'],
    ['bitfield_ro', 'w', 'get', 'u8', '8', 'get', 'u8', '9999'],
  ],
  'bitfield overflow': [
    ['bitfield', 'k', 'set', 'u8', '0', '250', 'incrby', 'u8', '0', '10'],
    ['bitfield', 'k', 'overflow', 'sat', 'incrby', 'u8', '0', '300', 'incrby', 'u8', '0', '-1000'],
    ['bitfield', 'k', 'overflow', 'fail', 'incrby', 'u8', '0', '256', 'get', 'u8', '0', 'incrby', 'u8', '0', '-1', 'incrby', 'u8', '0', '255'],
    ['bitfield', 'k', 'overflow', 'wrap', 'incrby', 'u8', '0', '-1', 'overflow', 'sat', 'incrby', 'u8', '0', '-1', 'overflow', 'fail', 'incrby', 'u8', '0', '2'],
    ['bitfield', 's', 'overflow', 'sat', 'set', 'i8', '0', '200', 'get', 'i8', '0', 'set', 'i8', '0', '-200', 'get', 'i8', '0'],
    ['bitfield', 's', 'overflow', 'fail', 'set', 'i8', '0', '200', 'get', 'i8', '0', 'set', 'i8', '0', '-128', 'get', 'i8', '0'],
    ['bitfield', 's', 'overflow', 'sat', 'set', 'i3', '0', '-9223372036854775805', 'get', 'i3', '0'],
    ['bitfield', 's', 'overflow', 'sat', 'set', 'u8', '0', '-1', 'get', 'u8', '0'],
    ['bitfield', 's', 'overflow', 'fail', 'set', 'u8', '0', '-1', 'get', 'u8', '0'],
    ['bitfield', 's', 'OVERFLOW', 'SAT', 'incrby', 'i8', '0', '1000', 'incrby', 'i8', '0', '-1000', 'incrby', 'i8', '0', '9223372036854775807'],
    ['bitfield', 'i', 'overflow', 'sat', 'set', 'i64', '0', '9223372036854775807', 'incrby', 'i64', '0', '1', 'incrby', 'i64', '0', '-9223372036854775808', 'incrby', 'i64', '0', '-9223372036854775808', 'incrby', 'i64', '0', '-9223372036854775808'],
    ['bitfield', 'i', 'overflow', 'wrap', 'set', 'i64', '0', '9223372036854775807', 'incrby', 'i64', '0', '1', 'incrby', 'i64', '0', '-1'],
    ['bitfield', 'i', 'overflow', 'fail', 'set', 'i64', '0', '-9223372036854775808', 'incrby', 'i64', '0', '-1', 'incrby', 'i64', '0', '9223372036854775807', 'incrby', 'i64', '0', '1'],
    ['bitfield', 'u', 'overflow', 'sat', 'incrby', 'u63', '0', '9223372036854775807', 'incrby', 'u63', '0', '1', 'incrby', 'u63', '0', '-9223372036854775808'],
    ['bitfield', 'u', 'overflow', 'wrap', 'incrby', 'u63', '0', '-1', 'incrby', 'u63', '0', '2'],
    ['bitfield', 'f', 'overflow', 'fail', 'incrby', 'u2', '100', '10'], // FAIL writes nothing, yet the key is created and padded
    ['get', 'f'],
    ['set', 'g', 'ab'],
    ['bitfield', 'g', 'overflow', 'fail', 'set', 'i4', '40', '100'],
    ['get', 'g'],
    ['bitfield', 'u1', 'incrby', 'u1', '0', '1', 'incrby', 'u1', '0', '1', 'overflow', 'sat', 'incrby', 'u1', '0', '5'],
    ['bitfield', 'i1', 'incrby', 'i1', '0', '1', 'incrby', 'i1', '0', '-1', 'overflow', 'sat', 'incrby', 'i1', '0', '5'],
  ],
  'bitfield errors': [
    ['set', 'k', 'hello'],
    ['bitfield', 'k', 'get', 'u64', '0'],
    ['bitfield', 'k', 'get', 'i65', '0'],
    ['bitfield', 'k', 'get', 'i0', '0'],
    ['bitfield', 'k', 'get', 'u0', '0'],
    ['bitfield', 'k', 'get', 'I8', '0'],
    ['bitfield', 'k', 'get', 'U8', '0'],
    ['bitfield', 'k', 'get', 'x8', '0'],
    ['bitfield', 'k', 'get', '', '0'],
    ['bitfield', 'k', 'get', 'i', '0'],
    ['bitfield', 'k', 'get', 'i-8', '0'],
    ['bitfield', 'k', 'get', 'i8\0x', '0'],
    ['bitfield', 'k', 'get', 'i 8', '0'],
    ['bitfield', 'k', 'get', 'u8', '-1'],
    ['bitfield', 'k', 'get', 'u8', 'x'],
    ['bitfield', 'k', 'get', 'u8', '#-1'],
    ['bitfield', 'k', 'get', 'u8', '#'],
    ['bitfield', 'k', 'get', 'u8', '##1'],
    ['bitfield', 'k', 'get', 'u8', '4294967296'],
    ['bitfield', 'k', 'get', 'u8', '4294967295'],
    ['bitfield', 'k', 'get', 'u8', '#536870912'],
    ['bitfield', 'k', 'get', 'u8', '#536870911'],
    ['bitfield', 'k', 'get', 'i64', '#1152921504606846976'],
    ['bitfield', 'k', 'get', 'i64', '#2305843009213693952'],
    ['bitfield', 'k', 'get', 'i64', '#288230376151711744'],
    ['bitfield', 'k', 'set', 'u8', '0'],
    ['bitfield', 'k', 'set', 'u8', '0', 'x'],
    ['bitfield', 'k', 'set', 'u8', '0', '1.5'],
    ['bitfield', 'k', 'incrby', 'u8', '0', '99999999999999999999'],
    ['bitfield', 'k', 'get', 'u8'],
    ['bitfield', 'k', 'get'],
    ['bitfield', 'k', 'foo', 'u8', '0'],
    ['bitfield', 'k', 'overflow'],
    ['bitfield', 'k', 'overflow', 'foo', 'get', 'u8', '0'],
    ['bitfield', 'k', 'get', 'u8', '0', 'overflow', 'foo'],
    ['bitfield', 'k', 'overflow', 'sat'],
    ['bitfield', 'k', 'set', 'u8', '0', '1', 'get', 'u64', '0'],
    ['get', 'k'],
    ['bitfield', 'k', 'get', 'u8', '0', 'bogus'],
    ['bitfield'],
  ],
  'bitfield_ro': [
    ['set', 'k', 'hello'],
    ['bitfield_ro', 'k', 'get', 'u8', '0', 'get', 'i16', '#1', 'get', 'u4', '1000'],
    ['bitfield_ro', 'missing', 'get', 'u8', '0'],
    ['bitfield_ro', 'k'],
    ['bitfield_ro', 'k', 'set', 'u8', '0', '1'],
    ['bitfield_ro', 'k', 'get', 'u8', '0', 'incrby', 'u8', '0', '1'],
    ['bitfield_ro', 'k', 'overflow', 'sat', 'get', 'u8', '0'],
    ['bitfield_ro', 'k', 'get', 'u64', '0'],
    ['bitfield_ro', 'k', 'set', 'u8', '0', 'x'],
    ['bitfield_ro', 'k', 'foo'],
    ['get', 'k'],
    ['bitfield_ro'],
  ],
  'huge offsets under a small proto-max-bulk-len': [
    ['config', 'set', 'proto-max-bulk-len', '1mb'],
    ['setbit', 'big', '8388608', '1'],
    ['getbit', 'big', '8388608'],
    ['bitfield', 'big', 'get', 'u8', '8388608'],
    ['bitfield', 'big', 'get', 'u8', '#1048576'],
    ['setbit', 'big', '8388607', '1'],
    ['strlen', 'big'],
    ['bitcount', 'big'],
    ['bitpos', 'big', '1'],
    ['bitpos', 'big', '1', '-1'],
    ['bitpos', 'big', '0', '-1'],
    ['bitfield', 'big', 'set', 'i64', '8388607', '-1', 'get', 'u63', '8388601'],
    ['strlen', 'big'],
    ['bitcount', 'big', '-2', '-1'],
    ['bitcount', 'big', '-20', '-1', 'bit'],
    ['bitop', 'not', 'inv', 'big'],
    ['bitcount', 'inv'],
    ['config', 'set', 'proto-max-bulk-len', '512mb'],
  ],
};

/** Random bitmap commands over a few keys: random buffers, ranges, units, types and modes. */
function randomScript(seed: number, length: number): Arg[][] {
  const r = rng(seed);
  const keys = ['a', 'b', 'c', 'missing'];
  const key = () => keys[r(keys.length)]!;
  const idx = () => String(r(2) ? r(60) - 30 : r(400) - 200);
  const unit = (): Arg[] => [[], ['bit'], ['byte']][r(3)]!;
  const type = () => (r(2) ? `i${1 + r(64)}` : `u${1 + r(63)}`);
  const offset = () => (r(4) === 0 ? `#${r(20)}` : String(r(200)));
  const int = () => String([r(600) - 300, 2 ** r(62) * (r(2) ? 1 : -1), r(2) ? '9223372036854775807' : '-9223372036854775808'][r(3)]!);
  const out: Arg[][] = [];
  for (const k of ['a', 'b', 'c']) {
    const bytes = Buffer.alloc(1 + r(24));
    for (let i = 0; i < bytes.length; i++) bytes[i] = [0, 255, r(256)][r(3)]!;
    out.push(['set', k, bytes]);
  }
  for (let i = 0; i < length; i++) {
    switch (r(7)) {
      case 0:
        out.push(['bitcount', key(), idx(), idx(), ...unit()]);
        break;
      case 1: {
        const args: Arg[] = ['bitpos', key(), String(r(2))];
        const n = r(4);
        if (n >= 1) args.push(idx());
        if (n >= 2) args.push(idx());
        if (n >= 3) args.push(...unit());
        out.push(args);
        break;
      }
      case 2:
        out.push(['setbit', key(), String(r(250)), String(r(2))]);
        break;
      case 3:
        out.push(['getbit', key(), String(r(250))]);
        break;
      case 4:
        out.push(['bitop', ['and', 'or', 'xor', 'not'][r(4)]!, key(), key(), ...(r(2) ? [key()] : [])]);
        break;
      default: {
        const args: Arg[] = ['bitfield', key()];
        const n = 1 + r(4);
        for (let j = 0; j < n; j++) {
          const op = r(4);
          if (op === 0) args.push('overflow', ['wrap', 'sat', 'fail'][r(3)]!);
          else if (op === 1) args.push('get', type(), offset());
          else args.push(op === 2 ? 'set' : 'incrby', type(), offset(), int());
        }
        out.push(args);
      }
    }
    if (r(10) === 0) out.push(['get', key()]);
  }
  for (const k of keys) out.push(['get', k]);
  return out;
}

for (let seed = 1; seed <= 8; seed++) scripts[`random script ${seed}`] = randomScript(seed, 150);

describe.runIf(haveRedisServer)('bitmap commands against a real redis-server', () => {
  const pair = useScriptedPair(scripts, { server: { memcached: true } });

  it('SETBITs on a large value are made in place, match Redis, and survive kill -9', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const big = Buffer.alloc(100_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131) & 0xff;
    await Promise.all([pair.dax.call('set', 'big', big), pair.ref.call('set', 'big', big)]);
    const inplace = async (): Promise<number> => {
      const info = ((await pair.dax.call('info', 'persistence')) as { b: string }).b;
      return Number(/inplace_writes:(\d+)/.exec(info)![1]);
    };
    const before = await inplace();
    for (let n = 0; n < 200; n++) {
      const cmd = ['setbit', 'big', String((n * 104_729) % (big.length * 8)), String(n & 1)];
      const [d, r] = await Promise.all([pair.dax.call(...cmd), pair.ref.call(...cmd)]);
      expect(d).toEqual(r);
    }
    const want = await pair.ref.call('get', 'big');
    expect(await pair.dax.call('get', 'big')).toEqual(want);
    expect(await inplace()).toBeGreaterThan(before + 50); // the bits that flipped
    pair.dax.close();
    await pair.servers.dax.kill9();
    await pair.servers.dax.restart();
    pair.dax = await RespClient.open(pair.servers.dax.port);
    expect(await pair.dax.call('get', 'big')).toEqual(want);
    const info = ((await pair.dax.call('info', 'persistence')) as { b: string }).b;
    expect(info).toMatch(/checksum_failures:0\r\n/);
  });

  it('a bitmap set with redis-cli reads back over memcached', async () => {
    const set = await runTool('redis-cli', ['-p', String(pair.servers.dax.port), 'setbit', 'clibit', '7', '1']);
    expect(set.stdout.trim()).toBe('0');
    const again = await runTool('redis-cli', ['-p', String(pair.servers.dax.port), 'getbit', 'clibit', '7']);
    expect(again.stdout.trim()).toBe('1');
    const mc = await McSocket.connect(pair.servers.dax.memcachedPort);
    try {
      expect(await mc.ask('get clibit\r\n', 3)).toEqual(['VALUE clibit 0 1', '\x01', 'END']);
    } finally {
      mc.close();
    }
  });

  it('a value set over memcached is a bitmap over RESP', async () => {
    const mc = await McSocket.connect(pair.servers.dax.memcachedPort);
    try {
      expect(await mc.ask('set mcbits 0 0 2\r\nab\r\n')).toEqual(['STORED']);
    } finally {
      mc.close();
    }
    expect(await pair.dax.call('bitcount', 'mcbits')).toEqual({ i: '6' });
    expect(await pair.dax.call('setbit', 'mcbits', '15', '1')).toEqual({ i: '0' });
    expect(await pair.dax.call('get', 'mcbits')).toEqual({ b: 'ac' });
  });
});

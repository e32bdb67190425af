// The set commands (SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN) of a real `daxcache serve`
// (dist/, built first) against a real redis-server 7.0: each script runs on an empty keyspace on
// both and every reply must be the same on the wire. Covered with them: arity and argument errors,
// WRONGTYPE both ways, the generic commands on a set (TYPE, OBJECT ENCODING, EXISTS, DEL, UNLINK,
// EXPIRE/TTL/PERSIST, RENAME, RENAMENX, COPY, SCAN TYPE, DBSIZE), what makes a member an integer,
// binary-safe members, sets past the intset bound, SPOP/SRANDMEMBER's random replies (checked by
// shape), SSCAN cursor loops and RESP3 (HELLO 3) replies.
//
// Order: in Redis 7.0 a set of integers only (at most 512 of them) is an intset, and SMEMBERS and
// SSCAN answer it in ascending numeric order: the scripts compare those raw. Any other set is a
// hashtable whose order is Redis's own, and so are the replies of SINTER, SUNION, SDIFF, and of
// SPOP/SRANDMEMBER with a count covering the set: those are put in a canonical order first
// (`members(...)`, `scan(...)` steps).
//
// Persistence of sets across restarts and kill -9, and memcached's view of a set key, are in
// hashes.test.ts (its daxcache-only part loads a 1000-member set and a 100-member intset).
import { describe, it, expect } from 'vitest';
import { RawClient } from '../helpers/resp.js';
import type { Wire } from './resp-client.js';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { members, raw3, rng, runUnordered, scan, scanAll, sorted3, type Arg, type Step } from './unordered.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

// ---------------------------------------------------------------------------------------------
// Scripts whose replies may be unordered: a step can ask for its reply to be put in a canonical
// order (on both servers) before the comparison. Errors and nulls are compared as they are.
// ---------------------------------------------------------------------------------------------

/** `sadd key m(from) ... m(to - 1)`. */
function saddRange(key: string, from: number, to: number, member: (i: number) => string = String): Arg[] {
  const cmd: Arg[] = ['sadd', key];
  for (let i = from; i < to; i++) cmd.push(member(i));
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// Scripts compared raw (every reply byte for byte). SMEMBERS/SSCAN only on sets of integers.
// ---------------------------------------------------------------------------------------------

const WIDTHS = [
  '-100000', '5', '-70000', '40000', '3000000000', '-3000000000', '9223372036854775807', '-9223372036854775808', '0',
  '32767', '-32768', '32768', '-32769', '2147483647', '-2147483648', '2147483648', '-2147483649', '-1', '1',
];

const scripts: Record<string, Arg[][]> = {
  'sadd / srem / scard / sismember / smismember / smembers of integers': [
    ['sadd', 's', '3', '1', '2'],
    ['sadd', 's', '2', '4', '4'], // one new: 4 counted once
    ['sadd', 's', '1'],
    ['scard', 's'],
    ['smembers', 's'],
    ['sismember', 's', '1'],
    ['sismember', 's', '9'],
    ['sismember', 's', '01'], // "01" is not the member 1
    ['sismember', 's', 'x'],
    ['smismember', 's', '1', '9', '4', '1', 'x'],
    ['smismember', 'missing', '1', '2'],
    ['sismember', 'missing', '1'],
    ['scard', 'missing'],
    ['smembers', 'missing'],
    ['srem', 's', '1', '9', '1'],
    ['srem', 's', 'x'],
    ['smembers', 's'],
    ['srem', 'missing', '1'],
    ['sadd', 's', '-5', '100', '-50'],
    ['smembers', 's'],
    ['SADD', 's', '7'],
    ['SmEmBeRs', 's'],
    ['sadd'],
    ['sadd', 's'],
    ['srem'],
    ['srem', 's'],
    ['sismember'],
    ['sismember', 's'],
    ['sismember', 's', '1', '2'],
    ['smismember'],
    ['smismember', 's'],
    ['scard'],
    ['scard', 's', 'x'],
    ['smembers'],
    ['smembers', 's', 'x'],
    ['sadd', 'str', 'a', 'b', 'a'],
    ['scard', 'str'],
    ['sismember', 'str', 'a'],
    ['sismember', 'str', 'A'],
    ['smismember', 'str', 'b', 'c', 'a'],
    ['srem', 'str', 'a', 'a'],
    ['smembers', 'str'], // one member: no order to disagree on
    ['sadd', 'e', ''],
    ['sismember', 'e', ''],
    ['scard', 'e'],
    ['smembers', 'e'],
  ],
  'intsets answer in ascending numeric order, across integer widths': [
    ['sadd', 'm', ...WIDTHS],
    ['scard', 'm'],
    ['smembers', 'm'],
    ['sscan', 'm', '0'],
    ['sscan', 'm', '0', 'count', '1'],
    ['sscan', 'm', '0', 'match', '-*'],
    ['sscan', 'm', '0', 'match', '*7'],
    ['sscan', 'm', '0', 'match', '3*', 'count', '1000'],
    ['sscan', 'm', '0', 'match', 'x*'],
    ['srem', 'm', '0', '32767', '-9223372036854775808'],
    ['smembers', 'm'],
    ['sadd', 'm', '0', '-9223372036854775808'],
    ['smembers', 'm'],
    ['sismember', 'm', '9223372036854775807'],
    ['sismember', 'm', '-9223372036854775808'],
    ['sismember', 'm', '9223372036854775808'],
    ['smismember', 'm', '2147483648', '2147483649', '-2147483649'],
    ['sadd', 'small', '10', '2', '33', '-4'], // 16-bit values only, then wider ones
    ['smembers', 'small'],
    ['sadd', 'small', '100000'],
    ['smembers', 'small'],
    ['sadd', 'small', '-10000000000'],
    ['smembers', 'small'],
    ['srem', 'small', '100000', '-10000000000'],
    ['smembers', 'small'],
    saddRange('r', 0, 300, (i) => String(((i * 7919) % 600) - 300)),
    ['scard', 'r'],
    ['smembers', 'r'],
    ['sscan', 'r', '0'],
    ['sscan', 'r', '0', 'match', '-1*'],
    saddRange('full', 0, 512, (i) => String(512 - 2 * i)), // 512: still an intset
    ['smembers', 'full'],
    ['sscan', 'full', '0'],
  ],
  'what makes a member an integer (OBJECT ENCODING)': [
    ...[
      '0', '-1', '1', '9223372036854775807', '-9223372036854775808', // integers
      '-0', '+1', '01', ' 1', '1 ', '1.0', '', '1e3', '0x10', '9223372036854775808', '-9223372036854775809', '00', '-', 'a',
    ].flatMap((m): Arg[][] => [
      ['del', 't'],
      ['sadd', 't', m],
      ['object', 'encoding', 't'],
      ['sismember', 't', m],
    ]),
    ['sadd', 'u', '1', '01', '+1', '1.0', ' 1'], // all different members
    ['scard', 'u'],
    ['sismember', 'u', '01'],
    ['srem', 'u', '1'],
    ['smismember', 'u', '1', '01', '+1'],
    ['object', 'encoding', 'u'],
  ],
  'srem: the last member removing the key': [
    ['sadd', 's', '1', '2'],
    ['srem', 's', '1'],
    ['exists', 's'],
    ['srem', 's', '2', '3'],
    ['exists', 's'],
    ['type', 's'],
    ['scard', 's'],
    ['smembers', 's'],
    ['dbsize'],
    ['sadd', 's', 'a', 'b'],
    ['expire', 's', '100'],
    ['srem', 's', 'a', 'b'],
    ['exists', 's'],
    ['sadd', 's', '5'],
    ['ttl', 's'], // re-created: no TTL
    ['spop', 's'],
    ['exists', 's'],
    ['sadd', 's', 'x'],
    ['spop', 's', '5'],
    ['exists', 's'],
    ['sadd', 's', '1'],
    ['smove', 's', 'd', '1'],
    ['exists', 's'],
    ['smembers', 'd'],
    ['sadd', 'a', '1', '2'],
    ['sinterstore', 'a', 'a', 'missing'], // an empty result deletes the destination
    ['exists', 'a'],
    ['dbsize'],
  ],
  'spop / srandmember: forced replies and errors': [
    ['spop'],
    ['spop', 'missing'],
    ['spop', 'missing', '0'],
    ['spop', 'missing', '3'],
    ['spop', 'missing', '-1'],
    ['spop', 'missing', 'x'],
    ['srandmember'],
    ['srandmember', 'missing'],
    ['srandmember', 'missing', '3'],
    ['srandmember', 'missing', '-3'],
    ['srandmember', 'missing', '0'],
    ['srandmember', 'missing', 'x'],
    ['sadd', 'one', 'a'],
    ['srandmember', 'one'],
    ['srandmember', 'one', '1'],
    ['srandmember', 'one', '5'],
    ['srandmember', 'one', '-3'],
    ['srandmember', 'one', '0'],
    ['srandmember', 'one', '9223372036854775807'],
    ['srandmember', 'one', '9223372036854775808'],
    ['srandmember', 'one', '-9223372036854775808'],
    ['srandmember', 'one', 'x'],
    ['srandmember', 'one', '1.5'],
    ['srandmember', 'one', ''],
    ['srandmember', 'one', '1', '2'],
    ['scard', 'one'],
    ['spop', 'one', '0'],
    ['spop', 'one', '-1'],
    ['spop', 'one', 'x'],
    ['spop', 'one', '1.5'],
    ['spop', 'one', '9223372036854775808'],
    ['spop', 'one', '1', '2'],
    ['scard', 'one'],
    ['spop', 'one'],
    ['exists', 'one'],
    ['spop', 'one'],
    ['sadd', 'one', '7'],
    ['spop', 'one', '1'],
    ['exists', 'one'],
    ['sadd', 'one', '7'],
    ['spop', 'one', '9223372036854775807'],
    ['exists', 'one'],
    ['sadd', 'n', '5'],
    ['srandmember', 'n', '-2'],
    ['spop', 'n'],
    ['set', 'str', 'v'],
    ['spop', 'str', 'x'], // the count is parsed before the key's type is checked
    ['srandmember', 'str', 'x'],
  ],
  'smove': [
    ['sadd', 'a', '1', '2', '3', '4'],
    ['sadd', 'b', '3', '4', '5'],
    ['smove'],
    ['smove', 'a', 'b'],
    ['smove', 'a', 'b', '1', '2'],
    ['smove', 'a', 'b', '1'],
    ['smembers', 'a'],
    ['smembers', 'b'],
    ['smove', 'a', 'b', '3'], // already in the destination: removed from the source only
    ['smembers', 'a'],
    ['smembers', 'b'],
    ['smove', 'a', 'b', 'zz'],
    ['smove', 'a', 'b', '1'],
    ['smove', 'missing', 'b', '1'],
    ['smove', 'a', 'a', '2'], // the same key: 1 when the member is there, and nothing changes
    ['smove', 'a', 'a', 'zz'],
    ['smembers', 'a'],
    ['set', 'str', 'v'],
    ['smove', 'a', 'str', '2'],
    ['smove', 'a', 'str', 'zz'], // the destination's type is checked even when the member is not there
    ['smove', 'str', 'a', '2'],
    ['smove', 'missing', 'str', 'zz'], // a missing source answers 0 first
    ['smove', 'str', 'str', 'v'],
    ['hset', 'h', 'f', 'v'],
    ['smove', 'a', 'h', '2'],
    ['smembers', 'a'],
    ['get', 'str'],
    ['smove', 'a', 'new', '2'],
    ['type', 'new'],
    ['smembers', 'new'],
    ['smembers', 'a'],
    ['smove', 'a', 'new', '4'],
    ['exists', 'a'], // its last member moved out
    ['smembers', 'new'],
    ['sadd', 'a', '9'],
    ['expire', 'a', '1000'],
    ['sadd', 'a', '8'],
    ['smove', 'a', 'fresh', '9'],
    ['ttl', 'a'], // the source keeps its TTL
    ['ttl', 'fresh'], // a destination created by SMOVE has none
    ['sadd', 'w', 'x', 'y'],
    ['smove', 'w', 'new', 'x'], // a string member into a set of integers
    ['object', 'encoding', 'new'],
    ['smismember', 'new', 'x', '2', '4', 'y'],
    ['smove', 'w', 'new2', B('\x00\xff')],
    ['smove', 'w', 'new2', 'y'],
    ['exists', 'w'],
    ['smembers', 'new2'],
  ],
  'sintercard: numkeys, LIMIT and their errors': [
    ['sadd', 'a', '1', '2', '3', '4'],
    ['sadd', 'b', '3', '4', '5'],
    ['sadd', 'c', 'x', '3'],
    ['sintercard'],
    ['sintercard', '1'],
    ['sintercard', '0', 'a'],
    ['sintercard', '-1', 'a'],
    ['sintercard', 'x', 'a'],
    ['sintercard', '', 'a'],
    ['sintercard', '2', 'a'],
    ['sintercard', '3', 'a', 'b'],
    ['sintercard', '1', 'a', 'b'],
    ['sintercard', '2147483648', 'a'],
    ['sintercard', '9223372036854775808', 'a'],
    ['sintercard', '1', 'a'],
    ['sintercard', '2', 'a', 'b'],
    ['sintercard', '3', 'a', 'b', 'c'],
    ['sintercard', '2', 'a', 'missing'],
    ['sintercard', '1', 'missing'],
    ['sintercard', '2', 'a', 'a'],
    ['sintercard', '2', 'a', 'b', 'limit'],
    ['sintercard', '2', 'a', 'b', 'limit', '0'], // 0: no limit
    ['sintercard', '2', 'a', 'b', 'limit', '1'],
    ['sintercard', '2', 'a', 'b', 'LIMIT', '2'],
    ['sintercard', '2', 'a', 'b', 'limit', '100'],
    ['sintercard', '1', 'a', 'limit', '3'],
    ['sintercard', '2', 'a', 'b', 'limit', '-1'],
    ['sintercard', '2', 'a', 'b', 'limit', 'x'],
    ['sintercard', '2', 'a', 'b', 'limit', '1.5'],
    ['sintercard', '1', 'a', 'limit', '9223372036854775808'],
    ['sintercard', '2', 'a', 'b', 'limit', '5', 'limit', '1'], // the last LIMIT counts
    ['sintercard', '2', 'a', 'b', 'foo', '1'],
    ['sintercard', '2', 'a', 'b', 'limit', '1', 'x'],
    ['set', 'str', 'v'],
    ['sintercard', '1', 'str'],
    ['sintercard', '2', 'missing', 'str'],
    ['sintercard', '2', 'str', 'missing'],
    ['sintercard', '2', 'a', 'str', 'limit', 'x'],
  ],
  'sinterstore / sunionstore / sdiffstore: the destination': [
    ['sadd', 'a', '1', '2', '3', '4'],
    ['sadd', 'b', '3', '4', '5'],
    ['sadd', 'c', '4', '6'],
    ['sinterstore', 'd', 'a', 'b'],
    ['smembers', 'd'],
    ['sinterstore', 'd', 'a', 'b', 'c'],
    ['smembers', 'd'],
    ['sunionstore', 'd', 'a', 'b', 'c'],
    ['smembers', 'd'],
    ['sdiffstore', 'd', 'a', 'b'],
    ['smembers', 'd'],
    ['sdiffstore', 'd', 'a', 'b', 'c'],
    ['smembers', 'd'],
    ['sdiffstore', 'd', 'b', 'a'],
    ['smembers', 'd'],
    ['sinterstore', 'd', 'a', 'missing'], // empty: the destination is deleted
    ['exists', 'd'],
    ['sunionstore', 'd', 'missing'],
    ['exists', 'd'],
    ['sdiffstore', 'd', 'a', 'a'],
    ['exists', 'd'],
    ['sdiffstore', 'd', 'missing', 'a'],
    ['exists', 'd'],
    ['sdiffstore', 'd', 'a', 'missing'],
    ['smembers', 'd'],
    ['sinterstore', 'd', 'a'],
    ['smembers', 'd'],
    ['set', 'dst', 'string'],
    ['expire', 'dst', '1000'],
    ['sunionstore', 'dst', 'a', 'c'], // a destination of any type is replaced, its TTL dropped
    ['type', 'dst'],
    ['ttl', 'dst'],
    ['smembers', 'dst'],
    ['hset', 'hd', 'f', 'v'],
    ['sinterstore', 'hd', 'a', 'b'],
    ['type', 'hd'],
    ['set', 'gone', 'v'],
    ['sinterstore', 'gone', 'a', 'missing'],
    ['exists', 'gone'],
    ['sinterstore', 'a', 'a', 'b'], // the destination among the sources
    ['smembers', 'a'],
    ['sunionstore', 'a', 'a', 'c'],
    ['smembers', 'a'],
    ['sdiffstore', 'a', 'a', 'c'],
    ['smembers', 'a'],
    ['sadd', 't', '1'],
    ['expire', 't', '1000'],
    ['sunionstore', 't', 't', 'b'], // replaced even when it is a source: no TTL
    ['ttl', 't'],
    ['sinterstore'],
    ['sinterstore', 'd'],
    ['sunionstore'],
    ['sunionstore', 'd'],
    ['sdiffstore'],
    ['sdiffstore', 'd'],
    ['sinter'],
    ['sunion'],
    ['sdiff'],
    ['sinter', 'missing'],
    ['sunion', 'missing', 'missing2'],
    ['sdiff', 'missing', 'a'],
    ['sinter', 'a', 'missing'],
    ['dbsize'],
  ],
  'set commands on a string key: WRONGTYPE': [
    ['set', 'str', 'v'],
    ['sadd', 'str', 'a'],
    ['srem', 'str', 'a'],
    ['sismember', 'str', 'a'],
    ['smismember', 'str', 'a'],
    ['scard', 'str'],
    ['smembers', 'str'],
    ['spop', 'str'],
    ['spop', 'str', '1'],
    ['srandmember', 'str'],
    ['srandmember', 'str', '1'],
    ['sscan', 'str', '0'],
    ['sscan', 'str', '0', 'count', '0'], // the type is checked before the options are parsed
    ['sscan', 'str', 'x'],
    ['sadd', 's', '1'],
    ['sinter', 'str'],
    ['sinter', 's', 'str'],
    ['sinter', 'missing', 'str'], // every key is checked, even after a missing one
    ['sinter', 'str', 'missing'],
    ['sunion', 's', 'str'],
    ['sunion', 'missing', 'str'],
    ['sdiff', 'str', 's'],
    ['sdiff', 's', 'str'],
    ['sdiff', 'missing', 'str'],
    ['sinterstore', 'd', 'str'],
    ['sinterstore', 'd', 's', 'str'],
    ['sunionstore', 'd', 's', 'str'],
    ['sdiffstore', 'd', 'missing', 'str'],
    ['exists', 'd'],
    ['sinterstore', 'str', 's'], // as the destination it is simply replaced
    ['type', 'str'],
    ['hset', 'h', 'f', 'v'],
    ['sadd', 'h', 'a'],
    ['smembers', 'h'],
    ['sunion', 'h', 's'],
    ['scard', 'h'],
    ['get', 'str'],
  ],
  'string and hash commands on a set key: WRONGTYPE': [
    ['sadd', 's', '1', '2'],
    ['get', 's'],
    ['getset', 's', 'x'],
    ['getdel', 's'],
    ['getex', 's'],
    ['incr', 's'],
    ['incrby', 's', '1'],
    ['decr', 's'],
    ['incrbyfloat', 's', '1'],
    ['append', 's', 'x'],
    ['setrange', 's', '0', 'x'],
    ['strlen', 's'],
    ['getrange', 's', '0', '1'],
    ['setbit', 's', '0', '1'],
    ['getbit', 's', '0'],
    ['bitcount', 's'],
    ['bitfield', 's', 'get', 'u8', '0'],
    ['mget', 's'],
    ['set', 's', 'v', 'nx'],
    ['set', 's', 'v', 'get'],
    ['setnx', 's', 'v'],
    ['hset', 's', 'f', 'v'],
    ['hget', 's', 'f'],
    ['hgetall', 's'],
    ['hlen', 's'],
    ['hscan', 's', '0'],
    ['hrandfield', 's'],
    ['type', 's'],
    ['smembers', 's'],
    ['set', 's', 'v'], // SET replaces it
    ['type', 's'],
    ['get', 's'],
    ['sadd', 's', '1'],
  ],
  'type / exists / del / unlink / dbsize / expire / persist of a set': [
    ['sadd', 's1', '1', '2', '3'],
    ['sadd', 's2', 'a'],
    ['set', 'k', 'v'],
    ['type', 's1'],
    ['type', 's2'],
    ['dbsize'], // a set is one key
    ['exists', 's1', 's2', 'k', 'missing', 's1'],
    ['del', 's1', 'missing'],
    ['exists', 's1'],
    ['sismember', 's1', '1'],
    ['unlink', 's2', 'k'],
    ['dbsize'],
    ['sadd', 'e', '1'],
    ['ttl', 'e'],
    ['expire', 'e', '100'],
    ['ttl', 'e'],
    ['sadd', 'e', '2'], // writes keep the TTL
    ['srem', 'e', '1'],
    ['spop', 'e', '0'],
    ['ttl', 'e'],
    ['persist', 'e'],
    ['ttl', 'e'],
    ['pexpire', 'e', '100000'],
    ['ttl', 'e'],
    ['expire', 'e', '0'],
    ['exists', 'e'],
    ['sadd', 'e', '1'],
    ['pexpireat', 'e', '1'],
    ['scard', 'e'],
    ['sadd', 'e', '1'],
    ['touch', 'e'],
    ['randomkey'],
    ['keys', '*'],
  ],
  'rename / renamenx / copy of a set': [
    ['sadd', 'r', '1', '2', '3'],
    ['expire', 'r', '1000'],
    ['rename', 'r', 'r2'],
    ['exists', 'r'],
    ['smembers', 'r2'],
    ['ttl', 'r2'],
    ['sadd', 'r3', '9'],
    ['renamenx', 'r2', 'r3'],
    ['smembers', 'r3'],
    ['renamenx', 'r2', 'r4'],
    ['smembers', 'r4'],
    ['set', 'str', 'v'],
    ['rename', 'r4', 'str'],
    ['type', 'str'],
    ['smembers', 'str'],
    ['copy', 'str', 'c'],
    ['smembers', 'c'],
    ['ttl', 'c'],
    ['sadd', 'c', '4'], // the copy is independent of its source
    ['smembers', 'c'],
    ['smembers', 'str'],
    ['copy', 'str', 'c'],
    ['copy', 'str', 'c', 'replace'],
    ['smembers', 'c'],
    ['hset', 'h', 'f', 'v'],
    ['copy', 'str', 'h'],
    ['copy', 'str', 'h', 'replace'],
    ['type', 'h'],
    ['smembers', 'h'],
    ['copy', 'h', 'h'],
    ['copy', 'missing', 'x'],
    ['sadd', 'strs', 'only'],
    ['copy', 'strs', 'c', 'replace'],
    ['smembers', 'c'],
    ['srem', 'str', '1', '2', '3'],
    ['exists', 'str'],
    ['smembers', 'h'],
    ['dbsize'],
  ],
  'object encoding: intset, then hashtable for good': [
    ['sadd', 'i', '1'],
    ['object', 'encoding', 'i'],
    saddRange('i', 0, 512),
    ['scard', 'i'],
    ['object', 'encoding', 'i'],
    ['sadd', 'i', '511'], // already there: no new entry
    ['object', 'encoding', 'i'],
    ['sadd', 'i', '512'],
    ['object', 'encoding', 'i'],
    ['srem', 'i', '512', '511', '510'],
    ['object', 'encoding', 'i'],
    saddRange('j', 0, 513), // past the bound in one SADD
    ['object', 'encoding', 'j'],
    ['sadd', 'x', '1', '2', 'a'],
    ['object', 'encoding', 'x'],
    ['srem', 'x', 'a'],
    ['object', 'encoding', 'x'], // integers only again, still a hashtable
    ['copy', 'x', 'xc'],
    ['object', 'encoding', 'xc'],
    ['rename', 'xc', 'xr'],
    ['object', 'encoding', 'xr'],
    ['copy', 'i', 'ic'],
    ['object', 'encoding', 'ic'],
    ['sadd', 'y', '1', '2'],
    ['copy', 'y', 'yc'],
    ['object', 'encoding', 'yc'],
    // A stored result is an intset when it holds integers only, whatever its sources.
    ['sadd', 'p', 'x', '1', '2', '3'],
    ['sadd', 'q', '2', '3', '4', 'y'],
    ['sinterstore', 'd', 'p', 'q'],
    ['object', 'encoding', 'd'],
    ['smembers', 'd'],
    ['sunionstore', 'd', 'p', 'q'],
    ['object', 'encoding', 'd'],
    ['sdiffstore', 'd', 'q', 'p'],
    ['object', 'encoding', 'd'],
    ['sinterstore', 'd', 'x'],
    ['object', 'encoding', 'd'],
    ['smembers', 'd'],
    ['smove', 'q', 'n1', '4'],
    ['object', 'encoding', 'n1'],
    ['smove', 'q', 'n2', 'y'],
    ['object', 'encoding', 'n2'],
    ['sunionstore', 'big', 'i', 'j'],
    ['object', 'encoding', 'big'],
    ['scard', 'big'],
    ['srem', 'y', '1', '2'],
    ['sadd', 'y', '5'], // re-created: an intset again
    ['object', 'encoding', 'y'],
    ['object', 'encoding', 'missing'],
  ],
  'binary-safe members': [
    ['sadd', 'bin', B('\x00'), B('\r\n'), B('\xff'), B('a\x00b'), B('a')],
    ['scard', 'bin'],
    ['sismember', 'bin', B('\x00')],
    ['sismember', 'bin', B('\r\n')],
    ['sismember', 'bin', B('\xff')],
    ['sismember', 'bin', B('a\x00b')],
    ['sismember', 'bin', B('a\x00')],
    ['sismember', 'bin', B('\r')],
    ['smismember', 'bin', B('\xff'), B('\xfe'), B('a'), B('a\x00b'), B('')],
    ['sadd', 'bin', B('\x00'), B('\x00\x00')],
    ['srem', 'bin', B('\r\n'), B('\n')],
    ['scard', 'bin'],
    ['sadd', B('k\x00\r\n\xff'), B('\xff\x00')],
    ['type', B('k\x00\r\n\xff')],
    ['smembers', B('k\x00\r\n\xff')],
    ['srandmember', B('k\x00\r\n\xff')],
    ['srandmember', B('k\x00\r\n\xff'), '-2'],
    ['spop', B('k\x00\r\n\xff')],
    ['exists', B('k\x00\r\n\xff')],
    ['sadd', 'mix', '1', B('1\x00')],
    ['object', 'encoding', 'mix'],
    ['sismember', 'mix', '1'],
    ['sintercard', '2', 'bin', 'mix'],
    ['smove', 'bin', 'mix', B('\x00')],
    ['smismember', 'mix', B('\x00'), '1', B('1\x00')],
    ['sismember', 'bin', B('\x00')],
  ],
  'sscan: errors, missing keys, option parsing': [
    ['sscan'],
    ['sscan', 's'],
    ['sscan', 'missing', '0'],
    ['sscan', 'missing', '0', 'count', '0'], // a missing key answers before the options are read
    ['sscan', 'missing', 'x'],
    ['sadd', 's', '1', '2'],
    ['sscan', 's', 'x'],
    ['sscan', 's', ''],
    ['sscan', 's', '18446744073709551616'],
    ['sscan', 's', '0', 'count', '0'],
    ['sscan', 's', '0', 'count', '-1'],
    ['sscan', 's', '0', 'count', 'x'],
    ['sscan', 's', '0', 'count'],
    ['sscan', 's', '0', 'match'],
    ['sscan', 's', '0', 'foo', 'bar'],
    ['sscan', 's', '0', 'type', 'string'],
    ['sscan', 's', '0', 'novalues'],
    ['sscan', 's', '0', 'match', '*', 'count', '1', 'match', '2'], // the last MATCH counts
  ],
};

// Sets too big for an intset, and an intset at its bound: every member checked.
{
  const s: Arg[][] = [];
  const N = 2000;
  const member = (i: number) => (i % 2 === 0 ? String(i * 3 - 1000) : `member:${i}`);
  for (let i = 0; i < N; i += 100) s.push(saddRange('big', i, i + 100, member));
  s.push(saddRange('big', 0, 50, member)); // all there already
  s.push(['scard', 'big'], ['object', 'encoding', 'big']);
  for (let i = 0; i < N; i++) s.push(['sismember', 'big', member(i)]);
  for (let i = 0; i < 50; i++) s.push(['sismember', 'big', `absent:${i}`], ['sismember', 'big', String(i * 6 + 1)]);
  for (let i = 0; i < N; i += 200) s.push(['smismember', 'big', ...Array.from({ length: 200 }, (_, j) => member(i + j)), 'absent']);
  for (let i = 0; i < N; i += 3) s.push(['srem', 'big', member(i)]);
  s.push(['scard', 'big']);
  for (let i = 0; i < N; i++) s.push(['sismember', 'big', member(i)]);
  s.push(['srem', 'big', ...Array.from({ length: 300 }, (_, j) => member(j))]);
  s.push(['scard', 'big'], ['object', 'encoding', 'big'], ['dbsize']);
  // 600 integers: a hashtable in Redis.
  s.push(saddRange('ints', 0, 600, (i) => String(i * 11 - 3000)));
  s.push(['scard', 'ints'], ['object', 'encoding', 'ints']);
  for (let i = 0; i < 600; i++) s.push(['sismember', 'ints', String(i * 11 - 3000)]);
  for (let i = 0; i < 600; i += 2) s.push(['srem', 'ints', String(i * 11 - 3000)]);
  s.push(['scard', 'ints'], ['object', 'encoding', 'ints']);
  // An intset of 500: SMEMBERS and SSCAN raw, in ascending order.
  s.push(saddRange('iset', 0, 500, (i) => String(((i * 7919) % 1000) * 1_000_003 - 500_000_000)));
  s.push(['scard', 'iset'], ['object', 'encoding', 'iset'], ['smembers', 'iset'], ['sscan', 'iset', '0'], ['sscan', 'iset', '0', 'match', '-*']);
  for (let i = 0; i < 500; i += 5) s.push(['srem', 'iset', String(((i * 7919) % 1000) * 1_000_003 - 500_000_000)]);
  s.push(['smembers', 'iset'], ['scard', 'iset']);
  // Set operations on the big sets: counts (the members themselves are compared unordered below).
  s.push(['sintercard', '2', 'big', 'ints'], ['sintercard', '2', 'big', 'ints', 'limit', '10'], ['sintercard', '3', 'big', 'ints', 'iset']);
  s.push(['sinterstore', 'd1', 'big', 'ints'], ['sunionstore', 'd2', 'big', 'ints', 'iset'], ['sdiffstore', 'd3', 'big', 'ints'], ['sdiffstore', 'd4', 'ints', 'big']);
  s.push(['scard', 'd1'], ['scard', 'd2'], ['scard', 'd3'], ['scard', 'd4']);
  scripts['large sets: every member checked'] = s;
}

/**
 * Random set commands over a few keys. With `intsOnly` every set is an intset (SMEMBERS compared
 * raw); otherwise string members turn up and SMEMBERS is compared unordered. Set operation
 * replies are unordered in both.
 */
function randomScript(seed: number, length: number, intsOnly: boolean): Step[] {
  const r = rng(seed);
  const keys = ['s1', 's2', 's3', 'missing'];
  const pool: Arg[] = ['0', '1', '2', '3', '5', '8', '13', '-1', '-21', '100', '9223372036854775807', '-9223372036854775808'];
  if (!intsOnly) pool.push('a', 'b', 'c', '', '01', B('\x00'), B('\xff\r\n'));
  const key = () => keys[r(keys.length)]!;
  const member = () => pool[r(pool.length)]!;
  const some = () => Array.from({ length: 1 + r(3) }, member);
  const keyList = () => Array.from({ length: 1 + r(3) }, key);
  const out: Step[] = [];
  for (let i = 0; i < length; i++) {
    const k = key();
    switch (r(15)) {
      case 0:
      case 1:
      case 2:
        out.push(['sadd', k, ...some()]);
        break;
      case 3:
        out.push(['srem', k, ...some()]);
        break;
      case 4:
        out.push(['sismember', k, member()]);
        break;
      case 5:
        out.push(['smismember', k, ...some()]);
        break;
      case 6:
        out.push(['scard', k]);
        break;
      case 7:
        out.push(intsOnly ? ['smembers', k] : members('smembers', k));
        break;
      case 8:
        out.push(members(['sinter', 'sunion', 'sdiff'][r(3)]!, ...keyList()));
        break;
      case 9:
        out.push([['sinterstore', 'sunionstore', 'sdiffstore'][r(3)]!, k, ...keyList()]);
        break;
      case 10: {
        const ks = keyList();
        out.push(['sintercard', String(ks.length), ...ks, ...(r(2) ? ['limit', String(r(4))] : [])]);
        break;
      }
      case 11:
        out.push(['smove', k, key(), member()]);
        break;
      case 12:
        // A hashtable of 10 members or more may take Redis more than one call at the default
        // COUNT of 10: ask for 1000 there (these sets hold at most 19 members).
        out.push(scan('sscan', k, '0', ...(intsOnly ? [] : ['count', '1000']), ...(r(2) ? ['match', r(2) ? '1*' : '-*'] : [])));
        break;
      case 13:
        out.push(['exists', k]);
        break;
      default:
        out.push(r(4) === 0 ? ['del', k] : ['type', k]);
    }
  }
  for (const k of keys) out.push(intsOnly ? ['smembers', k] : members('smembers', k), ['scard', k], ['type', k]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scripts with unordered replies.
// ---------------------------------------------------------------------------------------------

const unorderedScripts: Record<string, Step[]> = {
  'smembers / sinter / sunion / sdiff of hashtable sets': [
    ['sadd', 'a', 'x', 'y', 'z', '1', '2'],
    ['sadd', 'b', 'y', 'z', 'w', '2', '3'],
    ['sadd', 'c', 'z', '2', '9'],
    ['sadd', 'i', '1', '2', '3', '4'],
    members('smembers', 'a'),
    members('sinter', 'a', 'b'),
    members('sinter', 'a', 'b', 'c'),
    members('sinter', 'a', 'missing'),
    members('sinter', 'missing', 'a'),
    members('sinter', 'a'),
    members('sinter', 'a', 'a'),
    members('sinter', 'a', 'i'),
    members('sinter', 'i', 'b'),
    members('sunion', 'a', 'b'),
    members('sunion', 'a', 'b', 'c', 'i'),
    members('sunion', 'a', 'missing'),
    members('sunion', 'missing'),
    members('sunion', 'i', 'i'),
    members('sdiff', 'a', 'b'),
    members('sdiff', 'a', 'b', 'c'),
    members('sdiff', 'b', 'a'),
    members('sdiff', 'a', 'a'),
    members('sdiff', 'a', 'missing'),
    members('sdiff', 'missing', 'a'),
    members('sdiff', 'i', 'a'),
    members('sdiff', 'a', 'i', 'b'),
    ['sinterstore', 'd', 'a', 'b'],
    members('smembers', 'd'),
    ['sunionstore', 'd', 'a', 'b', 'c'],
    members('smembers', 'd'),
    ['sdiffstore', 'd', 'a', 'b'],
    members('smembers', 'd'),
    ['srem', 'a', 'x', 'y', 'z'],
    members('smembers', 'a'), // integers in a hashtable: still any order
    ['sadd', 'bin', B('\x00'), B('\r\n'), B('\xff'), B('a\x00b')],
    members('smembers', 'bin'),
    members('sunion', 'bin', 'a'),
    members('sinter', 'bin', 'bin'),
    ['rename', 'bin', 'bin2'],
    members('smembers', 'bin2'),
    ['copy', 'b', 'bc'],
    members('smembers', 'bc'),
  ],
  'sscan of small sets: everything in one call, cursor 0': [
    ['sadd', 'h', 'a', 'b', 'ab', 'c', '1', B('\x00'), B('\xff')],
    scan('sscan', 'h', '0'),
    scan('sscan', 'h', '0', 'match', 'a*'),
    scan('sscan', 'h', '0', 'match', '?'),
    scan('sscan', 'h', '0', 'match', '[a-b]*', 'count', '100'),
    scan('sscan', 'h', '0', 'match', B('\x00')),
    scan('sscan', 'h', '0', 'match', 'zz'),
    scan('sscan', 'h', '0', 'COUNT', '1000', 'MATCH', '*b'),
    scan('sscan', 'missing', '0'),
  ],
  'spop / srandmember with a count covering the set: all of it': [
    ['sadd', 'i', '3', '1', '2'],
    members('srandmember', 'i', '3'),
    members('srandmember', 'i', '100'),
    members('spop', 'i', '3'),
    ['exists', 'i'],
    ['sadd', 's', 'x', 'y', 'z', '1'],
    members('srandmember', 's', '4'),
    members('srandmember', 's', '9223372036854775807'),
    members('spop', 's', '10'),
    ['exists', 's'],
    saddRange('big', 0, 1000, (i) => (i % 2 ? `m${i}` : String(i))),
    members('srandmember', 'big', '1000'),
    members('spop', 'big', '1000'),
    ['exists', 'big'],
    saddRange('iset', 0, 400),
    members('spop', 'iset', '400'),
    ['exists', 'iset'],
  ],
  'large sets: members and set operations in any order': [
    saddRange('big', 0, 2000, (i) => (i % 2 === 0 ? String(i * 3 - 1000) : `member:${i}`)),
    saddRange('ints', 0, 600, (i) => String(i * 11 - 3000)),
    saddRange('iset', 0, 300, (i) => String(i * 7 - 1000)),
    members('smembers', 'big'),
    members('smembers', 'ints'),
    members('sinter', 'big', 'ints'),
    members('sinter', 'big', 'iset'),
    members('sinter', 'ints', 'iset', 'big'),
    members('sunion', 'big', 'ints', 'iset'),
    members('sdiff', 'big', 'ints'),
    members('sdiff', 'ints', 'big', 'iset'),
    members('sdiff', 'iset', 'ints'),
    ['sunionstore', 'u', 'big', 'ints'],
    members('smembers', 'u'),
    ['sinterstore', 'n', 'ints', 'iset'],
    ['smembers', 'n'], // integers only and few: an intset, ascending
    ['object', 'encoding', 'n'],
    ['copy', 'big', 'bigcopy'],
    members('smembers', 'bigcopy'),
    scan('sscan', 'iset', '0'),
    members('keys', '*'),
  ],
};

for (let seed = 1; seed <= 4; seed++) unorderedScripts[`random script of integers ${seed}`] = randomScript(seed, 200, true);
for (let seed = 5; seed <= 8; seed++) unorderedScripts[`random script ${seed}`] = randomScript(seed, 200, false);

// ---------------------------------------------------------------------------------------------
// The differential suite.
// ---------------------------------------------------------------------------------------------

const bulks = (w: Wire): string[] => (w as Array<{ b: string }>).map((x) => x.b);

describe.runIf(haveRedisServer)('set commands against a real redis-server', () => {
  const pair = useScriptedPair(scripts);

  for (const [name, script] of Object.entries(unorderedScripts)) {
    it(name, () => runUnordered(pair, script), 60_000);
  }

  /** Sets of each kind: a small intset, a small hashtable, a big hashtable, integers past 512. */
  const kinds = (): Map<string, string[]> =>
    new Map([
      ['ints', Array.from({ length: 100 }, (_, i) => String(i * 37 - 1500))],
      ['small', Array.from({ length: 20 }, (_, i) => `s${i}`)],
      ['big', Array.from({ length: 1000 }, (_, i) => (i % 3 ? `m${i}` : String(i)))],
      ['many', Array.from({ length: 700 }, (_, i) => String(i))],
      ['one', ['only']],
    ]);

  async function loadBoth(sets: Map<string, string[]>): Promise<void> {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    for (const [k, ms] of sets) {
      for (let i = 0; i < ms.length; i += 200) {
        const cmd = ['sadd', k, ...ms.slice(i, i + 200)];
        const [d, r] = await Promise.all([pair.dax.call(...cmd), pair.ref.call(...cmd)]);
        expect(d).toEqual(r);
      }
    }
  }

  it('SRANDMEMBER: counts, membership, distinct members for a positive count, nothing removed', async () => {
    const sets = kinds();
    await loadBoth(sets);
    const counts: Array<number | null> = [null, 0, 1, 2, 5, 19, 20, 21, 99, 100, 101, 350, 699, 700, 701, 999, 1000, 1001, -1, -3, -20, -25, -100, -700, -1500];
    for (const [k, ms] of sets) {
      const universe = new Set(ms);
      for (const count of counts) {
        const cmd = count === null ? ['srandmember', k] : ['srandmember', k, String(count)];
        for (const [who, c] of [['daxcache', pair.dax], ['redis', pair.ref]] as const) {
          const reply = await c.call(...cmd);
          const label = `${who}: ${cmd.join(' ')}`;
          if (count === null) {
            expect({ label, member: universe.has((reply as { b: string }).b) }).toEqual({ label, member: true });
            continue;
          }
          const got = bulks(reply);
          const n = count >= 0 ? Math.min(count, ms.length) : -count;
          expect({ label, length: got.length, members: got.every((m) => universe.has(m)) }).toEqual({ label, length: n, members: true });
          if (count >= 0) expect({ label, distinct: new Set(got).size }).toEqual({ label, distinct: n });
        }
      }
      for (const c of [pair.dax, pair.ref]) expect(await c.call('scard', k)).toEqual({ i: String(ms.length) });
    }
    // Negative counts repeat members, yet 100 draws of 5 show all 20 members (a given member is
    // missed with probability 0.95^500).
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) for (const m of bulks(await pair.dax.call('srandmember', 'small', '-5'))) seen.add(m);
    expect(seen.size).toBe(20);
    // The one-member set: forced.
    expect(await pair.dax.call('srandmember', 'one', '-4')).toEqual([{ b: 'only' }, { b: 'only' }, { b: 'only' }, { b: 'only' }]);
  });

  it('SPOP with and without a count: popped members are distinct, gone from the set, and the rest stays', async () => {
    const sets = kinds();
    await loadBoth(sets);
    const plan: Array<number | null> = [null, 1, 0, 3, null, 10, 1, 50, 7, 200, 1, 333, 5000];
    for (const [who, c] of [['daxcache', pair.dax], ['redis', pair.ref]] as const) {
      for (const [k, ms] of sets) {
        const left = new Set(ms);
        for (const count of plan) {
          if (left.size === 0) break;
          const cmd = count === null ? ['spop', k] : ['spop', k, String(count)];
          const label = `${who}: ${cmd.join(' ')} of ${left.size}`;
          const reply = await c.call(...cmd);
          const popped = count === null ? [(reply as { b: string }).b] : bulks(reply);
          const n = count === null ? 1 : Math.min(count, left.size);
          expect({ label, length: popped.length, distinct: new Set(popped).size, members: popped.every((m) => left.has(m)) }).toEqual({
            label,
            length: n,
            distinct: n,
            members: true,
          });
          for (const m of popped) left.delete(m);
          expect({ label, scard: await c.call('scard', k) }).toEqual({ label, scard: { i: String(left.size) } });
          const rest = popped.length ? await c.call('smismember', k, ...popped) : [];
          expect({ label, stillThere: (rest as Array<{ i: string }>).filter((x) => x.i !== '0').length }).toEqual({ label, stillThere: 0 });
        }
        const remaining = bulks(await c.call('smembers', k)).sort();
        expect({ who, k, remaining }).toEqual({ who, k, remaining: [...left].sort() });
        if (left.size === 0) expect(await c.call('exists', k)).toEqual({ i: '0' });
      }
    }
  });

  it('SSCAN of large sets: the cursor loop returns every member (and MATCH exactly the matching ones)', async () => {
    const sets = kinds();
    sets.set('huge', Array.from({ length: 3000 }, (_, i) => (i % 4 ? `member:${i}` : String(i - 1500))));
    await loadBoth(sets);
    for (const c of [pair.dax, pair.ref]) {
      for (const [k, ms] of sets) {
        for (const opts of [[], ['count', '1'], ['count', '13'], ['count', '500'], ['match', 'member:1*'], ['match', '-*', 'count', '50']] as Arg[][]) {
          const seen = new Set<string>();
          let cursor = '0';
          let calls = 0;
          do {
            const r = (await c.call('sscan', k, cursor, ...opts)) as [{ b: string }, Array<{ b: string }>];
            for (const m of r[1]) seen.add(m.b);
            cursor = r[0].b;
            expect(cursor).toMatch(/^\d+$/);
          } while (cursor !== '0' && ++calls < 20_000);
          expect(cursor).toBe('0');
          const pattern = opts[0] === 'match' ? String(opts[1]) : '*';
          const want = ms.filter((m) => (pattern === '*' ? true : pattern === '-*' ? m.startsWith('-') : m.startsWith('member:1')));
          expect({ k, opts, members: [...seen].sort() }).toEqual({ k, opts, members: want.sort() });
        }
      }
    }
  });

  it('SCAN TYPE set over a small keyspace', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    for (const cmd of [['sadd', 'i', '1'], ['sadd', 'x', 'a'], ['sadd', 'gone', '1'], ['srem', 'gone', '1'], ['set', 'k', 'v'], ['hset', 'h', 'f', 'v']]) {
      await Promise.all([pair.dax.call(...cmd), pair.ref.call(...cmd)]);
    }
    for (const opts of [['type', 'set'], ['type', 'SET'], ['type', 'string'], ['type', 'hash'], ['match', 'x', 'type', 'set'], []] as Arg[][]) {
      const [d, r] = await Promise.all([scanAll(pair.dax, ...opts), scanAll(pair.ref, ...opts)]);
      expect({ opts, keys: d }).toEqual({ opts, keys: r });
    }
  });

  it('RESP3 (HELLO 3): SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count are sets, nulls are _', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const [d, r] = await Promise.all([RawClient.connect(pair.servers.dax.port), RawClient.connect(pair.servers.redis!.port)]);
    try {
      await Promise.all([d.call('hello', '3'), r.call('hello', '3')]);
      const exact: Arg[][] = [
        ['sadd', 'i', '3', '-1', '2'],
        ['smembers', 'i'], // an intset: ascending
        ['smembers', 'missing'],
        ['sscan', 'i', '0'],
        ['sismember', 'i', '2'],
        ['smismember', 'i', '2', '9'],
        ['scard', 'i'],
        ['sunion', 'missing'],
        ['sinter', 'i', 'missing'],
        ['sdiff', 'missing', 'i'],
        ['spop', 'missing'],
        ['spop', 'missing', '2'],
        ['srandmember', 'missing'],
        ['srandmember', 'missing', '2'],
        ['sintercard', '1', 'i'],
        ['sadd', 'one', 'z'],
        ['srandmember', 'one'],
        ['srandmember', 'one', '3'],
        ['srandmember', 'one', '-2'], // an array, not a set: it repeats
        ['spop', 'one', '5'],
        ['sadd', 'one', 'z'],
        ['spop', 'one'],
        ['type', 'i'],
        ['object', 'encoding', 'i'],
        ['get', 'i'],
      ];
      for (const cmd of exact) {
        const [got, want] = await Promise.all([raw3(d, ...cmd), raw3(r, ...cmd)]);
        expect({ cmd: cmd.join(' '), got }).toEqual({ cmd: cmd.join(' '), got: want });
      }
      for (const cmd of [
        ['sadd', 's', 'a', 'b', '1', B('\x00')],
        ['smembers', 's'],
        ['sinter', 's', 'i'],
        ['sunion', 's', 'i'],
        ['sdiff', 's', 'i'],
        ['spop', 'i', '10'],
        ['srandmember', 's', '10'],
        ['sscan', 'missing', '0'],
      ] as Arg[][]) {
        const [got, want] = await Promise.all([d.call(...cmd), r.call(...cmd)]);
        expect({ cmd: cmd.join(' '), got: sorted3(got, { arrays: true }) }).toEqual({ cmd: cmd.join(' '), got: sorted3(want, { arrays: true }) });
      }
    } finally {
      d.close();
      r.close();
    }
  });
});

// The sorted-set commands of a real `daxcache serve` (dist/, built first) against a real
// redis-server 7.0: each script runs on an empty keyspace on both and every reply must be the same
// on the wire. Covered: ZADD and its options, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK,
// ZREVRANK, ZCOUNT, ZLEXCOUNT, ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and its older forms,
// ZRANGESTORE, ZREMRANGEBYRANK/SCORE/LEX, ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER (by shape), ZUNION,
// ZINTER, ZDIFF (+STORE, WEIGHTS, AGGREGATE, plain sets as inputs), ZINTERCARD, ZSCAN; their
// argument errors and WRONGTYPE; small (listpack) and large (skiplist) sets, OBJECT ENCODING, the
// generic commands on a sorted set, seeded random scripts, RESP3.
//
// Scores: daxcache prints doubles as Redis 7.2 does (shortest round-trip), Redis 7.0 with %.17g;
// the two agree on every value a double holds exactly in few digits (integers, halves, quarters,
// inf), which is what these scripts use. Member order is (score, member bytes) in both, so
// replies are compared raw, except ZRANDMEMBER's and ZSCAN of a large set's (checked by content).
//
// Then, daxcache only: sorted sets come back after a restart and after kill -9; the DRAM order
// trees keep up with writes, stay within zset-order-memory, and agree with the pool after an op
// that ran out of memory was undone.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { RawClient } from '../helpers/resp.js';
import { RespClient, type Wire } from './resp-client.js';
import { settledUsedMemory } from './settled-memory.js';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { raw3, rng, scanAll, type Arg } from './unordered.js';
import { startServer, type TestServer } from '../helpers/server.js';

function zaddRange(key: string, from: number, to: number, score: (i: number) => string, member: (i: number) => string = (i) => `m${i}`): Arg[] {
  const cmd: Arg[] = ['zadd', key];
  for (let i = from; i < to; i++) cmd.push(score(i), member(i));
  return cmd;
}

const scripts: Record<string, Arg[][]> = {
  'zadd / zcard / zscore / zmscore / zrange basics': [
    ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c'],
    ['zadd', 'z', '1.5', 'd', '2', 'b'],
    ['zcard', 'z'],
    ['zrange', 'z', '0', '-1'],
    ['zrange', 'z', '0', '-1', 'withscores'],
    ['zrange', 'z', '0', '-1', 'WITHSCORES'],
    ['zscore', 'z', 'd'],
    ['zscore', 'z', 'nope'],
    ['zscore', 'missing', 'a'],
    ['zmscore', 'z', 'a', 'nope', 'c'],
    ['zmscore', 'missing', 'a', 'b'],
    ['zcard', 'missing'],
    ['zadd', 'z', '-inf', 'lo', '+inf', 'hi', 'inf', 'hi2', '-0', 'zero'],
    ['zrange', 'z', '0', '-1', 'withscores'],
    ['zscore', 'z', 'zero'],
    ['zadd', 'z', '0', 'zero'], // -0 == 0: nothing changes
    ['zscore', 'z', 'zero'],
    ['zadd', 'e', '1', ''],
    ['zrange', 'e', '0', '-1', 'withscores'],
    ['zadd', 'z', '1e3', 'k', '0x10', 'hex', '.5', 'half', '5.', 'five', '+2', 'plus', '1E-2', 'small'],
    ['zrange', 'z', '0', '-1', 'withscores'],
  ],
  'zadd errors and options': [
    ['zadd'],
    ['zadd', 'z'],
    ['zadd', 'z', '1'],
    ['zadd', 'z', '1', 'a', '2'],
    ['zadd', 'z', 'x', 'a'],
    ['zadd', 'z', 'nan', 'a'],
    ['zadd', 'z', ' 1', 'a'],
    ['zadd', 'z', '1 ', 'a'],
    ['zadd', 'z', '', 'a'],
    ['zadd', 'z', '1e400', 'a'],
    ['zadd', 'z', '1e-400', 'a'],
    ['zadd', 'z', 'nx', 'xx', '1', 'a'],
    ['zadd', 'z', 'nx', 'gt', '1', 'a'],
    ['zadd', 'z', 'lt', 'gt', '1', 'a'],
    ['zadd', 'z', 'nx', 'lt', '1', 'a'],
    ['zadd', 'z', 'incr', '1', 'a', '2', 'b'],
    ['zadd', 'z', 'xx', '1', 'a'],
    ['exists', 'z'],
    ['zadd', 'z', 'xx', 'incr', '1', 'a'],
    ['zadd', 'z', 'nx', '1', 'a', '2', 'b'],
    ['zadd', 'z', 'nx', '5', 'a', '3', 'c'],
    ['zrange', 'z', '0', '-1', 'withscores'],
    ['zadd', 'z', 'xx', '7', 'a', '9', 'new'],
    ['zadd', 'z', 'xx', 'ch', '8', 'a', '9', 'new'],
    ['zadd', 'z', 'ch', '8', 'a', '2', 'b', '4', 'd'],
    ['zadd', 'z', 'gt', 'ch', '1', 'a', '10', 'b', '5', 'e'],
    ['zadd', 'z', 'lt', 'ch', '100', 'a', '0', 'b', '6', 'f'],
    ['zrange', 'z', '0', '-1', 'withscores'],
    ['zadd', 'z', 'incr', '2.5', 'a'],
    ['zadd', 'z', 'incr', '1', 'brandnew'],
    ['zadd', 'z', 'nx', 'incr', '1', 'a'],
    ['zadd', 'z', 'xx', 'incr', '1', 'nothere'],
    ['zadd', 'z', 'gt', 'incr', '-1', 'a'],
    ['zadd', 'z', 'lt', 'incr', '-1', 'a'],
    ['zadd', 'z', 'CH', 'GT', 'XX', '50', 'a'],
    ['zadd', 'z', '1', 'dup', '2', 'dup', '3', 'dup'],
    ['zadd', 'z', 'ch', '4', 'dup', '4', 'dup', '5', 'dup'],
    ['zscore', 'z', 'dup'],
    ['zadd', 'inf', 'inf', 'x'],
    ['zadd', 'inf', 'incr', '-inf', 'x'],
    ['zscore', 'inf', 'x'],
    ['zadd', 'inf', 'incr', '+inf', 'x'],
    ['set', 's', 'v'],
    ['zadd', 's', '1', 'a'],
    ['zadd', 's', 'xx', '1', 'a'],
    ['zadd', 's', 'x', 'a'], // the score is parsed first
    ['get', 's'],
  ],
  'zincrby / zrem': [
    ['zincrby', 'z', '2', 'a'],
    ['zincrby', 'z', '-0.5', 'a'],
    ['zincrby', 'z', 'x', 'a'],
    ['zincrby', 'z', '1'],
    ['zincrby', 'z', 'nx', 'a'],
    ['zincrby', 'z', 'inf', 'a'],
    ['zincrby', 'z', '-inf', 'a'],
    ['zscore', 'z', 'a'],
    ['zadd', 'z', '1', 'b', '2', 'c'],
    ['zrem', 'z', 'a', 'nope', 'a'],
    ['zrem', 'z'],
    ['zrem', 'missing', 'a'],
    ['zrange', 'z', '0', '-1'],
    ['zrem', 'z', 'b', 'c'],
    ['exists', 'z'],
    ['set', 's', 'v'],
    ['zincrby', 's', '1', 'a'],
    ['zrem', 's', 'a'],
  ],
  'zrank / zrevrank / zcount / zlexcount': [
    ['zadd', 'z', '1', 'a', '2', 'b', '2', 'c', '3', 'd', '5', 'e'],
    ['zrank', 'z', 'a'],
    ['zrank', 'z', 'c'],
    ['zrank', 'z', 'e'],
    ['zrank', 'z', 'x'],
    ['zrank', 'missing', 'a'],
    ['zrevrank', 'z', 'a'],
    ['zrevrank', 'z', 'c'],
    ['zrevrank', 'z', 'x'],
    ['zrank', 'z'],
    ['zrank', 'z', 'a', 'withscore'],
    ['zcount', 'z', '-inf', '+inf'],
    ['zcount', 'z', '2', '3'],
    ['zcount', 'z', '(2', '3'],
    ['zcount', 'z', '(2', '(3'],
    ['zcount', 'z', '3', '2'],
    ['zcount', 'z', '(1', '(1'],
    ['zcount', 'z', '1', '1'],
    ['zcount', 'z', 'x', '1'],
    ['zcount', 'z', '1', '(x'],
    ['zcount', 'z', '', ''],
    ['zcount', 'z', '(', '5'],
    ['zcount', 'z', ' 2', '5'],
    ['zcount', 'z', '1e999', 'inf'],
    ['zcount', 'z', 'nan', '1'],
    ['zcount', 'missing', '0', '1'],
    ['zcount', 'missing', 'x', '1'],
    ['zadd', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'ab'],
    ['zlexcount', 'l', '-', '+'],
    ['zlexcount', 'l', '[a', '[b'],
    ['zlexcount', 'l', '(a', '[b'],
    ['zlexcount', 'l', '(a', '(b'],
    ['zlexcount', 'l', '[b', '[a'],
    ['zlexcount', 'l', '+', '-'],
    ['zlexcount', 'l', '-', '[c'],
    ['zlexcount', 'l', '[c', '+'],
    ['zlexcount', 'l', 'a', 'b'],
    ['zlexcount', 'l', '[a', '+x'],
    ['zlexcount', 'l', '', '+'],
    ['zlexcount', 'l', '[', '('],
    ['zlexcount', 'missing', '-', '+'],
    ['zlexcount', 'missing', 'a', '+'],
    ['set', 's', 'v'],
    ['zrank', 's', 'a'],
    ['zcount', 's', '0', '1'],
    ['zcount', 's', 'x', '1'],
    ['zlexcount', 's', '-', '+'],
  ],
  'zrange by rank, score and lex, with REV, LIMIT and WITHSCORES': [
    ['zadd', 'z', '1', 'a', '2', 'b', '2', 'c', '3', 'd', '5', 'e', '8', 'f'],
    ['zrange', 'z', '1', '3'],
    ['zrange', 'z', '-2', '-1', 'withscores'],
    ['zrange', 'z', '-100', '100'],
    ['zrange', 'z', '4', '2'],
    ['zrange', 'z', '6', '10'],
    ['zrange', 'z', '0', '0', 'rev'],
    ['zrange', 'z', '0', '-1', 'rev', 'withscores'],
    ['zrange', 'z', 'x', '1'],
    ['zrange', 'z', '0', '1', 'limit', '0', '1'],
    ['zrange', 'z', '0', '1', 'bogus'],
    ['zrange', 'z', '2', '5', 'byscore'],
    ['zrange', 'z', '(2', '5', 'byscore', 'withscores'],
    ['zrange', 'z', '5', '2', 'byscore', 'rev'],
    ['zrange', 'z', '5', '(2', 'byscore', 'rev', 'withscores'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '1', '2'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '1', '-1'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '-1', '2'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '0', '0'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '10', '2'],
    ['zrange', 'z', '+inf', '-inf', 'byscore', 'rev', 'limit', '1', '3', 'withscores'],
    ['zrange', 'z', '+inf', '-inf', 'byscore', 'rev', 'limit', '5', '3'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '1'],
    ['zrange', 'z', '-inf', '+inf', 'byscore', 'limit', 'x', '1'],
    ['zrange', 'z', 'a', 'b', 'byscore'],
    ['zrange', 'z', '0', '1', 'byscore', 'byscore'],
    ['zrange', 'z', '0', '1', 'byscore', 'bylex'],
    ['zrange', 'z', '0', '1', 'rev', 'rev'],
    ['zrange', 'z', '-', '+', 'bylex'],
    ['zrange', 'z', '-', '+', 'bylex', 'withscores'],
    ['zrange', 'z', '0', '1', 'bylex'],
    ['zrange', 'missing', '0', '-1'],
    ['zrange', 'missing', 'x', '-1'],
    ['zrange', 'missing', '0', '1', 'limit', '0', '1'],
    ['zadd', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f', '0', 'g'],
    ['zrange', 'l', '[b', '(f', 'bylex'],
    ['zrange', 'l', '(f', '[b', 'bylex', 'rev'],
    ['zrange', 'l', '-', '+', 'bylex', 'limit', '2', '3'],
    ['zrange', 'l', '+', '-', 'bylex', 'rev', 'limit', '2', '3'],
    ['zrange', 'l', '+', '-', 'bylex'],
    ['zrevrange', 'z', '0', '2'],
    ['zrevrange', 'z', '0', '2', 'withscores'],
    ['zrevrange', 'z', '0', '2', 'rev'],
    ['zrevrange', 'z', '0', '2', 'limit', '0', '1'],
    ['zrangebyscore', 'z', '2', '5'],
    ['zrangebyscore', 'z', '2', '5', 'withscores', 'limit', '1', '2'],
    ['zrangebyscore', 'z', '2', '5', 'limit', '1', '2', 'withscores'],
    ['zrangebyscore', 'z', '2', '5', 'rev'],
    ['zrangebyscore', 'z', '2', '5', 'byscore'],
    ['zrevrangebyscore', 'z', '5', '2'],
    ['zrevrangebyscore', 'z', '5', '2', 'withscores'],
    ['zrevrangebyscore', 'z', '2', '5'],
    ['zrevrangebyscore', 'z', '(5', '(1', 'limit', '0', '2'],
    ['zrangebylex', 'l', '[c', '+'],
    ['zrangebylex', 'l', '[c', '+', 'limit', '1', '1'],
    ['zrangebylex', 'l', '[c', '+', 'withscores'],
    ['zrangebylex', 'l', 'c', '+'],
    ['zrevrangebylex', 'l', '+', '[c'],
    ['zrevrangebylex', 'l', '(e', '-', 'limit', '0', '2'],
    ['zrange'],
    ['zrange', 'z', '0'],
    ['zrangebyscore', 'z', '0'],
    ['set', 's', 'v'],
    ['zrange', 's', '0', '-1'],
    ['zrange', 's', 'x', '-1'],
    ['zrangebyscore', 's', '0', '1'],
  ],
  'zrangestore': [
    ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
    ['zrangestore', 'dst', 'z', '1', '2'],
    ['zrange', 'dst', '0', '-1', 'withscores'],
    ['zrangestore', 'dst', 'z', '(1', '3', 'byscore', 'limit', '1', '5'],
    ['zrange', 'dst', '0', '-1', 'withscores'],
    ['zrangestore', 'dst', 'z', '3', '0', 'byscore', 'rev'],
    ['zrange', 'dst', '0', '-1', 'withscores'],
    ['zrangestore', 'dst', 'z', '5', '9'],
    ['exists', 'dst'],
    ['set', 'str', 'v'],
    ['zrangestore', 'str', 'z', '0', '0'],
    ['type', 'str'],
    ['zrangestore', 'dst', 'str', '0', '-1'],
    ['zrangestore', 'dst', 'missing', '0', '-1'],
    ['zrangestore', 'z', 'z', '0', '1'],
    ['zrange', 'z', '0', '-1'],
    ['zrangestore', 'dst', 'z', '0', '1', 'withscores'],
    ['zrangestore', 'dst', 'z', '0'],
    ['zrangestore', 'dst', 'z', '-', '+', 'bylex'],
    ['zrange', 'dst', '0', '-1'],
    ['object', 'encoding', 'dst'],
  ],
  'zremrangebyrank / byscore / bylex': [
    ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
    ['zremrangebyrank', 'z', '1', '2'],
    ['zrange', 'z', '0', '-1'],
    ['zremrangebyrank', 'z', '5', '10'],
    ['zremrangebyrank', 'z', '-1', '-1'],
    ['zrange', 'z', '0', '-1'],
    ['zremrangebyrank', 'z', 'x', '1'],
    ['zremrangebyrank', 'missing', '0', '1'],
    ['zremrangebyrank', 'missing', 'x', '1'],
    ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
    ['zremrangebyscore', 'z', '(1', '3'],
    ['zremrangebyscore', 'z', '10', '20'],
    ['zremrangebyscore', 'z', 'x', '20'],
    ['zrange', 'z', '0', '-1', 'withscores'],
    ['zremrangebyscore', 'z', '-inf', '+inf'],
    ['exists', 'z'],
    ['zadd', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd'],
    ['zremrangebylex', 'l', '(a', '[c'],
    ['zrange', 'l', '0', '-1'],
    ['zremrangebylex', 'l', 'a', '[c'],
    ['zremrangebylex', 'l', '-', '+'],
    ['exists', 'l'],
    ['set', 's', 'v'],
    ['zremrangebyrank', 's', '0', '1'],
    ['zremrangebyscore', 's', '0', '1'],
    ['zremrangebylex', 's', '-', '+'],
  ],
  'zpopmin / zpopmax / zmpop': [
    ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
    ['zpopmin', 'z'],
    ['zpopmax', 'z'],
    ['zpopmin', 'z', '2'],
    ['zpopmax', 'z', '0'],
    ['zpopmax', 'z', '10'],
    ['exists', 'z'],
    ['zpopmin', 'z'],
    ['zpopmin', 'z', '3'],
    ['zpopmin', 'z', '-1'],
    ['zpopmin', 'z', 'x'],
    ['zpopmin', 'z', '1', '2'],
    ['zadd', 'y', '1', 'a', '2', 'b', '3', 'c'],
    ['zmpop', '2', 'z', 'y', 'min'],
    ['zmpop', '2', 'z', 'y', 'MAX', 'count', '5'],
    ['zmpop', '2', 'z', 'y', 'min'],
    ['zmpop', '0', 'z', 'min'],
    ['zmpop', 'x', 'z', 'min'],
    ['zmpop', '3', 'z', 'min'],
    ['zmpop', '1', 'z', 'mid'],
    ['zmpop', '1', 'z', 'min', 'count', '0'],
    ['zmpop', '1', 'z', 'min', 'count', '-1'],
    ['zmpop', '1', 'z', 'min', 'count', 'x'],
    ['zmpop', '1', 'z', 'min', 'count', '1', 'count', '2'],
    ['zmpop', '1', 'z', 'min', 'count'],
    ['zmpop', '1', 'z', 'min', 'bogus'],
    ['set', 's', 'v'],
    ['zpopmin', 's'],
    ['zpopmin', 's', '0'],
    ['zmpop', '2', 'missing', 's', 'min'],
    ['zadd', 'y', '1', 'a'],
    ['zmpop', '2', 'y', 's', 'min'], // the first non-empty key is popped, the rest not looked at
  ],
  'zunion / zinter / zdiff and their STORE forms, zintercard': [
    ['zadd', 'a', '1', 'x', '2', 'y', '3', 'z'],
    ['zadd', 'b', '10', 'y', '20', 'z', '30', 'w'],
    ['sadd', 's', 'x', 'w', 'v'],
    ['zunion', '2', 'a', 'b'],
    ['zunion', '2', 'a', 'b', 'withscores'],
    ['zunion', '2', 'a', 'b', 'weights', '2', '0.5', 'withscores'],
    ['zunion', '2', 'a', 'b', 'aggregate', 'min', 'withscores'],
    ['zunion', '2', 'a', 'b', 'aggregate', 'MAX', 'withscores'],
    ['zunion', '3', 'a', 'b', 's', 'withscores'],
    ['zunion', '2', 'a', 'missing', 'withscores'],
    ['zinter', '2', 'a', 'b', 'withscores'],
    ['zinter', '2', 'a', 'b', 'weights', '1', '-1', 'aggregate', 'sum', 'withscores'],
    ['zinter', '2', 'a', 's', 'withscores'],
    ['zinter', '2', 'a', 'missing'],
    ['zdiff', '2', 'a', 'b', 'withscores'],
    ['zdiff', '2', 'b', 's', 'withscores'],
    ['zdiff', '1', 'a'],
    ['zdiff', '2', 'missing', 'a'],
    ['zdiff', '2', 'a', 'b', 'weights', '1', '1'],
    ['zdiff', '2', 'a', 'b', 'aggregate', 'max'],
    ['zunionstore', 'dst', '2', 'a', 'b'],
    ['zrange', 'dst', '0', '-1', 'withscores'],
    ['zinterstore', 'dst', '2', 'a', 'b', 'weights', '3', '1'],
    ['zrange', 'dst', '0', '-1', 'withscores'],
    ['zdiffstore', 'dst', '2', 'a', 'b'],
    ['zrange', 'dst', '0', '-1', 'withscores'],
    ['zinterstore', 'dst', '2', 'a', 'missing'],
    ['exists', 'dst'],
    ['zunionstore', 'a', '2', 'a', 'a'],
    ['zrange', 'a', '0', '-1', 'withscores'],
    ['zunionstore', 'dst', '1', 'a', 'withscores'],
    ['zintercard', '2', 'a', 'b'],
    ['zintercard', '2', 'a', 'b', 'limit', '1'],
    ['zintercard', '2', 'a', 'b', 'limit', '0'],
    ['zintercard', '2', 'a', 'b', 'limit', '-1'],
    ['zintercard', '2', 'a', 'b', 'limit', 'x'],
    ['zintercard', '0', 'a'],
    ['zintercard', '3', 'a', 'b'],
    ['zintercard', '1', 'a', 'withscores'],
    ['zunion', '0', 'a'],
    ['zunion', 'x', 'a'],
    ['zunion', '-1', 'a'],
    ['zunion', '3', 'a', 'b'],
    ['zunion', '2', 'a', 'b', 'weights', '1'],
    ['zunion', '2', 'a', 'b', 'weights', '1', 'x'],
    ['zunion', '2', 'a', 'b', 'aggregate', 'avg'],
    ['zunion', '2', 'a', 'b', 'aggregate'],
    ['zunion', '2', 'a', 'b', 'bogus'],
    ['zunionstore', 'dst', '0', 'a'],
    ['zinterstore', 'dst', '0', 'a'],
    ['zdiffstore', 'dst', '0', 'a'],
    ['zinter', '0', 'a'],
    ['zdiff', '0', 'a'],
    ['set', 'str', 'v'],
    ['zunion', '2', 'a', 'str'],
    ['zunion', '2', 'a', 'str', 'bogus'],
    ['zinterstore', 'str', '1', 'a'],
    ['type', 'str'],
    ['zadd', 'i1', 'inf', 'm'],
    ['zadd', 'i2', '-inf', 'm'],
    ['zunion', '2', 'i1', 'i2', 'withscores'],
    ['zunion', '2', 'i1', 'i2', 'weights', '0', '1', 'withscores'],
    ['zinter', '2', 'i1', 'i2', 'aggregate', 'min', 'withscores'],
  ],
  'generic commands on a sorted set': [
    ['zadd', 'z', '1', 'a', '2', 'b'],
    ['type', 'z'],
    ['object', 'encoding', 'z'],
    ['exists', 'z'],
    ['get', 'z'],
    ['append', 'z', 'x'],
    ['hget', 'z', 'a'],
    ['sadd', 'z', 'a'],
    ['expire', 'z', '100'],
    ['ttl', 'z'],
    ['persist', 'z'],
    ['ttl', 'z'],
    ['rename', 'z', 'z2'],
    ['zrange', 'z2', '0', '-1', 'withscores'],
    ['copy', 'z2', 'z3'],
    ['zadd', 'z3', '3', 'c'],
    ['zrange', 'z2', '0', '-1'],
    ['zrange', 'z3', '0', '-1'],
    ['dbsize'],
    ['del', 'z2'],
    ['unlink', 'z3'],
    ['dbsize'],
    ['zadd', 'z', '1', 'a'],
    ['set', 'z', 'v'],
    ['get', 'z'],
    ['zadd', 'long', '1', 'x'.repeat(65)],
    ['object', 'encoding', 'long'],
    ['zadd', 'short', '1', 'x'.repeat(64)],
    ['object', 'encoding', 'short'],
    ['zadd', 'short', '1', 'y'.repeat(65)],
    ['object', 'encoding', 'short'],
    ['zrem', 'short', 'y'.repeat(65)],
    ['object', 'encoding', 'short'], // never goes back
    ['config', 'set', 'zset-max-listpack-entries', '3'],
    ['zadd', 'c', '1', 'a', '2', 'b', '3', 'c'],
    ['object', 'encoding', 'c'],
    ['zadd', 'c', '4', 'd'],
    ['object', 'encoding', 'c'],
    ['zrange', 'c', '0', '-1', 'withscores'],
    ['zrangestore', 'c2', 'c', '0', '1'],
    ['object', 'encoding', 'c2'],
    ['config', 'set', 'zset-max-listpack-entries', '128'],
    ['config', 'set', 'zset-max-listpack-value', '4'],
    ['zadd', 'v', '1', 'abcd'],
    ['object', 'encoding', 'v'],
    ['zadd', 'v2', '1', 'abcde'],
    ['object', 'encoding', 'v2'],
    ['config', 'set', 'zset-max-listpack-value', '64'],
  ],
  'large sorted sets (skiplist): ranges, ranks, removals, pops': [
    zaddRange('big', 0, 300, (i) => String((i * 7919) % 311)),
    zaddRange('big', 300, 600, (i) => String((i * 104729) % 97 / 4), (i) => `n${i}`),
    ['object', 'encoding', 'big'],
    ['zcard', 'big'],
    ['zrange', 'big', '0', '9', 'withscores'],
    ['zrange', 'big', '-10', '-1', 'withscores'],
    ['zrange', 'big', '250', '260', 'rev'],
    ['zrank', 'big', 'm17'],
    ['zrevrank', 'big', 'm17'],
    ['zrank', 'big', 'n400'],
    ['zcount', 'big', '10', '20'],
    ['zcount', 'big', '(10', '(20'],
    ['zrangebyscore', 'big', '10', '12', 'withscores'],
    ['zrangebyscore', 'big', '(5', '+inf', 'limit', '100', '7', 'withscores'],
    ['zrevrangebyscore', 'big', '+inf', '(5', 'limit', '100', '7'],
    ['zadd', 'big', 'incr', '1000', 'm17'],
    ['zrank', 'big', 'm17'],
    ['zrange', 'big', '-2', '-1', 'withscores'],
    ['zadd', 'big', 'gt', 'ch', '0', 'm18', '500', 'm19'],
    ['zrange', 'big', '-3', '-1', 'withscores'],
    ['zrem', 'big', 'm17', 'm19', 'n300'],
    ['zcard', 'big'],
    ['zremrangebyrank', 'big', '0', '49'],
    ['zrange', 'big', '0', '4', 'withscores'],
    ['zremrangebyscore', 'big', '100', '200'],
    ['zcount', 'big', '-inf', '+inf'],
    ['zrange', 'big', '-5', '-1', 'withscores'],
    ['zpopmin', 'big', '3'],
    ['zpopmax', 'big', '3'],
    ['zmpop', '1', 'big', 'max', 'count', '2'],
    ['zcard', 'big'],
    ['zrangestore', 'copy', 'big', '10', '30', 'byscore'],
    ['zrange', 'copy', '0', '-1', 'withscores'],
    ['zunionstore', 'u', '2', 'big', 'copy', 'weights', '1', '2'],
    ['zrange', 'u', '0', '20', 'withscores'],
    ['zintercard', '2', 'big', 'copy'],
    ['zdiff', '2', 'big', 'copy'],
    zaddRange('lex', 0, 200, () => '0', (i) => `k${String(i).padStart(3, '0')}`),
    ['zrangebylex', 'lex', '[k050', '(k060'],
    ['zlexcount', 'lex', '(k100', '+'],
    ['zrevrangebylex', 'lex', '+', '[k190', 'limit', '2', '3'],
    ['zremrangebylex', 'lex', '-', '(k100'],
    ['zrange', 'lex', '0', '2'],
    ['zcard', 'lex'],
  ],
};

/** A random script over a few keys of mixed sizes, with dyadic scores (exact in both formats). */
function randomScript(seed: number, n: number, big: boolean): Arg[][] {
  const r = rng(seed);
  const keys = ['k1', 'k2', 'k3'];
  const member = () => `m${r(big ? 400 : 30)}`;
  const score = () => {
    const v = [String((r(200) - 100) / 4), String(r(20)), '-inf', '+inf', String(r(8))][r(5)]!;
    return v;
  };
  const bound = () => {
    const s = [String((r(200) - 100) / 4), String(r(20)), '-inf', '+inf'][r(4)]!;
    return r(3) === 0 ? `(${s}` : s;
  };
  const out: Arg[][] = [];
  if (big) for (const k of keys) out.push(zaddRange(k, 0, 200, () => String(r(40)), (i) => `m${r(400)}x${i % 2}`));
  for (let i = 0; i < n; i++) {
    const k = keys[r(3)]!;
    const k2 = keys[r(3)]!;
    switch (r(16)) {
      case 0:
      case 1: {
        const cmd: Arg[] = ['zadd', k];
        const opts = [[], ['nx'], ['xx'], ['gt'], ['lt'], ['ch'], ['gt', 'ch'], ['xx', 'lt', 'ch']][r(8)]!;
        cmd.push(...opts);
        const pairs = 1 + r(4);
        for (let j = 0; j < pairs; j++) cmd.push(score(), member());
        out.push(cmd);
        break;
      }
      case 2:
        out.push(['zincrby', k, String((r(40) - 20) / 2), member()]);
        break;
      case 3:
        out.push(['zrem', k, member(), member()]);
        break;
      case 4:
        out.push(['zrange', k, String(r(30) - 15), String(r(30) - 10), ...(r(2) ? ['withscores'] : [])]);
        break;
      case 5:
        out.push(['zrange', k, bound(), bound(), 'byscore', ...(r(2) ? ['rev'] : []), ...(r(2) ? ['limit', String(r(5)), String(r(8) - 1)] : []), 'withscores']);
        break;
      case 6:
        out.push(['zrank', k, member()], ['zrevrank', k, member()]);
        break;
      case 7:
        out.push(['zcount', k, bound(), bound()]);
        break;
      case 8:
        out.push(['zscore', k, member()], ['zmscore', k, member(), member()]);
        break;
      case 9:
        out.push([r(2) ? 'zpopmin' : 'zpopmax', k, ...(r(2) ? [String(r(4))] : [])]);
        break;
      case 10:
        out.push(['zremrangebyscore', k, bound(), bound()]);
        break;
      case 11:
        out.push(['zremrangebyrank', k, String(r(10) - 5), String(r(10) - 3)]);
        break;
      case 12:
        out.push(['zunionstore', 'u', '2', k, k2, 'weights', String(r(3)), '1', 'aggregate', ['sum', 'min', 'max'][r(3)]!], ['zrange', 'u', '0', '-1', 'withscores']);
        break;
      case 13:
        out.push(['zinter', '2', k, k2, 'withscores'], ['zdiff', '2', k, k2, 'withscores']);
        break;
      case 14:
        out.push(['zrangestore', 'st', k, String(r(10)), String(r(20)), 'byscore'], ['zrange', 'st', '0', '-1', 'withscores']);
        break;
      case 15:
        out.push(['zcard', k], ['zmpop', '2', k, k2, r(2) ? 'min' : 'max', 'count', String(1 + r(3))]);
        break;
    }
  }
  for (const k of keys) out.push(['zrange', k, '0', '-1', 'withscores']);
  return out;
}

for (let seed = 1; seed <= 4; seed++) scripts[`random script ${seed}`] = randomScript(seed, 300, false);
for (let seed = 5; seed <= 6; seed++) scripts[`random script over large sets ${seed}`] = randomScript(seed, 300, true);

describe.runIf(haveRedisServer)('sorted-set commands against a real redis-server', () => {
  const pair = useScriptedPair(scripts);

  it('ZRANDMEMBER: counts, membership, distinct members for a positive count, scores that match', async () => {
    const load: Arg[][] = [zaddRange('small', 0, 20, (i) => String(i)), zaddRange('large', 0, 500, (i) => String(i / 2))];
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    for (const cmd of load) expect(await pair.dax.call(...cmd)).toEqual(await pair.ref.call(...cmd));
    for (const key of ['small', 'large']) {
      const size = key === 'small' ? 20 : 500;
      for (const count of [1, 5, 19, 20, 21, 499, 500, 600, -1, -5, -30, -600]) {
        for (const c of [pair.dax, pair.ref]) {
          const plain = (await c.call('zrandmember', key, String(count))) as Array<{ b: string }>;
          expect(plain.length).toBe(count > 0 ? Math.min(count, size) : -count);
          if (count > 0) expect(new Set(plain.map((x) => x.b)).size).toBe(plain.length);
          const ws = (await c.call('zrandmember', key, String(count), 'withscores')) as Array<{ b: string }>;
          expect(ws.length).toBe(2 * (count > 0 ? Math.min(count, size) : -count));
          for (let i = 0; i < ws.length; i += 2) {
            const idx = Number(ws[i]!.b.slice(1));
            expect(Number(ws[i + 1]!.b)).toBe(key === 'small' ? idx : idx / 2);
          }
        }
      }
      const one = (await pair.dax.call('zrandmember', key)) as { b: string };
      expect(one.b).toMatch(/^m\d+$/);
      expect(await pair.dax.call('zcard', key)).toEqual({ i: String(size) });
    }
    const errors: Arg[][] = [
      ['zrandmember', 'small', 'x'],
      ['zrandmember', 'small', '1', 'bogus'],
      ['zrandmember', 'small', '1', 'withscores', 'x'],
      ['zrandmember', 'small', '-9223372036854775808'],
      ['zrandmember', 'small', '9223372036854775807', 'withscores'],
      ['zrandmember', 'missing'],
      ['zrandmember', 'missing', '3'],
      ['zrandmember', 'small', '0'],
    ];
    for (const cmd of errors) expect(await pair.dax.call(...cmd)).toEqual(await pair.ref.call(...cmd));
  });

  it('ZSCAN: a small set answers whole, a large one through the cursor loop; MATCH on members', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const load = [zaddRange('small', 0, 10, (i) => String(i)), zaddRange('large', 0, 1000, (i) => String(i / 4))];
    for (const cmd of load) expect(await pair.dax.call(...cmd)).toEqual(await pair.ref.call(...cmd));
    expect(await pair.dax.call('zscan', 'small', '0')).toEqual(await pair.ref.call('zscan', 'small', '0'));
    expect(await pair.dax.call('zscan', 'small', '0', 'match', 'm1*')).toEqual(await pair.ref.call('zscan', 'small', '0', 'match', 'm1*'));
    for (const cmd of [['zscan', 'missing', '0'], ['zscan', 'small', 'x'], ['zscan', 'small', '0', 'count', '0'], ['zscan', 'small', '0', 'bogus']]) {
      expect(await pair.dax.call(...cmd)).toEqual(await pair.ref.call(...cmd));
    }
    for (const match of [[], ['match', 'm9*']]) {
      const seen = new Map<string, string>();
      let cursor = '0';
      for (let calls = 0; calls < 10_000; calls++) {
        const r = (await pair.dax.call('zscan', 'large', cursor, 'count', '50', ...match)) as [{ b: string }, Array<{ b: string }>];
        for (let i = 0; i < r[1].length; i += 2) seen.set(r[1][i]!.b, r[1][i + 1]!.b);
        cursor = r[0].b;
        if (cursor === '0') break;
      }
      expect(cursor).toBe('0');
      const want = Array.from({ length: 1000 }, (_, i) => i).filter((i) => !match.length || String(i).startsWith('9'));
      expect(seen.size).toBe(want.length);
      for (const i of want) expect(Number(seen.get(`m${i}`))).toBe(i / 4);
    }
    await Promise.all([pair.dax.call('sadd', 'aset', 'x'), pair.ref.call('sadd', 'aset', 'x')]);
    expect(await scanAll(pair.dax, 'type', 'zset')).toEqual(await scanAll(pair.ref, 'type', 'zset'));
    expect(await scanAll(pair.dax, 'type', 'zset')).toEqual(['large', 'small']);
  });

  it('RESP3 (HELLO 3): scores are doubles, WITHSCORES replies are pairs, empty pops are _ or []', async () => {
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const [d, r] = await Promise.all([RawClient.connect(pair.servers.dax.port), RawClient.connect(pair.servers.redis!.port)]);
    try {
      await Promise.all([d.call('hello', '3'), r.call('hello', '3')]);
      const exact: Arg[][] = [
        ['zadd', 'z', '1', 'a', '2.5', 'b', 'inf', 'c', '-inf', 'd'],
        ['zscore', 'z', 'b'],
        ['zscore', 'z', 'c'],
        ['zscore', 'z', 'nope'],
        ['zmscore', 'z', 'a', 'nope'],
        ['zincrby', 'z', '1', 'a'],
        ['zadd', 'z', 'incr', '1', 'a'],
        ['zadd', 'z', 'nx', 'incr', '1', 'a'],
        ['zrange', 'z', '0', '-1', 'withscores'],
        ['zrange', 'z', '0', '-1'],
        ['zrangebyscore', 'z', '-inf', '+inf', 'withscores'],
        ['zunion', '1', 'z', 'withscores'],
        ['zinter', '1', 'z', 'withscores'],
        ['zdiff', '1', 'z', 'withscores'],
        ['zrandmember', 'z', '-2', 'withscores'].slice(0, 0), // random: shape checked below
        ['zrank', 'z', 'a'],
        ['zrank', 'z', 'nope'],
        ['zpopmin', 'z'],
        ['zpopmin', 'z', '1'],
        ['zpopmax', 'z', '5'],
        ['zpopmin', 'z'],
        ['zpopmin', 'z', '2'],
        ['zadd', 'y', '1', 'a', '2', 'b'],
        ['zmpop', '1', 'y', 'min'],
        ['zmpop', '1', 'y', 'max', 'count', '3'],
        ['zmpop', '1', 'y', 'max'],
        ['zscan', 'missing', '0'],
        ['zrange', 'missing', '0', '-1'],
      ].filter((c) => c.length > 0);
      for (const cmd of exact) {
        const [got, want] = await Promise.all([raw3(d, ...cmd), raw3(r, ...cmd)]);
        expect([cmd.join(' '), got]).toEqual([cmd.join(' '), want]);
      }
      await raw3(d, 'zadd', 'w', '1', 'a');
      expect(await raw3(d, 'zrandmember', 'w', '-2', 'withscores')).toBe('*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n');
    } finally {
      d.close();
      r.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// daxcache only: restarts, kill -9, the DRAM order trees.
// ---------------------------------------------------------------------------------------------

describe('sorted sets on daxcache: restarts, kill -9 and the DRAM order', () => {
  let server: TestServer;
  let c: RespClient;
  beforeAll(async () => {
    server = await startServer({ args: ['--zset-order-memory', '1mb'] });
    c = await RespClient.open(server.port);
  });
  afterAll(async () => {
    c?.close();
    await server?.stop();
  });

  const flat = (w: Wire): string[] => (w as Array<{ b: string }>).map((x) => x.b);

  /** The whole set by ZRANGE, and the same members sorted from ZSCAN's contents: they must agree. */
  async function consistent(key: string): Promise<string[]> {
    const ranged = flat(await c.call('zrange', key, '0', '-1', 'withscores'));
    const scanned: Array<[string, number]> = [];
    let cursor = '0';
    for (let calls = 0; calls < 100_000; calls++) {
      const r = (await c.call('zscan', key, cursor, 'count', '500')) as [{ b: string }, Array<{ b: string }>];
      for (let i = 0; i < r[1].length; i += 2) scanned.push([r[1][i]!.b, Number(r[1][i + 1]!.b)]);
      cursor = r[0].b;
      if (cursor === '0') break;
    }
    const uniq = [...new Map(scanned).entries()].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))));
    expect(ranged).toEqual(uniq.flatMap(([m, s]) => [m, String(s)]));
    return ranged;
  }

  it('a 5000-member and a 50-member sorted set come back after a clean restart, then after kill -9', async () => {
    await c.call('flushall');
    for (let i = 0; i < 5000; i += 500) await c.call(...zaddRange('big', i, i + 500, (j) => String((j * 37) % 1001)));
    await c.call(...zaddRange('small', 0, 50, (j) => String(j / 2)));
    const before = [await consistent('big'), await consistent('small')];
    c.close();
    await server.restart();
    c = await RespClient.open(server.port);
    expect([await consistent('big'), await consistent('small')]).toEqual(before);
    // Changes after the restart reach both the pool and the order tree built since.
    await c.call('zadd', 'big', '-1', 'first', '5000', 'last');
    await c.call('zrem', 'big', 'm0', 'm1');
    await c.call('zincrby', 'big', '10000', 'm2');
    expect(await c.call('zrank', 'big', 'first')).toEqual({ i: '0' });
    expect(flat(await c.call('zrange', 'big', '-1', '-1'))).toEqual(['m2']);
    const after = await consistent('big');
    c.close();
    await server.kill9();
    await server.restart();
    c = await RespClient.open(server.port);
    expect(await consistent('big')).toEqual(after);
    expect(await c.call('object', 'encoding', 'big')).toEqual({ b: 'skiplist' });
    expect(await c.call('object', 'encoding', 'small')).toEqual({ b: 'listpack' });
  }, 120_000);

  it('order trees stay within zset-order-memory (least recently used dropped, rebuilt on use)', async () => {
    await c.call('flushall');
    // 1 MiB holds the trees of about 50k members (16-32 bytes each): eight 12000-member sets do not
    // fit together.
    const N = 12000;
    for (let k = 0; k < 8; k++) for (let i = 0; i < N; i += 1000) await c.call(...zaddRange(`z${k}`, i, i + 1000, (j) => String(j % 97)));
    // score 0: the members j % 97 == 0, ordered by their bytes
    const zeros = Array.from({ length: Math.ceil(N / 97) }, (_, i) => `m${i * 97}`).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < 8; k++) {
        const r = flat(await c.call('zrange', `z${k}`, '0', '2', 'withscores'));
        expect(r).toEqual(zeros.slice(0, 3).flatMap((m) => [m, '0']));
      }
    }
    const info = ((await c.call('info', 'memory')) as { b: string }).b;
    const field = (n: string) => Number(new RegExp(`${n}:(\\d+)`).exec(info)![1]);
    expect(field('zset_order_memory')).toBeLessThanOrEqual(1024 * 1024);
    expect(field('zset_order_trees')).toBeLessThan(8);
    expect(field('zset_order_builds')).toBeGreaterThan(8); // dropped trees were built again
    for (let k = 0; k < 8; k++) await consistent(`z${k}`);
  }, 120_000);

  it('a ZADD that runs out of memory is undone whole, and the order still agrees with the pool', async () => {
    await c.call('flushall');
    await c.call('config', 'set', 'maxmemory-policy', 'noeviction');
    for (let i = 0; i < 2000; i += 500) await c.call(...zaddRange('z', i, i + 500, (j) => String(j % 13)));
    await consistent('z'); // the tree is built
    // The sets an earlier test left are freed in background slices after FLUSHALL: wait for the
    // end, or the memory they give back makes room under the limit set below.
    const { used, freeing } = await settledUsedMemory(c);
    expect(freeing).toBe(0);
    await c.call('config', 'set', 'maxmemory', String(used + 64 * 1024));
    let oom = false;
    for (let round = 0; round < 50 && !oom; round++) {
      const r = await c.call(...zaddRange('z', 10_000 + round * 400, 10_400 + round * 400, (j) => String(j % 7), (j) => `n${j}-${'p'.repeat(40)}`));
      oom = typeof r === 'object' && r !== null && 'e' in r;
      if (oom) expect((r as { e: string }).e).toMatch(/^OOM /);
    }
    expect(oom).toBe(true);
    await c.call('config', 'set', 'maxmemory', '0');
    await consistent('z');
    // More writes after the undone one keep both in step.
    await c.call('zadd', 'z', '-5', 'lowest');
    await c.call('zremrangebyrank', 'z', '-10', '-1');
    await consistent('z');
  }, 120_000);
});

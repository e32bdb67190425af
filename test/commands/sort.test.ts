// SORT and SORT_RO of a real `daxcache serve` (dist/, built first) against a real redis-server 7.0:
// each script runs on an empty keyspace on both and every reply must be the same on the wire.
// Covered: numeric sort of lists, sets and sorted sets (numbers as strtod reads them, ties broken
// by the elements), ALPHA (C-string order without STORE, whole bytes with it), DESC, LIMIT's
// clamping, BY string keys and hash fields (missing and wrong-type weights), BY nosort on lists
// and sorted sets (with LIMIT and DESC) and on a set with STORE, BY with ALPHA ties and LIMIT
// (Redis's partial quicksort decides that order), GET (#, keys, hash fields, missing), STORE
// (replacing any type, deleting on an empty result), the errors and their order, MULTI/EXEC, and
// seeded random scripts.
//
// Left out on purpose: BY nosort on a set without STORE and ALPHA ties of a set or sorted set,
// whose order is each server's own hashtable order.
import { describe } from 'vitest';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { rng, type Arg } from './unordered.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

const scripts: Record<string, Arg[][]> = {
  'numeric sort of lists, sets and sorted sets': [
    ['rpush', 'l', '3', '1', '2', '10', '-5', '1.5', '2', '100', '-0.25'],
    ['sort', 'l'],
    ['sort', 'l', 'desc'],
    ['sort', 'l', 'DESC', 'asc'],
    ['sort_ro', 'l'],
    ['sort_ro', 'l', 'desc', 'limit', '1', '3'],
    ['sadd', 's', '5', '3', '9', '-1', '0', '70000', '12'],
    ['sort', 's'],
    ['sort', 's', 'desc'],
    ['sadd', 's2', '5', 'x1', '3'],
    ['srem', 's2', 'x1'],
    ['sort', 's2'],
    ['zadd', 'z', '3', '10', '1', '20', '2', '5', '-1', '7.5'],
    ['sort', 'z'],
    ['sort', 'z', 'desc'],
    ['sort', 'z', 'limit', '1', '2'],
    ['sort', 'missing'],
    ['sort_ro', 'missing', 'desc', 'alpha'],
    ['sort', 'missing', 'limit', '0', '5'],
    ['exists', 'l', 's', 'z'],
  ],
  'numbers as strtod reads them, and ties': [
    ['rpush', 'f', '', ' 1', '0x10', 'inf', '-inf', '1e3', '2.', '.5', '-0', '0', '+3', '1e-5', '0X1p3', '-Infinity', '\t7', '1E2'],
    ['sort', 'f'],
    ['sort', 'f', 'desc'],
    ['rpush', 't', '1', '1.0', '01', '1e0', '+1', '1.', '0x1'],
    ['sort', 't'],
    ['sort', 't', 'desc'],
    ['rpush', 'nul', b('5\x00junk'), '4', b('3\x00')],
    ['sort', 'nul'],
    ['rpush', 'big', '9007199254740993', '9007199254740992', '9007199254740994', '-9223372036854775808', '9223372036854775807'],
    ['sort', 'big'],
  ],
  'ALPHA: C-string order without STORE, bytes with it': [
    ['rpush', 'a', 'banana', 'apple', 'Cherry', '', 'apple', b('a\x00b'), b('a\x00a'), 'a', b('\xff'), b('\x80'), 'ab', 'B', '10', '9'],
    ['sort', 'a', 'alpha'],
    ['sort', 'a', 'alpha', 'desc'],
    ['sort', 'a', 'alpha', 'limit', '2', '4'],
    ['sort', 'a', 'alpha', 'store', 'dst'],
    ['lrange', 'dst', '0', '-1'],
    ['sort', 'a', 'alpha', 'desc', 'store', 'dst'],
    ['lrange', 'dst', '0', '-1'],
    ['sadd', 'sa', 'pear', 'fig', 'Apple', '3', '20', b('\xfe')],
    ['sort', 'sa', 'alpha'],
    ['sort', 'sa', 'alpha', 'desc', 'limit', '1', '3'],
    ['zadd', 'za', '1', 'zeta', '2', 'alpha', '3', 'mu', '0', 'Beta'],
    ['sort', 'za', 'alpha'],
    ['sort_ro', 'za', 'ALPHA', 'DESC'],
  ],
  'LIMIT clamping': [
    ['rpush', 'l', '6', '5', '4', '3', '2', '1'],
    ['sort', 'l', 'limit', '0', '0'],
    ['sort', 'l', 'limit', '0', '-1'],
    ['sort', 'l', 'limit', '0', '-100'],
    ['sort', 'l', 'limit', '-5', '2'],
    ['sort', 'l', 'limit', '2', '100'],
    ['sort', 'l', 'limit', '100', '2'],
    ['sort', 'l', 'limit', '6', '1'],
    ['sort', 'l', 'limit', '5', '1'],
    ['sort', 'l', 'limit', '5', '0'],
    ['sort', 'l', 'limit', '1', '-3'],
    ['sort', 'l', 'limit', '2', '3', 'desc'],
    ['sort', 'l', 'limit', '9223372036854775807', '9223372036854775807'],
    ['sort', 'l', 'limit', '-9223372036854775808', '-9223372036854775808'],
    ['sort', 'l', 'limit', '1', '2', 'limit', '3', '1'],
    ['sort', 'l', 'limit', '1', '2', 'store', 'd'],
    ['lrange', 'd', '0', '-1'],
    ['sort', 'missing', 'limit', '1', '1'],
    ['sort', 'missing', 'limit', '-1', '-1'],
    ['rpush', 'one', '1'],
    ['sort', 'one', 'limit', '1', '1'],
    ['sort', 'one', 'limit', '0', '1'],
    ['sort', 'one', 'by', 'nosort', 'limit', '1', '0'],
  ],
  'BY string keys and hash fields': [
    ['rpush', 'l', '1', '2', '3', '4', '5', '6'],
    ['mset', 'w_1', '40', 'w_2', '10', 'w_3', '30', 'w_6', '-2'],
    ['rpush', 'w_5', 'not-a-string'],
    ['sort', 'l', 'by', 'w_*'],
    ['sort', 'l', 'by', 'w_*', 'desc'],
    ['sort', 'l', 'by', 'w_*', 'limit', '1', '3'],
    ['sort', 'l', 'by', 'w_*', 'desc', 'limit', '2', '2'],
    ['sort', 'l', 'by', 'w_*', 'alpha'],
    ['sort', 'l', 'by', 'w_*', 'alpha', 'desc'],
    ['sort', 'l', 'by', 'w_*', 'alpha', 'limit', '1', '3'],
    ['mset', 'p_1_x', '3', 'p_2_x', '1', 'p_3_x', '2'],
    ['sort', 'l', 'by', 'p_*_x'],
    ['sort', 'l', 'by', 'p_*_x', 'by', 'w_*'],
    ['hset', 'h_1', 'f', '9', 'g', 'b'],
    ['hset', 'h_2', 'f', '7', 'g', 'a'],
    ['hset', 'h_3', 'f', '8'],
    ['hset', 'h_4', 'g', 'c', 'f', '-1.5'],
    ['set', 'h_5', 'string, not a hash'],
    ['sort', 'l', 'by', 'h_*->f'],
    ['sort', 'l', 'by', 'h_*->f', 'desc', 'limit', '0', '3'],
    ['sort', 'l', 'by', 'h_*->g', 'alpha'],
    ['sort', 'l', 'by', 'h_*->g', 'alpha', 'desc'],
    ['sort', 'l', 'by', 'h_*->missing'],
    ['set', 'h_1->', '5'],
    ['set', 'h_2->', '1'],
    ['sort', 'l', 'by', 'h_*->'],
    ['sadd', 's', '1', '2', '3', '4'],
    ['sort', 's', 'by', 'w_*'],
    ['sort', 's', 'by', 'h_*->f', 'desc'],
    ['zadd', 'z', '1', '3', '2', '1', '3', '2'],
    ['sort', 'z', 'by', 'w_*'],
    ['sort', 'z', 'by', 'w_*', 'desc', 'limit', '1', '1'],
    ['set', 'w_4', 'heavy'],
    ['sort', 'l', 'by', 'w_*'],
    ['sort', 'l', 'by', 'w_*', 'alpha'],
    ['sort', 'l', 'by', 'h_*->g'],
  ],
  'BY with ALPHA ties and LIMIT (partial quicksort order)': (() => {
    const out: Arg[][] = [];
    const els: string[] = [];
    for (let i = 0; i < 60; i++) els.push(String((i * 37) % 61));
    out.push(['rpush', 'l', ...els]);
    const weights: string[] = [];
    for (let i = 0; i < 61; i += 2) weights.push(`w_${i}`, ['x', 'y', 'z'][i % 3]!);
    out.push(['mset', ...weights]);
    out.push(['sort', 'l', 'by', 'w_*', 'alpha']);
    out.push(['sort', 'l', 'by', 'w_*', 'alpha', 'desc']);
    for (const [o, c] of [['0', '5'], ['3', '10'], ['20', '7'], ['50', '20'], ['0', '59'], ['1', '-1'], ['59', '1']] as const) {
      out.push(['sort', 'l', 'by', 'w_*', 'alpha', 'limit', o, c]);
      out.push(['sort', 'l', 'by', 'w_*', 'alpha', 'desc', 'limit', o, c]);
    }
    out.push(['rpush', 'small', '5', '4', '3', '2', '1', '0', '9', '8']);
    out.push(['sort', 'small', 'by', 'nokey_*', 'alpha', 'limit', '1', '3']);
    out.push(['sort', 'small', 'by', 'w_*', 'alpha', 'limit', '2', '4']);
    out.push(['sort', 'small', 'by', 'w_*', 'alpha', 'limit', '2', '4', 'store', 'd']);
    out.push(['lrange', 'd', '0', '-1']);
    out.push(['sort', 'small', 'by', 'nokey_*', 'limit', '1', '3']);
    return out;
  })(),
  'BY nosort': [
    ['rpush', 'l', '3', 'b', '1', 'a', '2'],
    ['sort', 'l', 'by', 'nosort'],
    ['sort', 'l', 'by', 'nosort', 'desc'],
    ['sort', 'l', 'by', 'nosort', 'limit', '1', '2'],
    ['sort', 'l', 'by', 'nosort', 'desc', 'limit', '1', '2'],
    ['sort', 'l', 'by', 'nosort', 'desc', 'limit', '3', '10'],
    ['sort', 'l', 'by', 'nosort', 'limit', '10', '1'],
    ['sort', 'l', 'by', 'nosort', 'alpha'],
    ['sort', 'l', 'by', 'w_*', 'by', 'nosort'],
    ['sort', 'l', 'by', 'nosort', 'by', 'w_*'],
    ['sort', 'l', 'by', b('w_\x00*')],
    ['zadd', 'z', '3', 'c', '1', 'a', '2', 'b', '5', 'e', '4', 'd'],
    ['sort', 'z', 'by', 'nosort'],
    ['sort', 'z', 'by', 'nosort', 'desc'],
    ['sort', 'z', 'by', 'nosort', 'limit', '1', '3'],
    ['sort', 'z', 'by', 'nosort', 'desc', 'limit', '1', '3'],
    ['sort', 'z', 'by', 'nosort', 'desc', 'limit', '4', '3'],
    ['sort', 'z', 'by', 'nosort', 'limit', '0', '0'],
    ['sort', 'z', 'by', 'nosort', 'desc', 'limit', '-3', '2', 'get', '#'],
    ['sort', 'z', 'by', 'nosort', 'limit', '2', '2', 'store', 'dz'],
    ['lrange', 'dz', '0', '-1'],
    ['sadd', 's', 'b', 'c', 'a', '10', '9'],
    ['sort', 's', 'by', 'nosort', 'store', 'ds'],
    ['lrange', 'ds', '0', '-1'],
    ['sort', 's', 'by', 'nosort', 'desc', 'limit', '1', '2', 'store', 'ds'],
    ['lrange', 'ds', '0', '-1'],
    ['sort', 's', 'by', 'nosort', 'limit', '0', '1', 'get', 'nokey', 'store', 'ds'],
    ['lrange', 'ds', '0', '-1'],
  ],
  'GET patterns': [
    ['rpush', 'l', '2', '1', '3'],
    ['mset', 'o_1', 'one', 'o_2', 'two', 'w_1', '3', 'w_2', '2', 'w_3', '1'],
    ['hset', 'h_1', 'name', 'ann'],
    ['hset', 'h_3', 'name', 'cy', 'age', '40'],
    ['rpush', 'o_3', 'a list'],
    ['sort', 'l', 'get', '#'],
    ['sort', 'l', 'get', 'o_*'],
    ['sort', 'l', 'get', '#', 'get', 'o_*', 'get', 'h_*->name', 'get', 'h_*->age', 'get', 'nostar', 'get', 'missing_*'],
    ['sort', 'l', 'by', 'w_*', 'get', 'o_*', 'get', '#'],
    ['sort', 'l', 'by', 'nosort', 'desc', 'get', 'h_*->name'],
    ['sort', 'l', 'limit', '1', '1', 'get', '#', 'get', '#'],
    ['sort', 'l', 'limit', '0', '0', 'get', '#'],
    ['sort', 'l', 'get', 'o_*', 'store', 'd'],
    ['lrange', 'd', '0', '-1'],
    ['sort', 'l', 'get', 'h_*->name', 'get', '#', 'store', 'd'],
    ['lrange', 'd', '0', '-1'],
    ['sort', 'l', 'get', b('#\x00tail')],
    ['sort', 'l', 'get', 'o_*->'],
    ['sort', 'missing', 'get', '#', 'get', 'o_*'],
    ['sadd', 's', 'x', 'y'],
    ['set', 'v_x', 'X'],
    ['sort', 's', 'alpha', 'get', 'v_*', 'get', '#'],
    ['zadd', 'z', '2', 'x', '1', 'y'],
    ['sort', 'z', 'by', 'nosort', 'get', 'v_*', 'get', '#'],
  ],
  'STORE': [
    ['rpush', 'l', '3', '1', '2'],
    ['set', 'dst', 'a string'],
    ['expire', 'dst', '1000'],
    ['sort', 'l', 'store', 'dst'],
    ['type', 'dst'],
    ['ttl', 'dst'],
    ['lrange', 'dst', '0', '-1'],
    ['sadd', 'dst', 'x'],
    ['sort', 'l', 'desc', 'store', 'dst'],
    ['lrange', 'dst', '0', '-1'],
    ['zadd', 'zd', '1', 'a'],
    ['sort', 'l', 'store', 'zd'],
    ['type', 'zd'],
    ['sort', 'missing', 'store', 'dst'],
    ['exists', 'dst'],
    ['sort', 'l', 'store', 'dst'],
    ['sort', 'l', 'limit', '0', '0', 'store', 'dst'],
    ['exists', 'dst'],
    ['sort', 'l', 'limit', '5', '5', 'store', 'nothere'],
    ['exists', 'nothere'],
    ['sort', 'l', 'store', 'l'],
    ['lrange', 'l', '0', '-1'],
    ['sort', 'l', 'store', 'a', 'store', 'b'],
    ['exists', 'a', 'b'],
    ['lrange', 'b', '0', '-1'],
    ['sort', 'l', 'STORE', 'c', 'limit', '1', '1'],
    ['lrange', 'c', '0', '-1'],
    ['llen', 'c'],
    ['rpush', 'x', '1', 'x'],
    ['set', 'keep', 'v'],
    ['sort', 'x', 'store', 'keep'],
    ['get', 'keep'],
  ],
  'errors and their order': [
    ['rpush', 'l', '1', 'x', '2'],
    ['sort', 'l'],
    ['sort', 'l', 'alpha'],
    ['sort', 'l', 'limit', '0', '1'],
    ['sort', 'l', 'by', 'nosort'],
    ['sort', 'l', 'foo'],
    ['sort', 'l', 'limit', 'x', '1'],
    ['sort', 'l', 'limit', '1', 'x'],
    ['sort', 'l', 'limit', '1'],
    ['sort', 'l', 'limit', '1', '2.5'],
    ['sort', 'l', 'limit', '1', '99999999999999999999'],
    ['sort', 'l', 'limit', 'x', '1', 'foo'],
    ['sort', 'l', 'foo', 'limit', 'x', '1'],
    ['sort', 'l', 'by'],
    ['sort', 'l', 'get'],
    ['sort', 'l', 'store'],
    ['sort', 'l', b('desc\x00x')],
    ['sort', 'l', 'alpha', 'DeSc', 'LiMiT', '0', '2'],
    ['set', 'str', 'v'],
    ['sort', 'str'],
    ['sort', 'str', 'foo'],
    ['sort', 'str', 'limit', 'a', 'b'],
    ['sort_ro', 'str'],
    ['hset', 'hh', 'f', 'v'],
    ['sort', 'hh', 'by', 'nosort'],
    ['sort'],
    ['sort_ro'],
    ['sort_ro', 'l', 'store', 'd'],
    ['sort_ro', 'l', 'alpha', 'store', 'd'],
    ['exists', 'd'],
    ['rpush', 'nn', '1', 'nan'],
    ['sort', 'nn'],
    ['rpush', 'sp', '1 ', '2'],
    ['sort', 'sp'],
    ['rpush', 'hexbad', '0x'],
    ['sort', 'hexbad'],
    ['sort', 'l', 'store', 'd'],
    ['exists', 'd'],
    ['rpush', 'n', '1', '2'],
    ['set', 'w_1', 'abc'],
    ['sort', 'n', 'by', 'w_*'],
    ['sort', 'n', 'by', 'w_*', 'store', 'd'],
    ['exists', 'd'],
    ['sort', 'n', 'by', 'w_*', 'alpha'],
  ],
  'inside MULTI/EXEC': [
    ['multi'],
    ['rpush', 'l', '3', '1', '2'],
    ['sort', 'l'],
    ['sort', 'l', 'desc', 'store', 'd'],
    ['lrange', 'd', '0', '-1'],
    ['sort', 'l', 'foo'],
    ['sort_ro', 'd', 'limit', '1', '1'],
    ['exec'],
    ['multi'],
    ['sort', 'l', 'store'],
    ['sort_ro', 'l', 'store', 'x'],
    ['exec'],
    ['multi'],
    ['sort'],
    ['exec'],
  ],
};

/** A random script: lists, sets and sorted sets of small numbers and words, weights, and SORTs. */
function randomScript(seed: number, n: number): Arg[][] {
  const r = rng(seed);
  const elem = (): string => (r(12) === 0 ? ['a', 'b', 'x1', ''][r(4)]! : String(r(30) - 5));
  const num = (): string => (r(10) === 0 ? ['', 'x', '1.5', '-0', '1e2'][r(5)]! : String(r(20) - 8));
  const lists = ['l1', 'l2'], sets = ['s1', 's2'], zsets = ['z1'];
  const out: Arg[][] = [];
  for (let i = 0; i < n; i++) {
    switch (r(12)) {
      case 0:
      case 1: {
        const cmd: Arg[] = [r(2) ? 'rpush' : 'lpush', lists[r(2)]!];
        for (let j = 0, m = 1 + r(r(5) === 0 ? 60 : 6); j < m; j++) cmd.push(elem());
        out.push(cmd);
        break;
      }
      case 2: {
        const cmd: Arg[] = ['sadd', sets[r(2)]!];
        for (let j = 0, m = 1 + r(6); j < m; j++) cmd.push(elem());
        out.push(cmd);
        break;
      }
      case 3:
        out.push(['zadd', zsets[0]!, String(r(10)), elem(), String(r(10)), elem()]);
        break;
      case 4:
        out.push(['set', `w_${r(30) - 5}`, num()]);
        break;
      case 5:
        out.push(['hset', `h_${r(30) - 5}`, 'f', num()]);
        break;
      case 6:
        out.push(['del', [...lists, ...sets, ...zsets, `w_${r(30) - 5}`, 'dst'][r(7)]!]);
        break;
      default: {
        const kind = r(3);
        const src = kind === 0 ? lists[r(2)]! : kind === 1 ? sets[r(2)]! : zsets[0]!;
        const unordered = kind !== 0; // a set's or sorted set's own order differs between servers
        const cmd: Arg[] = [r(4) === 0 ? 'sort_ro' : 'sort', src];
        const store = cmd[0] === 'sort' && r(4) === 0;
        let alpha = r(3) === 0;
        const by = r(4);
        if (by === 1) cmd.push('by', 'w_*');
        else if (by === 2) cmd.push('by', 'h_*->f');
        else if (by === 3 && (kind !== 1 || store)) cmd.push('by', 'nosort');
        if (unordered && (by === 1 || by === 2)) alpha = false; // ALPHA ties keep the source's order
        if (alpha) cmd.push('alpha');
        if (r(2)) cmd.push('desc');
        if (r(2)) cmd.push('limit', String(r(8) - 2), String(r(8) - 2));
        for (let g = r(3); g > 0; g--) cmd.push('get', ['#', 'w_*', 'h_*->f', 'none'][r(4)]!);
        if (store) cmd.push('store', 'dst');
        out.push(cmd);
        if (store) out.push(['lrange', 'dst', '0', '-1']);
      }
    }
  }
  out.push(['sort', 'l1', 'alpha'], ['sort', 'l2', 'by', 'w_*', 'alpha', 'limit', '1', '5']);
  return out;
}

for (let seed = 1; seed <= 4; seed++) scripts[`random script ${seed}`] = randomScript(seed, 300);

describe.runIf(haveRedisServer)('SORT and SORT_RO against a real redis-server', () => {
  useScriptedPair(scripts);
});

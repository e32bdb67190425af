// The list commands of a real `daxcache serve` (dist/, built first) against a real redis-server
// 7.0: each script runs on an empty keyspace on both and every reply must be the same on the
// wire. Covered: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP (count) LLEN LINDEX LSET LRANGE LTRIM LINSERT
// LREM LPOS LMOVE RPOPLPUSH LMPOP, their argument errors and WRONGTYPE, lists of one node and of
// many (elements small, and larger than a node), OBJECT ENCODING and the generic commands on a
// list, seeded random scripts, RESP3, and DUMP restored into Redis.
//
// Then, daxcache only: lists come back after a restart and after kill -9, and `daxcache check`
// finds their structure whole.
import { describe, it, expect } from 'vitest';
import { RawClient } from '../helpers/resp.js';
import { RespClient, type Wire } from './resp-client.js';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import { raw3, rng, type Arg } from './unordered.js';
import { startServer } from '../helpers/server.js';
import { McSocket } from '../memcache/helpers.js';
import { Store } from '../../src/store/store.js';

function pushRange(cmd: 'rpush' | 'lpush', key: string, from: number, to: number, value: (i: number) => string = (i) => `v${i}`): Arg[] {
  const out: Arg[] = [cmd, key];
  for (let i = from; i < to; i++) out.push(value(i));
  return out;
}

const big = (n: number, c: string) => c.repeat(n);
const flatStrings = (w: Wire): string[] => (w as Array<{ b: string }>).map((x) => x.b);

const scripts: Record<string, Arg[][]> = {
  'push / pop / llen / lrange basics': [
    ['rpush', 'l', 'a', 'b', 'c'],
    ['lpush', 'l', 'x', 'y'],
    ['llen', 'l'],
    ['lrange', 'l', '0', '-1'],
    ['lpop', 'l'],
    ['rpop', 'l'],
    ['lrange', 'l', '0', '-1'],
    ['lpop', 'l', '2'],
    ['rpop', 'l', '5'],
    ['exists', 'l'],
    ['lpop', 'l'],
    ['lpop', 'l', '3'],
    ['rpop', 'missing', '0'],
    ['llen', 'missing'],
    ['rpush', 'e', ''],
    ['lrange', 'e', '0', '-1'],
    ['lpushx', 'nope', 'a'],
    ['rpushx', 'nope', 'a', 'b'],
    ['exists', 'nope'],
    ['lpushx', 'e', 'a', 'b'],
    ['rpushx', 'e', 'z'],
    ['lrange', 'e', '0', '-1'],
    ['lpop', 'e', '0'],
    ['type', 'e'],
    ['object', 'encoding', 'e'],
  ],
  'argument errors and WRONGTYPE': [
    ['lpush', 'l'],
    ['rpop', 'l', '1', '2'],
    ['rpush', 'l', 'a', 'b', 'c'],
    ['lpop', 'l', '-1'],
    ['lpop', 'l', 'x'],
    ['lpop', 'missing', '-1'],
    ['lindex', 'l', 'x'],
    ['lindex', 'missing', 'x'],
    ['lrange', 'l', 'x', '1'],
    ['lrange', 'missing', '0', 'y'],
    ['ltrim', 'l', '0', 'y'],
    ['lset', 'missing', '0', 'v'],
    ['lset', 'missing', 'x', 'v'],
    ['lset', 'l', 'x', 'v'],
    ['lset', 'l', '3', 'v'],
    ['lset', 'l', '-4', 'v'],
    ['linsert', 'l', 'middle', 'a', 'v'],
    ['linsert', 'missing', 'before', 'a', 'v'],
    ['linsert', 'l', 'before', 'nope', 'v'],
    ['lrem', 'l', 'x', 'a'],
    ['lrem', 'missing', '0', 'a'],
    ['lpos', 'l', 'a', 'rank', '0'],
    ['lpos', 'l', 'a', 'rank', 'x'],
    ['lpos', 'l', 'a', 'rank', '-9223372036854775808'],
    ['lpos', 'l', 'a', 'count', '-1'],
    ['lpos', 'l', 'a', 'count', 'x'],
    ['lpos', 'l', 'a', 'maxlen', '-1'],
    ['lpos', 'l', 'a', 'rank'],
    ['lpos', 'l', 'a', 'foo', '1'],
    ['lpos', 'missing', 'a'],
    ['lpos', 'missing', 'a', 'count', '0'],
    ['lmove', 'l', 'd', 'up', 'left'],
    ['lmove', 'l', 'd', 'left', 'down'],
    ['lmpop', '0', 'l', 'left'],
    ['lmpop', 'x', 'l', 'left'],
    ['lmpop', '2', 'l', 'left'],
    ['lmpop', '1', 'l', 'middle'],
    ['lmpop', '1', 'l', 'left', 'count', '0'],
    ['lmpop', '1', 'l', 'left', 'count'],
    ['lmpop', '1', 'l', 'left', 'count', '1', 'count', '1'],
    ['lmpop', '1', 'l', 'left', 'foo'],
    ['set', 's', 'str'],
    ['hset', 'h', 'f', 'v'],
    ['lpush', 's', 'a'],
    ['rpushx', 's', 'a'],
    ['lpop', 's'],
    ['lpop', 's', '0'],
    ['rpop', 'h', '2'],
    ['llen', 's'],
    ['lindex', 's', '0'],
    ['lset', 's', '0', 'v'],
    ['lrange', 'h', '0', '-1'],
    ['ltrim', 's', '0', '1'],
    ['linsert', 's', 'before', 'a', 'b'],
    ['lrem', 's', '0', 'a'],
    ['lpos', 's', 'a'],
    ['lmove', 's', 'l', 'left', 'left'],
    ['lmove', 'l', 's', 'left', 'left'],
    ['lmove', 'missing', 's', 'left', 'left'],
    ['rpoplpush', 'l', 'h'],
    ['lrange', 'l', '0', '-1'],
    ['lmpop', '2', 'missing', 's', 'left'],
    ['lmpop', '2', 'l', 's', 'left'],
    ['get', 'l'],
    ['hget', 'l', 'f'],
    ['sadd', 'l', 'm'],
    ['zadd', 'l', '1', 'm'],
    ['append', 'l', 'x'],
  ],
  'lindex / lset / lrange / ltrim indexes': [
    pushRange('rpush', 'l', 0, 10),
    ['lindex', 'l', '0'],
    ['lindex', 'l', '9'],
    ['lindex', 'l', '10'],
    ['lindex', 'l', '-1'],
    ['lindex', 'l', '-10'],
    ['lindex', 'l', '-11'],
    ['lindex', 'l', '9223372036854775807'],
    ['lindex', 'l', '-9223372036854775808'],
    ['lrange', 'l', '-3', '-1'],
    ['lrange', 'l', '5', '2'],
    ['lrange', 'l', '-100', '2'],
    ['lrange', 'l', '8', '100'],
    ['lrange', 'l', '10', '12'],
    ['lrange', 'l', '0', '9223372036854775807'],
    ['lrange', 'l', '-9223372036854775808', '-9223372036854775808'],
    ['lset', 'l', '0', 'first'],
    ['lset', 'l', '-1', 'last'],
    ['lset', 'l', '4', big(100, 'm')],
    ['lset', 'l', '-10', 'again'],
    ['lrange', 'l', '0', '-1'],
    ['ltrim', 'l', '1', '-2'],
    ['lrange', 'l', '0', '-1'],
    ['ltrim', 'l', '-3', '100'],
    ['lrange', 'l', '0', '-1'],
    ['ltrim', 'l', '2', '1'],
    ['exists', 'l'],
    pushRange('rpush', 'l', 0, 5),
    ['ltrim', 'l', '0', '-1'],
    ['ltrim', 'l', '-100', '100'],
    ['lrange', 'l', '0', '-1'],
    ['ltrim', 'l', '5', '10'],
    ['exists', 'l'],
    ['ltrim', 'missing', '0', '1'],
  ],
  'linsert / lrem / lpos': [
    ['rpush', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'd', 'a'],
    ['linsert', 'l', 'before', 'a', 'X'],
    ['linsert', 'l', 'AFTER', 'b', 'Y'],
    ['linsert', 'l', 'after', 'a', 'Z'],
    ['linsert', 'l', 'before', 'd', ''],
    ['lrange', 'l', '0', '-1'],
    ['lpos', 'l', 'a'],
    ['lpos', 'l', 'a', 'rank', '2'],
    ['lpos', 'l', 'a', 'rank', '-1'],
    ['lpos', 'l', 'a', 'rank', '-2', 'count', '2'],
    ['lpos', 'l', 'a', 'count', '0'],
    ['lpos', 'l', 'a', 'count', '2', 'maxlen', '3'],
    ['lpos', 'l', 'a', 'count', '0', 'maxlen', '1'],
    ['lpos', 'l', 'a', 'rank', '10'],
    ['lpos', 'l', 'a', 'rank', '10', 'count', '1'],
    ['lpos', 'l', 'a', 'rank', '-1', 'maxlen', '2'],
    ['lpos', 'l', 'nope'],
    ['lpos', 'l', 'a', 'rank', '9223372036854775807'],
    ['lrem', 'l', '2', 'a'],
    ['lrange', 'l', '0', '-1'],
    ['lrem', 'l', '-1', 'a'],
    ['lrange', 'l', '0', '-1'],
    ['lrem', 'l', '0', 'b'],
    ['lrange', 'l', '0', '-1'],
    ['lrem', 'l', '0', 'nope'],
    ['lrem', 'l', '-9223372036854775808', 'a'],
    ['lrange', 'l', '0', '-1'],
    ['rpush', 'one', 'x', 'x'],
    ['lrem', 'one', '0', 'x'],
    ['exists', 'one'],
  ],
  'lmove / rpoplpush / lmpop': [
    ['rpush', 'a', '1', '2', '3'],
    ['lmove', 'a', 'b', 'left', 'right'],
    ['lmove', 'a', 'b', 'RIGHT', 'LEFT'],
    ['lrange', 'a', '0', '-1'],
    ['lrange', 'b', '0', '-1'],
    ['rpoplpush', 'a', 'b'],
    ['exists', 'a'],
    ['lrange', 'b', '0', '-1'],
    ['rpoplpush', 'b', 'b'],
    ['lmove', 'b', 'b', 'left', 'left'],
    ['lmove', 'b', 'b', 'left', 'right'],
    ['lrange', 'b', '0', '-1'],
    ['rpoplpush', 'missing', 'b'],
    ['rpush', 'single', 'only'],
    ['rpoplpush', 'single', 'single'],
    ['lrange', 'single', '0', '-1'],
    ['lmpop', '3', 'none', 'b', 'single', 'left'],
    ['lmpop', '2', 'b', 'single', 'right', 'count', '10'],
    ['lmpop', '2', 'b', 'single', 'right', 'COUNT', '10'],
    ['lmpop', '2', 'b', 'single', 'left'],
    ['exists', 'b', 'single'],
  ],
  'large lists: many nodes, elements larger than a node': [
    pushRange('rpush', 'l', 0, 3000),
    pushRange('lpush', 'l', 0, 3000, (i) => `left-${i}-${'p'.repeat(i % 50)}`),
    ['llen', 'l'],
    ['lindex', 'l', '0'],
    ['lindex', 'l', '2999'],
    ['lindex', 'l', '3000'],
    ['lindex', 'l', '-1'],
    ['lindex', 'l', '-3001'],
    ['lrange', 'l', '2990', '3010'],
    ['lrange', 'l', '-5', '-1'],
    ['lset', 'l', '1500', big(5000, 's')],
    ['lset', 'l', '4500', 'small'],
    ['lrange', 'l', '1499', '1501'],
    ['linsert', 'l', 'before', 'v1000', big(9000, 'i')],
    ['linsert', 'l', 'after', 'v1000', 'after-1000'],
    ['lrange', 'l', '3999', '4003'],
    ['lpos', 'l', 'v2999'],
    ['lpos', 'l', 'small', 'rank', '-1'],
    ['lrem', 'l', '0', 'v1500'],
    ['lrem', 'l', '-1', big(9000, 'i')],
    ['lpop', 'l', '1000'],
    ['rpop', 'l', '1000'],
    ['llen', 'l'],
    ['lrange', 'l', '0', '5'],
    ['ltrim', 'l', '100', '-100'],
    ['llen', 'l'],
    ['lrange', 'l', '0', '2'],
    ['lrange', 'l', '-2', '-1'],
    ['rpush', 'huge', big(20000, 'a'), big(70000, 'b'), 'c'],
    ['lpush', 'huge', big(5000, 'z')],
    ['lrange', 'huge', '0', '-1'],
    ['lset', 'huge', '1', 'tiny'],
    ['lrange', 'huge', '0', '-1'],
    ['rpoplpush', 'huge', 'huge'],
    ['lrange', 'huge', '0', '-1'],
    ['object', 'encoding', 'l'],
    ['copy', 'l', 'l2'],
    ['lrange', 'l2', '990', '1000'],
    ['rename', 'l2', 'l3'],
    ['llen', 'l3'],
    ['expire', 'l3', '100'],
    ['ttl', 'l3'],
    ['rpush', 'l3', 'more'],
    ['ttl', 'l3'],
    ['del', 'l3', 'huge'],
    ['keys', '*'], // one key left: the same reply on both (a SCAN cursor is each server's own)
  ],
  'pushes and pops alternating at both ends (node bounds reused within a turn)': [
    ['rpush', 'q', 'a'],
    ['rpop', 'q'],
    ['rpush', 'q', 'b', 'c'],
    ['lpop', 'q'],
    ['lpush', 'q', 'd'],
    ['rpop', 'q'],
    ['rpush', 'q', 'e'],
    ['lrange', 'q', '0', '-1'],
    pushRange('rpush', 'q', 0, 600),
    ['rpop', 'q', '3'],
    pushRange('rpush', 'q', 1000, 1010),
    ['lpop', 'q', '598'],
    pushRange('lpush', 'q', 2000, 2010),
    ['lrange', 'q', '0', '-1'],
  ],
};

/** A random script over a few keys, of every list command. */
function randomScript(seed: number, n: number, bigLists: boolean): Arg[][] {
  const r = rng(seed);
  const keys = ['k1', 'k2', 'k3'];
  const value = () => (r(20) === 0 ? `${'w'.repeat(r(3000))}${r(5)}` : `v${r(bigLists ? 60 : 12)}`);
  const idx = () => String(r(bigLists ? 600 : 30) - (bigLists ? 300 : 15));
  const out: Arg[][] = [];
  if (bigLists) for (const k of keys) out.push(pushRange('rpush', k, 0, 800, () => `v${r(60)}`));
  for (let i = 0; i < n; i++) {
    const k = keys[r(3)]!;
    const k2 = keys[r(3)]!;
    switch (r(16)) {
      case 0:
      case 1: {
        const cmd: Arg[] = [['lpush', 'rpush', 'lpushx', 'rpushx'][r(4)]!, k];
        for (let j = 0, m = 1 + r(4); j < m; j++) cmd.push(value());
        out.push(cmd);
        break;
      }
      case 2:
        out.push([r(2) ? 'lpop' : 'rpop', k, ...(r(2) ? [String(r(5))] : [])]);
        break;
      case 3:
        out.push(['lindex', k, idx()]);
        break;
      case 4:
        out.push(['lset', k, idx(), value()]);
        break;
      case 5:
        out.push(['lrange', k, idx(), idx()]);
        break;
      case 6:
        if (r(4) === 0) out.push(['ltrim', k, String(r(4)), String(-1 - r(4))]);
        else out.push(['llen', k]);
        break;
      case 7:
        out.push(['linsert', k, r(2) ? 'before' : 'after', value(), value()]);
        break;
      case 8:
        out.push(['lrem', k, String(r(7) - 3), value()]);
        break;
      case 9:
        out.push(['lpos', k, value(), ...(r(2) ? ['rank', String(r(2) ? 1 + r(3) : -1 - r(3))] : []), ...(r(2) ? ['count', String(r(4))] : []), ...(r(3) === 0 ? ['maxlen', String(r(20))] : [])]);
        break;
      case 10:
        out.push(['lmove', k, k2, r(2) ? 'left' : 'right', r(2) ? 'left' : 'right']);
        break;
      case 11:
        out.push(['rpoplpush', k, k2]);
        break;
      case 12:
        out.push(['lmpop', '2', k, k2, r(2) ? 'left' : 'right', ...(r(2) ? ['count', String(1 + r(4))] : [])]);
        break;
      default:
        out.push(['lrange', k, '0', '-1']);
    }
  }
  for (const k of keys) out.push(['lrange', k, '0', '-1']);
  return out;
}

for (let seed = 1; seed <= 4; seed++) scripts[`random script ${seed}`] = randomScript(seed, 400, false);
for (let seed = 5; seed <= 6; seed++) scripts[`random script over large lists ${seed}`] = randomScript(seed, 400, true);

describe.runIf(haveRedisServer)('list commands against a real redis-server', () => {
  const pair = useScriptedPair(scripts);

  it('RESP3 (HELLO 3): pops with a count, LMPOP and LPOS answer as Redis does', async () => {
    const script: Arg[][] = [
      ['rpush', 'l', 'a', 'b', 'c'],
      ['lpop', 'l', '2'],
      ['lpop', 'missing'],
      ['lpop', 'missing', '2'],
      ['lmpop', '1', 'missing', 'left'],
      ['lmpop', '1', 'l', 'left'],
      ['lpos', 'missing', 'a'],
      ['lpos', 'l', 'a', 'count', '1'],
      ['rpoplpush', 'missing', 'x'],
    ];
    await Promise.all([pair.dax.call('flushall'), pair.ref.call('flushall')]);
    const [d, r] = await Promise.all([RawClient.connect(pair.servers.dax.port), RawClient.connect(pair.servers.redis!.port)]);
    try {
      await Promise.all([d.call('hello', '3'), r.call('hello', '3')]);
      for (const cmd of script) {
        const [got, want] = await Promise.all([raw3(d, ...cmd), raw3(r, ...cmd)]);
        expect([cmd.join(' '), got]).toEqual([cmd.join(' '), want]);
      }
    } finally {
      d.close();
      r.close();
    }
  });

  it('DUMP of a list restores into Redis with the same elements', async () => {
    await pair.dax.call('flushall');
    await pair.ref.call('flushall');
    const values = Array.from({ length: 2000 }, (_, i) => (i % 100 === 0 ? 'x'.repeat(5000) : `e${i}`));
    await pair.dax.call('rpush', 'l', ...values);
    const payload = (await pair.dax.call('dump', 'l')) as { b: string }; // bytes as latin1
    const bytes = Buffer.from(payload.b, 'latin1');
    expect(await pair.ref.call('restore', 'l', '0', bytes)).toEqual({ s: 'OK' });
    expect(await pair.ref.call('lrange', 'l', '0', '-1')).toEqual(await pair.dax.call('lrange', 'l', '0', '-1'));
    expect(await pair.ref.call('llen', 'l')).toEqual({ i: '2000' });
  });
});

describe('lists on daxcache: restarts, kill -9 and daxcache check', () => {
  it('lists of one node and of many come back after a clean restart, then after kill -9', async () => {
    const srv = await startServer();
    let c = await RespClient.open(srv.port);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 500 === 0 ? 'y'.repeat(6000) : `e${i}`));
    await c.call('rpush', 'big', ...values.slice(0, 2500));
    await c.call('lpush', 'big', ...values.slice(2500));
    await c.call('rpush', 'small', 'a', 'b', 'c');
    await c.call('lset', 'big', '77', 'seventy-seven');
    await c.call('linsert', 'big', 'after', 'e100', 'inserted');
    await c.call('lpop', 'big', '3');
    const before = { big: await c.call('lrange', 'big', '0', '-1'), small: await c.call('lrange', 'small', '0', '-1') };
    c.close();
    await srv.restart();
    c = await RespClient.open(srv.port);
    expect(await c.call('lrange', 'big', '0', '-1')).toEqual(before.big);
    expect(await c.call('lrange', 'small', '0', '-1')).toEqual(before.small);
    // Writes acknowledged just before the kill are there after it.
    await c.call('rpush', 'small', 'd');
    await c.call('rpoplpush', 'big', 'small');
    const after = { big: await c.call('lrange', 'big', '0', '-1'), small: await c.call('lrange', 'small', '0', '-1') };
    c.close();
    await srv.kill9();
    await srv.restart();
    c = await RespClient.open(srv.port);
    expect(await c.call('lrange', 'big', '0', '-1')).toEqual(after.big);
    expect(await c.call('lrange', 'small', '0', '-1')).toEqual(after.small);
    c.close();
    await srv.stop();
    const report = Store.check(srv.pool);
    expect(report.messages).toEqual([]);
    expect(report.collections).toBe(2);
    expect(report.elements).toBe((after.big as unknown[]).length + (after.small as unknown[]).length);
  }, 60_000);

  it('list-max-listpack-size bounds new nodes (entries or KiB); lists stay right across fills, a restart and check', async () => {
    const srv = await startServer();
    let c = await RespClient.open(srv.port);
    const used = async () => Number(/used_memory:(\d+)/.exec(((await c.call('info', 'memory')) as { b: string }).b)![1]);
    // 2000 short entries: one entry per node costs a node chunk each, 64 KiB nodes a handful
    const grow = async (fill: string, key: string) => {
      expect(await c.call('config', 'set', 'list-max-listpack-size', fill)).toEqual({ s: 'OK' });
      const u0 = await used();
      for (let i = 0; i < 2000; i += 100) await c.call('rpush', key, ...Array.from({ length: 100 }, (_, j) => `v${i + j}`));
      return (await used()) - u0;
    };
    const one = await grow('1', 'l1');
    const big = await grow('-5', 'l5');
    const dflt = await grow('-2', 'l2');
    expect(one).toBeGreaterThan(20 * big);
    expect(one).toBeGreaterThan(20 * dflt);
    expect(await c.call('config', 'get', 'list-max-listpack-size')).toEqual([{ b: 'list-max-listpack-size' }, { b: '-2' }]);
    // A model through every kind of node rewrite, the fill changing between steps.
    const model: string[] = [];
    let r = 7;
    const rnd = (n: number) => ((r = (Math.imul(r, 1103515245) + 12345) >>> 0) % n);
    for (let step = 0; step < 400; step++) {
      if (step % 50 === 0) await c.call('config', 'set', 'list-max-listpack-size', ['1', '2', '5', '-1', '-2', '-5'][rnd(6)]!);
      const v = `x${step}${'p'.repeat(rnd(3) === 0 ? 300 : 1)}`;
      switch (rnd(7)) {
        case 0: case 1: {
          const vs = Array.from({ length: 1 + rnd(20) }, (_, i) => `${v}.${i}`);
          await c.call('rpush', 'm', ...vs);
          model.push(...vs);
          break;
        }
        case 2: {
          await c.call('lpush', 'm', v);
          model.unshift(v);
          break;
        }
        case 3:
          if (model.length) {
            const i = rnd(model.length);
            await c.call('lset', 'm', String(i), v);
            model[i] = v;
          }
          break;
        case 4:
          if (model.length) {
            const pivot = model[rnd(model.length)]!;
            await c.call('linsert', 'm', 'before', pivot, v);
            model.splice(model.indexOf(pivot), 0, v);
          }
          break;
        case 5: {
          const n = rnd(4);
          await c.call('lpop', 'm', String(n));
          model.splice(0, n);
          break;
        }
        default:
          if (model.length > 10) {
            await c.call('ltrim', 'm', '1', '-2');
            model.splice(0, 1);
            model.pop();
          }
      }
      if (step % 25 === 0 || step === 399) expect(flatStrings(await c.call('lrange', 'm', '0', '-1'))).toEqual(model);
    }
    c.close();
    await srv.restart();
    c = await RespClient.open(srv.port);
    expect(flatStrings(await c.call('lrange', 'm', '0', '-1'))).toEqual(model);
    expect(await c.call('llen', 'l1')).toEqual({ i: '2000' });
    c.close();
    await srv.stop();
    expect(Store.check(srv.pool).messages).toEqual([]);
  }, 60_000);

  it('memcached sees a list or a sorted set as a miss: reads miss, add/append/incr/touch/delete leave it, set replaces it', async () => {
    const srv = await startServer({ memcached: true });
    const c = await RespClient.open(srv.port);
    const mc = await McSocket.connect(srv.memcachedPort);
    try {
      expect(await c.call('rpush', 'ml', 'a', 'b')).toEqual({ i: '2' });
      expect(await c.call('zadd', 'mz', '1', 'm')).toEqual({ i: '1' });
      for (const k of ['ml', 'mz']) {
        expect(await mc.ask(`get ${k}\r\n`)).toEqual(['END']);
        expect(await mc.ask(`mg ${k} v\r\n`)).toEqual(['EN']);
        expect(await mc.ask(`add ${k} 0 0 1\r\nx\r\n`)).toEqual(['NOT_STORED']);
        expect(await mc.ask(`append ${k} 0 0 1\r\nx\r\n`)).toEqual(['NOT_STORED']);
        expect(await mc.ask(`incr ${k} 1\r\n`)).toEqual(['NOT_FOUND']);
        expect(await mc.ask(`touch ${k} 10\r\n`)).toEqual(['NOT_FOUND']);
        expect(await mc.ask(`delete ${k}\r\n`)).toEqual(['NOT_FOUND']);
      }
      expect(await c.call('lrange', 'ml', '0', '-1')).toEqual([{ b: 'a' }, { b: 'b' }]);
      expect(await c.call('zrange', 'mz', '0', '-1')).toEqual([{ b: 'm' }]);
      expect(await mc.ask('set ml 0 0 2\r\nxy\r\n')).toEqual(['STORED']);
      expect(await c.call('type', 'ml')).toEqual({ s: 'string' });
      expect(await c.call('lrange', 'ml', '0', '-1')).toEqual({ e: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
      mc.send('get ml\r\n');
      expect(await mc.until('END\r\n')).toBe('VALUE ml 0 2\r\nxy\r\nEND\r\n');
    } finally {
      mc.close();
      c.close();
      await srv.stop();
    }
  }, 30_000);
});

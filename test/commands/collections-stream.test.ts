// A long seeded random command stream over all four collection types at once (hashes, sets,
// sorted sets, lists) and the generic commands on them, run on a real `daxcache serve` and on a
// real redis-server 7.0, every reply compared: 100k commands, pipelined in batches. Keys are shared
// between the types, so WRONGTYPE, a DEL, RENAME or a *STORE over a key of another type happen all
// the time; bulk writes push collections past the packed bounds (listpack -> hashtable/skiplist,
// one list node -> many) and pops and deletes bring them back. Replies whose order is each
// server's own (a hashtable's HKEYS, SMEMBERS ...) are sorted on both sides first.
import { describe, it, expect } from 'vitest';
import { RespClient, type Wire } from './resp-client.js';
import { haveRedisServer, useServerPair } from './real-redis.js';
import { rng } from './unordered.js';

type Cmd = { args: string[]; unordered?: 'members' | 'pairs' };

const OPS = 100_000;
const BATCH = 500;

const byText = (a: Wire, b: Wire): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

function canonical(w: Wire, how: Cmd['unordered']): Wire {
  if (!Array.isArray(w) || how === undefined) return w;
  if (how === 'members') return [...w].sort(byText);
  const chunks: Wire[][] = [];
  for (let i = 0; i < w.length; i += 2) chunks.push(w.slice(i, i + 2));
  return chunks.sort(byText).flat();
}

/** The stream: `seed` picks every command; the same seed gives the same stream on both servers. */
function* stream(seed: number, n: number): Generator<Cmd> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)]!;
  const keys = ['h0', 'h1', 's0', 's1', 'z0', 'z1', 'l0', 'l1', 'x0', 'x1'];
  // Mostly a key of the family the command is for, sometimes any key (WRONGTYPE, a fresh key).
  const key = (prefix: string): string => (r(10) === 0 ? pick(keys) : `${prefix}${r(2)}`);
  const int = (): string => String(r(200) - 20);
  const member = (): string => {
    const k = r(20);
    if (k < 8) return String(r(300)); // integers: sets stay intsets
    if (k < 19) return `m${r(150)}`;
    return `long-${'q'.repeat(60 + r(40))}-${r(10)}`; // over the packed value bound
  };
  const value = (): string => (r(15) === 0 ? 'v'.repeat(65 + r(200)) : r(4) === 0 ? int() : `v${r(1000)}`);
  const score = (): string => pick(['0', '1', '2.5', '-3', String(r(100)), String(r(1000) / 8), 'inf', '-inf']);
  const many = (f: () => string[], lo: number, hi: number): string[] => {
    const out: string[] = [];
    const m = lo + r(hi - lo + 1);
    for (let i = 0; i < m; i++) out.push(...f());
    return out;
  };
  const bulk = (): number => (r(40) === 0 ? 150 + r(500) : 1 + r(3));
  const idx = (): string => String(r(30) - 15);
  for (let i = 0; i < n; i++) {
    const family = r(5);
    if (family === 0) {
      const k = key('h');
      switch (r(14)) {
        case 0: case 1: case 2: { const b = bulk(); yield { args: ['hset', k, ...many(() => [member(), value()], b, b)] }; break; }
        case 3: yield { args: ['hsetnx', k, member(), value()] }; break;
        case 4: yield { args: ['hget', k, member()] }; break;
        case 5: yield { args: ['hmget', k, member(), member(), member()] }; break;
        case 6: yield { args: ['hdel', k, ...many(() => [member()], 1, 4)] }; break;
        case 7: yield { args: ['hexists', k, member()] }; break;
        case 8: yield { args: ['hlen', k] }; break;
        case 9: yield { args: ['hstrlen', k, member()] }; break;
        case 10: yield { args: ['hincrby', k, `n${r(5)}`, int()] }; break;
        case 11: yield { args: ['hkeys', k], unordered: 'members' }; break;
        case 12: yield { args: ['hgetall', k], unordered: 'pairs' }; break;
        default: yield { args: ['hvals', k], unordered: 'members' };
      }
    } else if (family === 1) {
      const k = key('s');
      switch (r(14)) {
        case 0: case 1: case 2: { const b = bulk(); yield { args: ['sadd', k, ...many(() => [member()], b, b)] }; break; }
        case 3: case 4: yield { args: ['srem', k, ...many(() => [member()], 1, 4)] }; break;
        case 5: yield { args: ['sismember', k, member()] }; break;
        case 6: yield { args: ['smismember', k, member(), member()] }; break;
        case 7: yield { args: ['scard', k] }; break;
        case 8: yield { args: ['smembers', k], unordered: 'members' }; break;
        case 9: yield { args: [pick(['sinter', 'sunion', 'sdiff']), k, key('s')], unordered: 'members' }; break;
        case 10: yield { args: [pick(['sinterstore', 'sunionstore', 'sdiffstore']), key('s'), k, key('s')] }; break;
        case 11: yield { args: ['smove', k, key('s'), member()] }; break;
        case 12: yield { args: ['sintercard', '2', k, key('s'), 'limit', String(r(5))] }; break;
        default: yield { args: ['scard', k] };
      }
    } else if (family === 2) {
      const k = key('z');
      switch (r(18)) {
        case 0: case 1: case 2: { const b = bulk(); yield { args: ['zadd', k, ...many(() => [score(), member()], b, b)] }; break; }
        case 3: yield { args: ['zadd', k, pick(['nx', 'xx', 'gt', 'lt', 'ch']), score(), member()] }; break;
        case 4: yield { args: ['zincrby', k, pick(['1', '-2', '0.5']), member()] }; break;
        case 5: yield { args: ['zrem', k, ...many(() => [member()], 1, 3)] }; break;
        case 6: yield { args: ['zcard', k] }; break;
        case 7: yield { args: ['zscore', k, member()] }; break;
        case 8: yield { args: ['zmscore', k, member(), member()] }; break;
        case 9: yield { args: [pick(['zrank', 'zrevrank']), k, member()] }; break;
        case 10: yield { args: ['zcount', k, pick(['-inf', '0', '(1']), pick(['+inf', '10', '(50'])] }; break;
        case 11: yield { args: ['zrange', k, idx(), idx(), ...(r(2) ? ['withscores'] : [])] }; break;
        case 12: yield { args: ['zrange', k, pick(['-inf', '0', '(2']), pick(['+inf', '20']), 'byscore', 'limit', String(r(5)), String(r(8) - 1)] }; break;
        case 13: yield { args: [pick(['zpopmin', 'zpopmax']), k, ...(r(2) ? [String(r(6))] : [])] }; break;
        case 14: yield { args: ['zremrangebyrank', k, idx(), idx()] }; break;
        case 15: yield { args: [pick(['zunionstore', 'zinterstore']), key('z'), '2', k, key('z'), ...(r(2) ? ['aggregate', pick(['sum', 'min', 'max'])] : [])] }; break;
        case 16: yield { args: ['zrangebyscore', k, '-inf', '+inf', 'withscores', 'limit', '0', '5'] }; break;
        default: yield { args: ['zrevrange', k, '0', String(r(10))] };
      }
    } else if (family === 3) {
      const k = key('l');
      switch (r(18)) {
        case 0: case 1: case 2: case 3: { const b = bulk(); yield { args: [pick(['lpush', 'rpush']), k, ...many(() => [value()], b, b)] }; break; }
        case 4: case 5: yield { args: [pick(['lpop', 'rpop']), k, ...(r(3) === 0 ? [String(r(50))] : [])] }; break;
        case 6: yield { args: ['llen', k] }; break;
        case 7: yield { args: ['lindex', k, idx()] }; break;
        case 8: yield { args: ['lset', k, idx(), value()] }; break;
        case 9: case 10: yield { args: ['lrange', k, idx(), idx()] }; break;
        case 11: yield { args: ['ltrim', k, String(r(5)), String(-1 - r(400))] }; break;
        case 12: yield { args: ['linsert', k, pick(['before', 'after']), value(), value()] }; break;
        case 13: yield { args: ['lrem', k, String(r(5) - 2), value()] }; break;
        case 14: yield { args: ['lpos', k, value(), ...(r(2) ? ['rank', pick(['1', '-1', '2'])] : []), ...(r(2) ? ['count', String(r(3))] : [])] }; break;
        case 15: yield { args: ['lmove', k, key('l'), pick(['left', 'right']), pick(['left', 'right'])] }; break;
        case 16: yield { args: ['lmpop', '2', k, key('l'), pick(['left', 'right']), 'count', String(1 + r(5))] }; break;
        default: yield { args: ['lrange', k, '0', '-1'] };
      }
    } else {
      const k = pick(keys);
      switch (r(10)) {
        case 0: yield { args: ['del', k] }; break;
        case 1: yield { args: ['rename', k, pick(keys)] }; break;
        case 2: yield { args: ['copy', k, pick(keys), ...(r(2) ? ['replace'] : [])] }; break;
        case 3: yield { args: ['set', k, value()] }; break;
        case 4: yield { args: ['exists', k, pick(keys)] }; break;
        case 5: yield { args: ['object', 'encoding', k] }; break;
        default: yield { args: ['type', k] };
      }
    }
  }
}

describe.runIf(haveRedisServer)('a 100k-command stream over all collection types, against redis-server', () => {
  const servers = useServerPair();

  it('every reply is the same on both servers, and so is every key at the end', async () => {
    const [dax, ref] = await Promise.all([RespClient.open(servers.dax.port), RespClient.open(servers.redis!.port)]);
    await Promise.all([dax.call('flushall'), ref.call('flushall')]);
    const recent: string[] = [];
    let batch: Cmd[] = [];
    let done = 0;
    const flush = async (): Promise<void> => {
      const [got, want] = await Promise.all([
        Promise.all(batch.map((c) => dax.call(...c.args))),
        Promise.all(batch.map((c) => ref.call(...c.args))),
      ]);
      for (let i = 0; i < batch.length; i++) {
        const c = batch[i]!;
        recent.push(c.args.join(' ').slice(0, 160));
        if (recent.length > 30) recent.shift();
        const g = canonical(got[i]!, c.unordered);
        const w = canonical(want[i]!, c.unordered);
        if (JSON.stringify(g) !== JSON.stringify(w)) {
          // The command, its reply on both, and what came just before it.
          expect({ at: done + i, cmd: c.args.join(' ').slice(0, 300), got: g, recent }).toEqual({ at: done + i, cmd: c.args.join(' ').slice(0, 300), got: w, recent });
        }
      }
      done += batch.length;
      batch = [];
    };
    for (const c of stream(20261207, OPS)) {
      batch.push(c);
      if (batch.length === BATCH) await flush();
    }
    await flush();
    expect(done).toBe(OPS);
    // The whole keyspace, type by type.
    for (const k of ['h0', 'h1', 's0', 's1', 'z0', 'z1', 'l0', 'l1', 'x0', 'x1']) {
      const type = (await ref.call('type', k)) as { s: string };
      expect([k, await dax.call('type', k)]).toEqual([k, type]);
      const read: Cmd | null =
        type.s === 'hash' ? { args: ['hgetall', k], unordered: 'pairs' }
          : type.s === 'set' ? { args: ['smembers', k], unordered: 'members' }
            : type.s === 'zset' ? { args: ['zrange', k, '0', '-1', 'withscores'] }
              : type.s === 'list' ? { args: ['lrange', k, '0', '-1'] }
                : type.s === 'string' ? { args: ['get', k] } : null;
      if (read) expect([k, canonical(await dax.call(...read.args), read.unordered)]).toEqual([k, canonical(await ref.call(...read.args), read.unordered)]);
    }
    dax.close();
    ref.close();
  }, 240_000);
});

// COMMAND INFO and COMMAND GETKEYS against a real redis-server 7.0: for every command both serve,
// the same arity, flags (movablekeys included), key range, ACL categories, tips and key specs
// (cluster clients and proxies route by them), and the same keys, or the same error, from
// GETKEYS for command lines with numkeys, keywords, SORT ... STORE, subcommands and bad input.
// Also: a no_multi command (SAVE, SHUTDOWN) inside MULTI dooms the transaction, as in Redis.
import { describe, it, expect } from 'vitest';
import { haveRedisServer, useScriptedPair } from './real-redis.js';
import type { Wire } from './resp-client.js';

type Entry = Wire[];
const nameOf = (e: Wire): string => ((e as Entry)[0] as { b: string }).b;

/** An entry with its subcommands sorted by name (their order is each server's dict order). */
function canonical(e: Wire): Wire {
  const row = [...(e as Entry)];
  const subs = row[9] as Entry;
  row[9] = [...subs].map(canonical).sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
  return row;
}

describe.runIf(haveRedisServer)('COMMAND INFO / GETKEYS against a real redis-server', () => {
  const pair = useScriptedPair({}, { redisArgs: ['--databases', '1'] });

  it('every command both serve is described the same, subcommands too', async () => {
    const ours = (await pair.dax.call('command')) as Entry;
    const names = ours.map(nameOf);
    const theirs = (await pair.ref.call('command', 'info', ...names)) as Wire[];
    let compared = 0;
    const own: string[] = [];
    for (let i = 0; i < names.length; i++) {
      if (theirs[i] === null) {
        own.push(names[i]!);
        continue;
      }
      const a = canonical(ours[i]!) as Entry;
      const b = canonical(theirs[i]!) as Entry;
      // The subcommands both serve: daxcache has some of 7.2 (CLIENT SETINFO) and lacks some
      // (CLIENT CACHING, CONFIG ... ); those it serves are compared.
      const theirSubs = new Set((b[9] as Entry).map(nameOf));
      const ourSubs = new Set((a[9] as Entry).map(nameOf));
      a[9] = (a[9] as Entry).filter((x) => theirSubs.has(nameOf(x)));
      b[9] = (b[9] as Entry).filter((x) => ourSubs.has(nameOf(x)));
      expect({ name: names[i], info: a }).toEqual({ name: names[i], info: b });
      compared++;
    }
    expect(compared).toBe(names.length); // every top-level command is one Redis 7.0 has
    expect(own).toEqual([]);
  });

  const lines: string[][] = [
    ['zunionstore', 'd', '2', 'a', 'b', 'weights', '1', '2'],
    ['zunionstore', 'd', 'x', 'a'],
    ['zunionstore', 'd', '-1', 'a'],
    ['zunionstore', 'd', '3', 'a', 'b'],
    ['zinter', '2', 'a', 'b', 'withscores'],
    ['zdiffstore', 'd', '1', 'a'],
    ['zintercard', '1', 'a', 'limit', '3'],
    ['sintercard', '2', 'a', 'b'],
    ['lmpop', '2', 'a', 'b', 'left', 'count', '3'],
    ['lmpop', '0', 'left'],
    ['blmpop', '0.5', '2', 'a', 'b', 'right'],
    ['zmpop', '1', 'z', 'min'],
    ['bzmpop', '0', '2', 'y', 'z', 'max'],
    ['sort', 'k', 'by', 'w_*', 'get', '#', 'store', 'dst', 'limit', '0', '1'],
    ['sort', 'k', 'store', 'one', 'store', 'two'],
    ['sort', 'k', 'get', 'store', 'store', 'x'],
    ['sort_ro', 'k', 'store', 'x'],
    ['object', 'encoding', 'k'],
    ['set', 'k', 'v', 'get'],
    ['mset', 'a', '1', 'b', '2'],
    ['msetnx', 'a', '1', 'b'],
    ['blpop', 'a', 'b', '0'],
    ['brpoplpush', 'src', 'dst', '0'],
    ['lmove', 'src', 'dst', 'left', 'right'],
    ['smove', 'a', 'b', 'm'],
    ['rename', 'a', 'b'],
    ['copy', 'a', 'b', 'replace'],
    ['bitop', 'and', 'd', 'a', 'b'],
    ['bitfield', 'k', 'get', 'u8', '0'],
    ['spublish', 'ch', 'msg'],
    ['get'],
    ['ping'],
    ['nosuchcommand', 'a'],
    ['client', 'list'],
    ['del', 'a', 'b', 'c'],
  ];
  it('GETKEYS answers the same keys or the same error', async () => {
    for (const l of lines) {
      const [a, b] = await Promise.all([pair.dax.call('command', 'getkeys', ...l), pair.ref.call('command', 'getkeys', ...l)]);
      expect({ line: l.join(' '), keys: a }).toEqual({ line: l.join(' '), keys: b });
    }
  });

  it('SAVE or SHUTDOWN inside MULTI is refused and dooms the transaction', async () => {
    for (const c of [pair.dax, pair.ref]) {
      expect(await c.call('multi')).toEqual({ s: 'OK' });
      expect(await c.call('set', 'k', 'v')).toEqual({ s: 'QUEUED' });
      expect(await c.call('save')).toEqual({ e: 'ERR Command not allowed inside a transaction' });
      expect(await c.call('shutdown')).toEqual({ e: 'ERR Command not allowed inside a transaction' });
      expect(await c.call('exec')).toEqual({ e: 'EXECABORT Transaction discarded because of previous errors.' });
      expect(await c.call('exists', 'k')).toEqual({ i: '0' });
    }
  });
});

// Blocking commands (BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP, CLIENT UNBLOCK)
// of a real `daxcache serve` against a real redis-server 7.0, with several clients at once. A
// scenario is a sequence of steps, each run by one of the clients; after each step the number of
// blocked clients (INFO) is recorded, a blocking step first waits for its client to be blocked.
// Every client's replies, in its order, and the trace of blocked counts must be the same on both
// servers: who is served first (blocking order), with what, after which command (a push, an EXEC,
// a served BLMOVE feeding another waiter), what times out, what a later pipelined command waits
// for, what a disconnect leaves behind.
//
// Then, daxcache only: the pop that served a blocked client is durable once its reply has arrived
// (kill -9 right after), and a blocked client holds no pop when it goes away.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { RespClient, type Wire } from './resp-client.js';
import { haveRedisServer, useServerPair, runOnBoth } from './real-redis.js';
import { RawClient } from '../helpers/resp.js';
import { raw3, type Arg } from './unordered.js';
import { startServer } from '../helpers/server.js';

type Step =
  | { c: number; cmd: Arg[]; blocks?: boolean; queued?: boolean }
  | { sleep: number }
  | { close: number }
  | { unblock: number; how?: 'timeout' | 'error' | 'bogus' };

const CLIENTS = 4;
const WAIT_CAP_MS = 5000;

async function blockedCount(ctl: RespClient): Promise<number> {
  const info = (await ctl.call('info', 'clients')) as { b: string };
  const m = /blocked_clients:(\d+)/.exec(info.b);
  if (!m) throw new Error('INFO clients has no blocked_clients');
  return Number(m[1]);
}

/** Polls until the blocked count satisfies ok (bounded); returns it. */
async function waitBlocked(ctl: RespClient, ok: (n: number) => boolean): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const n = await blockedCount(ctl);
    if (ok(n) || Date.now() - t0 > WAIT_CAP_MS) return n;
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Outcome {
  /** Per client: [command, reply] in the order the client received them ('(still blocked)' at the end). */
  replies: Array<Array<[string, Wire | string]>>;
  /** Blocked clients after each step. */
  trace: Array<[string, number]>;
}

const label = (cmd: Arg[]): string => cmd.map((a) => (typeof a === 'string' ? a : a.toString('latin1'))).join(' ');

async function runScenario(port: number, steps: Step[]): Promise<Outcome> {
  const ctl = await RespClient.open(port);
  await ctl.call('flushall');
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => RespClient.open(port)));
  const ids = await Promise.all(clients.map(async (c) => (await c.call('client', 'id')) as { i: string }));
  const replies: Outcome['replies'] = clients.map(() => []);
  const pending: Array<Promise<void>> = [];
  const trace: Outcome['trace'] = [];
  let blocked = 0;
  for (const step of steps) {
    let name: string;
    if ('cmd' in step) {
      name = `c${step.c}: ${label(step.cmd)}`;
      const slot: [string, Wire | string] = [label(step.cmd), '(still blocked)'];
      replies[step.c]!.push(slot);
      const p = clients[step.c]!.call(...step.cmd).then((r) => {
        slot[1] = r;
      });
      if (step.queued) {
        pending.push(p); // behind a blocked command on the same connection: answered later
        blocked = await blockedCount(ctl);
      } else if (step.blocks) {
        pending.push(p);
        const before = blocked;
        blocked = await waitBlocked(ctl, (n) => n > before);
      } else {
        await p;
        blocked = await blockedCount(ctl);
      }
    } else if ('sleep' in step) {
      name = `sleep ${step.sleep}`;
      await new Promise((r) => setTimeout(r, step.sleep));
      blocked = await blockedCount(ctl);
    } else if ('close' in step) {
      name = `close c${step.close}`;
      clients[step.close]!.close();
      const before = blocked;
      blocked = await waitBlocked(ctl, (n) => n < before);
    } else {
      const args: Arg[] = ['client', 'unblock', ids[step.unblock]!.i, ...(step.how ? [step.how] : [])];
      name = `unblock c${step.unblock} ${step.how ?? ''}`;
      const r = await ctl.call(...args);
      replies[step.unblock]!.push([`(${label(args.slice(0, 2))} ${step.how ?? ''})`, r]);
      blocked = await blockedCount(ctl);
    }
    trace.push([name, blocked]);
  }
  // Replies of served clients may land just after the step that served them.
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 2000))]);
  for (const c of clients) c.close();
  ctl.close();
  return { replies, trace };
}

const bl = (c: number, ...cmd: Arg[]): Step => ({ c, cmd, blocks: true });
const run = (c: number, ...cmd: Arg[]): Step => ({ c, cmd });

const scenarios: Record<string, Step[]> = {
  'BLPOP waiters are served in the order they blocked, one element each': [
    bl(1, 'blpop', 'k', '0'),
    bl(2, 'blpop', 'k', '0'),
    bl(3, 'brpop', 'k', '0'),
    run(0, 'rpush', 'k', 'a', 'b'),
    run(0, 'lrange', 'k', '0', '-1'),
    run(0, 'lpush', 'k', 'x', 'y', 'z'),
    run(0, 'lrange', 'k', '0', '-1'),
    run(0, 'exists', 'k'),
  ],
  'a client waiting on several keys is served from the first one written': [
    bl(1, 'blpop', 'k1', 'k2', 'k3', '0'),
    bl(2, 'brpop', 'k3', 'k2', '0'),
    run(0, 'rpush', 'k2', 'a', 'b', 'c'),
    run(0, 'lrange', 'k2', '0', '-1'),
    run(0, 'rpush', 'k3', 'd'),
    run(0, 'exists', 'k3'),
  ],
  'a served BLMOVE feeds a client blocked on its destination': [
    bl(1, 'blmove', 'src', 'dst', 'left', 'right', '0'),
    bl(2, 'blpop', 'dst', '0'),
    bl(3, 'brpoplpush', 'dst', 'third', '0'),
    run(0, 'rpush', 'src', 'x', 'y'),
    run(0, 'lrange', 'src', '0', '-1'),
    run(0, 'exists', 'dst', 'third'),
    run(0, 'rpush', 'dst', 'z'),
    run(0, 'lrange', 'third', '0', '-1'),
  ],
  'BRPOPLPUSH into a key of another type: WRONGTYPE when served, the element stays': [
    run(0, 'set', 'd', 'string'),
    bl(1, 'brpoplpush', 's', 'd', '0'),
    run(0, 'rpush', 's', 'v'),
    run(0, 'lrange', 's', '0', '-1'),
    run(0, 'get', 'd'),
  ],
  'pushes inside MULTI/EXEC serve waiters after EXEC, with what EXEC left': [
    bl(1, 'blpop', 'k', '0'),
    bl(2, 'blpop', 'k', '0'),
    run(0, 'multi'),
    run(0, 'rpush', 'k', 'a', 'b', 'c'),
    run(0, 'lpop', 'k'),
    run(0, 'rpop', 'k'),
    run(0, 'exec'),
    run(0, 'exists', 'k'),
    run(0, 'multi'),
    run(0, 'rpush', 'k', 'only'),
    run(0, 'del', 'k'),
    run(0, 'exec'),
    run(0, 'rpush', 'k', 'last'),
  ],
  'inside MULTI a blocking command does not block': [
    run(1, 'multi'),
    run(1, 'blpop', 'none', '0'),
    run(1, 'brpoplpush', 'none', 'x', '0'),
    run(1, 'blmove', 'none', 'x', 'left', 'left', '0'),
    run(1, 'blmpop', '0', '1', 'none', 'left'),
    run(1, 'bzpopmin', 'none', '0'),
    run(1, 'bzmpop', '0', '1', 'none', 'max'),
    run(1, 'rpush', 'l', 'v'),
    run(1, 'blpop', 'l', '0'),
    run(1, 'exec'),
  ],
  'timeouts answer nil; the wait ends, later commands run': [
    bl(1, 'blpop', 'k', '0.15'),
    bl(2, 'brpoplpush', 'k', 'd', '0.15'),
    bl(3, 'bzpopmax', 'z', '0.15'),
    { sleep: 600 },
    run(1, 'ping'),
    bl(1, 'blmpop', '0.1', '2', 'a', 'b', 'left', 'count', '3'),
    bl(2, 'bzmpop', '0.1', '1', 'z', 'min'),
    { sleep: 500 },
    run(0, 'rpush', 'k', 'late'),
    run(0, 'lrange', 'k', '0', '-1'),
  ],
  'a key written with another type keeps its waiters blocked': [
    bl(1, 'blpop', 'k', '0'),
    bl(2, 'bzpopmin', 'k', '0'),
    run(0, 'set', 'k', 'string'),
    run(0, 'del', 'k'),
    run(0, 'zadd', 'k', '1', 'm'),
    run(0, 'del', 'k'),
    run(0, 'rpush', 'k', 'v'),
    run(0, 'exists', 'k'),
  ],
  'sorted sets: BZPOPMIN, BZPOPMAX, BZMPOP with a count, served by ZADD and ZUNIONSTORE': [
    bl(1, 'bzpopmin', 'z1', 'z2', '0'),
    bl(2, 'bzpopmax', 'z2', '0'),
    bl(3, 'bzmpop', '0', '2', 'z3', 'z2', 'max', 'count', '2'),
    run(0, 'zadd', 'z2', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'),
    run(0, 'zrange', 'z2', '0', '-1', 'withscores'),
    bl(1, 'bzpopmin', 'out', '0'),
    run(0, 'zunionstore', 'out', '1', 'z2'),
    run(0, 'zrange', 'out', '0', '-1'),
  ],
  'BLMPOP with a count takes several elements from the first ready key': [
    bl(1, 'blmpop', '0', '2', 'k1', 'k2', 'right', 'count', '2'),
    bl(2, 'blmpop', '0', '1', 'k2', 'left', 'count', '10'),
    run(0, 'rpush', 'k2', 'a', 'b', 'c'),
    run(0, 'exists', 'k2'),
  ],
  'commands pipelined behind a blocked one wait for it': [
    bl(1, 'blpop', 'k', '0'),
    { c: 1, cmd: ['ping'], queued: true }, // on the blocked connection: answered after the BLPOP
    { c: 1, cmd: ['rpush', 'k', 'own'], queued: true },
    run(0, 'lrange', 'k', '0', '-1'),
    run(0, 'rpush', 'k', 'first'),
    { sleep: 100 }, // the held commands run once c1's wait is over
    run(0, 'lrange', 'k', '0', '-1'),
  ],
  'a blocked client that disconnects takes nothing': [
    bl(1, 'blpop', 'k', '0'),
    bl(2, 'blpop', 'k', '0'),
    { close: 1 },
    run(0, 'rpush', 'k', 'a', 'b'),
    run(0, 'lrange', 'k', '0', '-1'),
  ],
  'CLIENT UNBLOCK: TIMEOUT answers the timeout reply, ERROR the UNBLOCKED error': [
    bl(1, 'blpop', 'k', '0'),
    bl(2, 'blmove', 'k', 'd', 'left', 'left', '0'),
    bl(3, 'bzpopmin', 'z', '0'),
    { unblock: 1 },
    { unblock: 2, how: 'error' },
    { unblock: 3, how: 'timeout' },
    { unblock: 3 },
    { unblock: 0 },
    { unblock: 1, how: 'bogus' },
    run(1, 'rpush', 'k', 'v'),
  ],
};

// Argument errors and the non-blocking paths: one client is enough.
const scripts: Record<string, Arg[][]> = {
  'timeouts and argument errors': [
    ['blpop', 'k', 'x'],
    ['blpop', 'k', '-1'],
    ['blpop', 'k', '-1.5'], // (not -0.0001: it truncates to 0 ms, a wait for ever, in Redis too)
    ['blpop', 'k', 'inf'],
    ['blpop', 'k', 'nan'],
    ['blpop', 'k', '1e300'],
    ['blpop', 'k', ' 1'],
    ['blpop', 'k', '1 '],
    ['blpop', 'k', '9223372036854775807'],
    ['brpop', 'k'],
    ['blmove', 'a', 'b', 'up', 'left', '0'],
    ['blmove', 'a', 'b', 'left', 'left', 'x'],
    ['brpoplpush', 'a', 'b', '-5'],
    ['blmpop', '0', '0', 'k', 'left'],
    ['blmpop', '0', '1', 'k', 'middle'],
    ['blmpop', '0', '2', 'k', 'left'],
    ['blmpop', '0', '1', 'k', 'left', 'count', '0'],
    ['blmpop', '0', '1', 'k', 'left', 'count', '1', 'count', '1'],
    ['blmpop', 'x', '1', 'k', 'left'],
    ['bzpopmin', 'z', 'x'],
    ['bzmpop', '0', '1', 'z', 'least'],
    ['bzmpop', '0', '-1', 'z', 'min'],
    ['bzmpop', '0', '1', 'z', 'min', 'count', '-2'],
    ['client', 'unblock', 'x'],
    ['client', 'unblock', '1', 'timeout', 'extra'],
  ],
  'data already there: no waiting, same replies as the plain commands': [
    ['rpush', 'l', 'a', 'b', 'c', 'd'],
    ['blpop', 'none', 'l', '0'],
    ['brpop', 'l', '0'],
    ['blmove', 'l', 'l2', 'left', 'right', '0'],
    ['brpoplpush', 'l', 'l2', '1'],
    ['lrange', 'l2', '0', '-1'],
    ['blmpop', '0', '2', 'none', 'l2', 'right', 'count', '5'],
    ['exists', 'l', 'l2'],
    ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c'],
    ['bzpopmin', 'none', 'z', '0'],
    ['bzpopmax', 'z', '0'],
    ['bzmpop', '1', '1', 'z', 'min', 'count', '9'],
    ['exists', 'z'],
    ['set', 's', 'x'],
    ['blpop', 's', '0'],
    ['blpop', 'none', 's', '0'],
    ['brpoplpush', 's', 'd', '0'],
    ['rpush', 'src', 'v'],
    ['blmove', 'src', 's', 'left', 'left', '0'],
    ['lrange', 'src', '0', '-1'],
    ['bzpopmin', 's', '0'],
    ['bzmpop', '0', '1', 's', 'min'],
    ['blmpop', '0', '1', 's', 'left'],
  ],
};

describe.runIf(haveRedisServer)('blocking commands against a real redis-server', () => {
  const servers = useServerPair();

  for (const [name, steps] of Object.entries(scenarios)) {
    it(name, async () => {
      const [got, want] = await Promise.all([runScenario(servers.dax.port, steps), runScenario(servers.redis!.port, steps)]);
      expect(got).toEqual(want);
    }, 30_000);
  }

  let dax: RespClient;
  let ref: RespClient;
  beforeAll(async () => {
    [dax, ref] = await Promise.all([RespClient.open(servers.dax.port), RespClient.open(servers.redis!.port)]);
  });
  afterAll(() => {
    dax?.close();
    ref?.close();
  });
  for (const [name, script] of Object.entries(scripts)) {
    it(name, async () => {
      const { got, want } = await runOnBoth(dax, ref, script);
      expect(got).toEqual(want);
    }, 30_000);
  }

  it('RESP3: a served BZPOPMIN carries a double score, a timeout is the RESP3 null', async () => {
    const replies: string[][] = [];
    for (const port of [servers.dax.port, servers.redis!.port]) {
      const [w, p] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
      await Promise.all([w.call('hello', '3'), p.call('flushall')]);
      const out: string[] = [];
      const served = raw3(w, 'bzpopmin', 'z', '0');
      for (let i = 0; i < 200 && !/blocked_clients:1/.test(String(await p.call('info', 'clients'))); i++) await new Promise((r) => setTimeout(r, 5));
      await p.call('zadd', 'z', '2.5', 'm');
      out.push(await served);
      out.push(await raw3(w, 'blpop', 'none', '0.05'));
      out.push(await raw3(w, 'blmove', 'none', 'x', 'left', 'left', '0.05'));
      out.push(await raw3(w, 'bzmpop', '0.05', '1', 'none', 'min'));
      w.close();
      p.close();
      replies.push(out);
    }
    expect(replies[0]).toEqual(replies[1]);
    expect(replies[0]![0]).toBe('*3\r\n$1\r\nz\r\n$1\r\nm\r\n,2.5\r\n');
  }, 30_000);
});

describe('blocking pops on daxcache: durable once answered', () => {
  it('the element a blocked client received is gone after kill -9; a disconnected waiter took none', async () => {
    const srv = await startServer();
    let c = await RespClient.open(srv.port);
    const waiters = await Promise.all([RespClient.open(srv.port), RespClient.open(srv.port)]);
    const served = waiters[0]!.call('blpop', 'q', '0');
    for (let i = 0; i < 400; i++) {
      const info = (await c.call('info', 'clients')) as { b: string };
      if (/blocked_clients:1\r/.test(info.b)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const gone = waiters[1]!.call('brpop', 'other', '0');
    void gone;
    await new Promise((r) => setTimeout(r, 50));
    waiters[1]!.close();
    await c.call('rpush', 'q', 'job1', 'job2', 'job3');
    expect(await served).toEqual([{ b: 'q' }, { b: 'job1' }]);
    await c.call('rpush', 'other', 'kept');
    c.close();
    waiters[0]!.close();
    await srv.kill9();
    await srv.restart();
    c = await RespClient.open(srv.port);
    expect(await c.call('lrange', 'q', '0', '-1')).toEqual([{ b: 'job2' }, { b: 'job3' }]);
    expect(await c.call('lrange', 'other', '0', '-1')).toEqual([{ b: 'kept' }]);
    c.close();
    await srv.stop();
  }, 60_000);
});

// kill -9 soak against the real server (issue 4, part 3). One `daxcache serve` process (RESP and
// memcached listeners) on a pool in /dev/shm (cache_line granularity) or on a disk (page
// granularity). Each cycle:
//   1. several pipelined load clients write their own keys of a fresh namespace: over RESP
//      SET / APPEND / DEL / INCR / MSET, over memcached text set / delete / incr. Values encode the
//      key and a sequence number. Each RESP client also writes its own lists, hashes, sets and
//      sorted sets in the same pipeline (collections.ts: pushes, pops, LSET, LTRIM, LMOVE between
//      two lists, HSET / HDEL / HINCRBY, SADD / SREM, ZADD / ZREM / ZINCRBY / ZPOPMIN), with the
//      packed-encoding limits lowered so that conversions to the large forms happen often. A write
//      counts as acknowledged only when its reply has arrived (each reply is also checked against
//      the model);
//   2. after a random 50–600 ms (50–400 without collections) the server gets SIGKILL, then is
//      started again on the same pool;
//   3. every key is read back over RESP: the value must be the state after the last acknowledged
//      write, or after one of the sent-but-unacknowledged writes that followed it (one connection
//      owns a key and replies come in order, so the durable state is that of some prefix of the
//      sent writes at least as long as the acknowledged prefix). A value of an older prefix is a
//      lost write; anything else is a wrong value. A collection group (the two lists LMOVE moves
//      between, or one hash / set / sorted set) is read with TYPE + LRANGE / HGETALL / SMEMBERS /
//      ZRANGE WITHSCORES and all its keys must show the state of one and the same prefix;
//   4. the previous cycle's keys must still read back exactly as verified then (a second crash must
//      not disturb them); they are then deleted, so the pool stays small.
// After the last cycle's kill (before its restart) `daxcache check` walks the crash image and must
// find no problem (checkPool: 'every' does so after every kill).
// Every wait is bounded by a per-cycle cap; connections are closed and the server is killed at the end.
import { Rng } from '../crash/rng.js';
import { emptyTypeCounts, short, WRITE_TYPES, type Ackable, type Cmd, type TypeCounts, type WriteType } from './cmd.js';
import { COLLECTION_SERVER_ARGS, collectionCommand, collectionGroups, type CollKind, type CollModel } from './collections.js';
import { PipeConn, resp, type Reply } from './conn.js';
import { deleteAll, info, readAll, readCollections } from './readback.js';
import { SoakServer } from './server.js';

export type SoakKind = 'shm' | 'disk';

export interface KillSoakProgress {
  kind: SoakKind;
  cycle: number;
  cycles: number;
  /** Acknowledged writes checked so far (per key: the acknowledged prefix of its history). */
  ackedChecked: number;
  lost: number;
  wrong: number;
  failedRestarts: number;
  elapsedMs: number;
}

export interface KillSoakOptions {
  cycles: number;
  kind: SoakKind;
  seed: number;
  onProgress?: (p: KillSoakProgress) => void;
  /** Folder for the pool's temporary folder (default: /dev/shm for shm, a disk folder for disk). */
  baseDir?: string;
  /** Cap on one cycle (load, kill, restart, verification). Default 30 s. */
  cycleTimeoutMs?: number;
  /** RESP / memcached load clients (default 3 / 2). */
  respClients?: number;
  memcachedClients?: number;
  /** Keys (plus a quarter as many counters) per client and cycle (default 48). */
  keysPerClient?: number;
  /** Stop after the first cycle with a failure (default true). */
  stopOnFailure?: boolean;
  /** Extra `serve` arguments (after the soak's lowered packed-encoding limits, so they can override them). */
  serverArgs?: string[];
  /** Share of each RESP client's writes that go to its collection keys (default 0.2; 0 = strings only). */
  collectionShare?: number;
  /**
   * SIGKILL a random [min, max] ms into the load. Default [50, 400] for strings only, [50, 600] with
   * collections: a collection write costs the server about four string writes (a fresh process
   * each cycle), so the longer window keeps the string load near what it was without them.
   */
  killWindowMs?: [number, number];
  /** When to run `daxcache check` on the crash image: after the last kill (default), every kill, never. */
  checkPool?: 'final' | 'every' | 'never';
}

export interface KillSoakResult {
  kind: SoakKind;
  seed: number;
  granularity: string;
  cyclesRun: number;
  /** Write commands sent / acknowledged under load. */
  sent: number;
  acked: number;
  /** Acknowledged writes verified after a restart (per key). */
  ackedChecked: number;
  /** Keys verified after a restart (this cycle's and the previous cycle's). */
  keysChecked: number;
  lost: number;
  wrong: number;
  failedRestarts: number;
  /** The counts above by type of key (a collection group's write counts once, on its type). */
  byType: Record<WriteType, TypeCounts>;
  /** `daxcache check` runs on crash images, and the problems they reported (a refused pool counts 1). */
  poolChecks: number;
  poolProblems: number;
  /** OBJECT ENCODING of this cycle's collection keys after each restart, counted per `kind:encoding`. */
  encodings: Record<string, number>;
  /** Descriptions of the first failures (seed, cycle, key, history). */
  failures: string[];
  durationMs: number;
}

type Op =
  | { t: 'set'; v: string }
  | { t: 'append'; v: string }
  | { t: 'del' }
  | { t: 'incr'; by: number; create: boolean };

interface Entry {
  op: Op;
  /** The command as sent, for the failure report. */
  cmd: string;
  acked: boolean;
}

class KeyModel implements Ackable {
  readonly history: Entry[] = [];
  /** states[i] = the value after the first i writes (states[0]: absent, a fresh namespace). */
  readonly states: Array<string | null> = [null];
  acked = 0;
  constructor(readonly name: string) {}

  get sentState(): string | null {
    return this.states[this.states.length - 1]!;
  }

  /** Records a sent write; returns the state it leaves. */
  push(op: Op, cmd: string): string | null {
    const s = this.sentState;
    let next: string | null;
    switch (op.t) {
      case 'set':
        next = op.v;
        break;
      case 'append':
        next = (s ?? '') + op.v;
        break;
      case 'del':
        next = null;
        break;
      case 'incr':
        next = s === null ? (op.create ? String(op.by) : null) : String(Number(s) + op.by);
        break;
    }
    this.history.push({ op, cmd, acked: false });
    this.states.push(next);
    return next;
  }

  ack(index: number): void {
    if (index !== this.acked) throw new Error(`${this.name}: acknowledgement out of order (${index}, expected ${this.acked})`);
    this.history[index]!.acked = true;
    this.acked++;
  }

  describe(max = 16): string {
    const from = Math.max(0, this.history.length - max);
    const lines = this.history.slice(from).map((e, i) => {
      const n = from + i + 1;
      return `    #${n} ${e.acked ? 'ACKED  ' : 'unacked'} ${e.cmd}  -> ${JSON.stringify(this.states[n])}`;
    });
    if (from > 0) lines.unshift(`    ... ${from} earlier writes (all ${this.acked >= from ? 'acked' : 'partly acked'})`);
    return lines.join('\n');
  }
}

interface CycleCounters {
  sent: number;
  acked: number;
  byType: Record<WriteType, TypeCounts>;
  failures: string[];
  wrong: number;
}

function mcSet(name: string, v: string): Buffer {
  return Buffer.from(`set ${name} 0 0 ${Buffer.byteLength(v, 'latin1')}\r\n${v}\r\n`, 'latin1');
}

/** Builds one RESP write on this client's keys. */
function respCommand(rng: Rng, keys: KeyModel[], counters: KeyModel[], seq: number): Cmd {
  const r = rng.float();
  const one = (key: KeyModel, op: Op, data: Buffer, text: string, expect: (next: string | null, prev: string | null) => Cmd['expect']): Cmd => {
    const prev = key.sentState;
    const next = key.push(op, text);
    return { data, expect: expect(next, prev), writes: [{ key, index: key.history.length - 1 }], text, type: 'string' };
  };
  if (r < 0.5) {
    const key = rng.pick(keys);
    if (r < 0.35 || (key.sentState?.length ?? 0) > 160) {
      const v = `${key.name}#${seq}`;
      return one(key, { t: 'set', v }, resp('SET', key.name, v), `SET ${key.name} ${v}`, () => ({ type: '+', value: 'OK' }));
    }
    const v = `|${seq}`;
    return one(key, { t: 'append', v }, resp('APPEND', key.name, v), `APPEND ${key.name} ${v}`, (next) => ({ type: ':', value: String(next!.length) }));
  }
  if (r < 0.6) {
    const key = rng.chance(0.7) ? rng.pick(keys) : rng.pick(counters);
    return one(key, { t: 'del' }, resp('DEL', key.name), `DEL ${key.name}`, (_n, prev) => ({ type: ':', value: prev === null ? '0' : '1' }));
  }
  if (r < 0.8) {
    const key = rng.pick(counters);
    return one(key, { t: 'incr', by: 1, create: true }, resp('INCR', key.name), `INCR ${key.name}`, (next) => ({ type: ':', value: next }));
  }
  if (r < 0.9) {
    const n = Math.min(keys.length, rng.range(2, 4));
    const chosen = new Set<KeyModel>();
    while (chosen.size < n) chosen.add(rng.pick(keys));
    const args: string[] = [];
    const writes: Cmd['writes'] = [];
    const text = `MSET ${[...chosen].map((k) => `${k.name} ${k.name}#${seq}`).join(' ')}`;
    for (const k of chosen) {
      const v = `${k.name}#${seq}`;
      args.push(k.name, v);
      k.push({ t: 'set', v }, text);
      writes.push({ key: k, index: k.history.length - 1 });
    }
    return { data: resp('MSET', ...args), expect: { type: '+', value: 'OK' }, writes, text, type: 'string' };
  }
  const key = rng.pick(counters);
  const v = String(seq);
  return one(key, { t: 'set', v }, resp('SET', key.name, v), `SET ${key.name} ${v}`, () => ({ type: '+', value: 'OK' }));
}

/** Builds one memcached text write on this client's keys. */
function mcCommand(rng: Rng, keys: KeyModel[], counters: KeyModel[], seq: number): Cmd {
  const r = rng.float();
  let key: KeyModel;
  let op: Op;
  let data: Buffer;
  let text: string;
  if (r < 0.45) {
    key = rng.pick(keys);
    const v = `${key.name}#${seq}`;
    op = { t: 'set', v };
    data = mcSet(key.name, v);
    text = `mc set ${key.name} ${v}`;
  } else if (r < 0.6) {
    key = rng.chance(0.7) ? rng.pick(keys) : rng.pick(counters);
    op = { t: 'del' };
    data = Buffer.from(`delete ${key.name}\r\n`, 'latin1');
    text = `mc delete ${key.name}`;
  } else if (r < 0.9) {
    key = rng.pick(counters);
    const by = rng.range(1, 9);
    op = { t: 'incr', by, create: false };
    data = Buffer.from(`incr ${key.name} ${by}\r\n`, 'latin1');
    text = `mc incr ${key.name} ${by}`;
  } else {
    key = rng.pick(counters);
    const v = String(seq);
    op = { t: 'set', v };
    data = mcSet(key.name, v);
    text = `mc set ${key.name} ${v}`;
  }
  const prev = key.sentState;
  const next = key.push(op, text);
  let value: string;
  if (op.t === 'set') value = 'STORED';
  else if (op.t === 'del') value = prev === null ? 'NOT_FOUND' : 'DELETED';
  else value = next === null ? 'NOT_FOUND' : next;
  return { data, expect: { type: 'm', value }, writes: [{ key, index: key.history.length - 1 }], text, type: 'string' };
}

/** Writes batches of pipelined commands until the connection dies (or the deadline). */
async function loadClient(
  conn: PipeConn,
  build: (seq: number) => Cmd,
  rng: Rng,
  counters: CycleCounters,
  deadline: number,
  ctx: () => string,
): Promise<void> {
  let seq = 0;
  while (!conn.closed && Date.now() < deadline) {
    const n = rng.range(1, 48);
    const cmds: Cmd[] = [];
    for (let i = 0; i < n; i++) {
      const c = build(seq++);
      cmds.push(c);
      counters.byType[c.type].sent++;
    }
    counters.sent += n;
    conn.send(
      Buffer.concat(cmds.map((c) => c.data)),
      cmds.map((c) => (reply: Reply) => {
        if (reply.type !== c.expect.type || reply.value !== c.expect.value) {
          counters.wrong++;
          if (counters.failures.length < 20) {
            counters.failures.push(`${ctx()}: wrong reply to ${c.text}: got ${reply.type}${short(JSON.stringify(reply.value), 300)}, expected ${c.expect.type}${short(JSON.stringify(c.expect.value), 300)}\n${c.writes[0]!.key.describe()}`);
          }
        }
        counters.acked++;
        counters.byType[c.type].acked++;
        for (const w of c.writes) w.key.ack(w.index);
      }),
    );
    await conn.drained(deadline);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runKillSoak(opts: KillSoakOptions): Promise<KillSoakResult> {
  const t0 = Date.now();
  const rng = new Rng(opts.seed);
  const cycleCap = opts.cycleTimeoutMs ?? 30_000;
  const nResp = opts.respClients ?? 3;
  const nMc = opts.memcachedClients ?? 2;
  const perClient = opts.keysPerClient ?? 48;
  const stopOnFailure = opts.stopOnFailure ?? true;
  const share = opts.collectionShare ?? 0.2;
  const [killMin, killMax] = opts.killWindowMs ?? (share > 0 ? [50, 600] : [50, 400]);
  const checkPool = opts.checkPool ?? 'final';
  const res: KillSoakResult = {
    kind: opts.kind, seed: opts.seed, granularity: '?', cyclesRun: 0, sent: 0, acked: 0, ackedChecked: 0,
    keysChecked: 0, lost: 0, wrong: 0, failedRestarts: 0, byType: emptyTypeCounts(), poolChecks: 0, poolProblems: 0, encodings: {},
    failures: [], durationMs: 0,
  };
  const fail = (msg: string): void => {
    if (res.failures.length < 20) res.failures.push(msg);
  };
  const checked = (type: WriteType, acked: number): void => {
    res.keysChecked++;
    res.ackedChecked += acked;
    res.byType[type].keysChecked++;
    res.byType[type].ackedChecked += acked;
  };

  const server = await SoakServer.create({
    kind: opts.kind, baseDir: opts.baseDir, args: [...(share > 0 ? COLLECTION_SERVER_ARGS : []), ...(opts.serverArgs ?? [])],
  });
  const open = new Set<PipeConn>();
  try {
    const gran = /pool_granularity:(\w+)/.exec(await info(server.port, 'persistence', Date.now() + 5000));
    res.granularity = gran?.[1] ?? 'unknown';
    const want = opts.kind === 'shm' ? 'cache_line' : 'page';
    if (res.granularity !== want) throw new Error(`killsoak ${opts.kind}: pool granularity is ${res.granularity}, expected ${want}`);

    /** The previous cycle's keys and the values (collections: canonical texts) verified then. */
    let previous = new Map<string, string | null>();
    let previousColl = new Map<string, { kind: CollKind; canon: string }>();

    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      const deadline = Date.now() + cycleCap;
      const ctx = (): string => `kill-soak seed=${opts.seed} kind=${opts.kind} cycle=${cycle}`;
      const counters: CycleCounters = { sent: 0, acked: 0, byType: emptyTypeCounts(), failures: [], wrong: 0 };
      const failuresBefore = res.failures.length + res.lost + res.wrong;
      const ns = `ks${cycle}`;

      // 1. Load: every client owns its keys, so a key's writes are ordered by one connection.
      const models: KeyModel[] = [];
      const groups: CollModel[] = [];
      const clients: Array<Promise<void>> = [];
      const conns: PipeConn[] = [];
      const setups: Array<() => Promise<void>> = [];
      for (let c = 0; c < nResp + nMc; c++) {
        const mc = c >= nResp;
        const tag = mc ? `m${c - nResp}` : `r${c}`;
        const keys = Array.from({ length: perClient }, (_v, i) => new KeyModel(`${ns}:${tag}:k${i}`));
        const ctrs = Array.from({ length: Math.max(1, perClient >> 2) }, (_v, i) => new KeyModel(`${ns}:${tag}:n${i}`));
        models.push(...keys, ...ctrs);
        const coll = mc || share <= 0 ? undefined : collectionGroups(`${ns}:${tag}`);
        if (coll) groups.push(...coll.all);
        const crng = new Rng(rng.u32());
        setups.push(async () => {
          const conn = await PipeConn.connect(mc ? server.memcachedPort : server.port, mc ? 'memcached' : 'resp');
          open.add(conn);
          conns.push(conn);
          const build = mc
            ? (seq: number) => mcCommand(crng, keys, ctrs, seq)
            : (seq: number) => (coll && crng.chance(share) ? collectionCommand(crng, coll, seq) : respCommand(crng, keys, ctrs, seq));
          clients.push(loadClient(conn, build, crng, counters, deadline, ctx));
        });
      }
      await Promise.all(setups.map((f) => f()));

      // 2. Crash at a random instant under load, then restart on the same pool.
      const killAfter = rng.range(killMin, killMax);
      await sleep(killAfter);
      await server.kill9();
      await Promise.race([Promise.all(clients), sleep(5000)]);
      for (const c of conns) {
        if (c.protocolError) fail(`${ctx()}: protocol error: ${c.protocolError}`);
        c.close();
        open.delete(c);
      }
      res.sent += counters.sent;
      res.acked += counters.acked;
      res.wrong += counters.wrong;
      for (const t of WRITE_TYPES) {
        res.byType[t].sent += counters.byType[t].sent;
        res.byType[t].acked += counters.byType[t].acked;
      }
      for (const f of counters.failures) fail(f);
      if (checkPool === 'every' || (checkPool === 'final' && cycle === opts.cycles)) {
        // The crash image as the kill left it, before the restart's recovery touches it.
        const r = await server.check();
        res.poolChecks++;
        if (r.problems !== 0) {
          res.poolProblems += Math.max(1, r.problems);
          fail(`${ctx()}: daxcache check on the crash image (killed ${killAfter} ms into the load) exited ${r.code}:\n${r.output}`);
        }
      }
      try {
        await server.start();
      } catch (e) {
        res.failedRestarts++;
        fail(`${ctx()}: restart failed after kill -9 (${killAfter} ms into the load): ${(e as Error).message}`);
        res.cyclesRun = cycle;
        break;
      }

      // 3. This cycle's keys: the state of some prefix of the sent writes, at least the acknowledged one.
      const names = models.map((m) => m.name);
      const got = await readAll(server.port, names, deadline);
      const observed = new Map<string, string | null>();
      models.forEach((m, i) => {
        const v = got[i];
        if (v === undefined) {
          res.wrong++;
          fail(`${ctx()}: no reply to GET ${m.name} within the cycle cap`);
          return;
        }
        observed.set(m.name, v);
        const ok = m.states.slice(m.acked).includes(v);
        if (ok) {
          checked('string', m.acked);
          return;
        }
        res.keysChecked++;
        const older = m.states.slice(0, m.acked).includes(v);
        if (older) res.lost++;
        else res.wrong++;
        fail(
          `${ctx()} (killed ${killAfter} ms into the load): ${older ? 'LOST acknowledged write' : 'WRONG value'} for key ${m.name}\n` +
            `  read back: ${JSON.stringify(v)}\n` +
            `  allowed:   ${JSON.stringify(m.states.slice(m.acked))} (last acked state first)\n` +
            `  history (${m.history.length} writes sent, ${m.acked} acked):\n${m.describe()}`,
        );
      });

      // 3b. Collections: every key of a group at one and the same prefix, at least the acknowledged one.
      const collKeys = groups.flatMap((g) => g.keys.map((key) => ({ kind: g.kind, key })));
      const gotColl = await readCollections(server.port, collKeys, deadline, res.encodings);
      const observedColl = new Map<string, { kind: CollKind; canon: string }>();
      let at = 0;
      for (const g of groups) {
        const obs = gotColl.slice(at, at + g.keys.length);
        at += g.keys.length;
        if (obs.some((v) => v === undefined)) {
          res.wrong++;
          fail(`${ctx()}: no reply to reading ${g.name} within the cycle cap`);
          continue;
        }
        const texts = obs as string[];
        g.keys.forEach((key, k) => observedColl.set(key, { kind: g.kind, canon: texts[k]! }));
        if (g.findPrefix(texts, g.acked, g.history.length) >= 0) {
          checked(g.kind, g.acked);
          continue;
        }
        res.keysChecked++;
        const older = g.acked > 0 && g.findPrefix(texts, 0, g.acked - 1) >= 0;
        if (older) res.lost++;
        else res.wrong++;
        fail(
          `${ctx()} (killed ${killAfter} ms into the load): ${older ? 'LOST acknowledged write' : 'WRONG content'} for ${g.kind} ${g.name}\n` +
            `  history (${g.history.length} writes sent, ${g.acked} acked):\n${g.report(texts)}`,
        );
      }

      // 4. The previous cycle's keys survive a second crash unchanged; then they are removed.
      if (previous.size || previousColl.size) {
        const prevNames = [...previous.keys()];
        const again = await readAll(server.port, prevNames, deadline);
        prevNames.forEach((k, i) => {
          const want = previous.get(k)!;
          const v = again[i];
          res.keysChecked++;
          if (v === want) return;
          if (v === null || v === undefined) res.lost++;
          else res.wrong++;
          fail(`${ctx()}: key ${k} of cycle ${cycle - 1} changed after a later crash: was ${JSON.stringify(want)}, now ${JSON.stringify(v)}`);
        });
        const prevColl = [...previousColl].map(([key, v]) => ({ key, kind: v.kind, canon: v.canon }));
        const againColl = await readCollections(server.port, prevColl, deadline);
        prevColl.forEach((p, i) => {
          const v = againColl[i];
          res.keysChecked++;
          if (v === p.canon) return;
          if (v === 'null' || v === undefined) res.lost++;
          else res.wrong++;
          fail(`${ctx()}: ${p.kind} ${p.key} of cycle ${cycle - 1} changed after a later crash: was ${p.canon}, now ${v}`);
        });
        const all = [...prevNames, ...prevColl.map((p) => p.key)];
        if (!(await deleteAll(server.port, all, deadline))) fail(`${ctx()}: could not delete the keys of cycle ${cycle - 1}`);
      }
      previous = observed;
      previousColl = observedColl;
      if (Date.now() > deadline) fail(`${ctx()}: cycle exceeded its ${cycleCap} ms cap`);

      res.cyclesRun = cycle;
      opts.onProgress?.({
        kind: opts.kind, cycle, cycles: opts.cycles, ackedChecked: res.ackedChecked, lost: res.lost,
        wrong: res.wrong, failedRestarts: res.failedRestarts, elapsedMs: Date.now() - t0,
      });
      if (stopOnFailure && res.failures.length + res.lost + res.wrong > failuresBefore) break;
    }
    if (res.failures.length === 0 && res.acked === 0) fail(`kill-soak seed=${opts.seed} kind=${opts.kind}: no write was ever acknowledged`);
  } finally {
    for (const c of open) c.close();
    await server.dispose();
    res.durationMs = Date.now() - t0;
  }
  return res;
}

/** One line for a result: `kind: N cycles, ... `. */
export function describeKillSoak(r: KillSoakResult): string {
  const types = WRITE_TYPES.map((t) => `${t} ${r.byType[t].ackedChecked}/${r.byType[t].acked}/${r.byType[t].sent} on ${r.byType[t].keysChecked} keys`).join(', ');
  return `${r.kind} (${r.granularity}): ${r.cyclesRun} cycles, ${r.acked}/${r.sent} writes acknowledged, ${r.ackedChecked} acknowledged writes checked on ${r.keysChecked} keys, ${r.lost} lost, ${r.wrong} wrong values, ${r.failedRestarts} failed restarts, ` +
    `${r.poolChecks} pool checks with ${r.poolProblems} problems, ${(r.durationMs / 1000).toFixed(1)} s\n` +
    `  by type (acked writes checked / acked / sent, this cycle's keys): ${types}\n` +
    `  collection encodings after restarts: ${Object.entries(r.encodings).sort().map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`;
}

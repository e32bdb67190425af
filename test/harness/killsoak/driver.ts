// kill -9 soak against the real server (issue 4, part 3). One `daxcache serve` process (RESP and
// memcached listeners) on a pool in /dev/shm (cache_line granularity) or on a disk (page
// granularity). Each cycle:
//   1. several pipelined load clients write their own keys of a fresh namespace: over RESP
//      SET / APPEND / DEL / INCR / MSET, over memcached text set / delete / incr. Values encode the
//      key and a sequence number. A write counts as acknowledged only when its reply has arrived
//      (each reply is also checked against the model);
//   2. after a random 50–400 ms the server gets SIGKILL, then is started again on the same pool;
//   3. every key is read back over RESP: the value must be the state after the last acknowledged
//      write, or after one of the sent-but-unacknowledged writes that followed it (one connection
//      owns a key and replies come in order, so the durable state is that of some prefix of the
//      sent writes at least as long as the acknowledged prefix). A value of an older prefix is a
//      lost write; anything else is a wrong value;
//   4. the previous cycle's keys must still read back exactly as verified then (a second crash must
//      not disturb them); they are then deleted, so the pool stays small.
// Every wait is bounded by a per-cycle cap; connections are closed and the server is killed at the end.
import { Rng } from '../crash/rng.js';
import { PipeConn, resp, type Reply } from './conn.js';
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
  /** Extra `serve` arguments. */
  serverArgs?: string[];
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

class KeyModel {
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
  failures: string[];
  wrong: number;
}

interface Cmd {
  data: Buffer;
  expect: { type: string; value: string | null };
  writes: Array<{ key: KeyModel; index: number }>;
  text: string;
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
    return { data, expect: expect(next, prev), writes: [{ key, index: key.history.length - 1 }], text };
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
    return { data: resp('MSET', ...args), expect: { type: '+', value: 'OK' }, writes, text };
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
  return { data, expect: { type: 'm', value }, writes: [{ key, index: key.history.length - 1 }], text };
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
    for (let i = 0; i < n; i++) cmds.push(build(seq++));
    counters.sent += n;
    conn.send(
      Buffer.concat(cmds.map((c) => c.data)),
      cmds.map((c) => (reply: Reply) => {
        if (reply.type !== c.expect.type || reply.value !== c.expect.value) {
          counters.wrong++;
          if (counters.failures.length < 20) {
            counters.failures.push(`${ctx()}: wrong reply to ${c.text}: got ${reply.type}${JSON.stringify(reply.value)}, expected ${c.expect.type}${JSON.stringify(c.expect.value)}\n${c.writes[0]!.key.describe()}`);
          }
        }
        counters.acked++;
        for (const w of c.writes) w.key.ack(w.index);
      }),
    );
    await conn.drained(deadline);
  }
}

/** GETs every key over RESP (pipelined); undefined for a key whose reply did not arrive in time. */
async function readAll(port: number, names: string[], deadline: number): Promise<Array<string | null | undefined>> {
  const out: Array<string | null | undefined> = new Array(names.length).fill(undefined);
  const conn = await PipeConn.connect(port, 'resp');
  try {
    for (let from = 0; from < names.length; from += 500) {
      const chunk = names.slice(from, from + 500);
      conn.send(
        Buffer.concat(chunk.map((k) => resp('GET', k))),
        chunk.map((_k, i) => (r: Reply) => {
          out[from + i] = r.error ? `<error ${r.value}>` : r.value;
        }),
      );
      await conn.drained(deadline);
      if (conn.closed || conn.pending) break;
    }
  } finally {
    conn.close();
  }
  return out;
}

/** DELs keys over RESP (pipelined, 100 a command) and waits for the replies. */
async function deleteAll(port: number, names: string[], deadline: number): Promise<boolean> {
  const conn = await PipeConn.connect(port, 'resp');
  try {
    const cmds: Buffer[] = [];
    for (let i = 0; i < names.length; i += 100) cmds.push(resp('DEL', ...names.slice(i, i + 100)));
    let ok = 0;
    conn.send(Buffer.concat(cmds), cmds.map(() => (r: Reply) => void (r.error || ok++)));
    await conn.drained(deadline);
    return ok === cmds.length;
  } finally {
    conn.close();
  }
}

async function info(port: number, section: string, deadline: number): Promise<string> {
  const conn = await PipeConn.connect(port, 'resp');
  try {
    let text = '';
    conn.send(resp('INFO', section), [(r) => void (text = r.value ?? '')]);
    await conn.drained(deadline);
    return text;
  } finally {
    conn.close();
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
  const res: KillSoakResult = {
    kind: opts.kind, seed: opts.seed, granularity: '?', cyclesRun: 0, sent: 0, acked: 0, ackedChecked: 0,
    keysChecked: 0, lost: 0, wrong: 0, failedRestarts: 0, failures: [], durationMs: 0,
  };
  const fail = (msg: string): void => {
    if (res.failures.length < 20) res.failures.push(msg);
  };

  const server = await SoakServer.create({ kind: opts.kind, baseDir: opts.baseDir, args: opts.serverArgs });
  const open = new Set<PipeConn>();
  try {
    const gran = /pool_granularity:(\w+)/.exec(await info(server.port, 'persistence', Date.now() + 5000));
    res.granularity = gran?.[1] ?? 'unknown';
    const want = opts.kind === 'shm' ? 'cache_line' : 'page';
    if (res.granularity !== want) throw new Error(`killsoak ${opts.kind}: pool granularity is ${res.granularity}, expected ${want}`);

    /** The previous cycle's keys and the values verified then. */
    let previous = new Map<string, string | null>();

    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      const deadline = Date.now() + cycleCap;
      const ctx = (): string => `kill-soak seed=${opts.seed} kind=${opts.kind} cycle=${cycle}`;
      const counters: CycleCounters = { sent: 0, acked: 0, failures: [], wrong: 0 };
      const failuresBefore = res.failures.length + res.lost + res.wrong;
      const ns = `ks${cycle}`;

      // 1. Load: every client owns its keys, so a key's writes are ordered by one connection.
      const models: KeyModel[] = [];
      const clients: Array<Promise<void>> = [];
      const conns: PipeConn[] = [];
      const setups: Array<() => Promise<void>> = [];
      for (let c = 0; c < nResp + nMc; c++) {
        const mc = c >= nResp;
        const tag = mc ? `m${c - nResp}` : `r${c}`;
        const keys = Array.from({ length: perClient }, (_v, i) => new KeyModel(`${ns}:${tag}:k${i}`));
        const ctrs = Array.from({ length: Math.max(1, perClient >> 2) }, (_v, i) => new KeyModel(`${ns}:${tag}:n${i}`));
        models.push(...keys, ...ctrs);
        const crng = new Rng(rng.u32());
        setups.push(async () => {
          const conn = await PipeConn.connect(mc ? server.memcachedPort : server.port, mc ? 'memcached' : 'resp');
          open.add(conn);
          conns.push(conn);
          const build = mc
            ? (seq: number) => mcCommand(crng, keys, ctrs, seq)
            : (seq: number) => respCommand(crng, keys, ctrs, seq);
          clients.push(loadClient(conn, build, crng, counters, deadline, ctx));
        });
      }
      await Promise.all(setups.map((f) => f()));

      // 2. Crash at a random instant under load, then restart on the same pool.
      const killAfter = rng.range(50, 400);
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
      for (const f of counters.failures) fail(f);
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
        res.keysChecked++;
        observed.set(m.name, v);
        const ok = m.states.slice(m.acked).includes(v);
        if (ok) {
          res.ackedChecked += m.acked;
          return;
        }
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

      // 4. The previous cycle's keys survive a second crash unchanged; then they are removed.
      if (previous.size) {
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
        if (!(await deleteAll(server.port, prevNames, deadline))) fail(`${ctx()}: could not delete the keys of cycle ${cycle - 1}`);
      }
      previous = observed;
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
  return `${r.kind} (${r.granularity}): ${r.cyclesRun} cycles, ${r.acked}/${r.sent} writes acknowledged, ${r.ackedChecked} acknowledged writes checked on ${r.keysChecked} keys, ${r.lost} lost, ${r.wrong} wrong values, ${r.failedRestarts} failed restarts, ${(r.durationMs / 1000).toFixed(1)} s`;
}

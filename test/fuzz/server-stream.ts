// Whole command streams against a model, on a real server process: random pipelined batches of
// string commands over RESP2, RESP3 and memcached on ONE keyspace, every reply compared byte for
// byte with the model's; between batches, mutated garbage on fresh connections of either port
// (the server must stay up and the model connections keep answering exactly); the server's memory
// (/proc/PID/status) sampled throughout.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import fc from 'fast-check';
import { Model } from './model.js';
import { Rng } from './rng.js';
import { applyMutations, mutationArb } from './mutate.js';
import { multibulk, streamArb, streamBytes } from './resp-gen.js';
import { mcStreamArb, mcStreamBytes } from './memcache-gen.js';
import { FuzzFailure } from './harness.js';

/** A socket with a receive buffer and bounded reads. */
class Conn {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  closed = false;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  static open(port: number): Promise<Conn> {
    return new Promise((res, rej) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => res(new Conn(s)));
      s.once('error', rej);
    });
  }

  /** Waits until `n` bytes are there (or the socket closed, or `ms` passed); takes up to n. */
  async read(n: number, ms: number): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (this.buf.length < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
      this.waiter = null;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  pending(): number {
    return this.buf.length;
  }

  /** Reads whatever comes until the peer closes or nothing arrives for `idleMs` (bounded by `maxMs`). */
  async drain(idleMs: number, maxMs: number): Promise<number> {
    const t0 = Date.now();
    let got = 0;
    while (!this.closed && Date.now() - t0 < maxMs) {
      const before = this.buf.length;
      await this.read(before + 1, idleMs);
      got += this.buf.length;
      const grew = this.buf.length > 0;
      this.buf = Buffer.alloc(0);
      if (!grew && before === 0) break;
    }
    return got;
  }

  destroy(): void {
    this.sock.destroy();
  }
}

export interface ServerStreamOptions {
  port: number;
  memcachedPort: number;
  pid: number;
  seed: number;
  /** Model commands to send in all. */
  commands: number;
  /** Garbage connections to open in all (spread over the run). */
  garbage: number;
  onProgress?: (s: ServerStreamStats) => void;
  /** Test of the test: corrupt the model's expected reply of this batch (the run must fail). */
  tamperBatch?: number;
}

export interface ServerStreamStats {
  commands: number;
  batches: number;
  garbage: number;
  garbageBytes: number;
  /** Largest VmRSS / VmHWM / RssAnon seen, KiB. */
  maxRssKb: number;
  hwmKb: number;
  maxAnonKb: number;
  /** RssAnon after the first tenth of the run, KiB (growth is judged from it). */
  warmAnonKb: number;
  /** Longest batch round trip, ms. */
  maxBatchMs: number;
}

export function procMemory(pid: number): { rss: number; hwm: number; anon: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon') };
}

/** Commands that could touch the model's keys or the server as a whole: never sent as garbage. */
const DANGEROUS = /flush|shutdown|config|debug|pause|kill|swapdb|save|replicaof|slaveof|monitor|cache_memlimit|acl|failover|script|function|eval/i;

export async function runServerStream(o: ServerStreamOptions): Promise<ServerStreamStats> {
  const rng = new Rng(o.seed);
  const model = new Model();
  // Keys nobody else can guess (garbage never names them), some shared by both protocols.
  const tag = `fz${o.seed.toString(36)}:`;
  const keys = Array.from({ length: 24 }, (_, i) => Buffer.from(`${tag}${i}`, 'latin1'));
  const numbers = ['0', '1', '42', '-5', '007', '9223372036854775806', '9223372036854775807', '-9223372036854775808', '18446744073709551615', '3 ', ' 3', '', 'abc', '1e3'];
  const value = (): Buffer => {
    const r = rng.int(10);
    if (r < 3) return Buffer.from(rng.pick(numbers), 'latin1');
    if (r < 8) return rng.bytes(rng.int(40));
    if (r < 9) return Buffer.from('\r\n$3\r\n*1\r\nEND\r\n', 'latin1');
    return rng.bytes(rng.range(1000, 20000));
  };
  const key = (): Buffer => rng.pick(keys);

  const r2 = await Conn.open(o.port);
  const r3 = await Conn.open(o.port);
  r3.sock.write(Buffer.concat([multibulk([Buffer.from('HELLO'), Buffer.from('3')]), multibulk([Buffer.from('PING')])]));
  // The HELLO map is not modelled: read up to the PING's +PONG.
  for (let i = 0; i < 100 && !(await r3.read(1 << 20, 20)).toString('latin1').endsWith('+PONG\r\n'); i++);
  const mc = await Conn.open(o.memcachedPort);

  const st: ServerStreamStats = { commands: 0, batches: 0, garbage: 0, garbageBytes: 0, maxRssKb: 0, hwmKb: 0, maxAnonKb: 0, warmAnonKb: 0, maxBatchMs: 0 };
  const sample = (): void => {
    const m = procMemory(o.pid);
    st.maxRssKb = Math.max(st.maxRssKb, m.rss);
    st.hwmKb = Math.max(st.hwmKb, m.hwm);
    st.maxAnonKb = Math.max(st.maxAnonKb, m.anon);
    if (st.warmAnonKb === 0 && st.commands >= o.commands / 10) st.warmAnonKb = m.anon;
  };

  const respCommand = (): Buffer[] => {
    const b = (s: string) => Buffer.from(s, 'latin1');
    switch (rng.int(13)) {
      case 0:
      case 1:
        return [b('SET'), key(), value(), ...(rng.chance(0.2) ? [b(rng.pick(['NX', 'XX', 'nx']))] : [])];
      case 2:
      case 3:
        return [b('GET'), key()];
      case 4:
        return [b('DEL'), ...Array.from({ length: rng.range(1, 3) }, key)];
      case 5:
        return [b(rng.pick(['INCR', 'DECR'])), key()];
      case 6:
        return [b('INCRBY'), key(), b(rng.pick(['1', '-1', '100', '-100000', '9223372036854775807', '-9223372036854775808']))];
      case 7:
        return [b('APPEND'), key(), value()];
      case 8:
        return [b('MSET'), ...Array.from({ length: rng.range(1, 4) }, () => [key(), value()]).flat()];
      case 9:
        return [b('MGET'), ...Array.from({ length: rng.range(1, 5) }, key)];
      case 10:
        return [b('EXISTS'), ...Array.from({ length: rng.range(1, 3) }, key)];
      case 11:
        return [b(rng.pick(['STRLEN', 'GETDEL'])), key()];
      default:
        return [b('SETNX'), key(), value()];
    }
  };

  const mcCommand = (): { bytes: Buffer; reply: Buffer } => {
    const b = (s: string) => Buffer.from(s, 'latin1');
    const k = key();
    const ks = k.toString('latin1');
    switch (rng.int(6)) {
      case 0:
      case 1: {
        const op = rng.pick(['set', 'set', 'add', 'append'] as const);
        const data = value();
        const flags = rng.pick([0, 0, 1, 42, 4294967295]);
        return { bytes: Buffer.concat([b(`${op} ${ks} ${flags} 0 ${data.length}\r\n`), data, b('\r\n')]), reply: model.memcached({ op, key: k, flags, data }) };
      }
      case 2:
      case 3: {
        const ks2 = Array.from({ length: rng.range(1, 4) }, key);
        return { bytes: b(`get ${ks2.map((x) => x.toString('latin1')).join(' ')}\r\n`), reply: model.memcached({ op: 'get', keys: ks2 }) };
      }
      case 4:
        return { bytes: b(`delete ${ks}\r\n`), reply: model.memcached({ op: 'delete', key: k }) };
      default: {
        const delta = rng.pick([0n, 1n, 7n, 18446744073709551615n]);
        return { bytes: b(`incr ${ks} ${delta}\r\n`), reply: model.memcached({ op: 'incr', key: k, delta }) };
      }
    }
  };

  const garbageEvery = Math.max(1, Math.floor(o.commands / Math.max(1, o.garbage)));
  let garbageSeed = o.seed;
  const sendGarbage = async (): Promise<void> => {
    const toMc = rng.chance(0.5);
    let bytes: Buffer | undefined;
    // A stream naming a server-wide command (flush_all, CONFIG, ...) is drawn again (bounded).
    for (let tries = 0; tries < 20 && (bytes === undefined || DANGEROUS.test(bytes.toString('latin1'))); tries++) {
      [bytes] = fc.sample(
        fc.tuple(toMc ? mcStreamArb : streamArb, toMc ? mcStreamArb : streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 8 })).map(([a, b, m]) =>
          toMc ? applyMutations(mcStreamBytes(a as never), m, mcStreamBytes(b as never)) : applyMutations(streamBytes(a as never), m, streamBytes(b as never)),
        ),
        { seed: garbageSeed++, numRuns: 1 },
      );
    }
    if (DANGEROUS.test(bytes!.toString('latin1'))) bytes = Buffer.from('*1\r\n$-5\r\n', 'latin1');
    const g = await Conn.open(toMc ? o.memcachedPort : o.port);
    // In a few pieces, as a client would.
    let s = 0;
    while (s < bytes!.length) {
      const e = Math.min(bytes!.length, s + rng.range(1, 2000));
      g.sock.write(bytes!.subarray(s, e));
      s = e;
    }
    st.garbage++;
    st.garbageBytes += bytes!.length;
    await g.drain(20, 500);
    g.destroy();
  };

  let lastProgress = Date.now();
  let nextGarbage = garbageEvery;
  while (st.commands < o.commands) {
    const n = Math.min(o.commands - st.commands, rng.range(1, 40));
    const which = rng.int(3);
    const conn = which === 0 ? r2 : which === 1 ? r3 : mc;
    const out: Buffer[] = [];
    const want: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      if (conn === mc) {
        const c = mcCommand();
        out.push(c.bytes);
        want.push(c.reply);
      } else {
        const args = respCommand();
        out.push(multibulk(args));
        want.push(model.resp(args, conn === r3));
      }
    }
    if (o.tamperBatch === st.batches) want[want.length - 1] = Buffer.from(want[want.length - 1]!.toString('latin1').replace(/.$/s, '?'), 'latin1');
    const expected = Buffer.concat(want);
    const t0 = Date.now();
    conn.sock.write(Buffer.concat(out));
    const got = await conn.read(expected.length, 5000);
    const ms = Date.now() - t0;
    if (ms > st.maxBatchMs) st.maxBatchMs = ms;
    if (!got.equals(expected)) {
      let i = 0;
      let off = 0;
      while (i < want.length && got.subarray(off, off + want[i]!.length).equals(want[i]!)) off += want[i++]!.length;
      const show = (x: Buffer) => JSON.stringify(x.subarray(0, 200).toString('latin1'));
      throw new FuzzFailure(
        `server reply differs from the model (seed ${o.seed}, batch ${st.batches}, ${which === 2 ? 'memcached' : which === 1 ? 'RESP3' : 'RESP2'}, command ${i}):\n` +
          `  sent:     ${show(out[i] ?? Buffer.alloc(0))}\n  expected: ${show(want[i] ?? Buffer.alloc(0))}\n  got:      ${show(got.subarray(off))}` +
          (got.length < expected.length ? `\n  (${got.length} of ${expected.length} bytes within 5 s${conn.closed ? ', connection closed' : ''})` : ''),
      );
    }
    if (ms > 1000) throw new FuzzFailure(`hang: a batch of ${n} commands took ${ms} ms`);
    st.commands += n;
    st.batches++;
    if (st.commands >= nextGarbage && st.garbage < o.garbage) {
      nextGarbage += garbageEvery;
      await sendGarbage();
    }
    if (st.batches % 50 === 0) sample();
    if (o.onProgress && Date.now() - lastProgress > 1000) {
      lastProgress = Date.now();
      o.onProgress(st);
    }
  }
  // Anything left over means the server sent more than the model expected.
  await new Promise((r) => setTimeout(r, 50));
  for (const c of [r2, r3, mc]) if (c.pending() > 0) throw new FuzzFailure(`server sent ${c.pending()} bytes the model did not expect`);
  sample();
  for (const c of [r2, r3, mc]) c.destroy();
  return st;
}

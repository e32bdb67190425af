// Pub/Sub against a real daxcache server: the reply and message bytes beside a real redis-server
// (RESP2 and RESP3, several clients, the same scripts on both), CLIENT LIST/INFO fields, the
// subscriber-side clients ioredis and node-redis, leaving on close, and the pubsub output limit
// disconnecting a subscriber that does not read.
import { describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RespClient, type Wire } from '../commands/resp-client.js';
import { haveRedisServer, useServerPair } from '../commands/real-redis.js';

/** How long one awaited frame may take before the read fails (a bound, not a measurement). */
const FRAME_WAIT_MS = 5000;

/** Length of the RESP2/RESP3 frame at `at`, or -1 while incomplete. */
function frameEnd(b: Buffer, at: number): number {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return -1;
  const line = b.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (String.fromCharCode(b[at]!)) {
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return next;
      return b.length < next + n + 2 ? -1 : next + n + 2;
    }
    case '*':
    case '>':
    case '~':
    case '%': {
      let n = Number(line);
      if (n < 0) return next;
      if (b[at] === 0x25) n *= 2;
      let pos = next;
      for (let i = 0; i < n; i++) {
        pos = frameEnd(b, pos);
        if (pos < 0) return -1;
      }
      return pos;
    }
    default: // + - : _ , # ( : one line
      return next;
  }
}

/** A raw RESP client that keeps every frame's bytes, replies and pushes alike, in arrival order. */
class FrameClient {
  private buf = Buffer.alloc(0);
  private readonly frames: string[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly sock: Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const end = frameEnd(this.buf, 0);
        if (end < 0) break;
        this.frames.push(this.buf.toString('latin1', 0, end));
        this.buf = this.buf.subarray(end);
      }
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  static open(port: number): Promise<FrameClient> {
    return new Promise((res, rej) => {
      const s = connect(port, '127.0.0.1', () => res(new FrameClient(s)));
      s.once('error', rej);
    });
  }

  send(...args: Array<string | Buffer>): void {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'utf8');
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    this.sock.write(Buffer.concat(parts));
  }

  /** The next n frames (fails after FRAME_WAIT_MS without one, or when the socket closed). */
  async read(n: number): Promise<string[]> {
    const out: string[] = [];
    while (out.length < n) {
      if (this.frames.length > 0) {
        out.push(this.frames.shift()!);
        continue;
      }
      if (this.closed) throw new Error(`connection closed after ${out.length} of ${n} frames: ${JSON.stringify(out)}`);
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no frame within ${FRAME_WAIT_MS} ms after ${JSON.stringify(out)}`)), FRAME_WAIT_MS);
        this.waiter = () => {
          clearTimeout(t);
          res();
        };
      });
    }
    return out;
  }

  async call(...args: string[]): Promise<string> {
    this.send(...args);
    return (await this.read(1))[0]!;
  }

  close(): void {
    this.sock.destroy();
  }
}

/**
 * [client, frames to read from it, ...command]: send the command and read that many frames (its
 * replies, and its own messages where it is a subscriber). ['read', client, n]: read n frames
 * pushed to a client by another's PUBLISH; 'readSorted' when Redis's dict order decides theirs.
 */
type Step = [client: number, frames: number, ...args: string[]] | ['read' | 'readSorted', client: number, frames: number];

const scripts: Record<string, Step[]> = {
  'RESP2: confirmations, PING, refused commands, unsubscribing': [
    [0, 2, 'subscribe', 'a', 'b'], [0, 1, 'ssubscribe', 's1'], [0, 1, 'psubscribe', 'p*'], [0, 1, 'ping'], [0, 1, 'ping', 'x'],
    [0, 1, 'get', 'a'], [0, 1, 'client', 'list'], [0, 1, 'config', 'get', 'maxmemory'], [0, 1, 'publish', 'a', 'b'],
    [0, 1, 'unsubscribe', 'a'], [0, 1, 'sunsubscribe'], [0, 1, 'punsubscribe'], [0, 1, 'unsubscribe'],
    [0, 1, 'unsubscribe'], [0, 1, 'punsubscribe'], [0, 1, 'sunsubscribe'], [0, 1, 'ping'], [0, 1, 'get', 'a'],
  ],
  'subscribing twice, unsubscribing what was never subscribed': [
    [0, 2, 'subscribe', 'a', 'a'], [0, 1, 'unsubscribe', 'zz'], [0, 2, 'psubscribe', 'q', 'q'], [0, 1, 'punsubscribe', 'a'],
    [0, 2, 'unsubscribe', 'a', 'a'], [0, 1, 'punsubscribe', 'q'], [0, 1, 'set', 'k', 'v'],
  ],
  'shard channels alone keep subscribed mode': [
    [0, 2, 'ssubscribe', 's1', 's2'], [0, 1, 'get', 'a'], [0, 1, 'subscribe', 'a'], [0, 1, 'client', 'info'],
    [0, 1, 'unsubscribe', 'a'], [0, 1, 'get', 'a'], [0, 1, 'sunsubscribe', 's1'], [0, 1, 'get', 'a'],
    [0, 1, 'sunsubscribe', 's2'], [0, 1, 'get', 'a'],
  ],
  'messages across clients, patterns, PUBSUB': [
    [0, 1, 'subscribe', 'ch'], [1, 1, 'psubscribe', 'c*'], [2, 1, 'publish', 'ch', 'hello'],
    ['read', 0, 1], ['read', 1, 1], [2, 1, 'publish', 'other', 'x'], [2, 1, 'publish', 'cx', 'to-pattern'], ['read', 1, 1],
    [2, 1, 'pubsub', 'numsub', 'ch', 'other', 'cx'], [2, 1, 'pubsub', 'numsub'], [2, 1, 'pubsub', 'numpat'],
    [2, 1, 'pubsub', 'channels'], [2, 1, 'pubsub', 'channels', 'c?'], [2, 1, 'pubsub', 'channels', 'x*'],
    [0, 1, 'unsubscribe'], [2, 1, 'publish', 'ch', 'again'], ['read', 1, 1], [2, 1, 'pubsub', 'channels'],
    [0, 1, 'ping'], [1, 1, 'ping'],
  ],
  'shard messages reach shard subscribers only, never patterns': [
    [0, 2, 'ssubscribe', 's1', 's2'], [1, 1, 'psubscribe', '*'], [3, 1, 'subscribe', 's1'],
    [2, 1, 'spublish', 's1', 'm1'], ['read', 0, 1], [2, 1, 'publish', 's1', 'm2'], ['read', 1, 1], ['read', 3, 1],
    [2, 1, 'pubsub', 'shardchannels', 's1'], [2, 1, 'pubsub', 'shardnumsub', 's1', 's3'], [2, 1, 'pubsub', 'numsub', 's1'],
    [2, 1, 'spublish', 'nobody', 'x'], [0, 1, 'ping', 'after'], [1, 1, 'ping'], [3, 1, 'ping'],
  ],
  'glob patterns': [
    [0, 5, 'psubscribe', 'h?llo', 'h[ae]llo', 'h[^e]llo', 'h*', 'x\\*'],
    [1, 1, 'publish', 'hello', '1'], ['readSorted', 0, 3], [1, 1, 'publish', 'hallo', '2'], ['readSorted', 0, 4],
    [1, 1, 'publish', 'x*', '3'], ['read', 0, 1], [1, 1, 'publish', 'xy', '4'], [1, 1, 'publish', 'HELLO', '5'],
    [1, 1, 'pubsub', 'numpat'], [0, 1, 'ping'],
  ],
  'RESP3: pushes, any command while subscribed, own messages': [
    [0, 1, 'hello', '3'], [0, 1, 'subscribe', 'a'], [0, 1, 'ping'], [0, 1, 'set', 'k', 'v'], [0, 1, 'get', 'k'],
    [0, 2, 'publish', 'a', 'hi'], [0, 1, 'psubscribe', '*'], [1, 1, 'publish', 'a', 'x'], ['read', 0, 2],
    [0, 1, 'unsubscribe'], [0, 1, 'unsubscribe'], [0, 1, 'ssubscribe', 'a'], [1, 1, 'spublish', 'a', 'y'], ['read', 0, 1],
    [0, 1, 'pubsub', 'numsub', 'a'], [0, 1, 'punsubscribe'], [0, 1, 'sunsubscribe'], [0, 1, 'sunsubscribe'], [0, 1, 'ping'],
  ],
  'errors': [
    [0, 1, 'pubsub'], [0, 1, 'pubsub', 'foo'], [0, 1, 'pubsub', 'channels', 'a', 'b'], [0, 1, 'pubsub', 'numpat', 'x'],
    [0, 1, 'subscribe'], [0, 1, 'psubscribe'], [0, 1, 'ssubscribe'], [0, 1, 'publish', 'a'], [0, 1, 'spublish', 'a'],
    [0, 1, 'unsubscribe'], [0, 1, 'punsubscribe'], [0, 1, 'sunsubscribe'], [0, 1, 'ping'],
    [0, 1, 'subscribe', 'x'], [0, 1, 'ping', 'a', 'b'], [0, 1, 'nosuchcommand'], [0, 1, 'pubsub', 'numpat'],
  ],
};

async function runScript(port: number, steps: Step[]): Promise<string[]> {
  const clients = await Promise.all([0, 1, 2, 3].map(() => FrameClient.open(port)));
  const out: string[] = [];
  try {
    for (const step of steps) {
      if (step[0] === 'read' || step[0] === 'readSorted') {
        const frames = await clients[step[1]]!.read(step[2]);
        if (step[0] === 'readSorted') frames.sort();
        out.push(`[${step[1]}] ` + frames.join(''));
        continue;
      }
      const [who, n, ...args] = step as [number, number, ...string[]];
      const c = clients[who]!;
      c.send(...args);
      const frames = await c.read(n);
      // HELLO names the server's version and the connection id: not part of the comparison.
      out.push(`${who}> ${args.join(' ')}: ` + (args[0] === 'hello' ? '<hello>' : frames.join('')));
    }
  } finally {
    for (const c of clients) c.close();
  }
  return out;
}

const servers = useServerPair();

describe('Pub/Sub beside a real redis-server (reply and message bytes)', () => {
  it('a real redis-server is installed (the reference)', () => {
    expect(haveRedisServer).toBe(true);
  });
  for (const [name, steps] of Object.entries(scripts)) {
    it(name, async () => {
      const [mine, theirs] = await Promise.all([runScript(servers.dax.port, steps), runScript(servers.redis!.port, steps)]);
      expect(mine).toEqual(theirs);
    });
  }
});

/** CLIENT INFO/LIST fields of a line: name -> value. */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of line.trim().split(' ')) {
    const eq = kv.indexOf('=');
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function bulk(w: Wire): string {
  return (w as { b: string }).b;
}

/** Polls `f` (bounded) until it returns true. */
async function eventually(f: () => Promise<boolean>, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await f()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe('Pub/Sub in daxcache', () => {
  it('PUBLISH delivers a message to a subscriber on another connection', async () => {
    const sub = await FrameClient.open(servers.dax.port);
    const pub = await RespClient.open(servers.dax.port);
    try {
      expect(await sub.call('subscribe', 'news')).toBe('*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
      expect(await pub.call('publish', 'news', 'extra! extra!')).toEqual({ i: '1' });
      expect(await sub.read(1)).toEqual(['*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$13\r\nextra! extra!\r\n']);
      // Binary channel names and payloads pass through unchanged.
      const bin = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);
      sub.send('subscribe', bin);
      await sub.read(1);
      expect(await pub.call('publish', bin, bin)).toEqual({ i: '1' });
      const [m] = await sub.read(1);
      expect(Buffer.from(m!, 'latin1')).toEqual(Buffer.concat([Buffer.from('*3\r\n$7\r\nmessage\r\n$5\r\n'), bin, Buffer.from('\r\n$5\r\n'), bin, Buffer.from('\r\n')]));
      // Messages never touch the keyspace.
      expect(await pub.call('exists', 'news')).toEqual({ i: '0' });
    } finally {
      sub.close();
      pub.close();
    }
  });

  it('CLIENT LIST/INFO show sub= psub= ssub= and flag P; TYPE pubsub picks subscribers', async () => {
    const sub = await FrameClient.open(servers.dax.port);
    const other = await RespClient.open(servers.dax.port);
    try {
      sub.send('client', 'setname', 'listener');
      await sub.read(1);
      sub.send('subscribe', 'a', 'b', 'c');
      sub.send('psubscribe', 'p*', 'q*');
      sub.send('ssubscribe', 's');
      await sub.read(6);
      const line = bulk(await other.call('client', 'list', 'type', 'pubsub')).split('\n').find((l) => l.includes('name=listener'));
      expect(line).toBeDefined();
      const f = fields(line!);
      expect([f.flags, f.sub, f.psub, f.ssub]).toEqual(['P', '3', '2', '1']);
      expect(bulk(await other.call('client', 'list', 'type', 'normal'))).not.toContain('name=listener');
      expect(fields(bulk(await other.call('client', 'info')))).toMatchObject({ flags: 'N', sub: '0', psub: '0', ssub: '0' });

      const info = bulk(await other.call('info', 'stats'));
      expect(info).toMatch(/\r\npubsub_channels:\d+\r\n/);
      const num = (name: string): number => Number(new RegExp(`\\r\\n${name}:(\\d+)\\r\\n`).exec(info)![1]);
      expect(num('pubsub_channels')).toBeGreaterThanOrEqual(3);
      expect(num('pubsub_patterns')).toBeGreaterThanOrEqual(2);
      expect(num('pubsubshard_channels')).toBeGreaterThanOrEqual(1);

      sub.send('unsubscribe');
      sub.send('punsubscribe');
      sub.send('sunsubscribe');
      await sub.read(6);
      expect(fields(await sub.call('client', 'info').then((r) => r.split('\r\n')[1]!))).toMatchObject({ flags: 'N', sub: '0', psub: '0', ssub: '0' });
    } finally {
      sub.close();
      other.close();
    }
  });

  it('a closed connection leaves all its subscriptions', async () => {
    const sub = await FrameClient.open(servers.dax.port);
    const pub = await RespClient.open(servers.dax.port);
    try {
      sub.send('subscribe', 'gone-ch');
      sub.send('psubscribe', 'gone-pat*');
      sub.send('ssubscribe', 'gone-shard');
      await sub.read(3);
      expect(await pub.call('publish', 'gone-ch', 'x')).toEqual({ i: '1' });
      expect(await pub.call('publish', 'gone-pat1', 'x')).toEqual({ i: '1' });
      sub.close();
      expect(await eventually(async () => JSON.stringify(await pub.call('pubsub', 'numsub', 'gone-ch')) === JSON.stringify([{ b: 'gone-ch' }, { i: '0' }]))).toBe(true);
      expect(await pub.call('publish', 'gone-ch', 'x')).toEqual({ i: '0' });
      expect(await pub.call('publish', 'gone-pat1', 'x')).toEqual({ i: '0' });
      expect(await pub.call('spublish', 'gone-shard', 'x')).toEqual({ i: '0' });
      expect(await pub.call('pubsub', 'channels', 'gone*')).toEqual([]);
      expect(await pub.call('pubsub', 'shardchannels', 'gone*')).toEqual([]);
    } finally {
      pub.close();
    }
  });

  it('PUBSUB CHANNELS lists every active channel', async () => {
    const sub = await FrameClient.open(servers.dax.port);
    const pub = await RespClient.open(servers.dax.port);
    try {
      sub.send('subscribe', 'list:1', 'list:2', 'list:3', 'other');
      await sub.read(4);
      const got = ((await pub.call('pubsub', 'channels', 'list:*')) as Wire[]).map(bulk).sort();
      expect(got).toEqual(['list:1', 'list:2', 'list:3']);
    } finally {
      sub.close();
      pub.close();
    }
  });

  it('ioredis subscribe + on("message") receives a PUBLISH', async () => {
    const sub = new Redis(servers.dax.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    const pub = new Redis(servers.dax.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await sub.connect();
      await pub.connect();
      const got = new Promise<[string, string]>((res) => sub.on('message', (ch: string, msg: string) => res([ch, msg])));
      const gotP = new Promise<[string, string, string]>((res) => sub.on('pmessage', (p: string, ch: string, msg: string) => res([p, ch, msg])));
      expect(await sub.subscribe('io-news')).toBe(1);
      expect(await sub.psubscribe('io-*')).toBe(2);
      expect(await pub.publish('io-news', 'hello ioredis')).toBe(2);
      expect(await got).toEqual(['io-news', 'hello ioredis']);
      expect(await gotP).toEqual(['io-*', 'io-news', 'hello ioredis']);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  it('node-redis subscribe(channel, listener) on a duplicated client receives a PUBLISH', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${servers.dax.port}`, socket: { reconnectStrategy: false } });
    await client.connect();
    const sub = client.duplicate();
    await sub.connect();
    try {
      const got = new Promise<[string, string]>((res) => {
        void sub.subscribe('nr-news', (message: string, channel: string) => res([channel, message]));
      });
      // The subscription is in place once the hub counts it.
      expect(await eventually(async () => (await client.pubSubNumSub('nr-news'))['nr-news'] === 1)).toBe(true);
      expect(await client.publish('nr-news', 'hello node-redis')).toBe(1);
      expect(await got).toEqual(['nr-news', 'hello node-redis']);
    } finally {
      await sub.quit().catch(() => {});
      await client.quit().catch(() => {});
    }
  });

  it('a subscriber that never reads is disconnected at the pubsub hard limit; the publisher goes on', async () => {
    const admin = await RespClient.open(servers.dax.port);
    const sub = await FrameClient.open(servers.dax.port);
    const pub = await RespClient.open(servers.dax.port);
    try {
      expect(await admin.call('config', 'set', 'client-output-buffer-limit-pubsub', '256kb 0 0')).toEqual({ s: 'OK' });
      expect(await admin.call('config', 'get', 'client-output-buffer-limit-pubsub')).toEqual([
        { b: 'client-output-buffer-limit-pubsub' },
        { b: '262144 0 0' },
      ]);
      expect(await sub.call('subscribe', 'flood')).toContain('subscribe');
      sub.sock.pause(); // reads nothing more: the kernel buffers fill, then the server's queue
      const payload = 'x'.repeat(64 * 1024);
      let published = 0;
      let lastReceivers = -1;
      // Bounded: at most 2000 messages (128 MiB) — far past the kernel's socket buffers.
      for (let i = 0; i < 2000; i++) {
        const r = (await pub.call('publish', 'flood', payload)) as { i: string };
        lastReceivers = Number(r.i);
        if (lastReceivers === 0) break;
        published++;
      }
      expect(lastReceivers).toBe(0);
      expect(published).toBeGreaterThan(0);
      expect(await pub.call('pubsub', 'numsub', 'flood')).toEqual([{ b: 'flood' }, { i: '0' }]);
      // The publisher's own connection is unaffected.
      expect(await pub.call('set', 'after-flood', 'ok')).toEqual({ s: 'OK' });
      expect(await pub.call('get', 'after-flood')).toEqual({ b: 'ok' });
      expect(await pub.call('publish', 'flood', 'x')).toEqual({ i: '0' });
      // The subscriber's socket was closed by the server.
      sub.sock.resume();
      expect(await eventually(async () => sub.closed)).toBe(true);
    } finally {
      await admin.call('config', 'set', 'client-output-buffer-limit-pubsub', '32mb 8mb 60');
      admin.close();
      sub.close();
      pub.close();
    }
  });

  it('the pubsub limit applies only to subscribed clients', async () => {
    const admin = await RespClient.open(servers.dax.port);
    const c = await FrameClient.open(servers.dax.port);
    try {
      await admin.call('config', 'set', 'client-output-buffer-limit-pubsub', '64kb 0 0');
      // A normal client (normal limit 0 0 0) may receive a reply far larger than the pubsub limit.
      await admin.call('set', 'big', 'y'.repeat(512 * 1024));
      const reply = await c.call('get', 'big');
      expect(reply.length).toBe(512 * 1024 + '$524288\r\n\r\n'.length);
    } finally {
      await admin.call('config', 'set', 'client-output-buffer-limit-pubsub', '32mb 8mb 60');
      await admin.call('del', 'big');
      admin.close();
      c.close();
    }
  });
});

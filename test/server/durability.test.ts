// Acknowledged means durable: a client pipelines writes and records every acknowledgement; the
// server is killed with SIGKILL at a random instant; after the restart every acknowledged write
// reads back. In both persistence granularities: cache_line (/dev/shm with
// PMEM2_FORCE_GRANULARITY=cache_line, CLWB + SFENCE as on DAX) and page (a file on disk: msync).
import { statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diskDir, startServer, type TestServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

interface Acked {
  /** key index -> acknowledged value version */
  values: Map<number, number>;
  /** INCRs acknowledged / sent */
  incrAcked: number;
  incrSent: number;
  sent: number;
}

const KEYS = 2000;

/**
 * Writes until the connection dies: SETs of keys 0..KEYS-1 with increasing versions (a key is
 * overwritten several times) and INCRs of one counter, up to `window` commands in flight.
 */
async function writeUntilKilled(port: number, window: number, p: string): Promise<Acked> {
  const c = await RawClient.connect(port);
  const acked: Acked = { values: new Map(), incrAcked: 0, incrSent: 0, sent: 0 };
  let version = 0;
  try {
    for (;;) {
      const batch: Array<{ key: number; version: number } | 'incr'> = [];
      const reqs: Buffer[] = [];
      for (let i = 0; i < window; i++) {
        if (version % 10 === 9 && i % 2 === 1) {
          batch.push('incr');
          reqs.push(encodeCommand('INCR', `${p}:counter`));
          acked.incrSent++;
        } else {
          const key = version % KEYS;
          batch.push({ key, version });
          reqs.push(encodeCommand('SET', `${p}:${key}`, `v${version}`));
          version++;
        }
      }
      acked.sent += batch.length;
      c.write(Buffer.concat(reqs));
      for (const op of batch) {
        const r = await c.reply(10_000);
        if (op === 'incr') {
          if (typeof r !== 'number') throw new Error(`INCR: ${JSON.stringify(r)}`);
          acked.incrAcked++;
        } else {
          if (JSON.stringify(r) !== '{"ok":"OK"}') throw new Error(`SET: ${JSON.stringify(r)}`);
          acked.values.set(op.key, op.version);
        }
      }
    }
  } catch (e) {
    if (!/connection closed|ECONNRESET/.test((e as Error).message)) throw e;
  }
  c.close();
  return acked;
}

/** One crash round; keys are prefixed per round (the pool keeps the earlier rounds' keys). */
async function crashAndCheck(s: TestServer, window: number): Promise<void> {
  const p = `dur${window}`;
  const writing = writeUntilKilled(s.port, window, p);
  await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
  await s.kill9();
  const acked = await writing;
  expect(acked.values.size).toBeGreaterThan(0);
  await s.restart();

  const c = await RawClient.connect(s.port);
  const keys = [...acked.values.keys()];
  c.write(Buffer.concat(keys.map((k) => encodeCommand('GET', `${p}:${k}`))));
  const got = await c.replies(keys.length, 20_000);
  let lost = 0;
  keys.forEach((k, i) => {
    const v = got[i];
    // The acknowledged version, or a later one whose reply was lost with the crash.
    const n = Buffer.isBuffer(v) ? Number(v.toString().slice(1)) : -1;
    if (n < acked.values.get(k)! || n % KEYS !== k) lost++;
  });
  expect(lost).toBe(0);
  const raw = await c.call('GET', `${p}:counter`);
  const counter = raw === null ? 0 : Number(String(raw));
  expect(counter).toBeGreaterThanOrEqual(acked.incrAcked);
  expect(counter).toBeLessThanOrEqual(acked.incrSent);
  // Nothing that was never sent.
  const [, found] = (await c.call('SCAN', '0', 'MATCH', `${p}:*`, 'COUNT', '100000')) as [Buffer, Buffer[]];
  expect(found.length).toBeLessThanOrEqual(Math.min(KEYS, acked.sent) + 1);
  c.close();
}

describe('acknowledged writes survive kill -9 (strict durability)', () => {
  it('cache_line granularity (/dev/shm)', async () => {
    const s = await startServer({ poolSize: '64mb' });
    for (const window of [1, 64, 256]) await crashAndCheck(s, window);
    expect(await s.stop()).toBe(0);
  });

  it('page granularity (a pool file on disk)', async () => {
    const dir = diskDir();
    expect(statfsSync(dir).type).not.toBe(0x01021994); // not tmpfs
    const s = await startServer({ poolDir: dir, poolSize: '64mb' });
    const info = String(await (await RawClient.connect(s.port)).call('INFO', 'persistence'));
    expect(info).toContain('pool_granularity:page');
    for (const window of [1, 64, 256]) await crashAndCheck(s, window);
    expect(await s.stop()).toBe(0);
  });
});

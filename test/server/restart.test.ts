// Warm restart: 100k keys written with redis-cli --pipe (some with TTLs) are all there after a
// kill -9 and again after a clean SHUTDOWN, with their values and TTLs.
import { describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, cli, encodeCommand } from '../helpers/resp.js';

const N = 100_000;
/** Every 10th key gets a TTL of one hour. */
const hasTtl = (i: number): boolean => i % 10 === 0;
const HOUR_MS = 3_600_000;

function load(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    parts.push(hasTtl(i) ? encodeCommand('SET', `wr:${i}`, `value-${i}`, 'PX', HOUR_MS) : encodeCommand('SET', `wr:${i}`, `value-${i}`));
  }
  return Buffer.concat(parts);
}

/** Reads every key back (GET and PTTL, pipelined in batches) and counts what does not match. */
async function verify(s: TestServer): Promise<{ dbsize: number; wrongValues: number; wrongTtls: number }> {
  const c = await RawClient.connect(s.port);
  const dbsize = (await c.call('DBSIZE')) as number;
  let wrongValues = 0;
  let wrongTtls = 0;
  const BATCH = 10_000;
  for (let start = 0; start < N; start += BATCH) {
    const reqs: Buffer[] = [];
    for (let i = start; i < start + BATCH; i++) reqs.push(encodeCommand('GET', `wr:${i}`), encodeCommand('PTTL', `wr:${i}`));
    c.write(Buffer.concat(reqs));
    const replies = await c.replies(BATCH * 2, 30_000);
    for (let j = 0; j < BATCH; j++) {
      const i = start + j;
      if (String(replies[2 * j]) !== `value-${i}`) wrongValues++;
      const pttl = replies[2 * j + 1] as number;
      if (hasTtl(i) ? !(pttl > 0 && pttl <= HOUR_MS) : pttl !== -1) wrongTtls++;
    }
  }
  c.close();
  return { dbsize, wrongValues, wrongTtls };
}

describe('warm restart', () => {
  it('keeps 100k keys across kill -9 and across SHUTDOWN', async () => {
    const s = await startServer({ poolSize: '256mb' });
    const r = await cli(s.port, ['--pipe'], load(), 60_000);
    expect(r.stdout).toContain(`errors: 0, replies: ${N}`);

    await s.kill9();
    await s.restart();
    expect(await verify(s)).toEqual({ dbsize: N, wrongValues: 0, wrongTtls: 0 });

    const c = await RawClient.connect(s.port);
    c.write(encodeCommand('SHUTDOWN'));
    expect(await c.closesWithin(5000)).toBe(true);
    expect(await s.exited()).toBe(0);
    await s.restart();
    expect(await verify(s)).toEqual({ dbsize: N, wrongValues: 0, wrongTtls: 0 });
    expect(await s.stop()).toBe(0);
  });
});

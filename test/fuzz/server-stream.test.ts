// Whole command streams against the model on a real server (a bounded subset of `npm run fuzz`):
// RESP2, RESP3 and memcached batches on one keyspace, mutated garbage on other connections in
// between, the server's memory sampled. Fixed seeds plus a random one (printed on failure).
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { FuzzFailure } from './harness.js';
import { runServerStream } from './server-stream.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const RANDOM_SEED = (Date.now() ^ (process.pid << 8)) >>> 0;

describe('server stream against the model', () => {
  it.each([7, 0xfeed, RANDOM_SEED])('seed %i: replies equal the model, garbage does not disturb it, memory stays bounded', async (seed) => {
    const s = await startServer({ memcached: true });
    servers.push(s);
    const st = await runServerStream({ port: s.port, memcachedPort: s.memcachedPort, pid: s.proc.pid!, seed, commands: 4000, garbage: 150 }).catch((e: Error) => {
      throw new Error(`seed ${seed}: ${e.message}`);
    });
    expect(st.commands).toBe(4000);
    expect(st.garbage).toBe(150);
    expect(st.maxBatchMs).toBeLessThan(1000);
    // The heap (RssAnon) of a fresh server stays small; the pool is a separate shared mapping.
    expect(st.maxAnonKb).toBeGreaterThan(0);
    expect(st.maxAnonKb).toBeLessThan(256 * 1024);
    expect(s.proc.exitCode).toBeNull();
    expect(await s.stop()).toBe(0);
  });

  it('fails when a reply differs from the model (the comparison is live)', async () => {
    const s = await startServer({ memcached: true });
    servers.push(s);
    const run = runServerStream({ port: s.port, memcachedPort: s.memcachedPort, pid: s.proc.pid!, seed: 3, commands: 2000, garbage: 0, tamperBatch: 20 });
    await expect(run).rejects.toBeInstanceOf(FuzzFailure);
    await expect(run).rejects.toThrow(/server reply differs from the model \(seed 3, batch 20/);
  });
});

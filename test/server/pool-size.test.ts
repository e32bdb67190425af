// An existing pool keeps its size: a different --pool-size (or --prefault) at start is reported in a
// warning instead of ignored silently, and CONFIG GET pool-size / INFO give the pool's real size.
import { afterAll, describe, expect, it } from 'vitest';
import { cli1 } from '../helpers/resp.js';
import { startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

describe('pool-size on an existing pool', () => {
  it('CONFIG GET pool-size is the real size, and the start logs a warning naming both sizes', async () => {
    const first = await startServer({ poolSize: '64mb' });
    servers.push(first);
    expect(await cli1(first.port, 'SET', 'k', 'v')).toBe('OK');
    expect(await cli1(first.port, 'CONFIG', 'GET', 'pool-size')).toBe(`pool-size\n${64 * 1024 * 1024}`);
    await first.stop();

    const again = await startServer({ poolPath: first.pool, poolSize: '128mb', args: ['--prefault'] });
    servers.push(again);
    expect(await cli1(again.port, 'GET', 'k')).toBe('v');
    expect(await cli1(again.port, 'CONFIG', 'GET', 'pool-size')).toBe(`pool-size\n${64 * 1024 * 1024}`);
    expect(await cli1(again.port, 'INFO', 'memory')).toMatch(new RegExp(`pool_size:${64 * 1024 * 1024}\\r?\\n`));
    const logs = again.stdout() + again.stderr();
    expect(logs).toMatch(/pool-size 128mb differs from the existing pool's 64mb/);
    expect(logs).toMatch(/prefault applies when a pool is created/);
  });
});

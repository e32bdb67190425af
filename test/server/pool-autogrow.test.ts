// pool-autogrow (issue #16): the pool follows its volume while serving. What this machine allows:
// a tmpfs mounted for the test (size=64m) and remounted larger (size=256m), as a PVC expanded
// online grows its file system; and a pool file extended by `truncate -s` (on a tmpfs of its own
// too: on the shared disk 1% of the file system could be gigabytes). The target
// rule itself (autogrowTarget) is checked on its own first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autogrowTarget } from '../../src/server/pool-growth.js';
import { cli1 } from '../helpers/resp.js';
import { startServer, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;
const servers: TestServer[] = [];
const mounts: string[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const m of mounts) {
    execFileSync('umount', [m]);
    rmSync(m, { recursive: true, force: true });
  }
});

const view = (fileBytes: number, totalBytes: number, availBytes: number) => ({ fileBytes: () => fileBytes, fs: () => ({ totalBytes, availBytes }) });

describe('autogrowTarget', () => {
  it('follows the file system size by percent, or the extended file, within what is free, in 2 MiB units', () => {
    // A 256 MiB volume, 90%: 230 MiB (230.4 rounded down to whole 2 MiB).
    expect(autogrowTarget(56 * MiB, view(56 * MiB, 256 * MiB, 200 * MiB), 90)).toBe(230 * MiB);
    // Free space limits it: the file can only become file + free.
    expect(autogrowTarget(56 * MiB, view(56 * MiB, 256 * MiB, 20 * MiB), 90)).toBe(76 * MiB);
    // The file was extended past the pool (truncate -s): its length, whatever the percent says.
    expect(autogrowTarget(64 * MiB, view(100 * MiB, 10_000 * MiB, 0), 1)).toBe(100 * MiB);
    // Nothing worth a growth (under 4 MiB more), or smaller: as it is.
    expect(autogrowTarget(228 * MiB, view(228 * MiB, 256 * MiB, 28 * MiB), 90)).toBe(0);
    expect(autogrowTarget(512 * MiB, view(512 * MiB, 256 * MiB, 0), 90)).toBe(0);
  });
});

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const poolSize = async (port: number) => Number(/pool_size:(\d+)/.exec(await cli1(port, 'INFO', 'memory'))![1]);

describe('pool-autogrow in a server', () => {
  function volume(size: string): string {
    const mnt = mkdtempSync(join(tmpdir(), 'daxcache-autogrow-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
    mounts.push(mnt);
    return mnt;
  }

  it('a tmpfs volume remounted from 64m to 256m: the pool grows to 90% of it while serving; kill -9 keeps it', async () => {
    const mnt = volume('64m');
    const srv = await startServer({
      poolPath: join(mnt, 'p.pool'),
      poolSize: '56mb',
      args: ['--pool-autogrow', 'yes', '--pool-autogrow-percent', '90', '--pool-autogrow-interval', '1'],
    });
    servers.push(srv);
    expect(await cli1(srv.port, 'SET', 'before', '1')).toBe('OK');
    // 90% of 64 MiB is 57.6 MiB: under 4 MiB more than the pool, nothing to do.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await poolSize(srv.port)).toBe(56 * MiB);

    execFileSync('mount', ['-o', 'remount,size=256m', mnt]);
    await until('the pool to follow its volume', async () => (await poolSize(srv.port)) === 230 * MiB);
    expect(await cli1(srv.port, 'INFO', 'memory')).toMatch(/pool_growths:1\r?\n/);
    expect(await cli1(srv.port, 'SET', 'after', '2')).toBe('OK');
    await srv.kill9();
    await srv.restart();
    expect(await poolSize(srv.port)).toBe(230 * MiB);
    expect(await cli1(srv.port, 'MGET', 'before', 'after')).toBe('1\n2');
  });

  it('CONFIG SET pool-size past what the volume holds: refused with the reason, the pool as it was', async () => {
    const mnt = volume('96m');
    const srv = await startServer({ poolPath: join(mnt, 'p.pool'), poolSize: '32mb' });
    servers.push(srv);
    expect(await cli1(srv.port, 'SET', 'k', 'v')).toBe('OK');
    expect(await cli1(srv.port, 'CONFIG', 'SET', 'pool-size', '512mb')).toMatch(
      /^ERR CONFIG SET failed \(possibly related to argument 'pool-size'\) - cannot grow the pool to 512mb: cannot allocate pool space: No space left on device\n?$/,
    );
    expect(await poolSize(srv.port)).toBe(32 * MiB);
    expect(await cli1(srv.port, 'CONFIG', 'SET', 'pool-size', '64mb')).toBe('OK');
    expect(await poolSize(srv.port)).toBe(64 * MiB);
    expect(await cli1(srv.port, 'GET', 'k')).toBe('v');
  });

  it('a pool file extended by truncate -s grows to the file, turned on by CONFIG SET', async () => {
    const mnt = volume('160m');
    const srv = await startServer({ poolPath: join(mnt, 'p.pool'), poolSize: '64mb', args: ['--pool-autogrow-interval', '1', '--pool-autogrow-percent', '1'] });
    servers.push(srv);
    execFileSync('truncate', ['-s', '100M', srv.pool]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await poolSize(srv.port)).toBe(64 * MiB); // pool-autogrow is off by default
    expect(await cli1(srv.port, 'CONFIG', 'SET', 'pool-autogrow', 'yes')).toBe('OK');
    await until('the pool to take the file', async () => (await poolSize(srv.port)) === 100 * MiB);
    expect(await cli1(srv.port, 'CONFIG', 'GET', 'pool-autogrow')).toBe('pool-autogrow\nyes');
  });
});

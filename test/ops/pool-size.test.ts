// pool-size: a size, auto (the free space less headroom) or a share of the free space; new pools
// are whole 2 MiB pages and at least 16 MiB. A server started with a share sizes its new pool from
// the file system it is on, and reports the real size.
import { statfsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parsePoolSize, resolvePoolSize, showPoolSize, textPoolSize, MIN_POOL_SIZE } from '../../src/ops/pool-size.js';
import { diskDir, startServer } from '../helpers/server.js';
import { stopServer } from '../memcache/helpers.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('pool-size', () => {
  it('parses sizes, auto and shares; refuses the rest', () => {
    expect(parsePoolSize('1gb')).toBe(GiB);
    expect(parsePoolSize(' Auto ')).toBe('auto');
    expect(parsePoolSize('50%')).toEqual({ percent: 50 });
    expect(showPoolSize({ percent: 50 })).toBe('50%');
    expect(textPoolSize(GiB)).toBe('1gb');
    expect(showPoolSize(GiB)).toBe(String(GiB));
    for (const bad of ['', 'big', '0%', '150%', '1mb', '-1gb']) expect(() => parsePoolSize(bad), bad).toThrow();
  });

  it('resolves from the free space with headroom, in whole 2 MiB pages, at least 16 MiB', () => {
    // 8 GiB free (a PVC): 5% headroom.
    expect(resolvePoolSize('auto', 8 * GiB)).toBe(Math.floor((8 * GiB * 0.95) / (2 * MiB)) * 2 * MiB);
    // 1 GiB free: the 64 MiB minimum headroom applies.
    expect(resolvePoolSize('auto', GiB)).toBe(GiB - 64 * MiB);
    expect(resolvePoolSize({ percent: 50 }, 10 * GiB)).toBe(5 * GiB);
    expect(resolvePoolSize({ percent: 50 }, 3 * MiB + 1)).toBe(MIN_POOL_SIZE);
    expect(resolvePoolSize('auto', 10 * MiB)).toBe(MIN_POOL_SIZE);
    expect(resolvePoolSize(GiB, 1)).toBe(GiB);
  });

  it('a server with a share of the free space creates its pool from it and reports the real size', async () => {
    const dir = diskDir();
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    const share = 0.02; // percent: small enough for any CI disk, above 16 MiB on a disk with ~80 GB free
    const server = await startServer({ poolDir: dir, poolSize: `${share}%` });
    try {
      const r = new Redis({ port: server.port, host: '127.0.0.1' });
      const [, size] = (await r.config('GET', 'pool-size')) as [string, string];
      r.disconnect();
      const want = resolvePoolSize({ percent: share }, free);
      // Other writers on the disk may change the free space a little between the two reads.
      expect(Math.abs(Number(size) - want)).toBeLessThanOrEqual(Math.max(4 * MiB, free * 0.0001));
      expect(Number(size) % (2 * MiB)).toBe(0);
    } finally {
      await stopServer(server);
    }
  });
});

// Pool files for tests: /dev/shm with cache-line granularity forced (libpmem2 flushes with
// CLWB/CLFLUSHOPT + SFENCE as on real DAX), or a file on the project's disk (msync path).
import { mkdirSync, rmSync, existsSync, statfsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export type PoolKind = 'shm-cacheline' | 'disk-page';
export const POOL_KINDS: PoolKind[] = ['shm-cacheline', 'disk-page'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DISK_DIR = join(root, 'data', 'test');

/** Sets the granularity env for this process (libpmem2 reads it when a pool is mapped). */
export function useKind(kind: PoolKind): void {
  if (kind === 'shm-cacheline') process.env.PMEM2_FORCE_GRANULARITY = 'cache_line';
  else delete process.env.PMEM2_FORCE_GRANULARITY;
}

export function envFor(kind: PoolKind): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (kind === 'shm-cacheline') env.PMEM2_FORCE_GRANULARITY = 'cache_line';
  else delete env.PMEM2_FORCE_GRANULARITY;
  return env;
}

export function poolPath(kind: PoolKind, tag = 'pool'): string {
  const dir = kind === 'shm-cacheline' ? '/dev/shm' : DISK_DIR;
  mkdirSync(dir, { recursive: true });
  if (kind === 'disk-page') {
    // A tmpfs here would not exercise the msync-to-disk path.
    const TMPFS_MAGIC = 0x01021994;
    if (statfsSync(dir).type === TMPFS_MAGIC) throw new Error(`${dir} is tmpfs; disk tests need a real file system`);
  }
  return join(dir, `daxcache-${tag}-${process.pid}-${randomBytes(4).toString('hex')}.pool`);
}

export function removePool(path: string): void {
  for (const p of [path, `${path}.creating`]) if (existsSync(p)) rmSync(p, { force: true });
}

export const MiB = 1024 * 1024;

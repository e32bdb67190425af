// Runs a child node script with a time limit; reports how it ended (a signal = a crash, a time-out =
// a hang), so a segfault or an endless loop in native code is a test failure, not a dead runner.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Repository root: the nearest folder above this file with a package.json (this file is
 * test/harness/crash/*.ts, or build/harness/test/harness/crash/*.js once compiled).
 */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** Where the harness is compiled to (bench/crash/build-harness.mjs): children run from there. */
export const HARNESS_BUILD = join(ROOT, 'build', 'harness', 'test', 'harness', 'crash');

/** The compiled child script. */
export function childScript(name: string): string {
  const p = join(HARNESS_BUILD, `${name}.js`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`node bench/crash/build-harness.mjs\` first`);
  return p;
}

export function runChild(script: string, args: string[], timeoutMs: number): Promise<ChildResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Runs `jobs` with at most `n` at a time. */
export async function inParallel<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const j = next++;
      out[j] = await jobs[j]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return out;
}

/**
 * Where crash images and pools go: $DAXCACHE_CRASH_DIR, else /dev/shm when it has room (tmpfs is
 * RAM, shared with everything else), else the temp directory.
 */
export function crashDir(name: string): string {
  let root = process.env.DAXCACHE_CRASH_DIR;
  if (!root) {
    let shmFree = 0;
    try {
      const s = statfsSync('/dev/shm');
      shmFree = s.bavail * s.bsize;
    } catch {
      // no /dev/shm
    }
    root = shmFree > 8 * 2 ** 30 ? '/dev/shm' : tmpdir();
  }
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

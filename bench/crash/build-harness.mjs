// Compiles the test harness (test/harness: the crash and kill -9 soak drivers, and the parts of src/
// they import) into build/harness/ when a source is newer than its output. It never lands in dist/:
// nothing test-only ships. Only the entry points and what they import are compiled, so unrelated
// work in progress elsewhere cannot stop a crash run. Used by soak.mjs, kill-soak.mjs and the vitest
// suites in test/crash/ (their child processes run the compiled files). A lock directory keeps two
// suites from compiling at once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outDir = join(root, 'build', 'harness');
const ENTRIES = [
  'test/harness/crash/child-workload.ts',
  'test/harness/crash/child-verify.ts',
  'test/harness/crash/child-corrupt.ts',
  'test/harness/crash/replay.ts',
  'test/harness/crash/soak.ts',
  'test/harness/killsoak/index.ts',
];

/** The compiled path of a harness (or src/) file, e.g. build/harness/test/harness/crash/soak.js. */
export function compiled(rel) {
  return join(outDir, rel.replace(/\.ts$/, '.js'));
}

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function stale() {
  const srcs = [...sources(join(root, 'test/harness')), ...sources(join(root, 'src'))];
  const newest = Math.max(...srcs.map((s) => statSync(s).mtimeMs));
  return ENTRIES.some((e) => {
    const out = compiled(e);
    return !existsSync(out) || statSync(out).mtimeMs < newest;
  });
}

export function buildHarness() {
  if (!stale()) return;
  const lock = join(root, 'build', 'harness.lock');
  mkdirSync(join(root, 'build'), { recursive: true });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(sleeper, 0, 0, 100);
    }
  }
  try {
    if (!stale()) return;
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const files = ENTRIES.map((e) => join(root, e));
    execFileSync(process.execPath, [tsc, ...files, '--outDir', outDir, '--rootDir', root,
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck',
      '--types', 'node', '--esModuleInterop', '--sourceMap', '--noImplicitOverride', '--noFallthroughCasesInSwitch'], { stdio: 'inherit' });
    // Mark the entries as built now, whatever tsc did with outputs whose text did not change.
    const now = new Date();
    for (const e of ENTRIES) if (existsSync(compiled(e))) utimesSync(compiled(e), now, now);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// `node bench/crash/build-harness.mjs` builds it by hand.
if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') buildHarness();

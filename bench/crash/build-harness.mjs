// Compiles the crash harness (src/testing/crash, and the store facade it imports) into dist/ when a
// source is newer than its output. Only these files, so unrelated work in progress elsewhere in src/
// cannot stop a crash run. Used by soak.mjs and by the vitest suites in test/crash/ (their child
// processes run the compiled files). A lock directory keeps two suites from compiling at once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRIES = ['child-workload', 'child-verify', 'child-corrupt', 'replay', 'soak'];

function stale() {
  const srcs = [join(root, 'src/testing/crash'), join(root, 'src/store')].flatMap((d) =>
    readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)),
  );
  const out = (s) => join(root, 'dist', s.slice(join(root, 'src').length + 1).replace(/\.ts$/, '.js'));
  return srcs.some((s) => !existsSync(out(s)) || statSync(out(s)).mtimeMs < statSync(s).mtimeMs);
}

export function buildHarness() {
  if (!stale()) return;
  const lock = join(root, 'build', 'crash-harness.lock');
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
    const files = ENTRIES.map((e) => join(root, 'src/testing/crash', `${e}.ts`));
    execFileSync(process.execPath, [tsc, ...files, '--outDir', join(root, 'dist'), '--rootDir', join(root, 'src'),
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck',
      '--types', 'node', '--esModuleInterop', '--sourceMap', '--noImplicitOverride', '--noFallthroughCasesInSwitch'], { stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

#!/usr/bin/env node
// `npm run fuzz`: bundles the fuzz runner (test/fuzz/run.ts and the parsers it imports from src/)
// into build/fuzz/run.mjs with esbuild, then runs it with the arguments given. The server target
// runs the built server (dist/daxcache.mjs): `npm run build` first after changing src/.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'build', 'fuzz', 'run.mjs');
await build({
  entryPoints: [join(root, 'test', 'fuzz', 'run.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);

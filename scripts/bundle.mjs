#!/usr/bin/env node
// Bundles the compiled server (dist/cli.js and everything it imports, node_modules included) into
// one file, dist/daxcache.mjs, which bin/daxcache.js, `npm start`, the image and the tests run.
// Why: Node's ES module loader resolves, reads and compiles each of ~100 files of ours and ~150 of
// our dependencies one by one; one file starts ~130 ms sooner on this machine, and the time from
// exec to the first reply is what a warm restart is judged by (BENCHMARKS.md "Warm restart").
// The native addon stays a separate file, loaded at run time (src/addon.ts).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'dist', 'cli.js')],
  outfile: join(root, 'dist', 'daxcache.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  // Our CommonJS dependencies (prom-client, pino) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __daxcacheRequire } from 'node:module';\nconst require = __daxcacheRequire(import.meta.url);" },
  logLevel: 'warning',
});

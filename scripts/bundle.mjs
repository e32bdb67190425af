#!/usr/bin/env node
// Bundles the compiled server (dist/cli.js and everything it imports, node_modules included) into
// one file, dist/daxcache.mjs, which bin/daxcache.js, `npm start`, the image and the tests run.
// Why: Node's ES module loader resolves, reads and compiles each of ~100 files of ours and ~150 of
// our dependencies one by one; one file starts ~130 ms sooner on this machine, and the time from
// exec to the first reply is what a warm restart is judged by (BENCHMARKS.md "Warm restart").
// The native addon stays a separate file, loaded at run time (src/addon.ts).
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The SHA-256 of the rendered defaults, so a start can tell the shipped config/daxcache.yaml
// from an edited one without rendering it (~5 ms; src/ops/config.ts readPackageConfig).
const { renderYaml, DEFAULTS } = await import(join(root, 'dist', 'ops', 'config.js'));
const defaultsSha256 = createHash('sha256').update(renderYaml(DEFAULTS)).digest('hex');

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
  define: { __DAXCACHE_DEFAULTS_SHA256__: JSON.stringify(defaultsSha256) },
  logLevel: 'warning',
});

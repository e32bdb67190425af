#!/usr/bin/env node
// Entry point for `npx daxcache ...`: runs the compiled CLI (build it with `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = fileURLToPath(new URL('../dist/daxcache.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('daxcache is not built yet: run `npm run build` in the project folder first.');
  process.exit(1);
}
await import(cli);

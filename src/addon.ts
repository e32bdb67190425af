// Loads the one native addon (build/Release/daxcache_native.node, built by `npm run build:native`).
// It holds two independent parts, each typed by its own layer: the store core (src/store/native.ts)
// and the client socket I/O (src/server/io/native-io.ts). It imports only package-root.ts.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { packagePath } from './package-root.js';

const addonPath = packagePath('build', 'Release', 'daxcache_native.node');

function load(): Record<string, unknown> {
  if (!existsSync(addonPath)) {
    throw new Error(`daxcache native addon not built (${addonPath}): run \`npm run build\` (needs \`apt-get install libpmem2-dev\`)`);
  }
  return createRequire(import.meta.url)(addonPath) as Record<string, unknown>;
}

export const addon: Readonly<Record<string, unknown>> = load();

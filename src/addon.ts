// Loads the one native addon (build/Release/daxcache_native.node, built by `npm run build:native`).
// It holds two independent parts, each typed by its own layer: the store core (src/store/native.ts)
// and the client socket I/O (src/server/io/native-io.ts). A leaf module: it imports nothing of ours.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// Found from the package root (the nearest folder above this file with a package.json), so this
// module works from src/ (vitest), dist/, and the test harness's own build (build/harness/src/).
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const addonPath = join(packageRoot(), 'build', 'Release', 'daxcache_native.node');

function load(): Record<string, unknown> {
  if (!existsSync(addonPath)) {
    throw new Error(`daxcache native addon not built (${addonPath}): run \`npm run build\` (needs \`apt-get install libpmem2-dev\`)`);
  }
  return createRequire(import.meta.url)(addonPath) as Record<string, unknown>;
}

export const addon: Readonly<Record<string, unknown>> = load();

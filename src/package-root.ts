// The package's root folder: the nearest folder above this module with a package.json. Found by
// walking up rather than by a fixed `../..`, so every module that needs a packaged file works the
// same from src/ (vitest), dist/ (tsc), the one-file bundle dist/daxcache.mjs and the test
// harness's own build (build/harness/src/). A leaf module: it imports nothing of ours.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

function find(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const PACKAGE_ROOT: string = find();

/** A path inside the package, e.g. packagePath('config', 'daxcache.yaml'). */
export const packagePath = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts);

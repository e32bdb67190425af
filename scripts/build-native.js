#!/usr/bin/env node
// Builds the native addon with cmake-js when it is missing or older than its sources.
// Stops with one clear line when libpmem2 (PMDK) is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'Release', 'daxcache_native.node');

function newestSource() {
  let newest = statSync(join(root, 'CMakeLists.txt')).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(root, 'native'));
  return newest;
}

// A fresh clone: install the npm dependencies first (npm start / npm test do everything).
if (!existsSync(join(root, 'node_modules', 'cmake-js')) || !existsSync(join(root, 'node_modules', 'typescript'))) {
  console.error('daxcache: installing npm dependencies (npm ci)...');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (npm.status !== 0) {
    console.error('daxcache: `npm ci` failed; run `npm install` in the project folder.');
    process.exit(1);
  }
}

try {
  execFileSync('pkg-config', ['--exists', 'libpmem2'], { stdio: 'ignore' });
} catch {
  console.error('daxcache: libpmem2 not found: run `apt-get install libpmem2-dev pkg-config` (as root), then `npm run build`.');
  process.exit(1);
}

if (existsSync(out) && statSync(out).mtimeMs >= newestSource() && !process.argv.includes('--force')) {
  process.exit(0);
}
const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
const args = [cmakeJs, 'build', '--out', 'build', '--log-level', 'warn'];
// Build offline against the headers of the Node that runs us (e.g. /usr/include/node), instead of
// letting cmake-js download them.
const env = { ...process.env };
const prefix = join(dirname(process.execPath), '..');
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
if (r.status !== 0) {
  console.error('daxcache: native build failed (see above).');
  process.exit(r.status ?? 1);
}

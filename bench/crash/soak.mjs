#!/usr/bin/env node
// Long crash-consistency soak (see docs/reliability.md): builds the native addon and the crash
// harness if needed, then runs test/harness/crash/soak.ts. Arguments pass through, e.g.
//   node bench/crash/soak.mjs --images 10000 --pools 2000 --seed 1
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildHarness, compiled, root } from './build-harness.mjs';

execFileSync(process.execPath, [join(root, 'scripts/build-native.js')], { stdio: 'inherit' });
buildHarness();
await import(compiled('test/harness/crash/soak.ts'));

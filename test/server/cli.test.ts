// The command line: every subcommand answers --help with its usage and exit 0 (serve lists every
// setting from the settings table); `npm run bench`'s runner lists the benchmarks that exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/ops/settings.js';
import { CLI, ROOT } from '../helpers/server.js';

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('daxcache --help', () => {
  it('serve --help prints every flag and exits 0 (it starts no server)', () => {
    const r = run(['serve', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: daxcache serve/);
    for (const s of SETTINGS) expect(r.stdout, s.name).toContain(`--${s.name}`);
  });

  it.each([['check'], ['info'], ['--help'], ['help']])('%s --help exits 0 with a usage line', (cmd) => {
    const r = run(cmd.startsWith('-') || cmd === 'help' ? [cmd] : [cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: daxcache/);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    const r = run(['nosuch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'nosuch'");
  });
});

describe('npm run bench', () => {
  it('points at a runner that exists and lists benchmarks whose scripts exist', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const script = pkg.scripts.bench!;
    const file = /node (\S+)/.exec(script)?.[1];
    expect(file && existsSync(join(ROOT, file)), script).toBe(true);
    const r = spawnSync(process.execPath, [join(ROOT, file!), 'list'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    const names = r.stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(['store', 'open-time', 'redis-benchmark', 'memcaslap']));
    const bad = spawnSync(process.execPath, [join(ROOT, file!), 'nosuch'], { encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(2);
  });
});

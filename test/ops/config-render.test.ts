import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { configSet, DEFAULTS, loadConfig, renderYaml, SETTINGS, type Config } from '../../src/ops/config.js';

const dir = mkdtempSync(join(tmpdir(), 'daxcache-render-'));

function loadText(text: string): Config {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return { ...loadConfig({ argv: ['--config', file], env: {}, cwd: dir, defaultConfigFile: null }), configFile: null };
}

const base = (): Config => ({ ...loadConfig({ argv: [], env: {}, cwd: dir, defaultConfigFile: null }) });

describe('renderYaml', () => {
  it('renders every setting with a comment line, as valid YAML', () => {
    const text = renderYaml(DEFAULTS);
    expect(parseDocument(text).errors).toEqual([]);
    const lines = text.split('\n');
    for (const s of SETTINGS) {
      const i = lines.findIndex((l) => l.startsWith(`${s.name}: `));
      expect(i, s.name).toBeGreaterThan(0);
      expect(lines[i - 1]).toMatch(/^# \S/);
    }
  });

  it('round-trips a changed config through the file', () => {
    const c = base();
    c.port = 7000;
    c.poolSize = 3 * 1024 ** 3 + 5;
    c.requirepass = 'p#ss: "word" ';
    c.memcachedShutdown = true;
    c.clientOutputBufferLimitNormal = { hardBytes: 1024 ** 2, softBytes: 1000, softSeconds: 9 };
    c.metricsBind = '0.0.0.0';
    c.logLevel = 'silent';
    expect(loadText(renderYaml(c))).toEqual({ ...c, configFile: null });
  });

  it('keeps binds that follow bind as empty', () => {
    const c = loadConfig({ argv: ['--bind', '10.0.0.1'], env: {}, cwd: dir, defaultConfigFile: null });
    const text = renderYaml(c);
    expect(text).toContain('memcached-bind: ""');
    expect(text).toContain('bind: 10.0.0.1');
  });

  it('updates a previous file in place, keeping comments and unchanged spellings', () => {
    const previous = '# my server\nport: 7000 # production port\npool-size: 1024mb\npool: ./data/daxcache.pool\n';
    const c = loadText(previous);
    expect(configSet(c, ['maxmemory', '512mb', 'hz', '20'])).toMatchObject({ ok: true });
    c.port = 7001;
    const text = renderYaml(c, { previous, cwd: dir });
    expect(text).toBe(
      '# my server\nport: 7001 # production port\npool-size: 1024mb\npool: ./data/daxcache.pool\nmaxmemory: 512mb\nhz: 20\n',
    );
    expect(loadText(text)).toEqual(c);
  });

  it('writes an emptied password as "" in place', () => {
    const previous = 'requirepass: secret\n';
    const c = loadText(previous);
    configSet(c, ['requirepass', '']);
    const text = renderYaml(c, { previous, cwd: dir });
    expect(text).toBe('requirepass: ""\n');
    expect(loadText(text).requirepass).toBe('');
  });

  it('writes the full reference when the previous file is empty or broken', () => {
    expect(renderYaml(DEFAULTS, { previous: '' })).toBe(renderYaml(DEFAULTS));
    expect(renderYaml(DEFAULTS, { previous: 'a: [' })).toBe(renderYaml(DEFAULTS));
  });
});

// CONFIG REWRITE with no config file of its own: Redis's error, and the package's reference file
// (config/daxcache.yaml, read for defaults) is never written; INFO config_file is empty as in Redis.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli1 } from '../helpers/resp.js';
import { ROOT, startServer, type TestServer } from '../helpers/server.js';

let srv: TestServer | undefined;
afterAll(async () => {
  await srv?.stop();
});

describe('CONFIG REWRITE without --config', () => {
  it('answers -ERR The server is running without a config file and leaves config/daxcache.yaml alone', async () => {
    const shipped = join(ROOT, 'config/daxcache.yaml');
    const before = readFileSync(shipped, 'utf8');
    srv = await startServer();
    expect(await cli1(srv.port, 'CONFIG', 'SET', 'hz', '20')).toBe('OK');
    expect((await cli1(srv.port, 'CONFIG', 'REWRITE')).trim()).toBe('ERR The server is running without a config file');
    expect(readFileSync(shipped, 'utf8')).toBe(before);
    expect(await cli1(srv.port, 'INFO', 'server')).toMatch(/\r?\nconfig_file:\r?\n/);
  });
});

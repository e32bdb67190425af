import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_EXIT_CODE,
  ConfigError,
  DEFAULTS,
  loadConfig,
  PACKAGE_CONFIG_FILE,
  renderYaml,
  SETTINGS,
  unknownEnvVars,
  type LoadOptions,
} from '../../src/ops/config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxcache-config-'));
});

function writeYaml(text: string, name = 'daxcache.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function load(argv: string[] = [], env: NodeJS.ProcessEnv = {}, extra: Partial<LoadOptions> = {}) {
  return loadConfig({ argv, env, cwd: dir, defaultConfigFile: null, ...extra });
}

/** The ConfigError message a load throws (fails the test if it does not throw one). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(CONFIG_EXIT_CODE);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('match the documented values', () => {
    const c = load();
    expect(c).toEqual({
      port: 6379,
      bind: '127.0.0.1',
      memcachedPort: 11211,
      memcachedBind: '127.0.0.1',
      protectedMode: true,
      requirepass: '',
      tlsPort: 0,
      tlsMemcachedPort: 0,
      tlsCertFile: '',
      tlsKeyFile: '',
      tlsKeyFilePass: '',
      tlsCaCertFile: '',
      tlsAuthClients: 'yes',
      tlsProtocols: 'TLSv1.2 TLSv1.3',
      tlsCiphers: '',
      tlsCiphersuites: '',
      aclfile: '',
      aclUsers: '',
      acllogMaxLen: 128,
      aclPubsubDefault: 'resetchannels',
      maxclients: 10000,
      timeout: 0,
      clientRequestTimeout: 60,
      tcpKeepalive: 300,
      pool: resolve(dir, 'data/daxcache.pool'),
      poolSize: 1024 ** 3,
      poolSizeMax: 128 * 1024 ** 3,
      poolAutogrow: false,
      poolAutogrowPercent: 95,
      poolAutogrowInterval: 5,
      durability: 'strict',
      appendfsyncIntervalMs: 1000,
      prefault: false,
      maxmemory: 0,
      maxmemoryPolicy: 'noeviction',
      tierMemory: 'auto',
      protoMaxBulkLen: 512 * 1024 ** 2,
      clientQueryBufferLimit: 1024 ** 3,
      clientOutputBufferLimitNormal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
      clientOutputBufferLimitPubsub: { hardBytes: 32 * 1024 ** 2, softBytes: 8 * 1024 ** 2, softSeconds: 60 },
      itemSizeMax: 1024 ** 2,
      hashMaxListpackEntries: 512,
      hashMaxListpackValue: 64,
      setMaxIntsetEntries: 512,
      setMaxListpackEntries: 128,
      setMaxListpackValue: 64,
      zsetMaxListpackEntries: 128,
      zsetMaxListpackValue: 64,
      zsetOrderMemory: 256 * 1024 * 1024,
      listMaxListpackSize: -2,
      listCompressDepth: 0,
      memcachedShutdown: false,
      logLevel: 'info',
      metricsPort: 0,
      metricsBind: '127.0.0.1',
      hz: 10,
      configFile: null,
    });
    expect(CONFIG_EXIT_CODE).toBe(2);
    expect({ ...c, pool: DEFAULTS.pool }).toEqual(DEFAULTS);
  });

  it('every setting has an env name, a doc line and a default that parses', () => {
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^DAXCACHE_[A-Z_]+$/);
      expect(s.doc.length).toBeGreaterThan(10);
      expect(() => s.parse(s.default)).not.toThrow();
    }
  });
});

describe('precedence: flags > env > file > defaults', () => {
  it('takes each layer where higher ones are silent', () => {
    const file = writeYaml('port: 7001\nhz: 20\ntimeout: 30\nmaxclients: 5\n');
    const c = load(['--config', file, '--port', '7003'], { DAXCACHE_PORT: '7002', DAXCACHE_HZ: '40', DAXCACHE_TIMEOUT: '' });
    expect(c.port).toBe(7003); // flag
    expect(c.hz).toBe(40); // env over file
    expect(c.timeout).toBe(30); // empty env = unset, file stays
    expect(c.maxclients).toBe(5); // file
    expect(c.tcpKeepalive).toBe(300); // default
    expect(c.configFile).toBe(file);
  });

  it('finds the file from DAXCACHE_CONFIG, --config winning over it', () => {
    const a = writeYaml('port: 1111\n', 'a.yaml');
    const b = writeYaml('port: 2222\n', 'b.yaml');
    expect(load([], { DAXCACHE_CONFIG: a }).port).toBe(1111);
    expect(load(['--config=b.yaml'], { DAXCACHE_CONFIG: a }).port).toBe(2222); // relative to cwd
    expect(load(['--config', b]).configFile).toBe(b);
  });

  it('reads the default file only when it exists', () => {
    const def = writeYaml('hz: 99\n', 'default.yaml');
    expect(load([], {}, { defaultConfigFile: def }).hz).toBe(99);
    expect(load([], {}, { defaultConfigFile: join(dir, 'missing.yaml') }).hz).toBe(10);
  });

  it('the packaged reference file is read by default and holds the defaults, but is no config file of the server', () => {
    const c = loadConfig({ argv: [], env: {}, cwd: dir });
    expect(existsSync(PACKAGE_CONFIG_FILE)).toBe(true);
    expect(c.configFile).toBeNull(); // CONFIG REWRITE must never write into the package
    expect(c).toEqual(load());
  });

  it('binds follow bind unless set', () => {
    const c = load(['--bind', '0.0.0.0']);
    expect([c.memcachedBind, c.metricsBind]).toEqual(['0.0.0.0', '0.0.0.0']);
    const d = load(['--bind', '0.0.0.0', '--metrics-bind', '127.0.0.1']);
    expect([d.memcachedBind, d.metricsBind]).toEqual(['0.0.0.0', '127.0.0.1']);
  });

  it('resolves the pool path against cwd and keeps absolute ones', () => {
    expect(load(['--pool', 'x/p.pool']).pool).toBe(join(dir, 'x/p.pool'));
    expect(load(['--pool', '/dev/shm/p.pool']).pool).toBe('/dev/shm/p.pool');
  });
});

describe('flags', () => {
  it('accepts --name value and --name=value, last one winning', () => {
    const c = load(['--port', '7000', '--memcached-port=0', '--port=7100', '--requirepass=a=b']);
    expect([c.port, c.memcachedPort, c.requirepass]).toEqual([7100, 0, 'a=b']);
  });

  it('reads booleans bare or with a value', () => {
    expect(load(['--prefault']).prefault).toBe(true);
    expect(load(['--prefault=false']).prefault).toBe(false);
    expect(load(['--prefault', 'no', '--port', '1']).prefault).toBe(false);
    expect(load(['--prefault', '--port', '1']).prefault).toBe(true);
    expect(load(['--memcached-shutdown=yes']).memcachedShutdown).toBe(true);
  });

  it('parses every kind of value', () => {
    const c = load([
      '--pool-size', '4GB', '--maxmemory', '100kb', '--durability', 'Relaxed', '--log-level', 'debug',
      '--maxmemory-policy', 'allkeys-lru', '--client-output-buffer-limit-normal', '256mb 64mb 60',
      '--item-size-max', '2mb', '--appendfsync-interval-ms', '50',
    ]);
    expect(c.poolSize).toBe(4 * 1024 ** 3);
    expect(c.maxmemory).toBe(102400);
    expect(c.durability).toBe('relaxed');
    expect(c.logLevel).toBe('debug');
    expect(c.maxmemoryPolicy).toBe('allkeys-lru');
    expect(c.clientOutputBufferLimitNormal).toEqual({ hardBytes: 256 * 1024 ** 2, softBytes: 64 * 1024 ** 2, softSeconds: 60 });
    expect(c.itemSizeMax).toBe(2 * 1024 ** 2);
    expect(c.appendfsyncIntervalMs).toBe(50);
  });

  it.each([
    [['--prot', '1'], 'unknown flag --prot (did you mean --port?)'],
    [['--nonsense'], 'unknown flag --nonsense'],
    [['-p', '1'], 'unknown flag -p: settings are flags such as --port 7000'],
    [['serve'], 'unexpected argument "serve": settings are flags such as --port 7000'],
    [['--port'], 'missing value for --port'],
    [['--port', '--hz', '1'], 'missing value for --port'],
    [['--config'], 'missing value for --config'],
  ])('%j -> %s', (argv, message) => {
    expect(errorOf(() => load(argv))).toBe(message);
  });
});

describe('invalid values name the setting, the value and the source', () => {
  it.each([
    [['--pool-size', '12qb'], 'invalid pool-size "12qb" (from --pool-size): expected a size like 4gb, auto, or a share of the free space like 50%'],
    [['--pool-size', '1kb'], 'invalid pool-size "1kb" (from --pool-size): must be at least 16mb'],
    [['--port', 'abc'], 'invalid port "abc" (from --port): expected a port number from 0 to 65535'],
    [['--port', '65536'], 'invalid port "65536" (from --port): expected a port number from 0 to 65535'],
    [['--port', '-1'], 'invalid port "-1" (from --port): expected a port number from 0 to 65535'],
    [['--hz', '0'], 'invalid hz "0" (from --hz): expected an integer from 1 to 500'],
    [['--hz', '1.5'], 'invalid hz "1.5" (from --hz): expected an integer from 1 to 500'],
    [['--maxclients', '0'], 'invalid maxclients "0" (from --maxclients): expected an integer from 1 to 2147483647'],
    [['--durability', 'fast'], 'invalid durability "fast" (from --durability): expected one of strict, relaxed'],
    [['--log-level', 'verbose'], 'invalid log-level "verbose" (from --log-level): expected one of trace, debug, info, warn, error, fatal, silent'],
    [['--maxmemory-policy', 'lru'], 'invalid maxmemory-policy "lru" (from --maxmemory-policy): expected one of noeviction, allkeys-lru, volatile-lru, allkeys-random, volatile-random, volatile-ttl, allkeys-lfu, volatile-lfu'],
    [['--prefault=maybe'], 'invalid prefault "maybe" (from --prefault): expected yes/no or true/false'],
    [['--item-size-max', '1000'], 'invalid item-size-max "1000" (from --item-size-max): must be at least 1kb and at most 1gb'],
    [['--item-size-max', '2gb', '--pool-size', '8gb'], 'invalid item-size-max "2gb" (from --item-size-max): must be at least 1kb and at most 1gb'],
    [['--client-output-buffer-limit-normal', '0 0'], 'invalid client-output-buffer-limit-normal "0 0" (from --client-output-buffer-limit-normal): expected "hard soft seconds" such as "0 0 0" or "256mb 64mb 60"'],
    [['--client-output-buffer-limit-normal', '1x 0 0'], 'invalid client-output-buffer-limit-normal "1x 0 0" (from --client-output-buffer-limit-normal): expected "hard soft seconds" such as "0 0 0" or "256mb 64mb 60"'],
    [['--bind', ''], 'invalid bind "" (from --bind): expected a host name or IP address'],
    [['--pool', ''], 'invalid pool "" (from --pool): expected a file path'],
    [['--proto-max-bulk-len', '1kb'], 'invalid proto-max-bulk-len "1kb" (from --proto-max-bulk-len): must be at least 1mb'],
    [['--appendfsync-interval-ms', '0'], 'invalid appendfsync-interval-ms "0" (from --appendfsync-interval-ms): expected an integer from 1 to 60000'],
  ])('%j', (argv, message) => {
    expect(errorOf(() => load(argv))).toBe(message);
  });

  it('names the env var', () => {
    expect(errorOf(() => load([], { DAXCACHE_POOL_SIZE: '5 gb' }))).toBe(
      'invalid pool-size "5 gb" (from DAXCACHE_POOL_SIZE): expected a size like 4gb, auto, or a share of the free space like 50%',
    );
  });

  it('names file and line, even when a flag overrides the value', () => {
    const file = writeYaml('# comment\nport: 7000\nhz: fast\n');
    expect(errorOf(() => load(['--config', file, '--hz', '5']))).toBe(
      `invalid hz "fast" (from ${file}:3): expected an integer from 1 to 500`,
    );
  });

  it('checks settings against each other', () => {
    expect(errorOf(() => load(['--pool-size', '32mb', '--item-size-max', '20mb']))).toBe(
      'invalid item-size-max "20mb" (from --item-size-max): item-size-max must be at most half of pool-size',
    );
    expect(errorOf(() => load(['--memcached-port', '6379']))).toBe(
      'invalid memcached-port "6379" (from --memcached-port): same address and port as port',
    );
    expect(errorOf(() => load([], { DAXCACHE_METRICS_PORT: '11211' }))).toBe(
      'invalid metrics-port "11211" (from DAXCACHE_METRICS_PORT): same address and port as memcached-port',
    );
    // Same port on different addresses is fine; port 0 (OS-chosen) never clashes.
    expect(load(['--metrics-port', '6379', '--metrics-bind', '0.0.0.0']).metricsPort).toBe(6379);
    expect(load(['--port', '0', '--metrics-port', '0']).port).toBe(0);
  });
});

describe('YAML file errors', () => {
  it('reports a missing file with the option that named it', () => {
    expect(errorOf(() => load(['--config', join(dir, 'nope.yaml')]))).toBe(
      `cannot read config file ${join(dir, 'nope.yaml')} (from --config): no such file`,
    );
    expect(errorOf(() => load([], { DAXCACHE_CONFIG: join(dir, 'nope.yaml') }))).toBe(
      `cannot read config file ${join(dir, 'nope.yaml')} (from DAXCACHE_CONFIG): no such file`,
    );
  });

  it('reports syntax errors with line and column', () => {
    const file = writeYaml('port: 7000\nhz: [1,\n');
    expect(errorOf(() => load(['--config', file]))).toMatch(new RegExp(`^cannot parse config file ${file}:\\d+:\\d+: \\S`));
    const dup = writeYaml('port: 1\nport: 2\n', 'dup.yaml');
    expect(errorOf(() => load(['--config', dup]))).toMatch(`cannot parse config file ${dup}:2:1: Map keys must be unique`);
  });

  it('rejects unknown keys, lists, and non-mapping files', () => {
    const unknown = writeYaml('port: 1\npool_size: 1gb\n');
    expect(errorOf(() => load(['--config', unknown]))).toBe(
      `unknown setting "pool_size" (from ${unknown}:2) (did you mean pool-size?)`,
    );
    const list = writeYaml('bind:\n  - 127.0.0.1\n  - ::1\n', 'list.yaml');
    expect(errorOf(() => load(['--config', list]))).toBe(
      `invalid bind (from ${list}:1): expected a single value, not a list or mapping`,
    );
    const seq = writeYaml('- port\n', 'seq.yaml');
    expect(errorOf(() => load(['--config', seq]))).toBe(`config file ${seq}:1 must be a mapping of "setting: value" lines`);
  });

  it('accepts an empty or comment-only file', () => {
    expect(load(['--config', writeYaml('')]).port).toBe(6379);
    expect(load(['--config', writeYaml('# nothing\n', 'c.yaml')]).port).toBe(6379);
  });

  it('keeps scalar text as written (no YAML number or boolean coercion)', () => {
    const file = writeYaml('requirepass: 0123\nmemcached-shutdown: yes\npool-size: 2GB\nmemcached-bind:\n');
    const c = load(['--config', file]);
    expect(c.requirepass).toBe('0123');
    expect(c.memcachedShutdown).toBe(true);
    expect(c.poolSize).toBe(2 * 1024 ** 3);
    expect(c.memcachedBind).toBe('127.0.0.1');
  });
});

describe('unknownEnvVars', () => {
  it('lists DAXCACHE_* names that are not settings', () => {
    expect(unknownEnvVars({ DAXCACHE_PORT: '1', DAXCACHE_CONFIG: 'x', DAXCACHE_POOLSIZE: '1', HOME: '/' })).toEqual([
      'DAXCACHE_POOLSIZE',
    ]);
  });
});

describe('config/daxcache.yaml', () => {
  it('is the rendered reference of the defaults', () => {
    // Regenerate with renderYaml(DEFAULTS) after a change to the settings table.
    expect(readFileSync(PACKAGE_CONFIG_FILE, 'utf8')).toBe(renderYaml(DEFAULTS));
  });

  it('is recognised by the bundle from the hash it carries (no rendering at start)', () => {
    const bundle = readFileSync(resolve(__dirname, '../../dist/daxcache.mjs'), 'utf8');
    const m = /createHash\("sha256"\)\.update\(text\)\.digest\("hex"\) === "([0-9a-f]{64})"/.exec(bundle);
    expect(m, 'the bundle compares the package config by its hash').not.toBeNull();
    expect(m![1]).toBe(createHash('sha256').update(renderYaml(DEFAULTS)).digest('hex'));
  });
});

// Server configuration: CLI flags > DAXCACHE_* environment > YAML file > defaults.
// Every value from every source is validated (a bad line in the file is an error even when a
// flag overrides it), and an error names the setting, the value and where it came from.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfigText, readConfigFile, type Assignment } from './config-file.js';
import { packagePath } from '../package-root.js';
import { ConfigError, InvalidValue } from './errors.js';
import {
  defaultValues,
  findSetting,
  SETTINGS,
  suggestion,
  type Config,
  type Setting,
  type SettingKey,
} from './settings.js';

export { CONFIG_EXIT_CODE, ConfigError } from './errors.js';
export { parseSize, formatSize } from './size.js';
import { renderYaml } from './config-render.js';
export { renderYaml, type RenderOptions } from './config-render.js';
export { configGet, configSet, type ConfigApply, type ConfigSetResult } from './config-runtime.js';
export {
  SETTINGS,
  findSetting,
  DURABILITY_MODES,
  LOG_LEVELS,
  MAXMEMORY_POLICIES,
  type Config,
  type Setting,
  type SettingKey,
  type Durability,
  type LogLevel,
  type MaxmemoryPolicy,
  type OutputBufferLimit,
} from './settings.js';

/** Env var naming the config file, like --config. */
export const CONFIG_ENV = 'DAXCACHE_CONFIG';

/** config/daxcache.yaml in the package. */
export const PACKAGE_CONFIG_FILE = packagePath('config', 'daxcache.yaml');

/** Built-in values; `pool` stays relative here (loadConfig resolves it against cwd). */
export const DEFAULTS: Readonly<Config> = Object.freeze(finish(defaultValues(), '', null));

export interface LoadOptions {
  /** Flags after the subcommand, e.g. ['--port', '7000']. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** File read when neither --config nor DAXCACHE_CONFIG is given and it exists; null = none. */
  defaultConfigFile?: string | null;
}

export function loadConfig(opts: LoadOptions): Config {
  const flags = parseFlags(opts.argv);
  const file = chooseFile(flags.config, opts);
  const assignments = [
    ...(file ? (file.isDefault ? readPackageConfig(file.path, file.how) : readConfigFile(file.path, file.how)) : []),
    ...readEnv(opts.env),
    ...flags.values,
  ];
  const values = defaultValues();
  const sources = new Map<SettingKey, Assignment>();
  for (const a of assignments) {
    values[a.setting.key] = parseValue(a);
    sources.set(a.setting.key, a); // later sources win
  }
  // The package's reference file gives defaults only: it is not the server's config file, so
  // CONFIG REWRITE refuses (as Redis does without one) and never writes into the package.
  const config = finish(values, opts.cwd, file && !file.isDefault ? file.path : null);
  crossCheck(config, sources);
  return config;
}

/** DAXCACHE_* variables that name no setting (likely typos); for a startup warning. */
export function unknownEnvVars(env: NodeJS.ProcessEnv): string[] {
  const known = new Set([CONFIG_ENV, ...SETTINGS.map((s) => s.env)]);
  return Object.keys(env).filter((k) => k.startsWith('DAXCACHE_') && !known.has(k));
}

function parseValue(a: Assignment): unknown {
  try {
    return a.setting.parse(a.raw);
  } catch (err) {
    if (!(err instanceof InvalidValue)) throw err;
    throw new ConfigError(`invalid ${a.setting.name} ${JSON.stringify(a.raw)} (from ${a.source}): ${err.message}`);
  }
}

/** Typed Config from parsed values: paths made absolute, empty binds follow `bind`. */
function finish(values: Record<SettingKey, unknown>, cwd: string, configFile: string | null): Config {
  const config = { ...values, configFile } as Config;
  if (cwd) config.pool = resolve(cwd, config.pool);
  if (cwd && config.aclfile !== '') config.aclfile = resolve(cwd, config.aclfile);
  if (config.memcachedBind === '') config.memcachedBind = config.bind;
  if (config.metricsBind === '') config.metricsBind = config.bind;
  return config;
}

interface Flags {
  config?: { value: string; source: string };
  values: Assignment[];
}

const BOOL_WORDS = new Set(['yes', 'no', 'true', 'false']);

function parseFlags(argv: readonly string[]): Flags {
  const out: Flags = { values: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      throw new ConfigError(`unexpected argument ${JSON.stringify(arg)}: settings are flags such as --port 7000`);
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new ConfigError(`unknown flag ${arg}: settings are flags such as --port 7000`);
    }
    const eq = arg.indexOf('=');
    const name = (eq < 0 ? arg.slice(2) : arg.slice(2, eq)).toLowerCase();
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const flag = `--${name}`;
    const next = argv[i + 1];
    const takeNext = (): string => {
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`missing value for ${flag}`);
      i++;
      return next;
    };
    if (name === 'config') {
      out.config = { value: inline ?? takeNext(), source: flag };
      continue;
    }
    const setting = findSetting(name);
    if (!setting) throw new ConfigError(`unknown flag ${flag}${suggestion(name, '--')}`);
    let raw: string;
    if (inline !== undefined) raw = inline;
    else if (setting.boolean) {
      // `--prefault` alone means true; `--prefault no` is accepted too.
      raw = next !== undefined && BOOL_WORDS.has(next.toLowerCase()) ? (i++, next) : 'true';
    } else raw = takeNext();
    out.values.push({ setting, raw, source: flag });
  }
  return out;
}

function readEnv(env: NodeJS.ProcessEnv): Assignment[] {
  const out: Assignment[] = [];
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    // Empty means unset: `DAXCACHE_PORT=${PORT}` with PORT unset should not be an error.
    if (raw !== undefined && raw !== '') out.push({ setting, raw, source: setting.env });
  }
  return out;
}

/** Set by scripts/bundle.mjs: SHA-256 of renderYaml(DEFAULTS); absent when run from tsc's output. */
declare const __DAXCACHE_DEFAULTS_SHA256__: string | undefined;

/** Whether `text` is the rendered defaults: by the hash the bundle carries, else by rendering them. */
function isRenderedDefaults(text: string): boolean {
  if (typeof __DAXCACHE_DEFAULTS_SHA256__ === 'string') return createHash('sha256').update(text).digest('hex') === __DAXCACHE_DEFAULTS_SHA256__;
  return text === renderYaml(DEFAULTS);
}

/**
 * The package's reference file, as shipped, says the defaults and nothing else: it is read and
 * compared with the rendered defaults, and parsed only when somebody edited it (parsing YAML is
 * ~15 ms of every start, and a warm restart is timed from exec).
 */
function readPackageConfig(path: string, how: string): Assignment[] {
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    /* unreadable: readConfigFile says why */
  }
  if (text !== null && isRenderedDefaults(text)) return [];
  return text === null ? readConfigFile(path, how) : parseConfigText(text, path);
}

function chooseFile(flag: Flags['config'], opts: LoadOptions): { path: string; how: string; isDefault: boolean } | null {
  if (flag) return { path: resolve(opts.cwd, flag.value), how: flag.source, isDefault: false };
  const fromEnv = opts.env[CONFIG_ENV];
  if (fromEnv) return { path: resolve(opts.cwd, fromEnv), how: CONFIG_ENV, isDefault: false };
  const def = opts.defaultConfigFile === undefined ? PACKAGE_CONFIG_FILE : opts.defaultConfigFile;
  return def && existsSync(def) ? { path: def, how: 'default config file', isDefault: true } : null;
}

/** Rules between settings, reported against the setting that was set last by precedence. */
function crossCheck(config: Config, sources: Map<SettingKey, Assignment>): void {
  const fail = (s: Setting, why: string): never => {
    const a = sources.get(s.key);
    const shown = a ? JSON.stringify(a.raw) : JSON.stringify(s.show(config[s.key]));
    throw new ConfigError(`invalid ${s.name} ${shown} (from ${a?.source ?? 'default'}): ${why}`);
  };
  const get = (key: SettingKey): Setting => SETTINGS.find((s) => s.key === key)!;

  // memcached refuses -I above half of -m; a pool must hold at least two of its largest items.
  if (typeof config.poolSize === 'number' && config.itemSizeMax > config.poolSize / 2) {
    const blame = sources.has('itemSizeMax') ? 'itemSizeMax' : 'poolSize';
    fail(get(blame), `item-size-max must be at most half of pool-size`);
  }

  // Redis refuses users in redis.conf together with an aclfile (ACLLoadUsersAtStartup).
  if (config.aclfile !== '' && config.aclUsers.trim() !== '') {
    fail(get(sources.has('aclUsers') ? 'aclUsers' : 'aclfile'), 'define ACL users either in acl-users or in the aclfile, not both');
  }

  // A TLS port needs a certificate and its key, and a CA unless client certificates are off
  // (Redis's tlsConfigure refuses to start the same way).
  if (config.tlsPort !== 0 || config.tlsMemcachedPort !== 0) {
    const port = get(config.tlsPort !== 0 ? 'tlsPort' : 'tlsMemcachedPort');
    if (config.tlsCertFile === '' || config.tlsKeyFile === '') fail(port, 'a TLS port needs tls-cert-file and tls-key-file');
    if (config.tlsAuthClients !== 'no' && config.tlsCaCertFile === '') {
      fail(port, 'tls-auth-clients yes or optional needs tls-ca-cert-file (or tls-auth-clients no)');
    }
  }

  // Two listeners on one address and port would fail later with EADDRINUSE; say so now.
  const listeners: [SettingKey, SettingKey][] = [
    ['port', 'bind'],
    ['memcachedPort', 'memcachedBind'],
    ['metricsPort', 'metricsBind'],
    ['tlsPort', 'bind'],
    ['tlsMemcachedPort', 'memcachedBind'],
  ];
  for (let i = 0; i < listeners.length; i++) {
    for (let j = i + 1; j < listeners.length; j++) {
      const [pa, ba] = listeners[i]!;
      const [pb, bb] = listeners[j]!;
      if (config[pa] !== 0 && config[pa] === config[pb] && config[ba] === config[bb]) {
        const blame = sources.has(pb) ? pb : pa;
        const other = blame === pb ? pa : pb;
        fail(get(blame), `same address and port as ${get(other).name}`);
      }
    }
  }
}

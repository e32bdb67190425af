// The table of settings: one entry per setting with its name, type, default, runtime mutability
// and a one-line description. Loading, CONFIG GET/SET and the YAML reference are all driven by it,
// so a setting is defined exactly once.

import { InvalidValue } from './errors.js';
import { formatSize, parseSize } from './size.js';
import { EVICTION_POLICIES } from './policies.js';
import { MIN_POOL_SIZE, parsePoolSize, showPoolSize, textPoolSize, type PoolSize } from './pool-size.js';
import { parseTierMemory, showTierMemory, textTierMemory, type TierMemory } from './tier-memory.js';

export const DURABILITY_MODES = ['strict', 'relaxed'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// The policy names live with the store that implements them (a dependency-free module).
export const MAXMEMORY_POLICIES = EVICTION_POLICIES;
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];
/** The order Redis 7 lists the policies in (config.c maxmemory_policy_enum), for its CONFIG SET error. */
const REDIS_POLICY_ORDER: readonly MaxmemoryPolicy[] = [
  'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
  'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
];

/** Redis `client-output-buffer-limit normal <hard> <soft> <seconds>`; 0 disables each part. */
export interface OutputBufferLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

export interface Config {
  port: number;
  bind: string;
  memcachedPort: number;
  /** Resolved: equals `bind` unless set. */
  memcachedBind: string;
  timeout: number;
  /** client-request-timeout: seconds a started request may take to arrive whole; 0 = no limit. */
  clientRequestTimeout: number;
  tcpKeepalive: number;
  maxclients: number;
  protectedMode: boolean;
  requirepass: string;
  tlsPort: number;
  tlsMemcachedPort: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  tlsKeyFilePass: string;
  tlsCaCertFile: string;
  tlsAuthClients: 'yes' | 'no' | 'optional';
  tlsProtocols: string;
  tlsCiphers: string;
  tlsCiphersuites: string;
  /** Absolute once loaded; '' = none. */
  aclfile: string;
  aclUsers: string;
  acllogMaxLen: number;
  aclPubsubDefault: 'resetchannels' | 'allchannels';
  /** Absolute once loaded (relative paths resolve against the working directory). */
  pool: string;
  /** A size, or `auto` / a share of the free space for a new pool; the real size once open. */
  poolSize: PoolSize;
  poolSizeMax: number;
  poolAutogrow: boolean;
  poolAutogrowPercent: number;
  poolAutogrowInterval: number;
  durability: Durability;
  appendfsyncIntervalMs: number;
  prefault: boolean;
  maxmemory: number;
  maxmemoryPolicy: MaxmemoryPolicy;
  tierMemory: TierMemory;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  clientOutputBufferLimitNormal: OutputBufferLimit;
  clientOutputBufferLimitPubsub: OutputBufferLimit;
  itemSizeMax: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  setMaxListpackEntries: number;
  setMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  zsetOrderMemory: number;
  listMaxListpackSize: number;
  listCompressDepth: number;
  memcachedShutdown: boolean;
  logLevel: LogLevel;
  metricsPort: number;
  /** Resolved: equals `bind` unless set. */
  metricsBind: string;
  hz: number;
  /** The YAML file the settings were read from (CONFIG REWRITE target), or null. Not a setting. */
  configFile: string | null;
}

export type SettingKey = Exclude<keyof Config, 'configFile'>;

export interface Setting {
  /** kebab-case: the YAML key, the --flag and the CONFIG GET/SET name. */
  readonly name: string;
  readonly key: SettingKey;
  /** DAXCACHE_POOL_SIZE style. */
  readonly env: string;
  readonly section: string;
  readonly doc: string;
  /** The default as written in the YAML reference. */
  readonly default: string;
  /** May be changed at runtime with CONFIG SET. */
  readonly mutable: boolean;
  /** A bare `--flag` means true. */
  readonly boolean: boolean;
  /** Relative values resolve against the working directory. */
  readonly isPath: boolean;
  /** Empty means "the value of bind". */
  readonly followsBind: boolean;
  /** Parses text from any source; throws InvalidValue with the reason. */
  parse(raw: string): unknown;
  /** CONFIG GET form (bytes, yes/no), as Redis replies. */
  show(value: unknown): string;
  /** Human form for the YAML file (1gb, true). */
  text(value: unknown): string;
}

const INT_MAX = 2 ** 31 - 1;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
/** How Redis names the upper bound of its unbounded memory settings (LLONG_MAX). */
const REDIS_LLONG_MAX = '9223372036854775807';

interface Kind {
  parse(raw: string): unknown;
  show(value: unknown): string;
  text?(value: unknown): string;
  boolean?: boolean;
}

function parseInteger(raw: string, min: number, max: number, what: string): number {
  const s = raw.trim();
  // Redis 7 wording for CONFIG SET (config.c numericParseString / numericBoundaryCheck).
  if (!/^[+-]?\d+$/.test(s)) throw new InvalidValue(`expected ${what}`, "argument couldn't be parsed into an integer");
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidValue(`expected ${what}`, `argument must be between ${min} and ${max} inclusive`);
  }
  return n;
}

const int = (min: number, max: number, what = `an integer from ${min} to ${max}`): Kind => ({
  parse: (raw) => parseInteger(raw, min, max, what),
  show: String,
});

const port = (): Kind => int(0, 65535, 'a port number from 0 to 65535');

function parseBytes(raw: string, min: number, max: number): number {
  const n = parseSize(raw);
  if (n === null) throw new InvalidValue('expected bytes or a size like 512mb', 'argument must be a memory value');
  if (n < min || n > max) {
    const hi = max === MAX_BYTES ? '' : ` and at most ${formatSize(max)}`;
    const redisMax = max === MAX_BYTES ? REDIS_LLONG_MAX : String(max);
    throw new InvalidValue(`must be at least ${formatSize(min)}${hi}`, `argument must be between ${min} and ${redisMax} inclusive`);
  }
  return n;
}

const size = (min: number, max = MAX_BYTES): Kind => ({
  parse: (raw) => parseBytes(raw, min, max),
  show: String,
  text: (v) => formatSize(v as number),
});

const bool = (): Kind => ({
  parse(raw) {
    const s = raw.trim().toLowerCase();
    if (s === 'yes' || s === 'true') return true;
    if (s === 'no' || s === 'false') return false;
    throw new InvalidValue('expected yes/no or true/false', "argument must be 'yes' or 'no'");
  },
  show: (v) => (v ? 'yes' : 'no'),
  text: (v) => (v ? 'true' : 'false'),
  boolean: true,
});

/** `redisOrder`: the names in the order Redis lists them in its CONFIG SET error, when it has the setting. */
const oneOf = (values: readonly string[], redisOrder: readonly string[] = values): Kind => ({
  parse(raw) {
    const s = raw.trim().toLowerCase();
    if (!values.includes(s)) {
      throw new InvalidValue(
        `expected one of ${values.join(', ')}`,
        `argument(s) must be one of the following: ${redisOrder.join(', ')}`,
      );
    }
    return s;
  },
  show: String,
});

const str = (): Kind => ({ parse: (raw) => raw, show: String });

/** tls-protocols: "TLSv1.2 TLSv1.3", a contiguous range of the versions Node.js still offers. */
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
const tlsProtocols = (): Kind => ({
  parse(raw) {
    const words = raw.trim().split(/\s+/).filter((w) => w !== '');
    const bad = words.find((w) => !TLS_VERSIONS.some((v) => v.toLowerCase() === w.toLowerCase()));
    if (words.length === 0 || bad !== undefined) throw new InvalidValue(`expected TLS versions among ${TLS_VERSIONS.join(', ')}`, `invalid TLS protocol '${bad ?? ''}'`);
    return TLS_VERSIONS.filter((v) => words.some((w) => w.toLowerCase() === v.toLowerCase())).join(' ');
  },
  show: String,
});

/** acl-users: lines of "user <name> <rules...>" (the rules are checked when the server starts). */
const aclUsers = (): Kind => ({
  parse(raw) {
    for (const line of raw.split('\n')) {
      const t = line.trim();
      if (t !== '' && !/^user\s+\S/.test(t)) throw new InvalidValue('expected lines of "user <name> <rules...>"');
    }
    return raw;
  },
  show: String,
});

const poolSize = (): Kind => ({
  parse: parsePoolSize,
  show: (v) => showPoolSize(v as PoolSize),
  text: (v) => textPoolSize(v as PoolSize),
});

const tierMemory = (): Kind => ({
  parse: parseTierMemory,
  show: (v) => showTierMemory(v as TierMemory),
  text: (v) => textTierMemory(v as TierMemory),
});

const host = (optional: boolean): Kind => ({
  parse(raw) {
    const s = raw.trim();
    if (s === '' && optional) return '';
    if (s === '' || /\s/.test(s)) throw new InvalidValue('expected a host name or IP address');
    return s;
  },
  show: String,
});

const path = (): Kind => ({
  parse(raw) {
    if (raw.trim() === '') throw new InvalidValue('expected a file path');
    return raw.trim();
  },
  show: String,
});

const bufferLimit = (): Kind => ({
  parse(raw): OutputBufferLimit {
    const parts = raw.trim().split(/\s+/);
    const bad = 'expected "hard soft seconds" such as "0 0 0" or "256mb 64mb 60"';
    // Redis 7's texts for client-output-buffer-limit (config.c setConfigClientOutputBufferLimitOption).
    const count = new InvalidValue(bad, 'Wrong number of arguments in buffer limit configuration.');
    const value = new InvalidValue(bad, 'Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    if (parts.length !== 3) throw count;
    const hardBytes = parseSize(parts[0]!);
    const softBytes = parseSize(parts[1]!);
    if (hardBytes === null || softBytes === null || !/^\d+$/.test(parts[2]!)) throw value;
    const softSeconds = Number(parts[2]);
    if (softSeconds > INT_MAX) throw value;
    return { hardBytes, softBytes, softSeconds };
  },
  show(v) {
    const l = v as OutputBufferLimit;
    return `${l.hardBytes} ${l.softBytes} ${l.softSeconds}`;
  },
  text(v) {
    const l = v as OutputBufferLimit;
    return `${formatSize(l.hardBytes)} ${formatSize(l.softBytes)} ${l.softSeconds}`;
  },
});

interface Def {
  section: string;
  default: string;
  mutable?: boolean;
  kind: Kind;
  doc: string;
  isPath?: boolean;
  followsBind?: boolean;
}

function def(name: string, key: SettingKey, d: Def): Setting {
  return {
    name,
    key,
    env: `DAXCACHE_${name.toUpperCase().replace(/-/g, '_')}`,
    section: d.section,
    doc: d.doc,
    default: d.default,
    mutable: d.mutable ?? false,
    boolean: d.kind.boolean ?? false,
    isPath: d.isPath ?? false,
    followsBind: d.followsBind ?? false,
    parse: d.kind.parse,
    show: d.kind.show,
    text: d.kind.text ?? d.kind.show,
  };
}

const NET = 'network';
const POOL = 'pool and durability';
const MEM = 'memory and eviction';
const LIMITS = 'limits';
const MC = 'memcached';
const OBS = 'logging and metrics';
const SRV = 'background work';
const SEC = 'security';

export const SETTINGS: readonly Setting[] = [
  def('port', 'port', { section: NET, default: '6379', kind: port(),
    doc: 'Redis protocol (RESP2/RESP3) TCP port; 0 = no plain listener (as Redis: with tls-port, TLS only)' }),
  def('bind', 'bind', { section: NET, default: '127.0.0.1', kind: host(false),
    doc: 'address the listeners bind to (0.0.0.0 = every IPv4 interface)' }),
  def('memcached-port', 'memcachedPort', { section: NET, default: '11211', kind: port(),
    doc: 'memcached protocol (text and meta) TCP port; 0 disables the memcached listener' }),
  def('memcached-bind', 'memcachedBind', { section: NET, default: '', kind: host(true), followsBind: true,
    doc: 'address of the memcached listener; empty = same as bind' }),
  def('protected-mode', 'protectedMode', { section: NET, default: 'yes', kind: bool(), mutable: true,
    doc: 'with no requirepass, refuse connections from anywhere but the loopback interface (Redis -DENIED, memcached SERVER_ERROR)' }),
  def('requirepass', 'requirepass', { section: NET, default: '', kind: str(), mutable: true,
    doc: 'password clients must give with AUTH; empty = no authentication' }),
  def('maxclients', 'maxclients', { section: NET, default: '10000', kind: int(1, INT_MAX), mutable: true,
    doc: 'most clients connected at once over both protocols; more are refused with an error' }),
  def('timeout', 'timeout', { section: NET, default: '0', kind: int(0, INT_MAX), mutable: true,
    doc: 'close a client idle for this many seconds; 0 = never' }),
  def('client-request-timeout', 'clientRequestTimeout', { section: NET, default: '60', kind: int(0, INT_MAX), mutable: true,
    doc: 'close a client whose request (a command, or a memcached line and its data block) has started to arrive but is not complete after this many seconds (slow-loris clients); 0 = never' }),
  def('tcp-keepalive', 'tcpKeepalive', { section: NET, default: '300', kind: int(0, INT_MAX), mutable: true,
    doc: 'TCP keepalive interval for client sockets in seconds; 0 = off' }),

  def('tls-port', 'tlsPort', { section: SEC, default: '0', kind: port(),
    doc: 'Redis protocol over TLS on this TCP port; 0 = no TLS listener (port 0 turns the plain one off)' }),
  def('tls-memcached-port', 'tlsMemcachedPort', { section: SEC, default: '0', kind: port(),
    doc: 'memcached protocol over TLS on this TCP port (memcached -Z clients); 0 = none' }),
  def('tls-cert-file', 'tlsCertFile', { section: SEC, default: '', kind: str(), mutable: true,
    doc: 'server certificate (PEM, with its chain) for the TLS ports; re-read when it changes on disk or is set again' }),
  def('tls-key-file', 'tlsKeyFile', { section: SEC, default: '', kind: str(), mutable: true,
    doc: 'private key (PEM) of tls-cert-file' }),
  def('tls-key-file-pass', 'tlsKeyFilePass', { section: SEC, default: '', kind: str(), mutable: true,
    doc: 'passphrase of tls-key-file when it is encrypted' }),
  def('tls-ca-cert-file', 'tlsCaCertFile', { section: SEC, default: '', kind: str(), mutable: true,
    doc: 'CA certificates (PEM) that client certificates must chain to; needed unless tls-auth-clients is no' }),
  def('tls-auth-clients', 'tlsAuthClients', { section: SEC, default: 'yes', kind: oneOf(['yes', 'no', 'optional']), mutable: true,
    doc: 'client certificates: required (yes), not asked for (no), or checked when a client sends one (optional)' }),
  def('tls-protocols', 'tlsProtocols', { section: SEC, default: 'TLSv1.2 TLSv1.3', kind: tlsProtocols(), mutable: true,
    doc: 'TLS versions accepted, space-separated: TLSv1.2, TLSv1.3 (one range)' }),
  def('tls-ciphers', 'tlsCiphers', { section: SEC, default: '', kind: str(), mutable: true,
    doc: 'OpenSSL cipher list for TLSv1.2; empty = Node.js defaults' }),
  def('tls-ciphersuites', 'tlsCiphersuites', { section: SEC, default: '', kind: str(), mutable: true,
    doc: 'TLSv1.3 cipher suites, colon-separated; empty = Node.js defaults' }),
  def('aclfile', 'aclfile', { section: SEC, default: '', kind: str(), isPath: true,
    doc: 'ACL file of "user <name> <rules>" lines (Redis format), read at start and by ACL LOAD, written by ACL SAVE; empty = none' }),
  def('acl-users', 'aclUsers', { section: SEC, default: '', kind: aclUsers(),
    doc: 'ACL users, one "user <name> <rules>" line each (e.g. user app on >secret ~app:* +@read +@write); not with aclfile' }),
  def('acllog-max-len', 'acllogMaxLen', { section: SEC, default: '128', kind: int(0, INT_MAX), mutable: true,
    doc: 'most entries ACL LOG keeps (denied commands, keys, channels and AUTHs)' }),
  def('acl-pubsub-default', 'aclPubsubDefault', { section: SEC, default: 'resetchannels', kind: oneOf(['resetchannels', 'allchannels']), mutable: true,
    doc: 'Pub/Sub channels of a new ACL user: none (resetchannels) or all (allchannels)' }),

  def('pool', 'pool', { section: POOL, default: './data/daxcache.pool', kind: path(), isPath: true,
    doc: 'pool file on a DAX filesystem, /dev/shm or any disk; relative to the working directory' }),
  def('pool-size', 'poolSize', { section: POOL, default: '1gb', kind: poolSize(), mutable: true,
    doc: 'size of the pool file: a size, auto (the free space less 5%, at least 64mb, for a volume) or a share of the free space (50%) when it is created; a larger size (at start or CONFIG SET) grows an existing pool while serving, a smaller one is refused (a pool never shrinks)' }),
  def('pool-size-max', 'poolSizeMax', { section: POOL, default: '128gb', kind: size(MIN_POOL_SIZE, 2 ** 47),
    doc: 'the largest size the pool can grow to without a restart (address space reserved at start, no memory is used for it)' }),
  def('pool-autogrow', 'poolAutogrow', { section: POOL, default: 'no', kind: bool(), mutable: true,
    doc: 'grow the pool while serving when its volume grows (a PVC expanded online) or its file was extended: to pool-autogrow-percent of the file system; for a volume of its own' }),
  def('pool-autogrow-percent', 'poolAutogrowPercent', { section: POOL, default: '95', kind: int(1, 100), mutable: true,
    doc: 'pool-autogrow grows the pool to this share of its file system size (what is free allowing)' }),
  def('pool-autogrow-interval', 'poolAutogrowInterval', { section: POOL, default: '5', kind: int(1, 3600), mutable: true,
    doc: 'seconds between two pool-autogrow checks of the volume (statvfs)' }),
  def('durability', 'durability', { section: POOL, default: 'strict', kind: oneOf(DURABILITY_MODES),
    doc: 'strict: a write is persistent before its reply is sent; relaxed: persisted every appendfsync-interval-ms' }),
  def('appendfsync-interval-ms', 'appendfsyncIntervalMs', { section: POOL, default: '1000', kind: int(1, 60_000),
    doc: 'relaxed mode: longest time in ms an acknowledged write may wait for its persist barrier' }),
  def('prefault', 'prefault', { section: POOL, default: 'false', kind: bool(),
    doc: 'touch every page of the pool at startup so that first requests take no page faults' }),

  def('maxmemory', 'maxmemory', { section: MEM, default: '0', kind: size(0), mutable: true,
    doc: 'pool bytes data may use before maxmemory-policy applies; 0 = the whole pool' }),
  def('maxmemory-policy', 'maxmemoryPolicy', { section: MEM, default: 'noeviction', kind: oneOf(MAXMEMORY_POLICIES, REDIS_POLICY_ORDER),
    mutable: true,
    doc: `when full: noeviction (writes fail with OOM) or evict: ${MAXMEMORY_POLICIES.slice(1).join(', ')}` }),
  def('tier-memory', 'tierMemory', { section: MEM, default: 'auto', kind: tierMemory(), mutable: true,
    doc: 'DRAM for copies of hot keys: a size, a share of the pool (5%), 0 = off; auto = off on a tmpfs pool, else 5% of the pool' }),

  def('proto-max-bulk-len', 'protoMaxBulkLen', { section: LIMITS, default: '512mb', kind: size(1024 ** 2),
    mutable: true, doc: 'largest Redis bulk string (one key or value) a client may send' }),
  def('client-query-buffer-limit', 'clientQueryBufferLimit', { section: LIMITS, default: '1gb',
    kind: size(1024 ** 2), mutable: true,
    doc: 'most unparsed input buffered for one client before it is disconnected' }),
  def('client-output-buffer-limit-normal', 'clientOutputBufferLimitNormal', { section: LIMITS, default: '0 0 0',
    kind: bufferLimit(), mutable: true,
    doc: '"hard soft seconds": drop a client whose unsent replies pass hard, or stay over soft for seconds; 0 = off' }),
  def('client-output-buffer-limit-pubsub', 'clientOutputBufferLimitPubsub', { section: LIMITS, default: '32mb 8mb 60',
    kind: bufferLimit(), mutable: true,
    doc: 'the same for a client with Pub/Sub subscriptions: unsent messages and replies past hard, or over soft for seconds' }),
  def('item-size-max', 'itemSizeMax', { section: LIMITS, default: '1mb', kind: size(1024, 1024 ** 3),
    doc: 'largest memcached item, 1kb to 1gb and at most half of pool-size (memcached -I; its 1m is 1mb here)' }),

  // Redis's encoding thresholds: a collection within them is kept packed in one item (rewritten
  // whole by a write), past them as a table of elements; it never goes back.
  def('hash-max-listpack-entries', 'hashMaxListpackEntries', { section: LIMITS, default: '512', kind: int(0, 65535), mutable: true,
    doc: 'most fields of a hash kept packed in one item (reported as listpack; 512 as in Redis 7.0)' }),
  def('hash-max-listpack-value', 'hashMaxListpackValue', { section: LIMITS, default: '64', kind: int(0, 65535), mutable: true,
    doc: 'longest field or value of a hash kept packed' }),
  def('set-max-intset-entries', 'setMaxIntsetEntries', { section: LIMITS, default: '512', kind: int(0, 65535), mutable: true,
    doc: 'most members of a set of integers kept packed in numeric order (reported as intset)' }),
  def('set-max-listpack-entries', 'setMaxListpackEntries', { section: LIMITS, default: '128', kind: int(0, 65535), mutable: true,
    doc: 'most members of any other set kept packed (reported as hashtable, as Redis 7.0 does)' }),
  def('set-max-listpack-value', 'setMaxListpackValue', { section: LIMITS, default: '64', kind: int(0, 65535), mutable: true,
    doc: 'longest member of such a set kept packed' }),
  def('zset-max-listpack-entries', 'zsetMaxListpackEntries', { section: LIMITS, default: '128', kind: int(0, 65535), mutable: true,
    doc: 'most members of a sorted set kept packed (reported as listpack)' }),
  def('zset-max-listpack-value', 'zsetMaxListpackValue', { section: LIMITS, default: '64', kind: int(0, 65535), mutable: true,
    doc: 'longest member of a sorted set kept packed' }),
  def('list-max-listpack-size', 'listMaxListpackSize', { section: LIMITS, default: '-2', kind: int(-(2 ** 31), 2 ** 31 - 1), mutable: true,
    doc: 'how full a list node gets: -1..-5 = 4, 8, 16, 32, 64 KiB of entries, N > 0 = N entries (within 8 KiB); new nodes follow a change' }),
  def('list-compress-depth', 'listCompressDepth', { section: LIMITS, default: '0', kind: int(0, 0, '0 (daxcache does not compress list nodes)'), mutable: true,
    doc: 'Redis compresses list nodes this far from the ends; daxcache keeps every node as is, so only 0 is accepted' }),
  def('zset-order-memory', 'zsetOrderMemory', { section: MEM, default: '256mb', kind: size(0), mutable: true,
    doc: 'DRAM for the order trees of large sorted sets (built on first use, least recently used dropped past this)' }),

  def('memcached-shutdown', 'memcachedShutdown', { section: MC, default: 'false', kind: bool(),
    doc: 'allow the memcached "shutdown" command to stop the server (memcached -A)' }),

  def('log-level', 'logLevel', { section: OBS, default: 'info', kind: oneOf(LOG_LEVELS), mutable: true,
    doc: `log level: ${LOG_LEVELS.join(', ')}` }),
  def('metrics-port', 'metricsPort', { section: OBS, default: '0', kind: port(),
    doc: 'Prometheus /metrics HTTP port; 0 = disabled (9121, the redis_exporter port, is a usual choice)' }),
  def('metrics-bind', 'metricsBind', { section: OBS, default: '', kind: host(true), followsBind: true,
    doc: 'address of the metrics listener; empty = same as bind' }),

  def('hz', 'hz', { section: SRV, default: '10', kind: int(1, 500), mutable: true,
    doc: 'background task runs per second (active expiry, lazy rebuild after open), 1 to 500' }),
];

const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

/** Case-insensitive lookup by kebab-case name, as Redis does for CONFIG names. */
export function findSetting(name: string): Setting | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** ` (did you mean "port"?)` for a near miss, else ''. */
export function suggestion(name: string, prefix = ''): string {
  const lower = name.toLowerCase().replace(/_/g, '-');
  let best: Setting | undefined;
  let bestDist = 3;
  for (const s of SETTINGS) {
    const d = lower === s.name ? 0 : editDistance(lower, s.name);
    if (d < bestDist) [best, bestDist] = [s, d];
  }
  return best ? ` (did you mean ${prefix}${best.name}?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Defaults as parsed values, before resolution against cwd and bind. */
export function defaultValues(): Record<SettingKey, unknown> {
  const out = {} as Record<SettingKey, unknown>;
  for (const s of SETTINGS) out[s.key] = s.parse(s.default);
  return out;
}

// Typed requests and parse errors of the memcached text and meta protocols.
// The parser produces these from bytes; src/commands/memcache/ gives them meaning.
// Keys and data are Buffers the parser owns no more: handlers may keep them.

export type StoreCmd = 'set' | 'add' | 'replace' | 'append' | 'prepend' | 'cas';
export type GetCmd = 'get' | 'gets' | 'gat' | 'gats';

/** `<cmd> <key> <flags> <exptime> <bytes> [<cas>] [noreply]\r\n<data>\r\n` */
export interface StoreRequest {
  kind: 'store';
  cmd: StoreCmd;
  key: Buffer;
  /** Client flags, u32. */
  flags: number;
  /** Raw exptime as sent (signed 32-bit; <0 expired, >30 days = unix time). */
  exptime: number;
  bytes: number;
  /** Only for `cas`. */
  cas?: bigint;
  noreply: boolean;
  data: Buffer;
}

/** `get|gets <key>*`, `gat|gats <exptime> <key>*` (keys may be empty for gat/gats, as memcached allows). */
export interface GetRequest {
  kind: 'get';
  cmd: GetCmd;
  keys: Buffer[];
  /** Only for gat/gats. */
  exptime?: number;
}

/** `delete <key> [0] [noreply]` */
export interface DeleteRequest {
  kind: 'delete';
  key: Buffer;
  noreply: boolean;
}

/** `incr|decr <key> <delta> [noreply]` */
export interface ArithRequest {
  kind: 'arith';
  cmd: 'incr' | 'decr';
  key: Buffer;
  /** u64. */
  delta: bigint;
  noreply: boolean;
}

/** `touch <key> <exptime> [noreply]` */
export interface TouchRequest {
  kind: 'touch';
  key: Buffer;
  exptime: number;
  noreply: boolean;
}

/** `flush_all [delay] [noreply]` — delay 0 when absent (memcached treats both alike). */
export interface FlushAllRequest {
  kind: 'flush_all';
  delay: number;
  noreply: boolean;
}

export interface VersionRequest {
  kind: 'version';
}

/** `verbosity <level> [noreply]` — level is not capped here. */
export interface VerbosityRequest {
  kind: 'verbosity';
  level: number;
  noreply: boolean;
}

export interface QuitRequest {
  kind: 'quit';
}

/** `stats [args...]` — arguments as sent; the command layer decides what they mean. */
export interface StatsRequest {
  kind: 'stats';
  args: string[];
}

/**
 * `shutdown [graceful]`. 'invalid' keeps memcached's order of checks: it first says
 * "ERROR: shutdown not enabled" when disabled, and only then "CLIENT_ERROR invalid shutdown mode".
 */
export interface ShutdownRequest {
  kind: 'shutdown';
  mode: 'immediate' | 'graceful' | 'invalid';
}

/** `cache_memlimit <megabytes> [noreply]` */
export interface CacheMemlimitRequest {
  kind: 'cache_memlimit';
  megabytes: number;
  noreply: boolean;
}

/**
 * Flags of a meta command, the same structure for mg/ms/md/ma (memcached parses them all with
 * one routine, and ignores flags a command does not use).
 */
export interface MetaFlags {
  /** Every flag letter in request order: return flags are echoed in this order. */
  order: string;
  /** b: key was base64 (already decoded in `key`); echo it base64 with ` b`. */
  base64: boolean;
  /** c: return CAS. */
  retCas: boolean;
  /** f: return client flags. */
  retFlags: boolean;
  /** h: return whether the item was hit before (h0/h1). */
  retHit: boolean;
  /** k: return key. */
  retKey: boolean;
  /** l: return seconds since last access. */
  retLastAccess: boolean;
  /** s: return size. */
  retSize: boolean;
  /** t: return remaining TTL (-1 = none). */
  retTtl: boolean;
  /** v: return value. */
  retValue: boolean;
  /** q: quiet — suppress the nominal reply (EN for mg, HD for ms/md/ma, NF for md). */
  quiet: boolean;
  /** u: do not bump the item in the LRU. */
  noBump: boolean;
  /** I: invalidate (md: mark stale; ms: allow setting over a stale item with a lower CAS). */
  invalidate: boolean;
  /** x: md removes the value but keeps the item. */
  removeValue: boolean;
  /** O: opaque bytes (after the 'O'), echoed as ` O<opaque>`. */
  opaque?: Buffer;
  /** N: vivify on miss with this TTL. */
  vivifyTtl?: number;
  /** R: win a recache token if the remaining TTL is below this. */
  recacheTtl?: number;
  /** T: new TTL. */
  ttl?: number;
  /** F: client flags to store (u32). */
  clientFlags?: number;
  /** C: compare CAS. */
  compareCas?: bigint;
  /** E: use this as the item's new CAS. */
  newCas?: bigint;
  /** M: mode switch, one character (ms: E A P R S; ma: I + D -). */
  mode?: string;
  /** D: ma delta (default 1 when absent). */
  delta?: bigint;
  /** J: ma initial value on vivify (default 0 when absent). */
  initial?: bigint;
}

/** `mg <key> <flags>*` */
export interface MetaGetRequest {
  kind: 'mg';
  key: Buffer;
  flags: MetaFlags;
}

/** `ms <key> <datalen> <flags>*\r\n<data>\r\n` */
export interface MetaSetRequest {
  kind: 'ms';
  key: Buffer;
  bytes: number;
  flags: MetaFlags;
  data: Buffer;
}

/** `md <key> <flags>*` */
export interface MetaDeleteRequest {
  kind: 'md';
  key: Buffer;
  flags: MetaFlags;
}

/** `ma <key> <flags>*` */
export interface MetaArithRequest {
  kind: 'ma';
  key: Buffer;
  flags: MetaFlags;
}

/** `mn` — replies `MN`; a pipeline end marker. */
export interface MetaNoopRequest {
  kind: 'mn';
}

/** `me <key> [b]` — debug line about an item. */
export interface MetaDebugRequest {
  kind: 'me';
  key: Buffer;
  base64: boolean;
}

export type Request =
  | StoreRequest
  | GetRequest
  | DeleteRequest
  | ArithRequest
  | TouchRequest
  | FlushAllRequest
  | VersionRequest
  | VerbosityRequest
  | QuitRequest
  | StatsRequest
  | ShutdownRequest
  | CacheMemlimitRequest
  | MetaGetRequest
  | MetaSetRequest
  | MetaDeleteRequest
  | MetaArithRequest
  | MetaNoopRequest
  | MetaDebugRequest;

export type RequestKind = Request['kind'];

/**
 * A request the parser refused. The server writes `line` + CRLF unless `noreply` (memcached
 * suppresses errors of classic commands that carried `noreply`) or `line` is empty (memcached
 * hangs up silently on HTTP requests). Any data block that went with the command has already
 * been swallowed by the parser (`swallowed` says how many bytes it will discard).
 */
export interface ParseError {
  kind: 'error';
  /** Exact reply line without CRLF, e.g. `CLIENT_ERROR bad command line format`; '' = send nothing. */
  line: string;
  noreply: boolean;
  /** Close the connection after writing the line; the parser accepts nothing more. */
  close: boolean;
  /** Bytes of a data block the parser discards after this error (0 if none). */
  swallowed: number;
  /**
   * memcached unlinks the key's old value when a `set` or `ms` is refused as too large (so a
   * stale value does not survive a failed overwrite); the command layer must delete this key.
   */
  unlinkKey?: Buffer;
}

export interface ParserOptions {
  /** Largest data block accepted by a storage command (default 1 MiB, memcached's -I). */
  itemSizeMax?: number;
  /** Longest command line other than get/gets/gat/gats (default 2048, as memcached). */
  maxLineLength?: number;
  /** Longest get/gets/gat/gats line (default 8 MiB; memcached has no bound, we need one). */
  maxMultigetLineLength?: number;
}

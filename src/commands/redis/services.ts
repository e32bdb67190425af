// What the server offers the connection/server command families (CLIENT, CONFIG, INFO, SHUTDOWN, ...)
// beyond the store. The server (src/server/) implements these; commands only see the interfaces, so
// this layer never imports the server.
import type { Config, ConfigApply } from '../../ops/config.js';
import type { Store } from '../../store/store.js';
import type { ClientState, CommandContext } from './types.js';
import type { ConnectionState } from '../connection-state.js';
import type { CommandTable } from './table.js';
import type { PubsubHub } from './pubsub.js';
import type { BlockingHub } from './blocking.js';
import type { AccessControl } from '../../security/access-control.js';

/** A connected client of either protocol, as the client registry and INFO see it. */
export interface ClientHandle {
  readonly state: ConnectionState;
  readonly protocol: 'redis' | 'memcached';
  /** Socket file descriptor, -1 when unknown. */
  readonly fd: number;
  /** Input bytes received and not yet parsed into commands (qbuf). */
  queryBufferBytes(): number;
  /** Reply bytes queued and not yet taken by the kernel (omem). */
  outputBufferBytes(): number;
  /** Closes the connection (after the reply being built, when it is the caller's own). */
  kill(): void;
}

/** A RESP client, as CLIENT LIST / KILL see it: its state has Redis's fields. */
export interface RedisClientHandle extends ClientHandle {
  readonly protocol: 'redis';
  readonly state: ClientState;
}

/** Only RESP connections say protocol 'redis', and their state is a ClientState. */
export function isRedisClient(h: ClientHandle): h is RedisClientHandle {
  return h.protocol === 'redis';
}

export interface ClientDirectory {
  /** Every connected client, RESP and memcached, in connection order. */
  all(): Iterable<ClientHandle>;
  byId(id: number): ClientHandle | undefined;
  /** Connected clients of one protocol. */
  count(protocol?: 'redis' | 'memcached'): number;
}

/** Counters behind INFO stats (Redis field names in comments). */
export interface StatsView {
  readonly startedMs: number;
  /** total_connections_received */
  readonly connectionsReceived: number;
  /** rejected_connections */
  readonly rejectedConnections: number;
  /** acl_access_denied_auth: AUTH / HELLO AUTH refused (Redis 7.2's name). */
  readonly authFailures: number;
  /** total_commands_processed */
  readonly commandsProcessed: number;
  /** total_error_replies */
  readonly errorReplies: number;
  /** total_net_input_bytes / total_net_output_bytes */
  readonly netInputBytes: number;
  readonly netOutputBytes: number;
  /** keyspace_hits / keyspace_misses */
  readonly keyspaceHits: number;
  readonly keyspaceMisses: number;
  /** instantaneous_ops_per_sec and instantaneous_input_kbps/output_kbps (sampled by the server). */
  readonly opsPerSec: number;
  readonly inputKbps: number;
  readonly outputKbps: number;
  /** client_recent_max_input_buffer / client_recent_max_output_buffer */
  readonly recentMaxInputBuffer: number;
  readonly recentMaxOutputBuffer: number;
}

/** Why SHUTDOWN may not proceed: the error to reply with, or null when the server goes down. */
export interface ShutdownRequest {
  /** SHUTDOWN NOSAVE/SAVE/NOW/FORCE flags, for the log. */
  flags: string[];
  /** The client that asked, whose connection closes without a reply (as in Redis). */
  client: ClientState;
}

export interface RedisServer {
  readonly store: Store;
  readonly config: Config;
  /** Random 40-hex id of this server run (INFO run_id). */
  readonly runId: string;
  /** daxcache's own version (package.json). */
  readonly version: string;
  /** The Redis version whose behaviour daxcache follows (HELLO version, INFO redis_version). */
  readonly redisVersion: string;
  readonly clients: ClientDirectory;
  /** The command table (COMMAND introspects it). */
  readonly commands: CommandTable;
  readonly stats: StatsView;
  /** Pub/Sub channels and their subscribers (src/server/pubsub-hub.ts). */
  readonly pubsub: PubsubHub;
  /** Clients blocked by BLPOP and the other blocking commands (src/server/blocking-hub.ts). */
  readonly blocking: BlockingHub;
  /** ACL users, authentication and the ACL log. */
  readonly acl: AccessControl;
  /** aclfile, read and written by ACL LOAD / SAVE (null: none configured). */
  aclFile(): string | null;
  /** A warning for the server log (what Redis's serverLog(LL_WARNING) says). */
  warn(message: string): void;
  /** Error replies by their first word (ERR, WRONGTYPE, ...): INFO errorstats. */
  errorCounts(): Iterable<[string, number]>;
  /** Persist barriers run by group commit since start. */
  barriers(): number;
  /** Unix ms of the last SAVE/BGSAVE (or of the start): LASTSAVE. */
  lastSaveMs: number;
  /** How the pool was found at start: created / clean / crash; its open time. */
  readonly poolOpen: { state: 'created' | 'clean' | 'crash'; ms: number };
  /** Starts a graceful shutdown. */
  shutdown(req: ShutdownRequest): void;
  /** Called after CONFIG SET changed these settings (kebab-case names). */
  configChanged(names: string[]): void;
  /** An AUTH or HELLO AUTH was refused (counted in INFO and metrics; the password is never kept). */
  noteAuthFailure(): void;
  /** Acts on a setting CONFIG SET is about to assign where acting can fail (pool-size grows the pool). */
  configApply: ConfigApply;
  /** Allocates the pool file's blocks up to `bytes` off the event loop (Store.preallocate). */
  preallocatePool(bytes: number): Promise<void>;
  /** CONFIG RESETSTAT. */
  resetStats(): void;
  /** CONFIG REWRITE: null on success, or the reason it failed. */
  rewriteConfig(): string | null;
}

/** The server services of a command's context. */
export function redisServer(ctx: CommandContext): RedisServer {
  return ctx.server;
}

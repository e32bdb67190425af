// What a Redis command handler sees, and how the command table describes a command (the shape of
// Redis's command table: name, arity, flags, key positions).
import type { Store } from '../../store/store.js';
import type { Reply } from '../../protocol/resp/reply.js';
import type { RedisServer } from './services.js';
import type { ConnectionState } from '../connection-state.js';
import type { MultiState, WatchState } from './multi.js';
import type { Subscriptions } from './pubsub.js';
import type { BlockRequest } from './blocking.js';

/** A RESP connection's state: the shared part and what Redis's commands set on it. */
export interface ClientState extends ConnectionState {
  name: string;
  /** Protocol version negotiated with HELLO. */
  resp: 2 | 3;
  db: number;
  libName: string;
  libVersion: string;
  /** CLIENT REPLY ON|OFF|SKIP */
  replyMode: 'on' | 'off' | 'skip';
  noEvict: boolean;
  /** Set by QUIT / CLIENT KILL: close after the pending replies are written. */
  closeAfterReply: boolean;
  /** Between MULTI and EXEC/DISCARD: the queued commands. */
  multi: MultiState | null;
  /** Keys WATCHed (until EXEC, DISCARD or UNWATCH). */
  watched: WatchState | null;
  /** Pub/Sub channels, patterns and shard channels subscribed to (pubsub.ts). */
  pubsub: Subscriptions;
  /** Left by a blocking command that found nothing (blocking.ts); the connection blocks the client on it. */
  blockRequest: BlockRequest | null;
  /** Waiting in the server's BlockingHub (CLIENT LIST flag b), or for a deferred reply. */
  blocked: boolean;
  /**
   * Left by a command whose work runs off the event loop (CONFIG SET pool-size allocating the new
   * space): the connection holds the client's later commands until it settles, then sends it.
   */
  deferredReply: Promise<Reply> | null;
}

export interface CommandContext {
  readonly store: Store;
  readonly client: ClientState;
  /** Server-wide services (services.ts), implemented by src/server/context.ts. */
  readonly server: RedisServer;
}

/** argv[0] is the command name as sent; argv.length has been checked against the arity. */
export type CommandHandler = (ctx: CommandContext, argv: Buffer[]) => Reply;

// As Redis's CMD_* flags. Most only describe (daxcache has no scripts, no async loading, no slow
// log); no_multi is enforced: such a command inside MULTI dooms the transaction, as in Redis.
export type CommandFlag = 'write' | 'readonly' | 'denyoom' | 'admin' | 'fast' | 'noauth' | 'loading' | 'stale' | 'noscript' | 'pubsub'
  | 'multikey' | 'blocking' | 'allow_busy' | 'skip_slowlog' | 'no_async_loading' | 'no_multi';

export interface CommandSpec {
  /** Lower-case name. */
  name: string;
  /** Redis arity: N = exactly N args including the name, -N = at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions, as in COMMAND INFO: first key, last key (-1 = last arg), step. 0,0,0 = no keys. */
  firstKey: number;
  lastKey: number;
  step: number;
  handler: CommandHandler;
  /** ACL categories beyond those the flags and the group give (Redis's own, e.g. RESTORE's @dangerous). */
  categories?: readonly string[];
  /**
   * Intent-log lines a write with these arguments may stage beyond one keyed write's margin: a
   * collection write of many elements stages some per element (MULTI/EXEC sizes its transaction
   * with it).
   */
  logLines?: (argv: Buffer[]) => number;
  /** Subcommands (CONFIG GET, CLIENT LIST, ...), lower-case name -> spec with its own arity. */
  subcommands?: Record<string, CommandSpec>;
}

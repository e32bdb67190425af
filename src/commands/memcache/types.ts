// What a memcached command handler sees. Handlers run synchronously on the event loop and write
// their replies straight into the connection's ReplyWriter; the listener flushes that writer
// only after the turn's persist barrier (group commit), so a handler never touches the socket.
import type { Config } from '../../ops/config.js';
import type { ReplyWriter, Request, RequestKind } from '../../protocol/memcache/index.js';
import type { Store } from '../../store/store.js';
import type { SlabClasses } from './classes.js';
import type { McCounters } from './counters.js';
import type { ItemState } from './item-state.js';
import type { PrefixStats } from './prefix-stats.js';

/** Server-wide services, shared by every memcached connection (the listener provides them). */
export interface McServer {
  readonly store: Store;
  /** Live configuration (some settings change at runtime with CONFIG SET). */
  readonly config: Config;
  readonly counters: McCounters;
  readonly items: ItemState;
  /** `stats detail` per-prefix counters. */
  readonly prefixes: PrefixStats;
  readonly classes: SlabClasses;
  readonly version: string;
  readonly startedMs: number;
  /** `verbosity` level as last set (memcached's settings.verbose, capped at 2). */
  verbosity: number;
  /** Memcached connections open now. */
  currentConnections(): number;
  /** The open memcached connections, for `stats conns`. */
  connectionList(): Iterable<McConnInfo>;
  /** Runs a flush_all now (delayMs 0) or later; a newer flush_all replaces a pending one. */
  scheduleFlush(delayMs: number): void;
  /** Stops the server (the `shutdown` command, when memcached-shutdown is enabled). */
  shutdown(graceful: boolean): void;
}

/** One connection as `stats conns` shows it. */
export interface McConnInfo {
  /** Socket file descriptor (-1 when unknown): memcached keys its lines by it. */
  readonly fd: number;
  /** host:port of the client and of the listener. */
  readonly addr: string;
  readonly laddr: string;
  readonly lastCommandMs: number;
  /** The client id (McConnection.clientId), so the asking connection can tell itself apart. */
  readonly id: number;
}

/** The connection a command runs on. */
export interface McConnection {
  /** Set by `quit`: close once the replies queued so far are written; read no more. */
  closeAfterReply: boolean;
  readonly clientId: number;
}

export interface McContext {
  readonly server: McServer;
  readonly store: Store;
  readonly w: ReplyWriter;
  readonly conn: McConnection;
  /** The time of this batch of requests (ms since the epoch), read once per socket read. */
  now: number;
}

export type McHandler<R extends Request = Request> = (ctx: McContext, req: R) => void;

/** The command table: one handler per request kind. */
export type McTable = { [K in RequestKind]: McHandler<Extract<Request, { kind: K }>> };

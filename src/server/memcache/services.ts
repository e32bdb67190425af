// The server-wide state memcached commands share (counters, the DRAM item table, `stats detail`,
// slab classes) and the services they call: delayed flush_all and shutdown.
import type { Config } from '../../ops/config.js';
import type { Logger } from '../../ops/logger.js';
import type { Store } from '../../store/store.js';
import { ItemState, McCounters, PrefixStats, SlabClasses, type McConnInfo, type McServer } from '../../commands/memcache/index.js';
import type { GroupCommit } from '../commit.js';

/** The memcached release whose text and meta protocols daxcache follows (`version`, `stats`). */
export const MEMCACHED_COMPAT_VERSION = '1.6.18';

/** setTimeout's largest delay; longer flush_all delays are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface McServiceDeps {
  store: Store;
  config: Config;
  commit: GroupCommit;
  logger: Logger;
  /** Memcached connections open now. */
  connections: () => number;
  /** Their `stats conns` view. */
  connectionList: () => Iterable<McConnInfo>;
}

export class McServices implements McServer {
  readonly store: Store;
  readonly config: Config;
  readonly counters: McCounters;
  readonly items: ItemState;
  readonly prefixes = new PrefixStats();
  readonly classes: SlabClasses;
  readonly version = MEMCACHED_COMPAT_VERSION;
  readonly startedMs = Date.now();
  verbosity = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: McServiceDeps) {
    this.store = deps.store;
    this.config = deps.config;
    this.classes = SlabClasses.of(deps.store);
    this.counters = new McCounters(this.classes.count);
    this.items = new ItemState(this.startedMs);
  }

  currentConnections(): number {
    return this.deps.connections();
  }

  connectionList(): Iterable<McConnInfo> {
    return this.deps.connectionList();
  }

  scheduleFlush(delayMs: number): void {
    this.cancelFlush();
    if (delayMs <= 0) {
      this.flushNow();
      return;
    }
    const step = Math.min(delayMs, MAX_TIMER_MS);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (delayMs > step) this.scheduleFlush(delayMs - step);
      else this.flushLater();
    }, step);
    this.flushTimer.unref();
  }

  /** memcached raises SIGINT for `shutdown` (SIGUSR1 for graceful); daxcache's SIGINT is graceful. */
  shutdown(graceful: boolean): void {
    this.deps.logger.info({ graceful }, 'shutdown requested by a memcached client');
    setImmediate(() => process.kill(process.pid, 'SIGINT'));
  }

  /** Stops a pending delayed flush (server shutdown). */
  cancelFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private flushNow(): void {
    this.store.flushAll();
    this.items.clear();
  }

  /** A delayed flush runs outside any client's turn: make it durable at once. */
  private flushLater(): void {
    if (this.store.isClosed) return;
    this.flushNow();
    this.deps.commit.barrier();
    this.deps.logger.info('delayed flush_all done');
  }
}

// What every protocol listener (RESP, memcached) gets from the server and must offer it, so that
// server.ts starts and stops them all in one place.
import { DENIED_MEMCACHED, DENIED_RESP, refusedByProtectedMode } from './protected-mode.js';
import type { Config } from '../ops/config.js';
import type { Logger } from '../ops/logger.js';
import type { DaxMetrics } from '../ops/metrics.js';
import type { Store } from '../store/store.js';
import type { ClientRegistry } from './clients.js';
import type { GroupCommit } from './commit.js';
import type { SocketPoller } from './poller.js';
import type { ServerStats } from './stats.js';
import type { AccessControl } from '../security/access-control.js';
import type { TlsContext } from './tls-context.js';

export interface ListenerDeps {
  store: Store;
  /** Every reply goes through commit.later(sink): no reply leaves before the turn's barrier. */
  commit: GroupCommit;
  /** Live configuration (CONFIG SET mutates it in place). */
  config: Config;
  logger: Logger;
  metrics: DaxMetrics;
  /** Shared by both protocols: ids and the maxclients bound. */
  clients: ClientRegistry;
  stats: ServerStats;
  /** ACL users: who connections run as, and whether they must authenticate first. */
  acl: AccessControl;
  /** The TLS ports' context (null when no TLS port is configured). */
  tls?: TlsContext | null;
  /** Native socket I/O for client connections; absent: Node's sockets. */
  poller?: SocketPoller | null;
}

export interface Listener {
  /** For logs: "redis", "memcached". */
  readonly name: string;
  /** Binds and resolves once listening; rejects on EADDRINUSE and the like. */
  start(): Promise<void>;
  /** Where it listens (after start): its plain and TLS ports. */
  addresses(): Array<{ host: string; port: number; tls: boolean }>;
  /** Shutdown, step 1: accept no new connection and read no more requests. */
  stopAccepting(): void;
  /**
   * Shutdown, step 2 (after the final barrier flushed every reply): close every connection once its
   * replies are written; resolves when all are closed or after timeoutMs (then they are destroyed).
   */
  closeConnections(timeoutMs: number): Promise<void>;
  /** Called about every 100 ms (idle timeouts, output buffer soft limits). */
  cron?(nowMs: number): void;
}

/** Binds `server`; resolves once listening, rejects on EADDRINUSE and the like. */
export function listenOn(server: import('node:net').Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Where `server` listens, or the configured address before it does. */
export function addressOf(server: import('node:net').Server, host: string, port: number): { host: string; port: number } {
  const a = server.address();
  return typeof a === 'object' && a ? { host: a.address, port: a.port } : { host, port };
}

/**
 * The accept gate of every listener: a socket arriving during shutdown is dropped; past maxclients it
 * gets the protocol's refusal line and is closed. True when the connection may be served (and is
 * then counted in the connection metrics).
 */
export function admit(
  socket: import('node:net').Socket,
  accepting: boolean,
  deps: Pick<ListenerDeps, 'clients' | 'metrics' | 'config' | 'acl'>,
  protocol: 'redis' | 'memcached',
  refusal: string | Uint8Array,
  onRefused: () => void,
): boolean {
  if (!accepting) {
    socket.destroy();
    return false;
  }
  // Past maxclients first (Redis's acceptCommonHandler), then protected mode (clientAcceptHandler).
  const why = !deps.clients.hasRoom() ? refusal : refusedByProtectedMode(deps.config, deps.acl, socket.remoteAddress) ? (protocol === 'redis' ? DENIED_RESP : DENIED_MEMCACHED) : null;
  if (why !== null) {
    onRefused();
    deps.metrics.connectionsRejected.inc({ protocol });
    socket.on('error', () => {});
    socket.end(why);
    return false;
  }
  deps.metrics.connectionsTotal.inc({ protocol });
  deps.metrics.connections.inc({ protocol });
  return true;
}

/** Shutdown: end every connection after its queued replies; destroy what lingers past timeoutMs. */
export async function endConnections(
  connections: Set<{ end(): void; destroy(): void; readonly done: Promise<void> }>,
  timeoutMs: number,
): Promise<void> {
  for (const c of connections) c.end();
  const all = Promise.all([...connections].map((c) => c.done));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([all, timedOut]);
  clearTimeout(timer);
  for (const c of connections) c.destroy();
}

// What a client connection of either protocol does the same way: it opens its socket (the native
// poller, or Node's), registers with the client registry, applies the output limits and the idle
// timeout, and keeps the close bookkeeping. Parsing, running and replying are the protocol's own
// (resp/connection.ts, memcache/connection.ts), as are backpressure and half-close handling.
import type { Socket } from 'node:net';
import type { ClientHandle } from '../commands/redis/services.js';
import type { ConnectionState } from '../commands/connection-state.js';
import type { ReplySink } from './commit.js';
import type { ListenerDeps } from './listener.js';
import { OutputLimit, idleTooLong, newConnectionState } from './client-limits.js';
import { openClientSocket } from './socket-read.js';
import type { ClientSocket } from './io/socket.js';

/** What every connection needs of its listener. */
export type ConnectionDeps = Pick<ListenerDeps, 'store' | 'commit' | 'config' | 'logger' | 'metrics' | 'clients' | 'poller' | 'acl'>;

/** `S` is the protocol's connection state: the shared part plus the protocol's own fields. */
export abstract class ClientConnection<D extends ConnectionDeps, S extends ConnectionState = ConnectionState> implements ReplySink, ClientHandle {
  readonly state: S;
  readonly fd: number;
  readonly socket: ClientSocket;
  /** Resolves when the socket has closed. */
  readonly done: Promise<void>;
  awaitingCommit = false;
  /** No more input is processed; the socket ends once the queued replies are written. */
  protected closing = false;
  protected closed = false;
  protected readonly outputLimit: OutputLimit;
  protected abstract readonly parser: { readonly bufferedBytes: number; readonly inRequest: boolean; readonly completed: number };
  /** client-request-timeout: when the cron first saw the request now arriving (0 = none), and the parser's count then. */
  private requestSeenMs = 0;
  private requestSeenCompleted = -1;
  protected abstract readonly writer: { readonly length: number };

  /** `raw` is an accepted socket that has not started reading (pauseOnConnect). */
  constructor(
    raw: Socket,
    protected readonly deps: D,
    readonly protocol: 'redis' | 'memcached',
    protocolState: (base: ConnectionState) => S,
  ) {
    const { config } = deps;
    // Handlers are the subclass's methods; none runs before its constructor has finished (reads
    // and socket events come from later event-loop turns).
    const { socket, fd } = openClientSocket(raw, deps.poller, (chunk) => this.onChunk(chunk));
    this.socket = socket;
    this.fd = fd;
    this.state = protocolState(newConnectionState(deps.clients.nextId(), socket, deps.acl));
    this.outputLimit = new OutputLimit(config);
    socket.setNoDelay(true);
    if (config.tcpKeepalive > 0) socket.setKeepAlive(true, config.tcpKeepalive * 1000);
    this.done = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => this.deps.logger.debug({ client: this.state.addr, err: err.message }, 'client socket error'));
    socket.once('close', this.onClose);
    deps.clients.add(this);
  }

  /** Runs the requests in a chunk read; the chunk is valid only during the call. */
  protected abstract onChunk(chunk: Buffer): void;
  /** The client shut down its side. */
  protected abstract onEnd(): void;
  /** The socket took all its queued output after a write reported backpressure. */
  protected abstract onDrain(): void;
  /** ReplySink: called after the turn's barrier. */
  abstract flushReplies(): void;

  /** True while the connection waits on the client (to read its replies): not idle then. */
  protected waitingOnClient(): boolean {
    return false;
  }

  /** client-output-buffer-limit normal <hard> <soft> <seconds>. */
  protected checkOutputLimits(pending: number, nowMs: number): void {
    if (this.outputLimit.exceeded(pending, nowMs)) {
      this.deps.logger.warn({ client: this.state.addr, omem: pending }, 'client closed for overcoming of output buffer limits');
      this.destroy();
    }
  }

  /** Server cron: idle timeout and the soft output limit of a client that stopped reading. */
  cron(nowMs: number): void {
    if (this.closed) return;
    if (!this.closing && !this.waitingOnClient() && idleTooLong(this.deps.config, this.state, nowMs)) {
      this.deps.logger.debug({ client: this.state.addr }, 'closing idle client');
      this.destroy();
      return;
    }
    if (this.requestTooSlow(nowMs)) {
      this.deps.logger.info({ client: this.state.addr, seconds: this.deps.config.clientRequestTimeout }, 'closing client whose request did not arrive in time (client-request-timeout)');
      this.deps.metrics.requestTimeouts.inc({ protocol: this.protocol });
      this.destroy();
      return;
    }
    const pending = this.socket.writableLength;
    if (pending > 0) this.checkOutputLimits(pending, nowMs);
  }

  /**
   * client-request-timeout: a request has been arriving for longer than the limit — the parser
   * holds part of one, no request completed since the cron first saw it, and the server is not the
   * one holding it (blocked client, paused for output, closing). Unlike `timeout`, every byte does
   * not restart the clock, so a client sending one byte every few seconds cannot hold a connection.
   */
  private requestTooSlow(nowMs: number): boolean {
    const limit = this.deps.config.clientRequestTimeout;
    const parser = this.parser;
    if (limit <= 0 || this.closing || this.waitingOnClient() || !parser.inRequest) {
      this.requestSeenMs = 0;
      return false;
    }
    if (this.requestSeenMs === 0 || parser.completed !== this.requestSeenCompleted) {
      this.requestSeenMs = nowMs;
      this.requestSeenCompleted = parser.completed;
      return false;
    }
    return nowMs - this.requestSeenMs >= limit * 1000;
  }

  private readonly onClose = (): void => {
    this.closed = true;
    this.closing = true;
    this.deps.clients.remove(this);
    this.deps.metrics.connections.dec({ protocol: this.protocol });
  };

  destroy(): void {
    if (this.closed) return;
    this.closing = true;
    this.socket.destroy();
  }

  // ClientHandle
  queryBufferBytes(): number {
    return this.parser.bufferedBytes;
  }

  outputBufferBytes(): number {
    return this.writer.length + (this.closed ? 0 : this.socket.writableLength);
  }

  kill(): void {
    this.destroy();
  }
}

// One memcached client connection. Every chunk read is parsed completely and its requests run at
// once, in order (pipelining); replies accumulate in one ReplyWriter and leave after the turn's
// persist barrier (GroupCommit calls flushReplies), so no STORED precedes the barrier.
// Bounds: unparsed input (client-query-buffer-limit), and output: past PAUSE_ABOVE unsent bytes
// the connection stops reading and running requests until the socket drains; a huge multi-get is
// served in slices the same way. client-output-buffer-limit and the idle timeout apply as for RESP.
import type { Socket } from 'node:net';
import {
  ERR,
  MemcacheParser,
  ReplyWriter,
  writeLine,
  writeParseError,
  type GetRequest,
  type ParseError,
  type Request,
} from '../../protocol/memcache/index.js';
import { aclAllows, authenticate, COMMANDS, commandName, getCommand, type McConnection, type McContext } from '../../commands/memcache/index.js';
import { StoreError } from '../../store/store.js';
import type { ListenerDeps } from '../listener.js';
import { ClientConnection } from '../client-connection.js';
import type { McServices } from './services.js';

/** Above this many unsent reply bytes, stop reading and running requests until the socket drains. */
export const PAUSE_ABOVE = 1024 * 1024;

/** What the memcached listener needs of the server (not the RESP counters of ListenerDeps). */
export type MemcacheDeps = Omit<ListenerDeps, 'stats'>;

export interface MemcacheConnDeps extends MemcacheDeps {
  services: McServices;
  /** Command counts for the metrics, reported by the listener's cron. */
  countCommand(name: string, error: boolean, seconds: number): void;
}

export class MemcacheConnection extends ClientConnection<MemcacheConnDeps> implements McConnection {
  closeAfterReply = false;
  protected readonly parser: MemcacheParser;
  get clientId(): number {
    return this.state.id;
  }
  protected readonly writer = new ReplyWriter();
  private readonly ctx: McContext;
  /** Stopped for output backpressure; `kick` resumes. */
  private waiting = false;
  /** A multi-get stopped mid-way (its next key), resumed before any later request. */
  private partialGet: { req: GetRequest; next: number } | null = null;
  /** The client shut down its side: close once every buffered request has been answered. */
  private inputEnded = false;

  /** `raw` is an accepted socket that has not started reading (pauseOnConnect). */
  constructor(raw: Socket, deps: MemcacheConnDeps) {
    super(raw, deps, 'memcached', (base) => base);
    this.parser = new MemcacheParser({ itemSizeMax: deps.config.itemSizeMax });
    this.ctx = { server: deps.services, store: deps.store, w: this.writer, conn: this, now: this.state.createdMs };
  }

  /** Runs the requests in the chunk. What is left of it is copied: the chunk's memory is reused. */
  protected onChunk(chunk: Buffer): void {
    if (this.closing) return;
    this.deps.services.counters.bytesRead += chunk.length;
    this.parser.feed(chunk);
    if (this.parser.bufferedBytes > this.deps.config.clientQueryBufferLimit) {
      this.deps.logger.warn({ client: this.state.addr }, 'closing client that reached the max query buffer length');
      this.destroy();
      return;
    }
    if (!this.waiting) this.run();
    // Requests never point into the chunk (lines and data blocks are copies); unparsed bytes may.
    this.parser.detach();
  }

  /** Runs every complete request buffered, unless output backpressure stops it. */
  private run(): void {
    const ctx = this.ctx;
    const now = Date.now();
    ctx.now = now;
    this.state.lastInteractionMs = now;
    if (this.partialGet === null || this.continueGet()) {
      const parser = this.parser;
      while (!this.closing) {
        if (this.writer.length + this.unsentOutput() > PAUSE_ABOVE) {
          this.wait();
          break;
        }
        const req = parser.next();
        if (req === undefined) break;
        if (req.kind === 'error') this.parseError(req);
        else if (!this.execute(req)) break;
      }
    }
    if (this.inputEnded && !this.waiting) this.closing = true;
    if (!this.closed) this.deps.commit.later(this);
  }

  /** Runs one request; false when processing must stop (a multi-get waits for the socket). */
  private execute(req: Request): boolean {
    const name = commandName(req);
    this.state.lastCommand = name;
    let error = false;
    const t0 = performance.now();
    try {
      // While the default user needs a password (read per request: CONFIG SET and ACL SETUSER
      // apply at once), a connection must authenticate first, as memcached -Y does; then its
      // user's ACL rules hold.
      const acl = this.deps.acl;
      if (!this.state.authenticated && acl.authRequired) {
        const user = authenticate(this.ctx, this.state, req, acl);
        if (user !== null) {
          this.state.authenticated = true;
          this.state.user = user;
        }
      } else if (!aclAllows(this.ctx, this.state, req, acl)) {
        // refused: the CLIENT_ERROR is written
      } else if (req.kind === 'get') {
        const next = getCommand(this.ctx, req);
        if (next >= 0) {
          this.partialGet = { req, next };
          this.wait();
          this.deps.countCommand(name, false, (performance.now() - t0) / 1000);
          return false;
        }
      } else {
        (COMMANDS[req.kind] as (ctx: McContext, r: Request) => void)(this.ctx, req);
      }
    } catch (e) {
      error = true;
      this.internalError(name, e);
    }
    this.deps.countCommand(name, error, (performance.now() - t0) / 1000);
    if (this.closeAfterReply) this.closing = true;
    return true;
  }

  /** Continues a stopped multi-get; true once it is complete. */
  private continueGet(): boolean {
    const p = this.partialGet!;
    try {
      p.next = getCommand(this.ctx, p.req, p.next);
    } catch (e) {
      p.next = -1;
      this.internalError('get', e);
    }
    if (p.next >= 0) {
      this.wait();
      return false;
    }
    this.partialGet = null;
    return true;
  }

  private parseError(e: ParseError): void {
    const services = this.deps.services;
    if (e.line === ERR.TOO_LARGE) services.counters.storeTooLarge++;
    // memcached drops the old value of a set refused as too large, so no stale value survives.
    if (e.unlinkKey) {
      try {
        this.deps.store.delete(e.unlinkKey);
      } catch (err) {
        this.internalError('unlink', err);
      }
    }
    writeParseError(this.writer, e);
    this.deps.countCommand('unknown', true, 0);
    if (e.close) this.closing = true;
  }

  private internalError(command: string, e: unknown): void {
    if (e instanceof StoreError && e.code === 'CLOSED') {
      // The pool closed under us (shutdown): answer nothing more.
      this.closing = true;
      return;
    }
    this.deps.logger.error({ client: this.state.addr, command, err: (e as Error).message }, 'command failed unexpectedly');
    writeLine(this.writer, 'SERVER_ERROR internal error');
  }

  /** Stop reading and running requests until the socket drains (see kick). */
  private wait(): void {
    if (this.waiting) return;
    this.waiting = true;
    this.socket.pause();
  }

  private readonly kick = (): void => {
    if (!this.waiting || this.closed) return;
    this.waiting = false;
    if (!this.closing) this.socket.resume();
    this.run();
  };

  /** ReplySink: called after the turn's barrier. */
  flushReplies(): void {
    if (this.closed) return;
    const socket = this.socket;
    if (this.writer.length > 0) {
      const n = this.writer.length;
      const out = this.writer.take();
      if (out.length === 1) {
        socket.write(out[0]!);
      } else {
        // One writev for the batch (large values are separate chunks, never copied).
        socket.cork();
        for (const b of out) socket.write(b);
        socket.uncork();
      }
      this.deps.services.counters.bytesWritten += n;
      // The bytes were copied (or the kernel took them all): nothing references the writer's buffer now.
      if (socket.copiesWrites === true || socket.writableLength === 0) this.writer.recycle();
    }
    if (this.closing && this.partialGet === null) {
      socket.end();
      return;
    }
    const pending = this.waiting ? socket.writableLength : this.unsentOutput();
    if (pending > 0) this.checkOutputLimits(pending, Date.now());
    // Stopped for output but the kernel took it all: go on without waiting for a drain event.
    if (this.waiting && pending <= PAUSE_ABOVE) setImmediate(this.kick);
  }

  /**
   * The socket's unsent output, or 0 when it is too little to matter: under the socket's high-water
   * mark (no drain awaited) and below every output limit. Saves asking the native writer (a call and
   * a cache line shared with its thread) for every request.
   */
  private unsentOutput(): number {
    const s = this.socket;
    if (!s.writableNeedDrain && s.writableHighWaterMark < this.outputLimit.lowestBytes()) return 0;
    return s.writableLength;
  }

  /** A connection stopped for output waits on its client: not idle. */
  protected override waitingOnClient(): boolean {
    return this.waiting;
  }

  protected onDrain(): void {
    this.outputLimit.reset();
    if (this.waiting) this.kick();
  }

  /** The client closed its side: answer what it sent, then close ours (allowHalfOpen). */
  protected onEnd(): void {
    this.inputEnded = true;
    // While waiting for the output to drain, buffered requests still run first (see run).
    if (this.waiting) return;
    this.closing = true;
    this.deps.commit.later(this);
  }

  /** Shutdown: read and run nothing more; pending replies still go out with the final flush. */
  stopReading(): void {
    this.closing = true;
    this.partialGet = null;
    this.socket.pause();
  }

  /** Ends the socket after what is queued (shutdown); destroyed by the caller if it lingers. */
  end(): void {
    if (!this.closed) this.socket.end();
  }
}

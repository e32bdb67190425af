// One RESP client connection. Each chunk read is parsed completely and its commands run at once,
// in order (pipelining); replies accumulate in one ReplyWriter and leave in a single socket write
// after the turn's persist barrier (GroupCommit calls flushReplies). Limits follow Redis: protocol
// errors and QUIT close after the reply, the query buffer limit closes at once, the output buffer
// limit (hard, or soft for some seconds) disconnects a slow reader.
import type { Socket } from 'node:net';
import { OK, ProtocolError, ReplyWriter, RequestParser, type Reply } from '../../protocol/resp/index.js';
import type { RedisServer } from '../../commands/redis/services.js';
import type { CommandTable } from '../../commands/redis/table.js';
import type { ClientState, CommandContext } from '../../commands/redis/types.js';
import { newClientState } from '../../commands/redis/connection.js';
import { isReplySequence, isSubscribed } from '../../commands/redis/pubsub.js';
import type { ListenerDeps } from '../listener.js';
import { ClientConnection } from '../client-connection.js';
import type { ServerBlockingHub } from '../blocking-hub.js';

export interface RespDeps extends ListenerDeps {
  table: CommandTable;
  /** The services handlers see as ctx.server. */
  context: RedisServer;
  /** Where a client that ran a blocking command waits (the same hub as context.blocking). */
  blocking: ServerBlockingHub;
}

/**
 * Above this many unsent reply bytes, stop reading from the client until the socket drains (at the
 * soft limit if that is higher). With a hard limit configured there is no pause: the client is
 * disconnected at the limit, as Redis does.
 */
const PAUSE_ABOVE = 1024 * 1024;

/** The commonest reply, copied as bytes (the generic encoder formats and sanitizes it each time). */
const OK_BYTES = Buffer.from('+OK\r\n');

export class RespConnection extends ClientConnection<RespDeps, ClientState> {
  protected readonly parser: RequestParser;
  protected readonly writer = new ReplyWriter();
  private readonly ctx: CommandContext;
  private skipNext = false;
  /** A protocol error: close the socket fully after the error reply (see closeAfterOutput). */
  private closeFully = false;
  private pausedForOutput = false;

  /** `raw` is an accepted socket that has not started reading (pauseOnConnect). */
  constructor(raw: Socket, deps: RespDeps) {
    const { config } = deps;
    super(raw, deps, 'redis', newClientState);
    this.parser = new RequestParser({ maxBulkLen: config.protoMaxBulkLen, queryBufferLimit: config.clientQueryBufferLimit });
    this.ctx = { store: deps.store, client: this.state, server: deps.context };
    // Pub/Sub: messages published by any connection are queued here and leave with the turn's
    // flush; a subscribed client is held to the pubsub output limit; closing leaves every channel.
    this.state.pubsub.deliver = (msg) => {
      if (this.closed) return;
      this.writer.write(msg, this.state.resp);
      this.deps.commit.later(this);
    };
    this.outputLimit.pubsub = () => isSubscribed(this.state);
    this.socket.once('close', () => {
      deps.context.pubsub.leaveAll(this.state);
      deps.blocking.cancel(this.state.id);
    });
  }

  /** Runs every command in the chunk. What the parser keeps of it is copied: the chunk's memory is reused. */
  protected onChunk(chunk: Buffer): void {
    if (this.closing) return;
    const { stats } = this.deps;
    stats.netInputBytes += chunk.length;
    this.state.lastInteractionMs = Date.now();
    this.parser.feed(chunk);
    this.runParsed();
  }

  /**
   * Runs the commands parsed so far, in order, until the input runs out or a command blocks the
   * client: a blocked client's later commands stay in the parser (Redis does not read a blocked
   * client's input either) and run once its wait ends.
   */
  private runParsed(): void {
    const { stats } = this.deps;
    const parser = this.parser;
    while (!this.state.blocked) {
      const cmd = parser.next();
      if (cmd === undefined) break;
      if (cmd instanceof ProtocolError) {
        this.protocolError(cmd);
        break;
      }
      this.execute(cmd);
      if (this.closing) break;
    }
    const buffered = parser.bufferedBytes;
    if (buffered > stats.recentMaxInputBuffer) stats.recentMaxInputBuffer = buffered;
    if (buffered > 0) parser.detach();
    if (!this.closed) this.deps.commit.later(this);
  }

  private execute(argv: Buffer[]): void {
    const state = this.state;
    const skip = this.skipNext;
    this.skipNext = false;
    const reply = this.deps.table.dispatch(this.ctx, argv);
    const hub = this.deps.blocking;
    if (state.blockRequest !== null) {
      // A blocking command found nothing: wait; its reply comes from the hub (served or timed out).
      const req = state.blockRequest;
      state.blockRequest = null;
      hub.block(this.ctx, req, (r) => this.unblocked(r, !skip));
      return;
    }
    if (state.deferredReply !== null) {
      // The command's work goes on off the loop: hold this client's later commands (as a blocked
      // client's) until its reply is there; other clients go on meanwhile.
      const pending = state.deferredReply;
      state.deferredReply = null;
      state.blocked = true;
      void pending.then((r) => {
        state.blocked = false;
        this.unblocked(r, !skip);
      });
      return;
    }
    // CLIENT REPLY: OFF sends nothing; SKIP sends nothing for itself and for the next command.
    let send = !skip && state.replyMode === 'on';
    if (state.replyMode === 'skip') {
      state.replyMode = 'on';
      this.skipNext = true;
      send = false;
    }
    // The reply is encoded first: a FillBulk copies its value from the store's last find, which
    // the next store call (serving a waiter, below) replaces. Redis too has the reply queued
    // before it serves the clients blocked on the keys the command wrote.
    if (send) this.writeReply(reply);
    if (state.closeAfterReply) this.closing = true;
    // The command (a whole EXEC) is done: clients waiting on keys it wrote get served now.
    if (hub.hasReady) hub.serveReady();
  }

  private writeReply(reply: Reply): void {
    if (reply === OK) this.writer.writeRaw(OK_BYTES);
    else if (Array.isArray(reply) && isReplySequence(reply)) {
      // (UN)SUBSCRIBE: one reply per channel.
      for (let i = 0; i < reply.length; i++) this.writer.write(reply[i]!, this.state.resp);
    } else this.writer.write(reply, this.state.resp);
  }

  /**
   * The wait of a blocking command ended (from the hub, inside another client's command or a
   * timer): its reply leaves with this turn's flush, after the barrier that makes the pop durable;
   * the commands held meanwhile run on the next turn, not inside the other client's command.
   */
  private unblocked(reply: Reply, send: boolean): void {
    if (this.closed) return;
    if (send && this.state.replyMode === 'on') this.writeReply(reply);
    this.deps.commit.later(this);
    setImmediate(() => {
      if (!this.closed && !this.closing && !this.state.blocked) this.runParsed();
    });
  }

  private protocolError(err: ProtocolError): void {
    const { logger, table } = this.deps;
    table.countError(err);
    if (!err.sendReply) {
      // Redis frees a client over client-query-buffer-limit at once, without a reply.
      logger.warn({ client: this.state.addr, reason: err.reason }, 'closing client that reached the max query buffer length');
      this.destroy();
      return;
    }
    logger.debug({ client: this.state.addr, reason: err.reason }, 'protocol error from client');
    if (this.state.replyMode === 'on') this.writer.writeError(err.message);
    this.closing = true;
    // Redis frees such a client once the error is written (CLIENT_CLOSE_AFTER_REPLY): a full close,
    // not a half-close that goes on reading, so a peer that keeps writing sees the connection end.
    this.closeFully = true;
  }

  /** A blocked client is not idle (Redis's clientsCronHandleTimeout skips blocked clients). */
  protected override waitingOnClient(): boolean {
    return this.state.blocked;
  }

  /** ReplySink: called after the turn's barrier. */
  flushReplies(): void {
    if (this.closed) return;
    const socket = this.socket;
    if (this.writer.length > 0) {
      const out = this.writer.take();
      this.deps.stats.netOutputBytes += out.length;
      socket.write(out);
      // The native writer copied the bytes: the reply buffer can be filled again from its start.
      if (socket.copiesWrites === true) this.writer.recycle();
    }
    if (this.closing) {
      socket.end();
      if (this.closeFully) this.closeAfterOutput();
      return;
    }
    const pending = socket.writableLength;
    if (pending > this.deps.stats.recentMaxOutputBuffer) this.deps.stats.recentMaxOutputBuffer = pending;
    if (pending > 0) this.checkOutputLimits(pending, Date.now());
    const { hardBytes, softBytes } = this.outputLimit.current();
    if (hardBytes === 0 && pending > Math.max(PAUSE_ABOVE, softBytes) && !this.pausedForOutput && !this.closed) {
      // Backpressure: a client that does not read its replies stops being read.
      this.pausedForOutput = true;
      socket.pause();
    }
  }

  protected onDrain(): void {
    this.outputLimit.reset();
    if (this.pausedForOutput && !this.closing) {
      this.pausedForOutput = false;
      this.socket.resume();
    }
  }

  /**
   * Closes the socket once the output written so far is on its way. The native writer sends what
   * it was given before a close staged after it, so it closes at once; a Node socket waits until
   * its stream buffer is empty (at most a second).
   */
  private closeAfterOutput(): void {
    const socket = this.socket;
    if (socket.copiesWrites === true || socket.writableLength === 0) {
      this.destroy();
      return;
    }
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (this.closed || socket.writableLength === 0 || Date.now() - t0 > 1000) {
        clearInterval(poll);
        this.destroy();
      }
    }, 10);
    poll.unref();
  }

  /** The client closed its side: answer what it sent, then close ours (allowHalfOpen). */
  protected onEnd(): void {
    this.closing = true;
    this.deps.commit.later(this);
  }

  /** Shutdown: read nothing more; pending replies still go out with the final flush. */
  stopReading(): void {
    this.closing = true;
    this.socket.pause();
  }

  /** Ends the socket after what is queued (shutdown); destroyed by the caller if it lingers. */
  end(): void {
    if (this.closed) return;
    this.socket.end();
    // Read again (input is ignored now) so the client's FIN is seen and the socket can close.
    this.socket.resume();
  }
}

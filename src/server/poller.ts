// Client sockets served by the native poller (native/io/poller.h) instead of Node's streams. Every
// socket that became readable in one event-loop iteration is read into one shared arena, and the
// iteration's input arrives here in ONE call (dispatch), which runs every connection's requests and
// then the turn's group commit — no stream callback, Buffer allocation or setImmediate per socket.
// Replies are copied to the native writer, whose own thread sends them once the dispatch is over
// (native/io/writer.h), so the sends of one batch overlap the reading and serving of the next.
//
// PolledSocket offers the part of net.Socket that connections use (ClientSocket in socket-read.ts), so a connection
// runs the same on either. The accepting net.Socket keeps the original fd (for setNoDelay,
// setKeepAlive, addresses) and does no I/O; the poller reads and writes a dup of it.
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { NativePollerClass, type NativePoller, type PollerConstructor, type WriterOptions } from './io/native-io.js';
import type { GroupCommit } from './commit.js';
import { socketFd } from './client-limits.js';
import type { ChunkHandler, ClientSocket } from './io/socket.js';

/** Input of one iteration lands here; a socket with more than 64 KiB waiting is read again next time. */
const ARENA_BYTES = 1024 * 1024;
const MAX_EVENTS = 4096;
/**
 * Events handed over at once: past this many, the poller runs what it has read (and sends those
 * replies) before reading more sockets, so no reply waits behind thousands of other clients'.
 * Smaller batches measured no faster under memcaslap (each batch costs a barrier and a JS call).
 */
const BATCH_EVENTS = 256;

/** The writer's high-water mark (native/io/writer.h HIGH_WATER): a write over it returns false. */
const WRITE_HIGH_WATER = 64 * 1024;

const EV_DATA = 1;
const EV_END = 2;
const EV_ERROR = 3;
const EV_WRITABLE = 4;

function errnoError(errno: number): Error {
  const e = new Error(`socket error ${errno}`) as NodeJS.ErrnoException;
  e.errno = errno;
  return e;
}

export class SocketPoller {
  private readonly arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
  private readonly events = new Int32Array(4 * MAX_EVENTS);
  private readonly sockets = new Map<number, PolledSocket>();
  readonly io: NativePoller;

  /** Null when the native addon has no poller (then connections use Node's sockets). */
  static create(commit: GroupCommit, writer?: WriterOptions): SocketPoller | null {
    if (!NativePollerClass) return null;
    try {
      return new SocketPoller(NativePollerClass, commit, writer);
    } catch {
      return null; // no writer thread (out of threads or fds): Node's sockets still work
    }
  }

  private constructor(
    Poller: PollerConstructor,
    private readonly commit: GroupCommit,
    writer?: WriterOptions,
  ) {
    this.io = new Poller(this.arena, this.events, BATCH_EVENTS, this.dispatch, writer);
  }

  /**
   * Serves `raw` (an accepted socket that has not started reading: pauseOnConnect) through the
   * poller. `onChunk` gets each chunk read, valid only during the call: it must copy what it keeps.
   * Null when the socket has no fd to poll (the caller keeps using `raw`).
   */
  adopt(raw: net.Socket, onChunk: ChunkHandler): PolledSocket | null {
    const fd = socketFd(raw);
    if (fd < 0) return null;
    const id = this.io.add(fd);
    if (id < 0) return null;
    const s = new PolledSocket(this, id, raw, onChunk);
    this.sockets.set(id, s);
    return s;
  }

  /** @internal PolledSocket closed. */
  forget(id: number): void {
    this.sockets.delete(id);
    this.io.remove(id);
  }

  /** Closes every polled socket (server stop). */
  close(): void {
    for (const s of [...this.sockets.values()]) s.destroy();
    this.io.close();
  }

  /** One loop iteration's events: run everything, then one barrier and flush for the whole batch. */
  private readonly dispatch = (count: number): void => {
    const ev = this.events;
    const sockets = this.sockets;
    this.commit.batch(() => {
      for (let i = 0, j = 0; i < count; i++, j += 4) {
        const s = sockets.get(ev[j]!);
        if (s === undefined) continue; // closed earlier in this batch
        switch (ev[j + 1]) {
          case EV_DATA:
            s.onData(this.arena.subarray(ev[j + 2]!, ev[j + 2]! + ev[j + 3]!));
            break;
          case EV_END:
            s.onEnd();
            break;
          case EV_ERROR:
            s.fail(ev[j + 3]!);
            break;
          case EV_WRITABLE:
            s.onWritable();
            break;
        }
      }
    });
  };
}

export class PolledSocket extends EventEmitter implements ClientSocket {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** write() copies the bytes (to the writer thread): the caller may reuse its buffer at once. */
  readonly copiesWrites = true;
  readonly writableHighWaterMark = WRITE_HIGH_WATER;
  writableNeedDrain = false;
  /** Writes held between cork() and uncork(), handed over as one writev. */
  private corked: Uint8Array[] | null = null;
  private paused = false;
  private readEnded = false;
  /** end() was called: the shutdown is queued behind the output. */
  private ending = false;
  private closed = false;

  constructor(
    private readonly poller: SocketPoller,
    readonly id: number,
    private readonly raw: net.Socket,
    private readonly onChunk: ChunkHandler,
  ) {
    super();
    this.remoteAddress = raw.remoteAddress;
    this.remotePort = raw.remotePort;
    this.localAddress = raw.localAddress;
    this.localPort = raw.localPort;
    // The accepting socket only holds the fd; it must not report anything on its own.
    raw.on('error', () => {});
  }

  /** Output written and not yet taken by the kernel (the writer thread's queue for this socket). */
  get writableLength(): number {
    if (this.closed) return 0;
    const q = this.poller.io.queued(this.id);
    return q > 0 ? q : 0;
  }

  /** False once the queue is over the high-water mark: 'drain' follows when it is empty. */
  write(data: Uint8Array): boolean {
    if (this.closed || this.ending) return false;
    if (data.length === 0) return true;
    if (this.corked !== null) {
      this.corked.push(data);
      return true;
    }
    return this.queued(this.poller.io.write(this.id, data));
  }

  cork(): void {
    if (this.corked === null) this.corked = [];
  }

  uncork(): void {
    const c = this.corked;
    if (c === null) return;
    this.corked = null;
    if (c.length === 0 || this.closed) return;
    this.queued(c.length === 1 ? this.poller.io.write(this.id, c[0]!) : this.poller.io.writev(this.id, c));
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.uncork();
    if (this.closed) return;
    this.ending = true;
    const q = this.poller.io.shutdown(this.id);
    if (q < 0) {
      this.fail(-q);
      return;
    }
    if (this.readEnded) {
      this.destroyWhenSent();
      return;
    }
    // Read on (discarding) until the peer closes its side too, as a half-open net.Socket does.
    this.paused = false;
    this.updateInterest();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.corked = null;
    this.poller.forget(this.id);
    this.raw.destroy();
    process.nextTick(() => this.emit('close'));
  }

  pause(): this {
    this.paused = true;
    this.updateInterest();
    return this;
  }

  resume(): this {
    this.paused = false;
    this.updateInterest();
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.raw.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** @internal Bytes read; valid only during the call. */
  onData(chunk: Buffer): void {
    if (this.closed || this.readEnded) return;
    this.onChunk(chunk);
  }

  /** @internal The peer shut down its side. */
  onEnd(): void {
    if (this.closed || this.readEnded) return;
    this.readEnded = true;
    if (this.ending) {
      this.destroyWhenSent();
      return;
    }
    this.emit('end');
  }

  /** @internal The output queue became empty after a drain was wanted. */
  onWritable(): void {
    if (this.closed) return;
    if (this.ending && this.readEnded) {
      this.destroy();
      return;
    }
    this.writableNeedDrain = false;
    this.emit('drain');
  }

  /** @internal A read or write failed: report it and close, as net.Socket does. */
  fail(errno: number): void {
    if (this.closed) return;
    this.emit('error', errnoError(errno));
    this.destroy();
  }

  /** The result of a write: false (and a 'drain' to come) above the high-water mark. */
  private queued(q: number): boolean {
    if (q < 0) {
      this.fail(-q);
      return false;
    }
    if (q <= WRITE_HIGH_WATER) return true;
    this.writableNeedDrain = true;
    return false;
  }

  /** Both sides are done: close once the queued output has left (at once if none is queued). */
  private destroyWhenSent(): void {
    if (this.poller.io.wantDrain(this.id) !== 0) this.destroy();
  }

  private updateInterest(): void {
    if (this.closed) return;
    this.poller.io.interest(this.id, !this.paused && !this.readEnded);
  }
}

/**
 * The writer's test knobs from the environment: DAX_IO_INLINE_MAX and DAX_IO_WRITER_DELAY_US (only
 * tests set them, to run every batch through the thread, every batch inline, or a slow thread).
 */
export function writerOptionsFromEnv(env: NodeJS.ProcessEnv): WriterOptions {
  const num = (v: string | undefined): number | undefined => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  const o: WriterOptions = {};
  const inlineMax = num(env.DAX_IO_INLINE_MAX);
  const delay = num(env.DAX_IO_WRITER_DELAY_US);
  if (inlineMax !== undefined) o.inlineMax = inlineMax;
  if (delay !== undefined) o.writerDelayUs = delay;
  return o;
}

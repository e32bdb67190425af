// Client sockets served by the native poller (native/io/poller.h) instead of Node's streams. Every
// socket that became readable in one event-loop iteration is read into one shared arena, and the
// iteration's input arrives here in ONE call (dispatch), which runs every connection's requests and
// then the turn's group commit — no stream callback, Buffer allocation or setImmediate per socket.
// Replies go straight to the socket (sendmsg); only what the kernel does not take is queued until
// the socket is writable again.
//
// PolledSocket offers the part of net.Socket that connections use (ClientSocket in socket-read.ts), so a connection
// runs the same on either. The accepting net.Socket keeps the original fd (for setNoDelay,
// setKeepAlive, addresses) and does no I/O; the poller reads and writes a dup of it.
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { native, type NativePoller } from '../store/native.js';
import type { GroupCommit } from './commit.js';
import { socketFd } from './client-limits.js';
import type { ChunkHandler, ClientSocket } from './socket-read.js';

/** Input of one iteration lands here; a socket with more than 64 KiB waiting is read again next time. */
const ARENA_BYTES = 1024 * 1024;
const MAX_EVENTS = 4096;
/**
 * Events handed over at once: past this many, the poller runs what it has read (and sends those
 * replies) before reading more sockets, so no reply waits behind thousands of other clients'.
 * Smaller batches measured no faster under memcaslap (each batch costs a barrier and a JS call).
 */
const BATCH_EVENTS = 256;

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
  static create(commit: GroupCommit): SocketPoller | null {
    return native.Poller ? new SocketPoller(native.Poller, commit) : null;
  }

  private constructor(
    Poller: NonNullable<typeof native.Poller>,
    private readonly commit: GroupCommit,
  ) {
    this.io = new Poller(this.arena, this.events, BATCH_EVENTS, this.dispatch);
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
  /** Output not yet taken by the kernel, in order. */
  private unsent: Uint8Array[] = [];
  private unsentBytes = 0;
  private corked = false;
  /** Write interest is armed: unsent output waits for the socket to be writable. */
  private waitingWritable = false;
  private paused = false;
  private readEnded = false;
  /** end() was called: shut our side down once the output is sent. */
  private ending = false;
  private shut = false;
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

  get writableLength(): number {
    return this.unsentBytes;
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.ending) return false;
    if (data.length === 0) return true;
    if (this.unsentBytes === 0 && !this.corked) {
      // The common case: nothing queued, the kernel takes it all at once.
      const n = this.poller.io.write(this.id, data);
      if (n === data.length) return true;
      if (n < 0) {
        this.fail(-n);
        return false;
      }
      this.queue(n === 0 ? data : data.subarray(n));
      this.armWritable();
      return false;
    }
    this.queue(data);
    return false;
  }

  cork(): void {
    this.corked = true;
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    if (!this.waitingWritable && this.unsentBytes > 0) this.flush();
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.corked = false;
    if (this.unsentBytes > 0) {
      if (!this.waitingWritable) this.flush();
    } else {
      this.shutdown();
    }
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsent = [];
    this.unsentBytes = 0;
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
    if (this.shut) {
      this.destroy();
      return;
    }
    this.emit('end');
  }

  /** @internal The socket takes output again. */
  onWritable(): void {
    if (this.closed) return;
    this.waitingWritable = false;
    this.flush();
    if (this.unsentBytes === 0 && !this.closed) this.emit('drain');
  }

  /** @internal A read or write failed: report it and close, as net.Socket does. */
  fail(errno: number): void {
    if (this.closed) return;
    this.emit('error', errnoError(errno));
    this.destroy();
  }

  private queue(data: Uint8Array): void {
    this.unsent.push(data);
    this.unsentBytes += data.length;
  }

  /** Writes what the kernel takes of the queue; arms write interest for the rest. */
  private flush(): void {
    const n = this.unsent.length === 1 ? this.poller.io.write(this.id, this.unsent[0]!) : this.poller.io.writev(this.id, this.unsent);
    if (n < 0) {
      this.fail(-n);
      return;
    }
    this.consume(n);
    if (this.unsentBytes > 0) this.armWritable();
    else if (this.ending) this.shutdown();
  }

  private consume(n: number): void {
    this.unsentBytes -= n;
    if (this.unsentBytes === 0) {
      this.unsent = [];
      return;
    }
    const q = this.unsent;
    let i = 0;
    while (n > 0 && n >= q[i]!.length) n -= q[i++]!.length;
    if (n > 0) q[i] = q[i]!.subarray(n);
    this.unsent = i > 0 ? q.slice(i) : q;
  }

  private armWritable(): void {
    this.waitingWritable = true;
    this.updateInterest();
  }

  private shutdown(): void {
    if (this.shut || this.closed) return;
    this.shut = true;
    this.poller.io.shutdown(this.id);
    if (this.readEnded) {
      this.destroy();
      return;
    }
    // Read on (discarding) until the peer closes its side too, as a half-open net.Socket does.
    this.paused = false;
    this.updateInterest();
  }

  private updateInterest(): void {
    if (this.closed) return;
    this.poller.io.interest(this.id, !this.paused && !this.readEnded, this.waitingWritable);
  }
}

// The surface of the native socket I/O (native/io/poller.h, writer.h; glue in native/poller_addon.cc),
// typed for src/server/poller.ts. Absent when the addon was built without it.
import { addon } from '../../addon.js';

/** Client socket I/O on the event loop (native/io/poller.h); used by src/server/poller.ts. */
export interface NativePoller {
  /** Polls a dup of fd for reading: the connection id (> 0), or -errno. */
  add(fd: number): number;
  interest(id: number, read: boolean): number;
  /**
   * Queues a copy for the writer thread (sent after the current dispatch, or at once outside one):
   * the connection's queued bytes, this write included, or -errno.
   */
  write(id: number, data: Uint8Array): number;
  writev(id: number, data: Uint8Array[]): number;
  /** shutdown(SHUT_WR) after the queued output: the queued bytes, or -errno. */
  shutdown(id: number): number;
  /** Bytes queued and not yet taken by the kernel, or -errno. */
  queued(id: number): number;
  /** 1: nothing is queued now; 0: a writable event comes once the queue is empty; or -errno. */
  wantDrain(id: number): number;
  remove(id: number): void;
  close(): void;
}

/** The socket writer's knobs (native/io/writer.h Options); tests turn them to run its extreme modes. */
export interface WriterOptions {
  /** Largest batch the event-loop thread sends itself (default 1024 bytes; 0: every batch by the thread). */
  inlineMax?: number;
  /** The writer thread sleeps this long after each wakeup, as if preempted (default 0). */
  writerDelayUs?: number;
}

/**
 * dispatch(n) gets n events as [id, kind, offset, length] in `events`, bytes in `arena`: at the end
 * of the loop's poll phase, or as soon as `batch` events are waiting.
 */
export type PollerConstructor = new (
  arena: Buffer,
  events: Int32Array,
  batch: number,
  dispatch: (count: number) => void,
  writer?: WriterOptions,
) => NativePoller;

export const NativePollerClass = addon.Poller as PollerConstructor | undefined;

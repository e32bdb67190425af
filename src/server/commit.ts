// Group commit: replies of a turn of the event loop leave only after ONE barrier has made every
// write of that turn durable (durability=strict). Many pipelined writes, from many connections,
// share that barrier. In relaxed mode replies leave at the end of the turn and a timer runs the
// barrier every appendfsync-interval-ms, like Redis `appendfsync everysec`: a crash may lose that
// window, never consistency.
import type { Store } from '../store/store.js';

/** A connection with replies waiting for the turn's barrier. */
export interface ReplySink {
  /** Writes the replies queued so far to the socket. */
  flushReplies(): void;
  /** Set by GroupCommit while the sink waits for the turn's barrier (do not touch). */
  awaitingCommit?: boolean;
}

export type Durability = 'strict' | 'relaxed';

export class GroupCommit {
  /** Sinks of this turn, each once (a flag on the sink instead of a Set: no hashing per request). */
  private pending: ReplySink[] = [];
  private spare: ReplySink[] = [];
  private scheduled = false;
  /** Inside batch(): the batch's end flushes, no setImmediate is needed. */
  private batching = false;
  private timer: NodeJS.Timeout | undefined;
  /** Barriers run by this group commit (for INFO/metrics). */
  barriers = 0;
  /** Called after each barrier with its duration in seconds (metrics). */
  onBarrier: ((seconds: number) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly durability: Durability,
    intervalMs: number,
  ) {
    if (durability === 'relaxed') {
      this.timer = setInterval(() => this.barrier(), Math.max(1, intervalMs));
      this.timer.unref();
    }
  }

  /** Queue `sink` to flush at the end of this turn. */
  later(sink: ReplySink): void {
    if (sink.awaitingCommit === true) return;
    sink.awaitingCommit = true;
    this.pending.push(sink);
    if (!this.scheduled) {
      this.scheduled = true;
      if (!this.batching) setImmediate(this.endOfTurn);
    }
  }

  /**
   * Runs `fn` (a whole loop iteration's input, from the socket poller), then the barrier and the
   * flush of every reply queued so far — at once, instead of in a setImmediate.
   */
  batch(fn: () => void): void {
    this.batching = true;
    try {
      fn();
    } finally {
      this.batching = false;
    }
    this.endOfTurn();
  }

  /** Barrier now (used before shutdown and by the relaxed timer). */
  barrier(): void {
    if (this.store.isClosed) return;
    const t0 = this.onBarrier ? process.hrtime.bigint() : 0n;
    this.store.barrier();
    this.barriers++;
    if (this.onBarrier) this.onBarrier(Number(process.hrtime.bigint() - t0) / 1e9);
  }

  private readonly endOfTurn = (): void => {
    // Already run by batch() (this is then its stale setImmediate, or a batch with no reply).
    if (!this.scheduled) return;
    this.scheduled = false;
    if (this.durability === 'strict') this.barrier();
    this.flushAll();
  };

  private flushAll(): void {
    // Swap first: a sink queued again while flushing waits for the next turn's barrier.
    const batch = this.pending;
    this.pending = this.spare;
    for (let i = 0; i < batch.length; i++) {
      const sink = batch[i]!;
      sink.awaitingCommit = false;
      sink.flushReplies();
    }
    batch.length = 0;
    this.spare = batch;
  }

  /** Flush everything now (shutdown). */
  drain(): void {
    this.barrier();
    this.flushAll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

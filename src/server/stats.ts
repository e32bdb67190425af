// Server-wide counters for INFO stats and their per-second samples (instantaneous_ops_per_sec and
// the kbps fields), taken by the server cron the way Redis's trackInstantaneousMetric does: the mean
// rate over the last 16 samples.
import type { StatsView } from '../commands/redis/services.js';
import type { CommandTable } from '../commands/redis/table.js';

const SAMPLES = 16;

class Rate {
  private readonly samples = new Float64Array(SAMPLES);
  private idx = 0;
  private lastValue = 0;
  private lastMs = 0;

  sample(value: number, nowMs: number): void {
    if (this.lastMs !== 0 && nowMs > this.lastMs) {
      this.samples[this.idx] = ((value - this.lastValue) * 1000) / (nowMs - this.lastMs);
      this.idx = (this.idx + 1) % SAMPLES;
    }
    this.lastValue = value;
    this.lastMs = nowMs;
  }

  get mean(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / SAMPLES;
  }

  reset(): void {
    this.samples.fill(0);
    this.lastMs = 0; // the next sample only records the (reset) counter
  }
}

/** Redis keeps the peak buffer sizes of the last 8 seconds (CLIENTS_PEAK_MEM_USAGE_SLOTS). */
const PEAK_WINDOW_MS = 8000;

export class ServerStats implements StatsView {
  readonly startedMs = Date.now();
  connectionsReceived = 0;
  rejectedConnections = 0;
  /** AUTH / HELLO AUTH refused for a wrong user or password (acl_access_denied_auth). */
  authFailures = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Largest query / output buffer of a client in the last few seconds (client_recent_max_*). */
  recentMaxInputBuffer = 0;
  recentMaxOutputBuffer = 0;
  private peakSinceMs = Date.now();
  private readonly ops = new Rate();
  private readonly input = new Rate();
  private readonly output = new Rate();

  constructor(private readonly table: CommandTable) {}

  get commandsProcessed(): number {
    return this.table.commandsProcessed;
  }
  get errorReplies(): number {
    return this.table.errorReplies;
  }
  get keyspaceHits(): number {
    return this.table.keyspaceHits;
  }
  get keyspaceMisses(): number {
    return this.table.keyspaceMisses;
  }
  get opsPerSec(): number {
    return Math.round(this.ops.mean);
  }
  get inputKbps(): number {
    return this.input.mean / 1024;
  }
  get outputKbps(): number {
    return this.output.mean / 1024;
  }

  /** Called by the server cron (every 100 ms, like Redis). */
  sample(nowMs: number): void {
    this.ops.sample(this.commandsProcessed, nowMs);
    this.input.sample(this.netInputBytes, nowMs);
    this.output.sample(this.netOutputBytes, nowMs);
    if (nowMs - this.peakSinceMs >= PEAK_WINDOW_MS) {
      this.recentMaxInputBuffer = this.recentMaxOutputBuffer = 0;
      this.peakSinceMs = nowMs;
    }
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.table.resetStats();
    this.connectionsReceived = this.rejectedConnections = this.netInputBytes = this.netOutputBytes = this.authFailures = 0;
    this.recentMaxInputBuffer = this.recentMaxOutputBuffer = 0;
    this.ops.reset();
    this.input.reset();
    this.output.reset();
  }
}

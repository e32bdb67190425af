// Command latency as a Prometheus histogram, `daxcache_command_duration_seconds{protocol,command}`.
// prom-client's Histogram costs a label lookup and an object per observation; on the command path
// we only add to a per-command bucket array (a series, fetched once per command table entry), and
// the registry reads the arrays when scraped. Label values come from fixed sets (command names of
// the tables), so the number of series stays bounded.
import type { Registry } from 'prom-client';

/** 5 µs .. 1 s: a GET from DRAM takes microseconds, a page-granular barrier milliseconds. */
export const COMMAND_BUCKETS = [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 0.1, 1];

export class LatencySeries {
  /** counts[i]: observations <= COMMAND_BUCKETS[i] and above the previous bound; last: above all. */
  readonly counts = new Float64Array(COMMAND_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(readonly protocol: string, readonly command: string) {}

  observe(seconds: number): void {
    let i = 0;
    while (i < COMMAND_BUCKETS.length && seconds > COMMAND_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

export class CommandLatency {
  static readonly NAME = 'daxcache_command_duration_seconds';
  private readonly series = new Map<string, LatencySeries>();

  /** The series of one command; keep it (e.g. on the command table entry) rather than ask per call. */
  of(protocol: string, command: string): LatencySeries {
    const key = `${protocol}\0${command}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new LatencySeries(protocol, command)));
    return s;
  }

  /** Registers the histogram with a registry (read at scrape time). */
  register(registry: Registry): void {
    const name = CommandLatency.NAME;
    const help = 'Time to run a command, from parsed request to reply built (not the persist barrier), by protocol and command.';
    const metric = {
      name,
      help,
      type: 'histogram' as const,
      aggregator: 'sum' as const,
      collect: undefined,
      get: async () => {
        const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
        for (const s of this.series.values()) {
          const labels = { protocol: s.protocol, command: s.command };
          let cum = 0;
          for (let i = 0; i < COMMAND_BUCKETS.length; i++) {
            cum += s.counts[i]!;
            values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: COMMAND_BUCKETS[i]! }, value: cum });
          }
          values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: s.count });
          values.push({ metricName: `${name}_sum`, labels, value: s.sum });
          values.push({ metricName: `${name}_count`, labels, value: s.count });
        }
        return { name, help, type: 'histogram' as const, aggregator: 'sum' as const, values };
      },
    };
    // A metric object by shape: prom-client's registry reads name/help/type and get().
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}

// The parts of prom-client the server uses, imported file by file. Its index also loads the
// Pushgateway (http, https, zlib) and the cluster aggregator (cluster, child_process, dgram, dns),
// which we never use: Node compiles those built-in modules at every start, and a warm restart is
// timed from exec. The default process metrics load on first use (see metrics.ts).
export { default as Registry } from 'prom-client/lib/registry.js';
export { default as Counter } from 'prom-client/lib/counter.js';
export { default as Gauge } from 'prom-client/lib/gauge.js';
export { default as Histogram } from 'prom-client/lib/histogram.js';

/** prom-client's collectDefaultMetrics, loaded when first wanted. */
export async function loadCollectDefaultMetrics(): Promise<typeof import('prom-client').collectDefaultMetrics> {
  return (await import('prom-client/lib/defaultMetrics.js')).default;
}

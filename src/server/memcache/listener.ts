// The memcached TCP listener (text and meta protocols). Clients count against maxclients together
// with RESP clients; past it a new connection gets memcached's "ERROR Too many open connections"
// and is closed, as memcached does with maxconns_fast.
import type net from 'node:net';
import { admit, endConnections, type Listener } from '../listener.js';
import { Endpoints } from '../endpoints.js';
import { MemcacheConnection, type MemcacheDeps } from './connection.js';
import { McServices } from './services.js';
import type { LatencySeries } from '../../ops/command-latency.js';

const TOO_MANY_CONNECTIONS = Buffer.from('ERROR Too many open connections\r\n');

export class MemcacheListener implements Listener {
  readonly name = 'memcached';
  private readonly endpoints: Endpoints;
  readonly services: McServices;
  private readonly connections = new Set<MemcacheConnection>();
  private accepting = true;
  /** Command counts not yet added to the Prometheus counters: name -> [calls, errors]. */
  private readonly unreported = new Map<string, [number, number]>();
  /** Latency series by command name (names come from the protocol's fixed set, or "unknown"). */
  private readonly latency = new Map<string, LatencySeries>();
  /** get hits/misses already added to the Prometheus counters. */
  private reportedGets = { hits: 0, misses: 0 };
  private reportedAuthErrors = 0;
  private cronTicks = 0;

  constructor(private readonly deps: MemcacheDeps) {
    this.services = new McServices({
      store: deps.store,
      config: deps.config,
      commit: deps.commit,
      logger: deps.logger,
      connections: () => this.connections.size,
      connectionList: () =>
        [...this.connections].map((c) => ({ id: c.state.id, fd: c.fd, addr: c.state.addr, laddr: c.state.laddr, lastCommandMs: c.state.lastInteractionMs })),
    });
    const { config } = deps;
    this.endpoints = new Endpoints('memcached', deps.logger);
    const accept = (socket: net.Socket): void => this.accept(socket);
    if (config.memcachedPort > 0) this.endpoints.addPlain(config.memcachedBind, config.memcachedPort, accept);
    if (config.tlsMemcachedPort > 0 && deps.tls) this.endpoints.addTls(config.memcachedBind, config.tlsMemcachedPort, deps.tls, accept);
  }

  start(): Promise<void> {
    return this.endpoints.start();
  }

  addresses(): Array<{ host: string; port: number; tls: boolean }> {
    return this.endpoints.addresses();
  }

  private accept(socket: net.Socket): void {
    const counters = this.services.counters;
    if (!admit(socket, this.accepting, this.deps, 'memcached', TOO_MANY_CONNECTIONS, () => counters.rejectedConnections++)) return;
    counters.totalConnections++;
    const conn = new MemcacheConnection(socket, { ...this.deps, services: this.services, countCommand: this.countCommand });
    this.connections.add(conn);
    void conn.done.then(() => this.connections.delete(conn));
  }

  private readonly countCommand = (name: string, error: boolean, seconds: number): void => {
    let c = this.unreported.get(name);
    if (c === undefined) this.unreported.set(name, (c = [0, 0]));
    c[0]++;
    if (error) c[1]++;
    let l = this.latency.get(name);
    if (l === undefined) this.latency.set(name, (l = this.deps.metrics.latency.of('memcached', name)));
    l.observe(seconds);
  };

  /** Adds the counts kept on the hot path to the Prometheus counters. */
  private reportMetrics(): void {
    const { commands, commandErrors } = this.deps.metrics;
    for (const [command, c] of this.unreported) {
      if (c[0] > 0) commands.inc({ protocol: 'memcached', command }, c[0]);
      if (c[1] > 0) commandErrors.inc({ protocol: 'memcached', command }, c[1]);
      c[0] = c[1] = 0;
    }
    const { getHits, getMisses } = this.services.counters;
    const last = this.reportedGets;
    if (getHits < last.hits || getMisses < last.misses) last.hits = last.misses = 0; // stats reset
    if (getHits > last.hits) this.deps.metrics.keyspaceHits.inc({ protocol: 'memcached' }, getHits - last.hits);
    if (getMisses > last.misses) this.deps.metrics.keyspaceMisses.inc({ protocol: 'memcached' }, getMisses - last.misses);
    this.reportedGets = { hits: getHits, misses: getMisses };
    const { authErrors } = this.services.counters;
    if (authErrors < this.reportedAuthErrors) this.reportedAuthErrors = 0; // stats reset
    if (authErrors > this.reportedAuthErrors) this.deps.metrics.authFailures.inc({ protocol: 'memcached' }, authErrors - this.reportedAuthErrors);
    this.reportedAuthErrors = authErrors;
  }

  stopAccepting(): void {
    this.accepting = false;
    this.services.cancelFlush();
    this.endpoints.close();
    for (const c of this.connections) c.stopReading();
  }

  async closeConnections(timeoutMs: number): Promise<void> {
    this.reportMetrics();
    await endConnections(this.connections, timeoutMs);
  }

  cron(nowMs: number): void {
    for (const c of this.connections) c.cron(nowMs);
    if (++this.cronTicks % 10 === 0) this.reportMetrics();
  }
}

// The RESP listener (port, and tls-port over TLS): accepts clients up to maxclients (both
// protocols together), beyond that answers `-ERR max number of clients reached` and closes, as
// Redis's acceptCommonHandler does.
import type net from 'node:net';
import { admit, endConnections, type Listener } from '../listener.js';
import { Endpoints } from '../endpoints.js';
import { RespConnection, type RespDeps } from './connection.js';

const MAX_CLIENTS_REACHED = Buffer.from('-ERR max number of clients reached\r\n');

export class RespListener implements Listener {
  readonly name = 'redis';
  private readonly endpoints: Endpoints;
  private readonly connections = new Set<RespConnection>();
  private accepting = true;

  constructor(private readonly deps: RespDeps) {
    const { config } = deps;
    this.endpoints = new Endpoints('redis', deps.logger);
    const accept = (socket: net.Socket): void => this.accept(socket);
    if (config.port > 0) this.endpoints.addPlain(config.bind, config.port, accept);
    if (config.tlsPort > 0 && deps.tls) this.endpoints.addTls(config.bind, config.tlsPort, deps.tls, accept);
  }

  start(): Promise<void> {
    return this.endpoints.start();
  }

  addresses(): Array<{ host: string; port: number; tls: boolean }> {
    return this.endpoints.addresses();
  }

  private accept(socket: net.Socket): void {
    const { stats } = this.deps;
    if (!admit(socket, this.accepting, this.deps, 'redis', MAX_CLIENTS_REACHED, () => stats.rejectedConnections++)) return;
    stats.connectionsReceived++;
    const conn = new RespConnection(socket, this.deps);
    this.connections.add(conn);
    void conn.done.then(() => this.connections.delete(conn));
  }

  stopAccepting(): void {
    this.accepting = false;
    this.endpoints.close();
    for (const c of this.connections) c.stopReading();
  }

  async closeConnections(timeoutMs: number): Promise<void> {
    await endConnections(this.connections, timeoutMs);
  }

  cron(nowMs: number): void {
    for (const c of this.connections) c.cron(nowMs);
  }
}

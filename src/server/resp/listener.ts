// The RESP TCP listener: accepts clients up to maxclients (both protocols together), beyond that
// answers `-ERR max number of clients reached` and closes, as Redis's acceptCommonHandler does.
import net from 'node:net';
import { addressOf, admit, endConnections, listenOn, type Listener } from '../listener.js';
import { RespConnection, type RespDeps } from './connection.js';

const MAX_CLIENTS_REACHED = Buffer.from('-ERR max number of clients reached\r\n');

export class RespListener implements Listener {
  readonly name = 'redis';
  private readonly server: net.Server;
  private readonly connections = new Set<RespConnection>();
  private accepting = true;

  constructor(private readonly deps: RespDeps) {
    // allowHalfOpen: a client that sends its commands then shuts down its write side (nc -q, scripts)
    // still gets every reply; the connection ends after them.
    // pauseOnConnect: the connection moves the unread socket into one that reads into its own
    // buffer (see socket-read.ts).
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => deps.logger.error({ err: err.message }, 'redis listener error'));
  }

  start(): Promise<void> {
    const { config } = this.deps;
    return listenOn(this.server, config.port, config.bind);
  }

  address(): { host: string; port: number } {
    const { config } = this.deps;
    return addressOf(this.server, config.bind, config.port);
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
    this.server.close();
    for (const c of this.connections) c.stopReading();
  }

  async closeConnections(timeoutMs: number): Promise<void> {
    await endConnections(this.connections, timeoutMs);
  }

  cron(nowMs: number): void {
    for (const c of this.connections) c.cron(nowMs);
  }
}

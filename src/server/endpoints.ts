// The sockets a protocol listener accepts on: its plain TCP port and, when configured, a TLS port
// (Node's tls, context from tls-context.ts). Both hand the connection code an ordinary stream; a
// TLS connection is only handed over once its handshake (and client-certificate check) is done.
import net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from '../ops/logger.js';
import { addressOf, listenOn } from './listener.js';
import { tlsModule, type TlsContext } from './tls-context.js';

/** A TLS handshake that has not finished after this long is dropped (slow or dead clients). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface Endpoint {
  readonly server: net.Server;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

export class Endpoints {
  readonly list: Endpoint[] = [];

  constructor(
    private readonly protocol: string,
    private readonly logger: Logger,
  ) {}

  /**
   * allowHalfOpen: a client that sends its requests then shuts down its write side still gets
   * every reply. pauseOnConnect: the connection moves the unread socket into one that reads into
   * its own buffer (socket-read.ts).
   */
  addPlain(host: string, port: number, onSocket: (socket: net.Socket) => void): void {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, onSocket);
    this.add(server, host, port, false);
  }

  addTls(host: string, port: number, ctx: TlsContext, onSocket: (socket: net.Socket) => void): void {
    const server = tlsModule().createServer({ ...ctx.serverOptions(), allowHalfOpen: true, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      if (!ctx.admits(socket)) {
        this.logger.debug({ client: socket.remoteAddress, err: socket.authorizationError }, 'TLS client certificate refused');
        socket.destroy();
        return;
      }
      onSocket(socket);
    });
    server.on('tlsClientError', (err, socket) => {
      this.logger.debug({ client: socket.remoteAddress, err: err.message }, 'TLS handshake failed');
    });
    ctx.register(server);
    this.add(server, host, port, true);
  }

  private add(server: net.Server, host: string, port: number, isTls: boolean): void {
    server.on('error', (err) => this.logger.error({ err: err.message, tls: isTls }, `${this.protocol} listener error`));
    this.list.push({ server, host, port, tls: isTls });
  }

  async start(): Promise<void> {
    for (const e of this.list) await listenOn(e.server, e.port, e.host);
  }

  addresses(): Array<{ host: string; port: number; tls: boolean }> {
    return this.list.map((e) => ({ ...addressOf(e.server, e.host, e.port), tls: e.tls }));
  }

  close(): void {
    for (const e of this.list) e.server.close();
  }
}

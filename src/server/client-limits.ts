// What every client connection shares, whatever its protocol: its initial state, the
// client-output-buffer-limit check (hard, or soft for some seconds) and the idle timeout.
import type { Socket } from 'node:net';
import type { Config, OutputBufferLimit } from '../ops/config.js';
import type { ConnectionState } from '../commands/connection-state.js';
import type { SocketAddresses } from './io/socket.js';
import type { AccessControl } from '../security/access-control.js';

/** A new connection runs as `default`, authenticated while that user needs no password (Redis clientSetDefaultAuth). */
export function newConnectionState(id: number, socket: SocketAddresses, acl: Pick<AccessControl, 'defaultUser' | 'authRequired'>): ConnectionState {
  const now = Date.now();
  return {
    id,
    addr: `${socket.remoteAddress}:${socket.remotePort}`,
    laddr: `${socket.localAddress}:${socket.localPort}`,
    createdMs: now,
    lastInteractionMs: now,
    lastCommand: 'NULL',
    authenticated: !acl.authRequired,
    user: acl.defaultUser,
  };
}

/** The socket's file descriptor, for CLIENT LIST (-1 when libuv does not say). */
export function socketFd(socket: Socket): number {
  return (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
}

/**
 * client-output-buffer-limit <class> <hard> <soft> <seconds>, read live from the config: the
 * pubsub class for a client with subscriptions (Redis getClientType), else normal.
 */
export class OutputLimit {
  private softSinceMs = 0;
  /** Whether the client is a Pub/Sub subscriber now (set by RESP connections). */
  pubsub: (() => boolean) | null = null;

  constructor(private readonly config: Config) {}

  /** The limit of the client's class now. */
  current(): OutputBufferLimit {
    return this.pubsub !== null && this.pubsub() ? this.config.clientOutputBufferLimitPubsub : this.config.clientOutputBufferLimitNormal;
  }

  /** True when a client with `pending` unsent bytes must be disconnected now. */
  exceeded(pending: number, nowMs: number): boolean {
    const { hardBytes, softBytes, softSeconds } = this.current();
    if (hardBytes > 0 && pending >= hardBytes) return true;
    if (softBytes > 0 && pending >= softBytes) {
      if (this.softSinceMs === 0) this.softSinceMs = nowMs;
      else return nowMs - this.softSinceMs >= softSeconds * 1000;
      return false;
    }
    this.softSinceMs = 0;
    return false;
  }

  /** The smallest output that can trip a limit (Infinity when there is none). */
  lowestBytes(): number {
    const { hardBytes, softBytes } = this.current();
    const h = hardBytes > 0 ? hardBytes : Infinity;
    const s = softBytes > 0 ? softBytes : Infinity;
    return h < s ? h : s;
  }

  /** The socket drained: the soft-limit clock starts again. */
  reset(): void {
    this.softSinceMs = 0;
  }
}

/** Idle timeout (`timeout` seconds, 0 = never). */
export function idleTooLong(config: Config, state: ConnectionState, nowMs: number): boolean {
  return config.timeout > 0 && nowMs - state.lastInteractionMs > config.timeout * 1000;
}

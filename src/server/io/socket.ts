// The socket types both protocols' connections share, whichever implementation serves them (Node's
// net.Socket, or the native poller's PolledSocket). Types only: the poller and the socket reader both
// depend on this file, never on each other for their types.

/** The addresses a client's state shows (net.Socket and the poller's sockets have them). */
export interface SocketAddresses {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/**
 * Called with each chunk read. The chunk's memory is reused for the next read: the handler copies
 * whatever it keeps (the parsers' detach()).
 */
export type ChunkHandler = (chunk: Buffer) => void;

/** What a connection uses of its socket: net.Socket has it all, and so has the poller's PolledSocket. */
export interface ClientSocket extends SocketAddresses {
  /** Output accepted by write() and not yet taken by the kernel. */
  readonly writableLength: number;
  /** write() returned false and 'drain' has not come yet. */
  readonly writableNeedDrain: boolean;
  /** Above this much unsent output, write() returns false. */
  readonly writableHighWaterMark: number;
  /** True when write() copies the bytes, so the caller may reuse its buffer once write() returns. */
  readonly copiesWrites?: boolean;
  write(data: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  setKeepAlive(enable?: boolean, initialDelay?: number): unknown;
  on(event: 'end' | 'drain' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

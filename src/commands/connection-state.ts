// What every client connection is, whatever its protocol: the part of its state that the client
// registry, the idle timeout and the logs read. Each protocol's own state extends it (Redis's
// ClientState in commands/redis/types.ts); a memcached connection carries nothing of Redis's.
import type { AclUser } from '../security/acl-user.js';

export interface ConnectionState {
  readonly id: number;
  /** host:port of the client and of the listener it reached. */
  readonly addr: string;
  readonly laddr: string;
  readonly createdMs: number;
  lastInteractionMs: number;
  /** The last command's name, as the protocol names it. */
  lastCommand: string;
  /** True once the client gave the password (always, while none is configured). */
  authenticated: boolean;
  /** The ACL user it runs as: `default` until AUTH / HELLO AUTH (or memcached's auth) names another. */
  user: AclUser;
}

// Protected mode (Redis 3.2+, issue #17): with protected-mode yes (the default) and no password
// for the default user (requirepass empty and no ACL rule giving it one), a connection from anywhere but the loopback interface
// is refused with Redis's own -DENIED text (clients and tools match on it) and closed, as Redis's
// clientAcceptHandler does; on the memcached port with a SERVER_ERROR line. A server bound to a
// public address by mistake thus serves nobody it should not. Loopback: 127.0.0.0/8, ::1 and
// their IPv4-mapped forms.
import type { Config } from '../ops/config.js';
import type { AccessControl } from '../security/access-control.js';

/** Redis 7.0's text, byte for byte (networking.c clientAcceptHandler). */
export const DENIED_RESP = Buffer.from(
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
    'In this mode connections are only accepted from the loopback interface. ' +
    'If you want to connect from external computers to Redis you may adopt one of the following solutions: ' +
    "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
    'by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible ' +
    'from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
    "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
    "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
    '4) Setup a an authentication password for the default user. ' +
    'NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n',
);

export const DENIED_MEMCACHED = Buffer.from(
  'SERVER_ERROR daxcache is running in protected mode: protected-mode is yes and no password is set (requirepass), ' +
    'so only loopback connections are accepted; set requirepass, or protected-mode no from the loopback interface\r\n',
);

/** The peer is on the loopback interface. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Whether protected mode refuses a connection from `address` now (settings are read live). */
export function refusedByProtectedMode(config: Pick<Config, 'protectedMode'>, acl: Pick<AccessControl, 'defaultUser'>, address: string | undefined): boolean {
  return config.protectedMode && acl.defaultUser.nopass && !isLoopback(address);
}

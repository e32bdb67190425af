// The server's ACL users: made from the command table, the default user's password from
// requirepass, then the users of acl-users or the aclfile (a bad rule stops the start, as Redis
// exits), and the connections of a user that is deleted closed (Redis ACLFreeUserAndKillClients).
import type { Config } from '../ops/config.js';
import type { CommandTable } from '../commands/redis/table.js';
import { AccessControl, utf8Bytes } from '../security/access-control.js';
import { readAclFile } from '../security/acl-file.js';
import { isRedisClient, type ClientDirectory } from '../commands/redis/services.js';
import type { AclUser } from '../security/acl-user.js';

export function createAccessControl(table: CommandTable, config: Config): AccessControl {
  const acl = new AccessControl(table.aclCommands(), {
    pubsubAllChannels: () => config.aclPubsubDefault === 'allchannels',
    logMaxLen: () => config.acllogMaxLen,
  });
  acl.setDefaultPassword(config.requirepass);
  return acl;
}

/** acl-users or the aclfile; throws the reason the server cannot start with them. */
export function loadStartupUsers(acl: AccessControl, config: Config): void {
  if (config.aclUsers.trim() !== '') {
    // A setting is text: its rules are taken as the UTF-8 bytes a client would send.
    acl.loadConfigured(utf8Bytes(config.aclUsers).split('\n').map((l) => l.trim()).filter((l) => l !== ''));
  }
  if (config.aclfile !== '') {
    const r = readAclFile(config.aclfile);
    const err = 'error' in r ? r.error : acl.loadFile(r.text, config.aclfile);
    if (err !== null) throw new Error(`Aborting startup because of ACL errors: ${err}`);
  }
}

/** Whether `user` may still hear every channel and pattern `subs` holds (patterns compared literally). */
function mayKeep(user: AclUser, subs: { channel: Set<string>; pattern: Set<string>; shard: Set<string> }): boolean {
  const allowed = (name: string, literal: boolean) => user.selectors.some((s) => s.channelAllowed(name, literal));
  for (const c of subs.channel) if (!allowed(c, false)) return false;
  for (const c of subs.shard) if (!allowed(c, false)) return false;
  for (const p of subs.pattern) if (!allowed(p, true)) return false;
  return true;
}

/**
 * ACL SETUSER took channels away from `user`: its subscribers that listen to one of them are
 * closed, as Redis's ACLKillPubsubClientsIfNeeded does (they would go on receiving otherwise).
 */
export function closeRevokedSubscribers(clients: ClientDirectory, user: AclUser): void {
  for (const h of clients.all()) {
    if (h.state.user !== user || !isRedisClient(h)) continue;
    if (!mayKeep(user, h.state.pubsub)) h.kill();
  }
}

/** Closes every connection authenticated as `user`, which no longer exists. */
export function closeConnectionsOf(clients: ClientDirectory, acl: AccessControl, user: AccessControl['defaultUser']): void {
  for (const h of clients.all()) {
    if (h.state.user !== user) continue;
    // As Redis: back to an unauthenticated default user first, so nothing more runs as `user`.
    h.state.user = acl.defaultUser;
    h.state.authenticated = false;
    h.kill();
  }
}

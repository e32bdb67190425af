// The server's ACL users: made from the command table, the default user's password from
// requirepass, then the users of acl-users or the aclfile (a bad rule stops the start, as Redis
// exits), and the connections of a user that is deleted closed (Redis ACLFreeUserAndKillClients).
import type { Config } from '../ops/config.js';
import type { CommandTable } from '../commands/redis/table.js';
import { AccessControl } from '../security/access-control.js';
import { readAclFile } from '../security/acl-file.js';
import type { ClientDirectory } from '../commands/redis/services.js';

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
    acl.loadConfigured(config.aclUsers.split('\n').map((l) => l.trim()).filter((l) => l !== ''));
  }
  if (config.aclfile !== '') {
    const r = readAclFile(config.aclfile);
    const err = 'error' in r ? r.error : acl.loadFile(r.text, config.aclfile);
    if (err !== null) throw new Error(`Aborting startup because of ACL errors: ${err}`);
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

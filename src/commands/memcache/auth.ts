// memcached 1.6 ASCII authentication (`-Y` auth file; proto_text.c try_read_command_asciiauth and
// process_ascii_auth): until a connection has authenticated, the only command it may send is a
// `set <anykey> <flags> <exptime> <bytes>` whose data is `<user> <password>`; anything else gets
// CLIENT_ERROR unauthenticated. The user is an ACL user (`default` has the password requirepass,
// as Redis's AUTH <password> is AUTH default <password>); its rules then hold (acl.ts).
import { REPLY, writeLine, writeReply, type Request } from '../../protocol/memcache/index.js';
import type { AccessControl } from '../../security/access-control.js';
import type { AclUser } from '../../security/acl-user.js';
import type { ConnectionState } from '../connection-state.js';
import type { McContext } from './types.js';
import { memcachedClientInfo } from './acl.js';

export const UNAUTHENTICATED = 'CLIENT_ERROR unauthenticated';
export const AUTH_FAILURE = 'CLIENT_ERROR authentication failure';
export const AUTH_FORMAT = 'CLIENT_ERROR bad authentication token format';

/**
 * Answers one request of a connection that has not authenticated while the default user needs a
 * password. Returns the user the request authenticated as, or null.
 */
export function authenticate(ctx: McContext, state: ConnectionState, req: Request, acl: AccessControl): AclUser | null {
  if (req.kind !== 'store' || req.cmd !== 'set') {
    writeLine(ctx.w, UNAUTHENTICATED);
    return null;
  }
  // memcached tokenizes the data on spaces: `<user> <password>`, the password being the rest.
  // The bytes as sent: ACL names are latin1 strings of their bytes, passwords hash their bytes.
  const data = req.data;
  const sp = data.indexOf(0x20);
  if (sp <= 0 || sp === data.length - 1) {
    writeLine(ctx.w, AUTH_FORMAT);
    return null;
  }
  const name = data.toString('latin1', 0, sp);
  const pass = data.subarray(sp + 1);
  const c = ctx.server.counters;
  c.authCmds++;
  const user = acl.authenticate(name, pass);
  if (user !== null) {
    writeReply(ctx.w, REPLY.STORED);
    return user;
  }
  c.authErrors++;
  acl.log.add({
    reason: 'auth',
    context: 'toplevel',
    object: 'set',
    username: name,
    clientInfo: memcachedClientInfo(state, 'set'),
  });
  writeLine(ctx.w, AUTH_FAILURE);
  return null;
}

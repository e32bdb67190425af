// memcached 1.6 ASCII authentication (`-Y` auth file; proto_text.c try_read_command_asciiauth and
// process_ascii_auth): until a connection has authenticated, the only command it may send is a
// `set <anykey> <flags> <exptime> <bytes>` whose data is `<user> <password>`; anything else gets
// CLIENT_ERROR unauthenticated. Here the one user is `default`, with the password `requirepass`
// (as Redis's AUTH <password> is AUTH default <password>); ACL users come with the security issue.
import { REPLY, writeLine, writeReply, type Request } from '../../protocol/memcache/index.js';
import type { McContext } from './types.js';

export const UNAUTHENTICATED = 'CLIENT_ERROR unauthenticated';
export const AUTH_FAILURE = 'CLIENT_ERROR authentication failure';
export const AUTH_FORMAT = 'CLIENT_ERROR bad authentication token format';

/** The user memcached connections authenticate as with `requirepass`. */
export const DEFAULT_USER = 'default';

/**
 * Answers one request of a connection that has not authenticated while `password` is required.
 * Returns true when the request authenticated the connection.
 */
export function authenticate(ctx: McContext, req: Request, password: string): boolean {
  if (req.kind !== 'store' || req.cmd !== 'set') {
    writeLine(ctx.w, UNAUTHENTICATED);
    return false;
  }
  // memcached tokenizes the data on spaces: `<user> <password>`, the password being the rest.
  const text = req.data.toString('utf8');
  const sp = text.indexOf(' ');
  if (sp <= 0 || sp === text.length - 1) {
    writeLine(ctx.w, AUTH_FORMAT);
    return false;
  }
  const user = text.slice(0, sp);
  const pass = text.slice(sp + 1);
  const c = ctx.server.counters;
  c.authCmds++;
  if (user === DEFAULT_USER && pass === password) {
    writeReply(ctx.w, REPLY.STORED);
    return true;
  }
  c.authErrors++;
  writeLine(ctx.w, AUTH_FAILURE);
  return false;
}

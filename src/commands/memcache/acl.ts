// ACL rules on the memcached port: an authenticated connection runs as its ACL user, and each
// request is held to that user's rules as the Redis command doing the same thing would be (get ->
// GET, set -> SET, delete -> DEL, incr -> INCRBY, flush_all -> FLUSHALL, ...), with the key's read
// or write right as that command's key spec says. So one rule set ("+@read ~app:*") means the same
// on both ports of the one keyspace. A refusal is a CLIENT_ERROR with Redis's wording, logged in
// ACL LOG like a Redis one.
import { writeLine, type Request } from '../../protocol/memcache/index.js';
import type { AccessControl } from '../../security/access-control.js';
import { KEY_READ, KEY_WRITE } from '../../security/acl-selector.js';
import type { ConnectionState } from '../connection-state.js';
import type { McContext } from './types.js';

interface Mapped {
  /** The Redis command whose rules apply. */
  command: string;
  keys: Buffer[];
  need: number;
}

const R = KEY_READ;
const W = KEY_WRITE;

/** The Redis command and key rights a request stands for; null: always allowed (version, quit, mn). */
function mapRequest(req: Request): Mapped | null {
  switch (req.kind) {
    case 'store':
      if (req.cmd === 'append' || req.cmd === 'prepend') return { command: 'append', keys: [req.key], need: W };
      return { command: 'set', keys: [req.key], need: req.cmd === 'cas' ? R | W : W };
    case 'get':
      return req.cmd === 'gat' || req.cmd === 'gats' ? { command: 'getex', keys: req.keys, need: R | W } : { command: 'get', keys: req.keys, need: R };
    case 'delete':
      return { command: 'del', keys: [req.key], need: W };
    case 'arith':
      return { command: req.cmd === 'incr' ? 'incrby' : 'decrby', keys: [req.key], need: R | W };
    case 'touch':
      return { command: 'expire', keys: [req.key], need: W };
    case 'flush_all':
      return { command: 'flushall', keys: [], need: 0 };
    case 'stats':
      return { command: 'info', keys: [], need: 0 };
    case 'verbosity':
    case 'cache_memlimit':
      return { command: 'config|set', keys: [], need: 0 };
    case 'shutdown':
      return { command: 'shutdown', keys: [], need: 0 };
    case 'mg': {
      // A TTL update (T) or a vivify (N) writes; anything else only reads.
      const writes = req.flags.ttl !== undefined || req.flags.vivifyTtl !== undefined;
      return writes ? { command: 'getex', keys: [req.key], need: R | W } : { command: 'get', keys: [req.key], need: R };
    }
    case 'ms':
      return { command: 'set', keys: [req.key], need: req.flags.compareCas !== undefined ? R | W : W };
    case 'md':
      return { command: 'del', keys: [req.key], need: W };
    case 'ma':
      return { command: 'incrby', keys: [req.key], need: R | W };
    case 'me':
      return { command: 'ttl', keys: [req.key], need: R };
    default:
      return null;
  }
}

/** ACL LOG's client-info of a memcached connection (CLIENT LIST's fields it has). */
export function memcachedClientInfo(state: ConnectionState, cmd: string): string {
  return `id=${state.id} addr=${state.addr} laddr=${state.laddr} cmd=${cmd} user=${state.user.name} protocol=memcached`;
}

/**
 * True when the connection's user may run `req`; otherwise writes the CLIENT_ERROR, logs the
 * denial and returns false.
 */
export function aclAllows(ctx: McContext, state: ConnectionState, req: Request, acl: AccessControl): boolean {
  const user = state.user;
  if (user.unrestricted) return true;
  const m = mapRequest(req);
  if (m === null) return true;
  const cmd = acl.commands.find(m.command);
  let denial: { reason: 'command' | 'key'; object: string } = { reason: 'command', object: m.command };
  if (cmd !== undefined) {
    for (const s of user.selectors) {
      if (!s.commandAllowed(cmd, [])) continue;
      const bad = m.keys.find((k) => !s.keyAllowed(k.toString('latin1'), m.need));
      if (bad === undefined) return true;
      denial = { reason: 'key', object: bad.toString('latin1') };
    }
  }
  acl.log.add({
    reason: denial.reason,
    context: 'toplevel',
    object: denial.object,
    username: user.name,
    clientInfo: memcachedClientInfo(state, state.lastCommand),
  });
  writeLine(ctx.w, denial.reason === 'command'
    ? `CLIENT_ERROR this user has no permissions to run the '${m.command}' command`
    : 'CLIENT_ERROR this user has no permissions to access one of the keys used as arguments');
  return false;
}

// Connection commands: PING ECHO QUIT HELLO AUTH SELECT, as Redis 7 answers them.
import {
  ErrorReply,
  MapReply,
  NOT_INTEGER,
  NOPROTO,
  OK,
  PONG,
  SimpleString,
  SYNTAX_ERR,
  WRONGPASS,
  DB_INDEX_OUT_OF_RANGE,
  wrongArity,
  type Reply,
} from '../../protocol/resp/index.js';
import { redisServer } from './services.js';
import type { ClientState, CommandContext, CommandSpec } from './types.js';
import type { ConnectionState } from '../connection-state.js';
import { parseInt64 } from '../../store/numeric.js';
import { isSubscribed, newSubscriptions } from './pubsub.js';
import { endMulti } from './multi.js';
import { logAclDenial } from './acl-check.js';

const NOPASS_AUTH = new ErrorReply(
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
);
const HELLO_NOAUTH = new ErrorReply(
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
);
const INT_RANGE = new ErrorReply('ERR value is out of range, value must between -2147483648 and 2147483647');
const BAD_PROTOVER = new ErrorReply('ERR Protocol version is not an integer or out of range');
export const BAD_CLIENT_NAME = new ErrorReply('ERR Client names cannot contain spaces, newlines or special characters.');

/** Redis validateClientAttr: printable ASCII without spaces ('!'..'~'). */
export function validClientAttr(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! < 0x21 || b[i]! > 0x7e) return false;
  return true;
}

/** A new RESP connection's state, from the shared part. */
export function newClientState(base: ConnectionState): ClientState {
  return { ...base, name: '', resp: 2, db: 0, libName: '', libVersion: '', replyMode: 'on', noEvict: false, closeAfterReply: false, multi: null, watched: null, pubsub: newSubscriptions(), blockRequest: null, blocked: false, deferredReply: null };
}

/** clientSetNameOrReply: an empty name clears it. */
export function setClientName(client: ClientState, name: Buffer): ErrorReply | null {
  if (!validClientAttr(name)) return BAD_CLIENT_NAME;
  client.name = name.toString('latin1');
  return null;
}

/**
 * ACLAuthenticateUser: the user must exist, be on, and be nopass or have the password (compared
 * as SHA-256 in constant time). A refusal is counted and logged in ACL LOG, never the password.
 */
function authenticate(ctx: CommandContext, command: Buffer, username: Buffer, password: Buffer): ErrorReply | null {
  const srv = redisServer(ctx);
  const name = username.toString('latin1');
  const user = srv.acl.authenticate(name, password);
  if (user === null) {
    srv.noteAuthFailure();
    logAclDenial(ctx, 'auth', command.toString('latin1'), name);
    return WRONGPASS;
  }
  ctx.client.authenticated = true;
  ctx.client.user = user;
  return null;
}

const ping: CommandSpec = {
  name: 'ping', arity: -1, flags: ['fast'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx, argv) {
    if (argv.length > 2) return wrongArity('ping');
    // RESP2 subscribed mode: PING answers like a message would look, ["pong", arg or ""].
    if (ctx.client.resp === 2 && isSubscribed(ctx.client)) return ['pong', argv[1] ?? ''];
    return argv.length === 2 ? argv[1]! : PONG;
  },
};

const echo: CommandSpec = {
  name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  handler: (_ctx, argv) => argv[1]!,
};

const quit: CommandSpec = {
  name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx) {
    ctx.client.closeAfterReply = true;
    return OK;
  },
};

const auth: CommandSpec = {
  name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx, argv) {
    if (argv.length > 3) return SYNTAX_ERR;
    if (argv.length === 2) {
      if (redisServer(ctx).acl.defaultUser.nopass) return NOPASS_AUTH;
      return authenticate(ctx, argv[0]!, DEFAULT_USER, argv[1]!) ?? OK;
    }
    return authenticate(ctx, argv[0]!, argv[1]!, argv[2]!) ?? OK;
  },
};
const DEFAULT_USER = Buffer.from('default');

const hello: CommandSpec = {
  name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx, argv) {
    let ver = 0;
    let next = 1;
    if (argv.length >= 2) {
      const v = parseInt64(argv[next++]!);
      if (v === null) return BAD_PROTOVER;
      if (v < 2n || v > 3n) return NOPROTO;
      ver = Number(v);
    }
    let user: Buffer | null = null;
    let pass: Buffer | null = null;
    let name: Buffer | null = null;
    for (let j = next; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      const opt = argv[j]!.toString('latin1').toLowerCase();
      if (opt === 'auth' && more >= 2) {
        user = argv[j + 1]!;
        pass = argv[j + 2]!;
        j += 2;
      } else if (opt === 'setname' && more >= 1) {
        name = argv[++j]!;
      } else {
        return new ErrorReply(`ERR Syntax error in HELLO option '${cstr(argv[j]!)}'`);
      }
    }
    if (user && pass) {
      const err = authenticate(ctx, argv[0]!, user, pass);
      if (err) return err;
    }
    const srv = redisServer(ctx);
    if (!ctx.client.authenticated && srv.acl.authRequired) return HELLO_NOAUTH;
    if (name) {
      const err = setClientName(ctx.client, name);
      if (err) return err;
    }
    if (ver) ctx.client.resp = ver as 2 | 3;
    return new MapReply([
      ['server', 'redis'],
      ['version', srv.redisVersion],
      ['proto', ctx.client.resp],
      ['id', ctx.client.id],
      ['mode', 'standalone'],
      ['role', 'master'],
      ['modules', [] as Reply[]],
    ]);
  },
};

const select: CommandSpec = {
  name: 'select', arity: 2, flags: ['fast', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx, argv) {
    const id = parseInt64(argv[1]!);
    // getIntFromObjectOrReply: a long long first, then the range of a C int (Redis's own wording).
    if (id === null) return NOT_INTEGER;
    if (id < -2147483648n || id > 2147483647n) return INT_RANGE;
    if (id !== 0n) return DB_INDEX_OUT_OF_RANGE;
    ctx.client.db = 0;
    return OK;
  },
};

const RESET_REPLY = new SimpleString('RESET');

/**
 * RESET (Redis clearClientConnectionState): back to a new connection's state — database 0, RESP2,
 * the default user (unauthenticated again when a password is required), no transaction or watched
 * keys, no subscriptions, no name, replies on. Runs inside MULTI and in subscribed mode.
 */
const reset: CommandSpec = {
  name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'noauth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler(ctx) {
    const c = ctx.client;
    c.db = 0;
    c.resp = 2;
    const acl = redisServer(ctx).acl;
    c.user = acl.defaultUser;
    c.authenticated = !acl.authRequired;
    endMulti(c);
    ctx.server.pubsub.leaveAll(c);
    c.name = '';
    c.replyMode = 'on';
    return RESET_REPLY;
  },
};

const TIMEOUT_NOT_INTEGER = new ErrorReply('ERR timeout is not an integer or out of range');
const TIMEOUT_NEGATIVE = new ErrorReply('ERR timeout is negative');

/**
 * WAIT numreplicas timeout: the number of replicas that acknowledged this client's writes — 0, as
 * daxcache has no replicas. Redis would block until the timeout when asked for more than it has;
 * here the answer comes at once (every acknowledged write is already durable on this server).
 */
const wait: CommandSpec = {
  name: 'wait', arity: 3, flags: ['noscript'], firstKey: 0, lastKey: 0, step: 0,
  handler(_ctx, argv) {
    if (parseInt64(argv[1]!) === null) return NOT_INTEGER;
    const timeout = parseInt64(argv[2]!);
    if (timeout === null) return TIMEOUT_NOT_INTEGER;
    if (timeout < 0n) return TIMEOUT_NEGATIVE;
    return 0;
  },
};

/** Bytes as C's %s prints them: up to the first NUL. */
export function cstr(b: Buffer): string {
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
}

export const connectionCommands: CommandSpec[] = [ping, echo, quit, auth, hello, select, wait, reset];

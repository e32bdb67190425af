// CLIENT: SETNAME GETNAME ID INFO LIST KILL NO-EVICT REPLY SETINFO HELP, with Redis 7.2's replies.
import { ErrorReply, OK, SYNTAX_ERR, VerbatimReply, type Reply } from '../../protocol/resp/index.js';
import { NOT_INTEGER } from '../../protocol/resp/errors.js';
import { optIs, parseLongLong } from './args.js';
import { parseInt64 } from '../../store/numeric.js';
import { cstr, setClientName, validClientAttr } from './connection.js';
import { container, helpReply, sub } from './help.js';
import { isRedisClient, redisServer, type RedisClientHandle } from './services.js';
import type { CommandContext, CommandSpec } from './types.js';
import { isSubscribed } from './pubsub.js';
import type { AclUser } from '../../security/acl-user.js';

const NO_SUCH_CLIENT = new ErrorReply('ERR No such client');
const BAD_CLIENT_ID = new ErrorReply('ERR client-id should be greater than 0');
const INVALID_CLIENT_ID = new ErrorReply('ERR Invalid client ID');

/** Redis getClientTypeByName: the types CLIENT LIST/KILL accept. A daxcache client is "normal" or "pubsub". */
const CLIENT_TYPES = new Set(['normal', 'slave', 'replica', 'master', 'pubsub']);

/** Redis getClientType: a client with subscriptions is "pubsub". */
function clientType(c: RedisClientHandle['state']): 'normal' | 'pubsub' {
  return isSubscribed(c) ? 'pubsub' : 'normal';
}

/** One CLIENT LIST line (catClientInfoString), without the trailing newline. */
export function clientInfoLine(h: RedisClientHandle, nowMs: number): string {
  const c = h.state;
  let flags = '';
  if (isSubscribed(c)) flags += 'P';
  if (c.multi !== null) flags += 'x';
  if (c.blocked) flags += 'b';
  if (c.closeAfterReply) flags += 'c';
  if (c.noEvict) flags += 'e';
  if (flags === '') flags = 'N';
  const qbuf = h.queryBufferBytes();
  const omem = h.outputBufferBytes();
  return [
    `id=${c.id}`,
    `addr=${c.addr}`,
    `laddr=${c.laddr}`,
    `fd=${h.fd}`,
    `name=${c.name}`,
    `age=${Math.floor((nowMs - c.createdMs) / 1000)}`,
    `idle=${Math.floor((nowMs - c.lastInteractionMs) / 1000)}`,
    `flags=${flags}`,
    `db=${c.db}`,
    `sub=${c.pubsub.channel.size} psub=${c.pubsub.pattern.size} ssub=${c.pubsub.shard.size}`,
    `multi=${c.multi === null ? -1 : c.multi.queue.length}`,
    `qbuf=${qbuf}`,
    'qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0',
    `omem=${omem}`,
    `tot-mem=${qbuf + omem}`,
    `events=${omem > 0 ? 'rw' : 'r'}`,
    `cmd=${c.lastCommand || 'NULL'}`,
    `user=${c.user.name}`,
    'redir=-1',
    `resp=${c.resp}`,
    `lib-name=${c.libName}`,
    `lib-ver=${c.libVersion}`,
  ].join(' ');
}

function redisClients(ctx: CommandContext): RedisClientHandle[] {
  return [...redisServer(ctx).clients.all()].filter(isRedisClient);
}

const lower = (b: Buffer): string => b.toString('latin1').toLowerCase();

const list = sub('list', -2, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const now = Date.now();
  let picked: RedisClientHandle[];
  if (argv.length === 4 && lower(argv[2]!) === 'type') {
    const type = lower(argv[3]!);
    if (!CLIENT_TYPES.has(type)) return new ErrorReply(`ERR Unknown client type '${cstr(argv[3]!)}'`);
    picked = redisClients(ctx).filter((h) => clientType(h.state) === type);
  } else if (argv.length > 3 && lower(argv[2]!) === 'id') {
    picked = [];
    const dir = redisServer(ctx).clients;
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]!);
      if (id === null) return INVALID_CLIENT_ID;
      const h = dir.byId(Number(id));
      if (h && isRedisClient(h)) picked.push(h);
    }
  } else if (argv.length !== 2) {
    return SYNTAX_ERR;
  } else {
    picked = redisClients(ctx);
  }
  return new VerbatimReply('txt', picked.map((h) => clientInfoLine(h, now) + '\n').join(''));
});

const info = sub('info', 2, ['noscript', 'loading', 'stale'], (ctx) => {
  const self = redisServer(ctx).clients.byId(ctx.client.id);
  return new VerbatimReply('txt', self && isRedisClient(self) ? clientInfoLine(self, Date.now()) + '\n' : '');
});

const id = sub('id', 2, ['noscript', 'loading', 'stale'], (ctx) => ctx.client.id);

const getname = sub('getname', 2, ['noscript', 'loading', 'stale'], (ctx) => (ctx.client.name === '' ? null : ctx.client.name));

const setname = sub('setname', 3, ['noscript', 'loading', 'stale'], (ctx, argv) => setClientName(ctx.client, argv[2]!) ?? OK);

const setinfo = sub('setinfo', 4, ['loading', 'stale'], (ctx, argv) => {
  const attr = lower(argv[2]!);
  if (attr !== 'lib-name' && attr !== 'lib-ver') return new ErrorReply(`ERR Unrecognized option '${cstr(argv[2]!)}'`);
  if (!validClientAttr(argv[3]!)) {
    return new ErrorReply(`ERR ${cstr(argv[2]!)} cannot contain spaces, newlines or special characters.`);
  }
  const value = argv[3]!.toString('latin1');
  if (attr === 'lib-name') ctx.client.libName = value;
  else ctx.client.libVersion = value;
  return OK;
});

const noEvict = sub('no-evict', 3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const v = lower(argv[2]!);
  if (v !== 'on' && v !== 'off') return SYNTAX_ERR;
  ctx.client.noEvict = v === 'on';
  return OK;
});

/** OFF and SKIP send no reply at all; the connection applies replyMode after the command. */
const reply = sub('reply', 3, ['noscript', 'loading', 'stale'], (ctx, argv) => {
  const v = lower(argv[2]!);
  if (v === 'on') ctx.client.replyMode = 'on';
  else if (v === 'off') ctx.client.replyMode = 'off';
  else if (v === 'skip') {
    if (ctx.client.replyMode !== 'off') ctx.client.replyMode = 'skip';
  } else return SYNTAX_ERR;
  return OK;
});

interface KillFilter {
  addr?: string;
  laddr?: string;
  id?: number;
  type?: string;
  user?: AclUser;
  skipme: boolean;
}

/** The filter of CLIENT KILL's new form, or the error to reply. */
function parseKillFilter(ctx: CommandContext, argv: Buffer[]): KillFilter | ErrorReply {
  const f: KillFilter = { skipme: true };
  for (let i = 2; i < argv.length; i += 2) {
    const opt = lower(argv[i]!);
    const val = argv[i + 1];
    if (val === undefined) return SYNTAX_ERR;
    if (opt === 'id') {
      const n = parseInt64(val);
      if (n === null || n < 1n) return BAD_CLIENT_ID;
      f.id = Number(n);
    } else if (opt === 'type') {
      const t = lower(val);
      if (!CLIENT_TYPES.has(t)) return new ErrorReply(`ERR Unknown client type '${cstr(val)}'`);
      f.type = t;
    } else if (opt === 'addr') f.addr = val.toString('latin1');
    else if (opt === 'laddr') f.laddr = val.toString('latin1');
    else if (opt === 'user') {
      const u = redisServer(ctx).acl.get(val.toString('latin1'));
      if (u === undefined) return new ErrorReply(`ERR No such user '${cstr(val)}'`);
      f.user = u;
    } else if (opt === 'skipme') {
      const v = lower(val);
      if (v !== 'yes' && v !== 'no') return SYNTAX_ERR;
      f.skipme = v === 'yes';
    } else return SYNTAX_ERR;
  }
  return f;
}

const kill = sub('kill', -3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const oldForm = argv.length === 3;
  const f = oldForm ? { addr: argv[2]!.toString('latin1'), skipme: false } : parseKillFilter(ctx, argv);
  if (f instanceof ErrorReply) return f;
  let killed = 0;
  for (const h of redisClients(ctx)) {
    const c = h.state;
    if (f.addr !== undefined && c.addr !== f.addr) continue;
    if (f.laddr !== undefined && c.laddr !== f.laddr) continue;
    if (f.id !== undefined && c.id !== f.id) continue;
    if (f.type !== undefined && f.type !== clientType(c)) continue;
    if (f.user !== undefined && c.user !== f.user) continue;
    const self = c.id === ctx.client.id;
    if (self && f.skipme) continue;
    // Our own connection closes after this reply (CLIENT_CLOSE_AFTER_REPLY), others at once.
    if (self) ctx.client.closeAfterReply = true;
    else h.kill();
    killed++;
  }
  if (oldForm) return killed === 0 ? NO_SUCH_CLIENT : OK;
  return killed;
});

const UNBLOCK_REASON = new ErrorReply('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
const UNBLOCKED = new ErrorReply('UNBLOCKED client unblocked via CLIENT UNBLOCK');
const UNBLOCK_ARGS = new ErrorReply("ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.");

/** CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: ends a blocking command's wait as its timeout would, or with an error. */
const unblock = sub('unblock', -3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  if (argv.length > 4) return UNBLOCK_ARGS;
  let error = false;
  if (argv.length === 4) {
    if (optIs(argv[3]!, 'error')) error = true;
    else if (!optIs(argv[3]!, 'timeout')) return UNBLOCK_REASON;
  }
  const id = parseLongLong(argv[2]!);
  if (id === null) return NOT_INTEGER;
  return redisServer(ctx).blocking.unblock(Number(id), error ? UNBLOCKED : null) ? 1 : 0;
});

const HELP_LINES = [
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'GETNAME',
  '    Return the name of the current connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  '    * ID <client-id> [<client-id> ...]',
  '      Return clients of specified IDs only.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
];

const help = sub('help', 2, ['loading', 'stale'], (): Reply => helpReply('client', HELP_LINES));

export const clientCommand: CommandSpec = container('client', [], [
  id, info, list, kill, getname, setname, setinfo, noEvict, reply, unblock, help,
]);


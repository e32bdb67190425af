// ACL: SETUSER GETUSER DELUSER USERS LIST WHOAMI CAT LOG DRYRUN GENPASS LOAD SAVE HELP, with
// Redis 7.0's replies and errors. The users and rules live in src/security; this file only reads
// arguments and shapes replies.
import { randomBytes } from 'node:crypto';
import { DoubleReply, ErrorReply, MapReply, NOT_INTEGER, OK, SetReply, subcommandSyntaxError, type Reply } from '../../protocol/resp/index.js';
import { ACL_CATEGORIES, categoryBit, type AclCommand } from '../../security/acl-commands.js';
import type { Selector } from '../../security/acl-selector.js';
import { readAclFile, writeAclFile } from '../../security/acl-file.js';
import { parseLongLong } from './args.js';
import { cstr } from './connection.js';
import { container, helpReply, sub } from './help.js';
import { redisServer } from './services.js';
import type { CommandSpec } from './types.js';
import { aclCheck, dryrunText } from './acl-check.js';

const latin1 = (b: Buffer): string => b.toString('latin1');
const bulk = (s: string): Buffer => Buffer.from(s, 'latin1');

const NO_ACLFILE = new ErrorReply(
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.',
);
const SAVE_FAILED = new ErrorReply('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
const GENPASS_MAX_BITS = 4096;
const GENPASS_RANGE = new ErrorReply(
  `ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`,
);

const setuser = sub('setuser', -3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const err = redisServer(ctx).acl.setUser(latin1(argv[2]!), argv.slice(3).map(latin1));
  return err === null ? OK : new ErrorReply(`ERR ${err}`);
});

const deluser = sub('deluser', -3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const r = redisServer(ctx).acl.deleteUsers(argv.slice(2).map(latin1));
  return typeof r === 'number' ? r : new ErrorReply(`ERR ${r}`);
});

/** One selector as ACL GETUSER shows it (commands, keys, channels). */
function selectorFields(s: Selector): Array<[Reply, Reply]> {
  return [
    ['commands', bulk(s.describeCommands())],
    ['keys', bulk(s.keysText())],
    ['channels', bulk(s.channelsText())],
  ];
}

const getuser = sub('getuser', 3, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const u = redisServer(ctx).acl.get(latin1(argv[2]!));
  if (u === undefined) return null; // Redis 7.0 answers a null for an unknown user
  return new MapReply([
    ['flags', new SetReply(u.flagNames())],
    ['passwords', u.passwords.map(bulk)],
    ...selectorFields(u.root),
    ['selectors', u.selectors.slice(1).map((s) => new MapReply(selectorFields(s)))],
  ]);
});

const listUsers = sub('list', 2, ['admin', 'noscript', 'loading', 'stale'], (ctx) =>
  redisServer(ctx).acl.list().map((u) => bulk(`user ${u.name} ${u.describe()}`)),
);

const users = sub('users', 2, ['admin', 'noscript', 'loading', 'stale'], (ctx) => redisServer(ctx).acl.list().map((u) => bulk(u.name)));

const whoami = sub('whoami', 2, ['noscript', 'loading', 'stale'], (ctx) => bulk(ctx.client.user.name));

/** ACL CAT <category>: every command and subcommand in it, in table order. */
function commandsIn(list: readonly AclCommand[], bit: number, out: Buffer[]): Buffer[] {
  for (const c of list) {
    if (c.categoryBits & bit) out.push(bulk(c.fullName));
    if (c.subcommands.length) commandsIn(c.subcommands, bit, out);
  }
  return out;
}

const cat = sub('cat', -2, ['noscript', 'loading', 'stale'], (ctx, argv) => {
  if (argv.length > 3) return subcommandSyntaxError('acl', argv[1]!);
  if (argv.length === 2) return ACL_CATEGORIES.map((c) => c);
  const bit = categoryBit(latin1(argv[2]!));
  if (!bit) return new ErrorReply(`ERR Unknown category '${cstr(argv[2]!).slice(0, 128)}'`);
  return commandsIn(redisServer(ctx).acl.commands.top, bit, []);
});

const genpass = sub('genpass', -2, ['noscript', 'loading', 'stale'], (_ctx, argv) => {
  if (argv.length > 3) return subcommandSyntaxError('acl', argv[1]!);
  let bits = 256;
  if (argv.length === 3) {
    const n = parseLongLong(argv[2]!);
    if (n === null) return NOT_INTEGER;
    if (n <= 0n || n > BigInt(GENPASS_MAX_BITS)) return GENPASS_RANGE;
    bits = Number(n);
  }
  const chars = Math.floor((bits + 3) / 4);
  return bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
});

const log = sub('log', -2, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  if (argv.length > 3) return subcommandSyntaxError('acl', argv[1]!);
  const acl = redisServer(ctx).acl;
  let count = 10;
  if (argv.length === 3) {
    if (latin1(argv[2]!).toLowerCase() === 'reset') {
      acl.log.reset();
      return OK;
    }
    const n = parseLongLong(argv[2]!);
    if (n === null) return NOT_INTEGER;
    count = n < 0n ? 0 : Number(n > 1_000_000n ? 1_000_000n : n);
  }
  const now = Date.now();
  return acl.log.entries.slice(0, count).map((e) => new MapReply([
    ['count', e.count],
    ['reason', e.reason],
    ['context', e.context],
    ['object', bulk(e.object)],
    ['username', bulk(e.username)],
    ['age-seconds', new DoubleReply((now - e.ctimeMs) / 1000)],
    ['client-info', bulk(e.clientInfo)],
  ]));
});

const dryrun = sub('dryrun', -4, ['admin', 'noscript', 'loading', 'stale'], (ctx, argv) => {
  const srv = redisServer(ctx);
  const u = srv.acl.get(latin1(argv[2]!));
  if (u === undefined) return new ErrorReply(`ERR User '${cstr(argv[2]!)}' not found`);
  const line = argv.slice(3);
  const entry = srv.commands.lookupLine(line);
  if (entry === undefined) return new ErrorReply(`ERR Command '${cstr(argv[3]!)}' not found`);
  const d = aclCheck(u, entry, line);
  return d === null ? OK : bulk(dryrunText(d, entry.fullName, line));
});

const load = sub('load', 2, ['admin', 'noscript', 'loading', 'stale'], (ctx) => {
  const srv = redisServer(ctx);
  const file = srv.aclFile();
  if (file === null) return NO_ACLFILE;
  const r = readAclFile(file);
  if ('error' in r) return new ErrorReply(`ERR ${r.error}`);
  const err = srv.acl.loadFile(r.text, file);
  return err === null ? OK : new ErrorReply(`ERR ${err}`);
});

const save = sub('save', 2, ['admin', 'noscript', 'loading', 'stale'], (ctx) => {
  const srv = redisServer(ctx);
  const file = srv.aclFile();
  if (file === null) return NO_ACLFILE;
  try {
    writeAclFile(file, srv.acl.fileText());
    return OK;
  } catch (e) {
    srv.warn(`Saving the ACL file ${file} failed: ${(e as Error).message}`);
    return SAVE_FAILED;
  }
});

const HELP_LINES = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

const help = sub('help', 2, ['loading', 'stale'], (): Reply => helpReply('acl', HELP_LINES));

export const aclCommand: CommandSpec = container('acl', [], [
  cat, deluser, dryrun, genpass, getuser, listUsers, load, log, save, setuser, users, whoami, help,
]);

// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | HELP]: the command table described the way Redis 7
// does, enough for redis-cli, client libraries and cluster-aware clients (key positions).
import { ErrorReply, MapReply, SetReply, SimpleString, SYNTAX_ERR, type Reply } from '../../protocol/resp/index.js';
import { globMatch } from '../../ops/glob.js';
import { helpReply, sub } from './help.js';
import { redisServer } from './services.js';
import type { CommandEntry, CommandGroup, CommandTable } from './table.js';
import type { CommandFlag, CommandSpec } from './types.js';

/** Redis's names for our flags ('multikey' is only internal). */
const FLAG_NAMES: Partial<Record<CommandFlag, string>> = {
  write: 'write', readonly: 'readonly', denyoom: 'denyoom', admin: 'admin', fast: 'fast', noauth: 'no_auth',
  loading: 'loading', stale: 'stale', noscript: 'noscript', pubsub: 'pubsub', blocking: 'blocking',
};

const GROUP_CATEGORY: Record<CommandGroup, string> = {
  string: '@string', generic: '@keyspace', connection: '@connection', server: '',
  bitmap: '@bitmap', pubsub: '@pubsub', transactions: '@transaction', hash: '@hash', set: '@set', sortedset: '@sortedset', list: '@list',
};

/** ACL categories in Redis's bit order (COMMAND INFO lists them that way). */
const CATEGORY_ORDER = [
  '@keyspace', '@read', '@write', '@set', '@sortedset', '@list', '@hash', '@string', '@bitmap', '@pubsub', '@admin',
  '@fast', '@slow', '@blocking', '@dangerous',
  '@connection', '@transaction',
];

export function aclCategories(e: CommandEntry): string[] {
  const f = e.spec.flags;
  const cats = new Set<string>();
  if (f.includes('write')) cats.add('@write');
  if (f.includes('readonly')) cats.add('@read');
  const g = GROUP_CATEGORY[e.group];
  if (g) cats.add(g);
  if (f.includes('admin')) cats.add('@admin').add('@dangerous');
  for (const c of e.spec.categories ?? []) cats.add(c);
  if (f.includes('blocking')) cats.add('@blocking');
  cats.add(f.includes('fast') ? '@fast' : '@slow');
  return CATEGORY_ORDER.filter((c) => cats.has(c));
}

/** Legacy key range of COMMAND INFO: lastkey is absolute (or negative, from the end). */
function keySpecs(spec: CommandSpec): Reply[] {
  if (spec.firstKey <= 0) return [];
  const ro = spec.flags.includes('readonly');
  return [
    new MapReply([
      ['flags', new SetReply(ro ? [new SimpleString('RO'), new SimpleString('access')] : [new SimpleString('RW'), new SimpleString('update')])],
      ['begin_search', new MapReply([['type', 'index'], ['spec', new MapReply([['index', spec.firstKey]])]])],
      [
        'find_keys',
        new MapReply([
          ['type', 'range'],
          ['spec', new MapReply([
            ['lastkey', spec.lastKey >= 0 ? spec.lastKey - spec.firstKey : spec.lastKey],
            ['keystep', spec.step],
            ['limit', 0],
          ])],
        ]),
      ],
    ]),
  ];
}

export function commandInfo(e: CommandEntry): Reply {
  const s = e.spec;
  const flags = s.flags.map((f) => FLAG_NAMES[f]).filter((f): f is string => f !== undefined);
  return [
    e.fullName,
    s.arity,
    new SetReply(flags.map((f) => new SimpleString(f))),
    s.firstKey,
    s.lastKey,
    s.step,
    new SetReply(aclCategories(e).map((c) => new SimpleString(c))),
    new SetReply([]),
    keySpecs(s),
    e.subcommands ? [...e.subcommands.values()].map(commandInfo) : [],
  ];
}

function commandDocs(e: CommandEntry): Reply {
  const fields: Array<[Reply, Reply]> = [['group', e.group]];
  if (e.subcommands) {
    fields.push(['subcommands', new MapReply([...e.subcommands.values()].map((s): [Reply, Reply] => [s.fullName, commandDocs(s)]))]);
  }
  return new MapReply(fields);
}

function table(ctx: Parameters<CommandSpec['handler']>[0]): CommandTable {
  return redisServer(ctx).commands;
}

const count = sub('count', 2, ['loading', 'stale'], (ctx) => table(ctx).size);

const info = sub('info', -2, ['loading', 'stale'], (ctx, argv) => {
  const t = table(ctx);
  if (argv.length === 2) return t.entries.map(commandInfo);
  return argv.slice(2).map((n) => {
    const e = t.find(n.toString('latin1'));
    return e ? commandInfo(e) : null;
  });
});

const docs = sub('docs', -2, ['loading', 'stale'], (ctx, argv) => {
  const t = table(ctx);
  const picked = argv.length === 2 ? t.entries : argv.slice(2).map((n) => t.find(n.toString('latin1')));
  const out: Array<[Reply, Reply]> = [];
  for (const e of picked) if (e) out.push([e.fullName, commandDocs(e)]);
  return new MapReply(out);
});

const list = sub('list', -2, ['loading', 'stale'], (ctx, argv) => {
  const all = [...table(ctx).all()];
  if (argv.length === 2) return all.map((e) => e.fullName);
  if (argv.length !== 5 || argv[2]!.toString('latin1').toLowerCase() !== 'filterby') return SYNTAX_ERR;
  const kind = argv[3]!.toString('latin1').toLowerCase();
  const value = argv[4]!.toString('utf8');
  let keep: (e: CommandEntry) => boolean;
  if (kind === 'module') keep = () => false; // no modules
  else if (kind === 'aclcat') keep = (e) => aclCategories(e).includes(`@${value.toLowerCase()}`);
  else if (kind === 'pattern') keep = (e) => globMatch(value, e.fullName);
  else return SYNTAX_ERR;
  return all.filter(keep).map((e) => e.fullName);
});

const getkeys = sub('getkeys', -4, ['loading', 'stale'], (ctx, argv) => {
  const args = argv.slice(2);
  let e = table(ctx).find(args[0]!.toString('latin1'));
  if (e?.subcommands && args.length >= 2) e = e.subcommands.get(args[1]!.toString('latin1').toLowerCase());
  if (!e) return new ErrorReply('ERR Invalid command specified');
  const { arity, firstKey, lastKey, step } = e.spec;
  if (arity > 0 ? arity !== args.length : args.length < -arity) {
    return new ErrorReply('ERR Invalid number of arguments specified for command');
  }
  if (firstKey <= 0) return new ErrorReply('ERR The command has no key arguments');
  const last = lastKey < 0 ? args.length + lastKey : lastKey;
  const keys: Reply[] = [];
  for (let i = firstKey; i <= last && i < args.length; i += step || 1) keys.push(args[i]!);
  return keys;
});

const HELP_LINES = [
  '(no subcommand)',
  "    Return details about all Redis commands.",
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
];

const help = sub('help', 2, ['loading', 'stale'], () => helpReply('command', HELP_LINES));

const subs: Record<string, CommandSpec> = { count, info, docs, list, getkeys, help };

/** Plain COMMAND (arity -1, unlike other containers) returns every command's info. */
export const commandCommand: CommandSpec = {
  name: 'command', arity: -1, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  handler: (ctx) => table(ctx).entries.map(commandInfo),
  subcommands: subs,
};

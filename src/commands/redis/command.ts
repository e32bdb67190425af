// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | HELP]: the command table described the way Redis 7
// does, enough for redis-cli, client libraries and cluster-aware clients (key positions).
import { ErrorReply, MapReply, SYNTAX_ERR, type Reply } from '../../protocol/resp/index.js';
import { globMatch } from '../../ops/glob.js';
import { helpReply, sub } from './help.js';
import { redisServer } from './services.js';
import type { CommandEntry, CommandGroup, CommandTable } from './table.js';
import type { CommandFlag, CommandSpec } from './types.js';
import { COMMAND_META } from './command-meta.js';
import { commandKeys, hasKeySpecs, keySpecReply, simpleStrings, tipsReply } from './key-specs.js';

/** Redis's names for our flags ('multikey' is only internal). */
const FLAG_NAMES: Partial<Record<CommandFlag, string>> = {
  write: 'write', readonly: 'readonly', denyoom: 'denyoom', admin: 'admin', fast: 'fast', noauth: 'no_auth',
  loading: 'loading', stale: 'stale', noscript: 'noscript', pubsub: 'pubsub', blocking: 'blocking',
  allow_busy: 'allow_busy', skip_slowlog: 'skip_slowlog', no_async_loading: 'no_async_loading', no_multi: 'no_multi',
};

/** Redis's flag order (its CMD_* bits): COMMAND INFO lists flags that way. */
const FLAG_ORDER = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale', 'skip_monitor',
  'skip_slowlog', 'asking', 'fast', 'no_auth', 'may_replicate', 'sentinel', 'only_sentinel', 'no_mandatory_keys',
  'protected', 'module_getkeys', 'module_no_cluster', 'no_async_loading', 'no_multi', 'movablekeys', 'allow_busy',
];

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
  // Redis's own list where it has the command; else from the flags and the group.
  const known = COMMAND_META[e.fullName]?.categories;
  if (known) return [...known];
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

/** Key specs: Redis's where it has the command; else one from the legacy key range. */
function keySpecs(e: CommandEntry): Reply[] {
  const known = COMMAND_META[e.fullName];
  if (known) return (known.keySpecs ?? []).map(keySpecReply);
  const spec = e.spec;
  if (spec.firstKey <= 0) return [];
  const ro = spec.flags.includes('readonly');
  return [
    new MapReply([
      ['flags', simpleStrings(ro ? ['RO', 'access'] : ['RW', 'update'])],
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
  const meta = COMMAND_META[e.fullName];
  const flags = s.flags.map((f) => FLAG_NAMES[f]).filter((f): f is string => f !== undefined);
  if (meta?.movable) flags.push('movablekeys');
  flags.sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b));
  return [
    e.fullName,
    s.arity,
    simpleStrings(flags),
    s.firstKey,
    s.lastKey,
    s.step,
    simpleStrings(aclCategories(e)),
    tipsReply(meta?.tips),
    keySpecs(e),
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
  const meta = COMMAND_META[e.fullName];
  const hasKeys = meta ? hasKeySpecs(meta) : e.spec.firstKey > 0;
  // Redis's order of checks: keys first, then the arity.
  if (!hasKeys) return new ErrorReply('ERR The command has no key arguments');
  const { arity } = e.spec;
  if (arity > 0 ? arity !== args.length : args.length < -arity) {
    return new ErrorReply('ERR Invalid number of arguments specified for command');
  }
  const positions = commandKeys(e.fullName, meta, e.spec, args);
  if (!positions || !positions.length) return new ErrorReply('ERR Invalid arguments specified for command');
  return positions.map((i) => args[i]!);
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

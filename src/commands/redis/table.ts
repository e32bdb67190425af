// The Redis command table and dispatcher, in the order of Redis 7's processCommand: look the
// command (and subcommand) up, check its arity, the AUTH gate, then run it and turn store failures
// into Redis error replies. It also keeps the per-command counters INFO and /metrics report.
import { StoreError } from '../../store/store.js';
import {
  FillBulk,
  BulkArray,
  ErrorReply,
  NOAUTH,
  OOM,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
  WRONGTYPE,
  type Reply,
} from '../../protocol/resp/index.js';
import type { CommandContext, CommandSpec } from './types.js';
import { optIs } from './args.js';
import { RunTimes } from '../../ops/run-times.js';
import { connectionCommands } from './connection.js';
import { clientCommand } from './client.js';
import { serverCommands } from './admin.js';
import { infoCommand } from './info.js';
import { configCommand } from './config-command.js';
import { commandCommand } from './command.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { expireCommands } from './expire.js';
import { multiCommands, QUEUED, RUN_IN_MULTI } from './multi.js';
import { isSubscribed, pubsubCommands, subscribedModeError, SUBSCRIBED_MODE_COMMANDS } from './pubsub.js';
import { bitmapCommands } from './bitmaps.js';
import { dumpCommands } from './dump.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { listCommands } from './lists.js';
import { blockingListCommands, blockingZsetCommands, type BlockingHub } from './blocking.js';
import { sortCommands } from './sort.js';
import { aclCommand } from './acl.js';
import { aclCheck, execNopermReply, logAclDenial, nopermReply } from './acl-check.js';
import { aclCategories } from './command.js';
import { AclCommands, type AclCommand, type AclCommandSource } from '../../security/acl-commands.js';

/** Redis's command groups (COMMAND DOCS "group"); also gives an ACL category. */
export type CommandGroup = 'connection' | 'server' | 'string' | 'generic' | 'transactions' | 'pubsub' | 'bitmap' | 'hash' | 'set' | 'sortedset' | 'list';

export interface CommandEntry {
  readonly spec: CommandSpec;
  /** "get", "config|get": the name Redis prints in errors and COMMAND INFO. */
  readonly fullName: string;
  readonly group: CommandGroup;
  readonly subcommands: ReadonlyMap<string, CommandEntry> | null;
  readonly parent: CommandEntry | null;
  /** Read-only command with key arguments: its reply feeds keyspace hits/misses. */
  readonly readonlyKeys: boolean;
  /** A write command: the keys it names may wake blocked clients. */
  readonly writes: boolean;
  /** Its id in the ACL rules (set by attachAcl). */
  aclCommand: AclCommand | null;
  /** Calls, error replies of calls (failed_calls), rejections before running (rejected_calls:
   *  arity, NOAUTH) and run time in µs, since start or CONFIG RESETSTAT (INFO commandstats). */
  calls: number;
  errors: number;
  rejected: number;
  usec: number;
  /** Run times of the calls, for INFO latencystats; made at the first call. */
  runTimes: RunTimes | null;
  /** Where the command's run time goes (the server's latency histogram), when the server sets one. */
  latency: { observe(seconds: number): void } | null;
}

const TOO_LARGE = new ErrorReply('ERR key or value too large for the store');
const TOO_MANY_KEYS = new ErrorReply('ERR too many keys for one atomic write');
const MULTI_TOO_LARGE = new ErrorReply('ERR the transaction is larger than client-query-buffer-limit');
/** A no_multi command (SAVE, SHUTDOWN) queued in MULTI: Redis's rejectCommand, which dooms the transaction. */
const NOT_IN_MULTI = new ErrorReply('ERR Command not allowed inside a transaction');
const CLOSED = new ErrorReply('ERR server is shutting down');

/** The Redis reply for a store failure. */
export function storeErrorReply(e: StoreError): ErrorReply {
  switch (e.code) {
    case 'OOM':
      return OOM;
    case 'TOO_LARGE':
      return TOO_LARGE;
    case 'TOO_MANY_KEYS':
      return TOO_MANY_KEYS;
    case 'CLOSED':
      return CLOSED;
    case 'WRONGTYPE':
      return WRONGTYPE;
  }
}

export interface TableOptions {
  /** Whether a connection must authenticate (the default user has a password or is off); read on every command. */
  authRequired: () => boolean;
  /** The most bytes of arguments one client may queue in MULTI (client-query-buffer-limit). */
  queueLimit: () => number;
  /** A handler threw something that is not a StoreError (a bug): log it; the client gets "ERR internal error". */
  onInternalError?: (command: string, err: unknown) => void;
  /** Blocked clients (BLPOP ...): told of the keys every write command names. */
  blocking?: Pick<BlockingHub, 'blockedClients' | 'signal'>;
}

/** Hash of a command name folded to lower case (ASCII), computed from the bytes without a string. */
function nameHash(b: Uint8Array): number {
  let h = b.length;
  for (let i = 0; i < b.length; i++) h = (Math.imul(h, 31) + (b[i]! | 0x20)) | 0;
  return h;
}

/** Case-insensitive comparison of a received name with a table name (lower case ASCII). */
function sameName(b: Uint8Array, lower: string): boolean {
  if (b.length !== lower.length) return false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    // Only letters fold: nameHash folds every byte, so look-alikes such as '|' and '\\' meet here.
    if (c !== lower.charCodeAt(i) && !(c >= 0x41 && c <= 0x5a && (c | 0x20) === lower.charCodeAt(i))) return false;
  }
  return true;
}

export class CommandTable {
  private readonly byName = new Map<string, CommandEntry>();
  /** The hot-path index: nameHash -> entries with that hash (no string is made per command). */
  private readonly byHash = new Map<number, CommandEntry[]>();
  /** Top-level entries, once each, in registration order. */
  readonly entries: CommandEntry[] = [];
  /** Keyspace hits/misses, counted from the replies of read-only commands (see count()). */
  keyspaceHits = 0;
  keyspaceMisses = 0;
  commandsProcessed = 0;
  errorReplies = 0;
  /** Error replies by first word (INFO errorstats). */
  readonly errorCodes = new Map<string, number>();

  constructor(
    groups: ReadonlyArray<readonly [CommandGroup, readonly CommandSpec[]]>,
    private readonly opts: TableOptions,
  ) {
    for (const [group, specs] of groups) {
      for (const spec of specs) {
        const name = spec.name.toLowerCase();
        if (this.byName.has(name)) throw new Error(`command table: '${name}' registered twice`);
        const entry = makeEntry(spec, name, group, null);
        this.entries.push(entry);
        this.byName.set(name, entry);
        const h = nameHash(Buffer.from(name, 'latin1'));
        const bucket = this.byHash.get(h);
        if (bucket) bucket.push(entry);
        else this.byHash.set(h, [entry]);
      }
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** A command by name, case-insensitive; "config|get" finds a subcommand. */
  find(name: string): CommandEntry | undefined {
    const lower = name.toLowerCase();
    const bar = lower.indexOf('|');
    if (bar < 0) return this.byName.get(lower);
    return this.byName.get(lower.slice(0, bar))?.subcommands?.get(lower.slice(bar + 1));
  }

  /** The entry a command line runs: a container's subcommand when one is named (Redis lookupCommand). */
  lookupLine(argv: readonly Buffer[]): CommandEntry | undefined {
    const top = this.lookup(argv[0]!);
    if (top === undefined || top.subcommands === null || argv.length < 2) return top;
    return top.subcommands.get(argv[1]!.toString('latin1').toLowerCase());
  }

  /** The commands as ACL rules see them: every entry, its categories and subcommands. */
  aclCommands(): AclCommands {
    const source = (e: CommandEntry): AclCommandSource => ({
      fullName: e.fullName,
      categories: aclCategories(e),
      noauth: e.spec.flags.includes('noauth'),
      subcommands: e.subcommands ? [...e.subcommands.values()].map(source) : [],
    });
    const commands = new AclCommands(this.entries.map(source));
    for (const e of this.all()) e.aclCommand = commands.find(e.fullName) ?? null;
    return commands;
  }

  /** Runs one command and returns its reply; never throws for client input. */
  dispatch(ctx: CommandContext, argv: Buffer[]): Reply {
    const argc = argv.length;
    const first = argv[0]!;
    let entry = this.lookup(first);
    if (entry === undefined) return this.fail(ctx, unknownCommand(first, argv.slice(1)));
    const top = entry;
    if (entry.subcommands !== null && argc >= 2) {
      const sub = entry.subcommands.get(argv[1]!.toString('latin1').toLowerCase());
      if (sub === undefined) return this.fail(ctx, unknownSubcommand(entry.fullName, argv[1]!));
      entry = sub;
    }
    const arity = entry.spec.arity;
    if (arity > 0 ? arity !== argc : argc < -arity) {
      entry.rejected++;
      return this.fail(ctx, wrongArity(entry.fullName));
    }
    if (!ctx.client.authenticated && entry.spec.flags.indexOf('noauth') < 0 && this.opts.authRequired()) {
      entry.rejected++;
      return this.fail(ctx, NOAUTH);
    }
    const user = ctx.client.user;
    if (!user.unrestricted) {
      const denied = aclCheck(user, entry, argv);
      if (denied !== null) {
        entry.rejected++;
        ctx.client.lastCommand = entry.fullName;
        logAclDenial(ctx, denied.reason, denied.reason === 'command' ? entry.fullName : argv[denied.pos]!.toString('latin1'));
        // A queued command the rules no longer allow gets EXEC's own text (execCommand).
        return this.fail(ctx, ctx.client.multi?.executing === true ? execNopermReply(denied) : nopermReply(denied, entry.fullName));
      }
    }
    // A RESP2 connection with subscriptions carries pushed messages: only the (un)subscribe family
    // runs there (Redis processCommand). RESP3 tells pushes apart, so anything may run.
    if (ctx.client.resp === 2 && isSubscribed(ctx.client) && !SUBSCRIBED_MODE_COMMANDS.has(top.fullName)) {
      entry.rejected++;
      return this.fail(ctx, subscribedModeError(entry.fullName));
    }
    const multi = ctx.client.multi;
    if (multi !== null && !multi.executing && entry.spec.flags.includes('no_multi')) {
      entry.rejected++;
      return this.fail(ctx, NOT_IN_MULTI);
    }
    if (multi !== null && !multi.executing && !RUN_IN_MULTI.has(top.fullName)) {
      // Queued for EXEC: a copy, since argv points into the read buffer, which is reused.
      let bytes = 0;
      for (const a of argv) bytes += a.length;
      if (multi.bytes + bytes > this.opts.queueLimit()) return this.fail(ctx, MULTI_TOO_LARGE);
      multi.bytes += bytes;
      multi.queue.push(argv.map((a) => Buffer.from(a)));
      return QUEUED;
    }

    ctx.client.lastCommand = entry.fullName;
    let reply: Reply;
    const t0 = performance.now();
    try {
      reply = entry.spec.handler(ctx, argv);
    } catch (e) {
      if (e instanceof StoreError) reply = storeErrorReply(e);
      else {
        this.opts.onInternalError?.(entry.fullName, e);
        reply = new ErrorReply(`ERR internal error in '${entry.fullName}'`);
      }
    }
    const ms = performance.now() - t0;
    const hub = this.opts.blocking;
    if (hub !== undefined && entry.writes && hub.blockedClients > 0) signalWrittenKeys(hub, entry.spec, argv);
    if (entry.latency) entry.latency.observe(ms / 1000);
    this.commandsProcessed++;
    entry.calls++;
    entry.usec += ms * 1000;
    (entry.runTimes ??= new RunTimes()).record(ms * 1e6);
    if (reply instanceof ErrorReply) {
      entry.errors++;
      this.countError(reply);
    } else if (entry.readonlyKeys) {
      this.count(reply);
    }
    return reply;
  }

  private lookup(name: Buffer): CommandEntry | undefined {
    if (name.length > 32) return undefined; // longer than any command name
    const bucket = this.byHash.get(nameHash(name));
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) if (sameName(name, bucket[i]!.fullName)) return bucket[i];
    return undefined;
  }

  /** Zeroes every counter (CONFIG RESETSTAT). */
  resetStats(): void {
    this.keyspaceHits = this.keyspaceMisses = this.commandsProcessed = this.errorReplies = 0;
    this.errorCodes.clear();
    const reset = (e: CommandEntry): void => {
      e.calls = e.errors = e.rejected = e.usec = 0;
      e.runTimes = null;
      e.subcommands?.forEach(reset);
    };
    this.entries.forEach(reset);
  }

  /** Every entry including subcommands (for metrics). */
  *all(): IterableIterator<CommandEntry> {
    for (const e of this.entries) {
      yield e;
      if (e.subcommands) yield* e.subcommands.values();
    }
  }

  private fail(ctx: CommandContext, err: ErrorReply): ErrorReply {
    // Rejected commands count as error replies, as Redis's rejectCommand does; in MULTI the
    // rejection dooms the transaction (flagTransaction: EXEC answers EXECABORT).
    this.countError(err);
    if (ctx.client.multi !== null && !ctx.client.multi.executing) ctx.client.multi.aborted = true;
    return err;
  }

  /** Also used by the connection for protocol errors. */
  countError(err: ErrorReply): void {
    this.errorReplies++;
    const m = err.message;
    const sp = m.indexOf(' ');
    const code = sp < 0 ? m : m.slice(0, sp);
    // Bounded like Redis's errors rax (128 kinds), so odd messages cannot grow it without end.
    if (this.errorCodes.size >= 128 && !this.errorCodes.has(code)) return;
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  /**
   * Redis counts a hit or miss per key looked up; from outside the handler a read-only command's
   * reply tells the same for value replies: a bulk is a hit, a null a miss, per array element.
   */
  private count(reply: Reply): void {
    if (reply === null) this.keyspaceMisses++;
    else if (reply instanceof Uint8Array || reply instanceof FillBulk) this.keyspaceHits++;
    else if (reply instanceof BulkArray) this.keyspaceHits += reply.length;
    else if (Array.isArray(reply)) {
      for (const r of reply) {
        if (r === null) this.keyspaceMisses++;
        else if (r instanceof Uint8Array) this.keyspaceHits++;
      }
    }
  }
}

/**
 * Tells the blocking hub of every key a write command names (its key positions; SORT's STORE
 * destination too): one of them may now be a list or sorted set a client waits on. EXEC's
 * commands come through dispatch one by one, so a transaction signals what each of them names.
 */
function signalWrittenKeys(hub: Pick<BlockingHub, 'signal'>, spec: CommandSpec, argv: Buffer[]): void {
  if (spec.firstKey > 0) {
    const last = spec.lastKey < 0 ? argv.length + spec.lastKey : Math.min(spec.lastKey, argv.length - 1);
    for (let i = spec.firstKey; i <= last; i += spec.step || 1) hub.signal(argv[i]!);
  }
  if (spec.name === 'sort') {
    for (let i = 2; i < argv.length - 1; i++) if (optIs(argv[i]!, 'store')) hub.signal(argv[i + 1]!);
  }
}

function makeEntry(spec: CommandSpec, fullName: string, group: CommandGroup, parent: CommandEntry | null): CommandEntry {
  const entry: CommandEntry = {
    spec,
    fullName,
    group,
    parent,
    subcommands: null,
    calls: 0,
    errors: 0,
    rejected: 0,
    usec: 0,
    runTimes: null,
    latency: null,
    readonlyKeys: spec.flags.includes('readonly') && spec.firstKey > 0,
    writes: spec.flags.includes('write'),
    aclCommand: null,
  };
  if (spec.subcommands) {
    const subs = new Map<string, CommandEntry>();
    for (const [name, sub] of Object.entries(spec.subcommands)) {
      subs.set(name.toLowerCase(), makeEntry(sub, `${fullName}|${name.toLowerCase()}`, group, entry));
    }
    (entry as { subcommands: ReadonlyMap<string, CommandEntry> | null }).subcommands = subs;
  }
  return entry;
}

/** Every Redis command daxcache serves. */
export function createCommandTable(opts: TableOptions): CommandTable {
  return new CommandTable(
    [
      ['connection', [...connectionCommands, clientCommand]],
      ['server', [...serverCommands, infoCommand, configCommand, commandCommand, aclCommand]],
      ['string', stringCommands],
      ['generic', [...keyCommands, ...expireCommands, ...dumpCommands, ...sortCommands]],
      ['transactions', multiCommands],
      ['pubsub', pubsubCommands],
      ['bitmap', bitmapCommands],
      ['hash', hashCommands],
      ['set', setCommands],
      ['sortedset', [...zsetCommands, ...blockingZsetCommands]],
      ['list', [...listCommands, ...blockingListCommands]],
    ],
    opts,
  );
}

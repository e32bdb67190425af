// Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB SSUBSCRIBE SUNSUBSCRIBE
// SPUBLISH, as Redis 7 answers them (pubsub.c). daxcache is one shard, so shard channels are a
// second namespace of channels (as in Redis without cluster): SPUBLISH reaches only SSUBSCRIBErs
// and never patterns.
//
// The hub (channel -> subscribers) is server state (src/server/pubsub-hub.ts), reached through
// ctx.server.pubsub; a client's own subscriptions live on its ClientState. Messages never touch
// the store. A (un)subscribe answers one reply per channel: the handler returns them as a reply
// sequence (replySequence) that the connection writes one after the other.
import { ErrorReply, PushReply, subcommandSyntaxError, type Reply } from '../../protocol/resp/index.js';
import { container, helpReply, sub } from './help.js';
import type { ClientState, CommandContext, CommandSpec } from './types.js';

/** Regular channels, patterns, shard channels. */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/** A client's subscriptions (names as latin1 strings of their bytes) and where its messages go. */
export interface Subscriptions {
  readonly channel: Set<string>;
  readonly pattern: Set<string>;
  readonly shard: Set<string>;
  /** Queues an out-of-band message on the client's connection (set by the connection). */
  deliver: (msg: PushReply) => void;
}

export function newSubscriptions(): Subscriptions {
  return { channel: new Set(), pattern: new Set(), shard: new Set(), deliver: () => {} };
}

/** Redis's CLIENT_PUBSUB flag: any subscription of any kind. */
export function isSubscribed(c: ClientState): boolean {
  const p = c.pubsub;
  return p.channel.size + p.pattern.size + p.shard.size > 0;
}

/** The hub of the server: who listens to what. It keeps each client's Subscriptions in step. */
export interface PubsubHub {
  /** Adds the subscription; false if the client had it already. */
  subscribe(kind: SubscriptionKind, client: ClientState, name: string): boolean;
  /** Removes the subscription; false if the client did not have it. */
  unsubscribe(kind: SubscriptionKind, client: ClientState, name: string): boolean;
  /** Drops every subscription of a client (its connection closed). */
  leaveAll(client: ClientState): void;
  /** Delivers to subscribers (and, unless shard, matching patterns); returns the receivers. */
  publish(channel: Buffer, message: Buffer, shard: boolean): number;
  /** Active channels (with at least one subscriber), filtered by a glob pattern when given. */
  channels(kind: 'channel' | 'shard', pattern: Buffer | null): Buffer[];
  /** Subscribers of one channel (pattern subscriptions excluded). */
  subscribers(kind: 'channel' | 'shard', name: string): number;
  /** How many distinct channels / patterns / shard channels have subscribers (INFO, NUMPAT). */
  size(kind: SubscriptionKind): number;
}

/** What a RESP2 client with subscriptions may still run (Redis processCommand). */
export const SUBSCRIBED_MODE_COMMANDS: ReadonlySet<string> = new Set([
  'ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset',
]);

/** The rejection of any other command in RESP2 subscribed mode; `fullName` as "client|list". */
export function subscribedModeError(fullName: string): ErrorReply {
  return new ErrorReply(
    `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  );
}

const SEQUENCES = new WeakSet<Reply[]>();

/** Several replies to one command, written one after another rather than as an array. */
export function replySequence(replies: Reply[]): Reply[] {
  SEQUENCES.add(replies);
  return replies;
}

export function isReplySequence(r: Reply[]): boolean {
  return SEQUENCES.has(r);
}

const latin1 = (b: Buffer): string => b.toString('latin1');

/** The count in a confirmation: channels + patterns, or shard channels alone (as Redis 7 counts). */
function confirmationCount(c: ClientState, kind: SubscriptionKind): number {
  const p = c.pubsub;
  return kind === 'shard' ? p.shard.size : p.channel.size + p.pattern.size;
}

function subscribeSpec(name: string, kind: SubscriptionKind, keys: boolean): CommandSpec {
  return {
    name, arity: -2, flags: ['pubsub', 'noscript', 'loading', 'stale'], firstKey: keys ? 1 : 0, lastKey: keys ? -1 : 0, step: keys ? 1 : 0,
    handler(ctx, argv) {
      const hub = ctx.server.pubsub;
      const out: Reply[] = [];
      for (let j = 1; j < argv.length; j++) {
        hub.subscribe(kind, ctx.client, latin1(argv[j]!));
        out.push(new PushReply([name, argv[j]!, confirmationCount(ctx.client, kind)]));
      }
      return replySequence(out);
    },
  };
}

function unsubscribeSpec(name: string, kind: SubscriptionKind, keys: boolean): CommandSpec {
  return {
    name, arity: -1, flags: ['pubsub', 'noscript', 'loading', 'stale'], firstKey: keys ? 1 : 0, lastKey: keys ? -1 : 0, step: keys ? 1 : 0,
    handler(ctx, argv) {
      const hub = ctx.server.pubsub;
      const out: Reply[] = [];
      const names = argv.length > 1 ? argv.slice(1).map(latin1) : [...ctx.client.pubsub[kind]];
      for (const n of names) {
        hub.unsubscribe(kind, ctx.client, n);
        out.push(new PushReply([name, Buffer.from(n, 'latin1'), confirmationCount(ctx.client, kind)]));
      }
      // With nothing to leave Redis still answers once, with a null channel.
      if (out.length === 0) out.push(new PushReply([name, null, confirmationCount(ctx.client, kind)]));
      return replySequence(out);
    },
  };
}

const publish: CommandSpec = {
  name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  handler: (ctx, argv) => ctx.server.pubsub.publish(argv[1]!, argv[2]!, false),
};

const spublish: CommandSpec = {
  name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  handler: (ctx, argv) => ctx.server.pubsub.publish(argv[1]!, argv[2]!, true),
};

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function channelsSub(name: string, kind: 'channel' | 'shard'): CommandSpec {
  return sub(name, -2, ['pubsub', 'loading', 'stale'], (ctx: CommandContext, argv) => {
    if (argv.length > 3) return subcommandSyntaxError('pubsub', argv[1]!);
    return ctx.server.pubsub.channels(kind, argv.length === 3 ? argv[2]! : null);
  });
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: a flat channel, count list (an array in RESP3 too). */
function numsubSub(name: string, kind: 'channel' | 'shard'): CommandSpec {
  return sub(name, -2, ['pubsub', 'loading', 'stale'], (ctx, argv) => {
    const out: Reply[] = [];
    for (let j = 2; j < argv.length; j++) out.push(argv[j]!, ctx.server.pubsub.subscribers(kind, latin1(argv[j]!)));
    return out;
  });
}

const numpat = sub('numpat', 2, ['pubsub', 'loading', 'stale'], (ctx) => ctx.server.pubsub.size('pattern'));

const HELP_LINES = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

const help = sub('help', 2, ['loading', 'stale'], (): Reply => helpReply('pubsub', HELP_LINES));

const pubsubCommand: CommandSpec = container('pubsub', [], [
  channelsSub('channels', 'channel'),
  numsubSub('numsub', 'channel'),
  numpat,
  channelsSub('shardchannels', 'shard'),
  numsubSub('shardnumsub', 'shard'),
  help,
]);

export const pubsubCommands: CommandSpec[] = [
  subscribeSpec('subscribe', 'channel', false),
  unsubscribeSpec('unsubscribe', 'channel', false),
  subscribeSpec('psubscribe', 'pattern', false),
  unsubscribeSpec('punsubscribe', 'pattern', false),
  publish,
  subscribeSpec('ssubscribe', 'shard', true),
  unsubscribeSpec('sunsubscribe', 'shard', true),
  spublish,
  pubsubCommand,
];

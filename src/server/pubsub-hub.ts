// The server's Pub/Sub hub: channel -> subscribers, pattern -> subscribers, shard channel ->
// subscribers (Redis's server.pubsub_channels / pubsub_patterns / pubsubshard_channels). It is the
// one writer of each client's Subscriptions, so both sides always agree. Messages are delivered at
// once into each subscriber's reply writer (the bytes are copied there, so the publisher's argv may
// point into its read buffer) and leave with that connection's next flush; nothing is stored.
import { PushReply } from '../protocol/resp/index.js';
import { globMatch } from '../ops/glob.js';
import type { PubsubHub, SubscriptionKind } from '../commands/redis/pubsub.js';
import type { ClientState } from '../commands/redis/types.js';

/** Subscribers in subscription order (Redis delivers in its list order, oldest first). */
type Subscribers = Set<ClientState>;

export class ServerPubsubHub implements PubsubHub {
  private readonly maps: Record<SubscriptionKind, Map<string, Subscribers>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };

  subscribe(kind: SubscriptionKind, client: ClientState, name: string): boolean {
    const own = client.pubsub[kind];
    if (own.has(name)) return false;
    own.add(name);
    const map = this.maps[kind];
    let subs = map.get(name);
    if (subs === undefined) map.set(name, (subs = new Set()));
    subs.add(client);
    return true;
  }

  unsubscribe(kind: SubscriptionKind, client: ClientState, name: string): boolean {
    if (!client.pubsub[kind].delete(name)) return false;
    const map = this.maps[kind];
    const subs = map.get(name);
    if (subs !== undefined) {
      subs.delete(client);
      // An empty channel is forgotten, so PUBSUB CHANNELS lists only active ones.
      if (subs.size === 0) map.delete(name);
    }
    return true;
  }

  leaveAll(client: ClientState): void {
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of [...client.pubsub[kind]]) this.unsubscribe(kind, client, name);
    }
  }

  publish(channel: Buffer, message: Buffer, shard: boolean): number {
    const name = channel.toString('latin1');
    let receivers = 0;
    const direct = this.maps[shard ? 'shard' : 'channel'].get(name);
    if (direct !== undefined) {
      const msg = new PushReply([shard ? 'smessage' : 'message', channel, message]);
      for (const c of direct) {
        c.pubsub.deliver(msg);
        receivers++;
      }
    }
    if (shard) return receivers;
    for (const [pattern, subs] of this.maps.pattern) {
      if (!globMatch(pattern, name, false)) continue;
      const msg = new PushReply(['pmessage', Buffer.from(pattern, 'latin1'), channel, message]);
      for (const c of subs) {
        c.pubsub.deliver(msg);
        receivers++;
      }
    }
    return receivers;
  }

  channels(kind: 'channel' | 'shard', pattern: Buffer | null): Buffer[] {
    const p = pattern === null ? null : pattern.toString('latin1');
    const out: Buffer[] = [];
    for (const name of this.maps[kind].keys()) {
      if (p === null || globMatch(p, name, false)) out.push(Buffer.from(name, 'latin1'));
    }
    return out;
  }

  subscribers(kind: 'channel' | 'shard', name: string): number {
    return this.maps[kind].get(name)?.size ?? 0;
  }

  size(kind: SubscriptionKind): number {
    return this.maps[kind].size;
  }
}

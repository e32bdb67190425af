// Every connected client of both protocols: ids (CLIENT ID), the shared maxclients bound, and the
// directory CLIENT LIST / KILL walk.
import type { ClientDirectory, ClientHandle } from '../commands/redis/services.js';

export class ClientRegistry implements ClientDirectory {
  private readonly byIdMap = new Map<number, ClientHandle>();
  private readonly counts = { redis: 0, memcached: 0 };
  private lastId = 0;

  constructor(private maxClients: () => number) {}

  /** Redis gives every connection a new id, never reused while the server runs. */
  nextId(): number {
    return ++this.lastId;
  }

  /** Whether one more client may connect (Redis: connected >= maxclients refuses the new one). */
  hasRoom(): boolean {
    return this.byIdMap.size < this.maxClients();
  }

  add(h: ClientHandle): void {
    this.byIdMap.set(h.state.id, h);
    this.counts[h.protocol]++;
  }

  remove(h: ClientHandle): void {
    if (this.byIdMap.delete(h.state.id)) this.counts[h.protocol]--;
  }

  all(): Iterable<ClientHandle> {
    return this.byIdMap.values();
  }

  byId(id: number): ClientHandle | undefined {
    return this.byIdMap.get(id);
  }

  count(protocol?: 'redis' | 'memcached'): number {
    return protocol === undefined ? this.byIdMap.size : this.counts[protocol];
  }
}

// The server's blocked clients (Redis blocked.c): key -> the clients waiting on it, oldest first,
// the keys made ready since the last serve, and each client's timeout.
//
// A write command signals the keys it wrote (CommandTable, after the handler); once the top-level
// command is done (a whole EXEC included) the connection calls serveReady, which walks the ready
// keys in the order they were signalled and offers each key to its waiters in blocking order, as
// Redis's handleClientsBlockedOnKeys does. A served BLMOVE writes its destination, which becomes
// ready in turn. The reply goes into the waiter's own connection (resume), which sends it after
// the turn's persist barrier and then goes on with the commands it held meanwhile.
import type { ErrorReply, Reply } from '../protocol/resp/reply.js';
import { StoreError } from '../store/store.js';
import { storeErrorReply } from '../commands/redis/table.js';
import type { BlockRequest, BlockingHub } from '../commands/redis/blocking.js';
import type { CommandContext } from '../commands/redis/types.js';

interface Waiter {
  readonly ctx: CommandContext;
  readonly req: BlockRequest;
  readonly keys: string[];
  readonly resume: (reply: Reply) => void;
  timer: NodeJS.Timeout | undefined;
}

/** setTimeout's longest delay: a later deadline re-arms the timer from there. */
const MAX_TIMER_MS = 0x7fffffff;

export class ServerBlockingHub implements BlockingHub {
  /** latin1 key -> waiters in the order they blocked. */
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly byClient = new Map<number, Waiter>();
  private ready: string[] = [];
  private readonly readySet = new Set<string>();

  get blockedClients(): number {
    return this.byClient.size;
  }

  get timedClients(): number {
    let n = 0;
    for (const w of this.byClient.values()) if (w.req.deadlineMs > 0) n++;
    return n;
  }

  /** Whether serveReady has work. */
  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** Blocks ctx's client on req; resume gets the reply that ends the wait (served or timed out). */
  block(ctx: CommandContext, req: BlockRequest, resume: (reply: Reply) => void): void {
    const id = ctx.client.id;
    this.cancel(id); // one wait per client (cannot happen: a blocked client runs no command)
    const keys = [...new Set(req.keys.map((k) => k.toString('latin1')))];
    const w: Waiter = { ctx, req, keys, resume, timer: undefined };
    for (const k of keys) {
      const list = this.byKey.get(k);
      if (list === undefined) this.byKey.set(k, [w]);
      else list.push(w);
    }
    this.byClient.set(id, w);
    ctx.client.blocked = true;
    if (req.deadlineMs > 0) this.arm(w);
  }

  private arm(w: Waiter): void {
    const left = w.req.deadlineMs - Date.now();
    w.timer = setTimeout(() => {
      if (Date.now() < w.req.deadlineMs) this.arm(w);
      else this.finish(w, w.req.timeoutReply);
    }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
  }

  signal(key: Buffer): void {
    if (this.byKey.size === 0) return;
    const k = key.toString('latin1');
    if (!this.byKey.has(k) || this.readySet.has(k)) return;
    this.readySet.add(k);
    this.ready.push(k);
  }

  /** Serves the waiters of every key signalled since the last call (and of keys those serves wrote). */
  serveReady(): void {
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      for (const k of batch) {
        this.readySet.delete(k);
        const waiters = this.byKey.get(k);
        if (waiters === undefined) continue;
        const key = Buffer.from(k, 'latin1');
        // A copy: serving removes waiters from the list being walked.
        for (const w of [...waiters]) {
          if (this.byClient.get(w.ctx.client.id) !== w) continue;
          let reply: Reply | undefined;
          try {
            reply = w.req.serve(w.ctx, key);
          } catch (e) {
            if (!(e instanceof StoreError)) throw e;
            reply = storeErrorReply(e);
          }
          if (reply === undefined) continue;
          this.finish(w, reply);
          if (w.req.target !== null) this.signal(w.req.target);
        }
      }
    }
  }

  unblock(clientId: number, reply: ErrorReply | null): boolean {
    const w = this.byClient.get(clientId);
    if (w === undefined) return false;
    this.finish(w, reply ?? w.req.timeoutReply);
    return true;
  }

  /** The client went away: forget its wait, no reply. */
  cancel(clientId: number): void {
    const w = this.byClient.get(clientId);
    if (w !== undefined) this.remove(w);
  }

  private finish(w: Waiter, reply: Reply): void {
    this.remove(w);
    w.resume(reply);
  }

  private remove(w: Waiter): void {
    if (w.timer !== undefined) clearTimeout(w.timer);
    w.timer = undefined;
    this.byClient.delete(w.ctx.client.id);
    w.ctx.client.blocked = false;
    for (const k of w.keys) {
      const list = this.byKey.get(k);
      if (list === undefined) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(k);
    }
  }
}

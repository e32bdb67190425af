// Transactions: MULTI EXEC DISCARD WATCH UNWATCH, as Redis 7 answers them (multi.c).
//
// Queueing happens in the command table's dispatch (as in Redis's processCommand): while a client
// is in MULTI, every command but the ones run at once (RUN_IN_MULTI) is checked (name, arity, auth)
// and queued; a check that fails answers its error and dooms the transaction (EXECABORT).
//
// EXEC runs the queue inside one store transaction (Store.atomically): every write of it reaches
// the pool through the intent log in the turn's barrier, so after a crash all of an EXEC's writes
// are there or none, and its reply leaves after that barrier like any reply. The log bounds how
// many writes one EXEC may hold (store.atomicCapacity / ATOMIC_BUCKETS_PER_WRITE: thousands on a
// pool of a gigabyte); an EXEC over the bound is refused whole with an error.
//
// WATCH remembers each key's CAS (every write of an item, over either protocol, gives it a new
// one; 0 = absent). EXEC aborts (null reply) when any watched key's CAS differs: written, deleted,
// expired, flushed, or created since WATCH.
import { ErrorReply, FillBulk, NullArray, OK, SimpleString, type Reply } from '../../protocol/resp/index.js';
import { ATOMIC_BUCKETS_PER_KEY, ATOMIC_BUCKETS_PER_WRITE } from '../../store/store.js';
import { redisServer } from './services.js';
import type { ClientState, CommandContext, CommandSpec } from './types.js';

export const QUEUED = new SimpleString('QUEUED');
const NESTED = new ErrorReply('ERR MULTI calls can not be nested');
const EXEC_WITHOUT_MULTI = new ErrorReply('ERR EXEC without MULTI');
const DISCARD_WITHOUT_MULTI = new ErrorReply('ERR DISCARD without MULTI');
const WATCH_IN_MULTI = new ErrorReply('ERR WATCH inside MULTI is not allowed');
export const EXECABORT = new ErrorReply('EXECABORT Transaction discarded because of previous errors.');

/** Commands a client in MULTI runs at once instead of queueing (Redis's processCommand list). */
export const RUN_IN_MULTI: ReadonlySet<string> = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** A client's open transaction. */
export interface MultiState {
  /** Queued commands, each argv copied out of the read buffer. */
  queue: Buffer[][];
  /** Bytes of the queued arguments (bounded by client-query-buffer-limit). */
  bytes: number;
  /** A queued command failed its checks: EXEC answers EXECABORT. */
  aborted: boolean;
  /** EXEC is running the queue: its commands run, not queue (CLIENT LIST still shows flag x). */
  executing: boolean;
}

/** Watched keys (latin1 of the bytes) and their CAS at WATCH time, 0 = absent. */
export type WatchState = Map<string, number>;

export function startMulti(client: ClientState): void {
  client.multi = { queue: [], bytes: 0, aborted: false, executing: false };
}

/** Ends the transaction and forgets the watched keys (EXEC, DISCARD, a new connection state). */
export function endMulti(client: ClientState): void {
  client.multi = null;
  client.watched = null;
}

/** Whether a watched key changed since WATCH. */
function watchedKeyTouched(ctx: CommandContext, watched: WatchState): boolean {
  for (const [key, cas] of watched) {
    const now = ctx.store.head(Buffer.from(key, 'latin1'))?.cas ?? 0;
    if (now !== cas) return true;
  }
  return false;
}

/** How many keys a command's spec says it takes with these arguments. */
function keyCount(spec: CommandSpec, argc: number): number {
  if (spec.firstKey <= 0) return 0;
  const last = spec.lastKey < 0 ? argc + spec.lastKey : Math.min(spec.lastKey, argc - 1);
  if (last < spec.firstKey) return 0;
  return Math.floor((last - spec.firstKey) / Math.max(1, spec.step)) + 1;
}

const multi: CommandSpec = {
  name: 'multi', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler: (ctx) => {
    if (ctx.client.multi !== null) return NESTED;
    startMulti(ctx.client);
    return OK;
  },
};

const exec: CommandSpec = {
  name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], firstKey: 0, lastKey: 0, step: 0,
  handler: (ctx) => {
    const client = ctx.client;
    const m = client.multi;
    if (m === null) return EXEC_WITHOUT_MULTI;
    const watched = client.watched;
    if (m.aborted || (watched !== null && watchedKeyTouched(ctx, watched))) {
      endMulti(client);
      return m.aborted ? EXECABORT : NullArray;
    }

    // What the queue may stage in the intent log and allocate in the pool, from the command specs.
    const table = redisServer(ctx).commands;
    let buckets = 0;
    let bytes = 0;
    for (const argv of m.queue) {
      const entry = table.find(argv[0]!.toString('latin1'));
      if (entry === undefined || !entry.spec.flags.includes('write')) continue;
      buckets += ATOMIC_BUCKETS_PER_WRITE + ATOMIC_BUCKETS_PER_KEY * keyCount(entry.spec, argv.length) + (entry.spec.logLines?.(argv) ?? 0);
      // Item headers, and chunks up to a size class (1.25 apart) above what they hold.
      for (const a of argv) bytes += Math.ceil(a.length * 1.25) + 64;
    }
    const capacity = ctx.store.atomicCapacity;
    if (buckets > capacity) {
      endMulti(client);
      const most = Math.floor(capacity / (ATOMIC_BUCKETS_PER_WRITE + ATOMIC_BUCKETS_PER_KEY));
      return new ErrorReply(`EXECABORT Transaction discarded: too many writes for one crash-atomic EXEC (this pool's intent log holds about ${most} single-key writes)`);
    }
    const replies: Reply[] = [];
    const run = (): void => {
      for (const argv of m.queue) replies.push(materialized(table.dispatch(ctx, argv)));
    };
    m.executing = true;
    try {
      if (buckets === 0) run(); // nothing to write: no transaction needed
      else if (!ctx.store.atomically(buckets, bytes, run)) return new ErrorReply('ERR server is shutting down');
    } finally {
      endMulti(client);
    }
    return replies;
  },
};

/**
 * A FillBulk copies its value from the pool when the reply is written, which must happen before
 * the store's next call; inside EXEC the next queued command comes first, so the value is copied
 * into a Buffer of its own now.
 */
function materialized(reply: Reply): Reply {
  if (!(reply instanceof FillBulk)) return reply;
  const b = Buffer.allocUnsafe(reply.length);
  reply.fill(b, 0);
  return b;
}

const discard: CommandSpec = {
  name: 'discard', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler: (ctx) => {
    if (ctx.client.multi === null) return DISCARD_WITHOUT_MULTI;
    endMulti(ctx.client);
    return OK;
  },
};

const watch: CommandSpec = {
  name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 1, lastKey: -1, step: 1,
  handler: (ctx, argv) => {
    const client = ctx.client;
    if (client.multi !== null) return WATCH_IN_MULTI;
    const watched = (client.watched ??= new Map());
    for (let i = 1; i < argv.length; i++) {
      const key = argv[i]!.toString('latin1');
      // Watching a key twice keeps the first CAS, as Redis keeps the first watch.
      if (!watched.has(key)) watched.set(key, ctx.store.head(argv[i]!)?.cas ?? 0);
    }
    return OK;
  },
};

const unwatch: CommandSpec = {
  name: 'unwatch', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  handler: (ctx) => {
    ctx.client.watched = null;
    return OK;
  },
};

export const multiCommands: readonly CommandSpec[] = [multi, exec, discard, watch, unwatch];

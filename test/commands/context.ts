// A real Store on a fresh /dev/shm pool plus the minimal client/server context a command handler
// needs, and a `run` that dispatches like the command table (name lookup, arity, subcommands) so
// tests read like redis-cli sessions.
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Store, StoreError } from '../../src/store/store.js';
import { storeErrorReply } from '../../src/commands/redis/table.js';
import type { ClientState, CommandContext, CommandSpec } from '../../src/commands/redis/types.js';
import { newClientState } from '../../src/commands/redis/connection.js';
import type { RedisServer } from '../../src/commands/redis/services.js';
import { DEFAULTS, type Config } from '../../src/ops/config.js';
import { FillBulk, type Reply } from '../../src/protocol/resp/reply.js';
import { stringCommands } from '../../src/commands/redis/strings.js';
import { keyCommands } from '../../src/commands/redis/keys.js';
import { expireCommands } from '../../src/commands/redis/expire.js';
import { AccessControl } from '../../src/security/access-control.js';
import { AclCommands } from '../../src/security/acl-commands.js';

export interface TestContext extends CommandContext {
  /** Runs one command; string arguments are UTF-8, Buffers are sent as they are. */
  run(...args: Array<string | Buffer | number>): Reply;
  /** Closes the store and removes the pool file. */
  close(): void;
  readonly poolPath: string;
}

const table = new Map<string, CommandSpec>();
for (const s of [...stringCommands, ...keyCommands, ...expireCommands]) table.set(s.name, s);
export const commandTable: ReadonlyMap<string, CommandSpec> = table;

function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}

export function makeClient(): ClientState {
  const now = Date.now();
  const user = new AccessControl(new AclCommands([]), { pubsubAllChannels: () => false, logMaxLen: () => 128 }).defaultUser;
  const base = { id: 1, addr: '127.0.0.1:50000', laddr: '127.0.0.1:6379', createdMs: now, lastInteractionMs: now, lastCommand: '', authenticated: true, user };
  return newClientState(base);
}

/**
 * The server services for the string, key and expiry families, which read only the store and the
 * settings; any other service is a test error, not a silent undefined.
 */
function testServer(store: Store, config: Config): RedisServer {
  const known: Partial<RedisServer> = { store, config };
  return new Proxy(known, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof RedisServer];
      throw new Error(`the command test context has no server service '${String(prop)}'`);
    },
  }) as RedisServer;
}

/** `config` overrides what the handlers read from the server's settings (protoMaxBulkLen, maxmemoryPolicy, ...). */
export function openContext(config?: Record<string, unknown>): TestContext {
  const poolPath = `/dev/shm/daxcache-test-${process.pid}-${randomBytes(6).toString('hex')}.pool`;
  const store = Store.open(poolPath, { createSize: 64 * 1024 * 1024 });
  const server = testServer(store, { ...DEFAULTS, ...config } as Config);
  const client = makeClient();
  const ctx: TestContext = {
    store,
    client,
    server,
    poolPath,
    run(...args) {
      const argv = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8')));
      const name = argv[0]!.toString('latin1').toLowerCase();
      const spec = table.get(name);
      if (!spec) throw new Error(`no such command in the test table: ${name}`);
      if (!arityOk(spec.arity, argv.length)) throw new Error(`wrong arity for ${name}`);
      try {
        return materialize(spec.handler(ctx, argv));
      } catch (e) {
        // The one mapping of store failures to replies, as the dispatcher does it (table.ts).
        if (e instanceof StoreError) return storeErrorReply(e);
        throw e;
      }
    },
    close() {
      store.close();
      rmSync(poolPath, { force: true });
    },
  };
  return ctx;
}

/** A FillBulk reply as the bytes the reply writer would send: copied at once, as the writer does. */
function materialize(reply: Reply): Reply {
  if (!(reply instanceof FillBulk)) return reply;
  const b = Buffer.allocUnsafe(reply.length);
  reply.fill(b, 0);
  return b;
}

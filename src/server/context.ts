// The services Redis command handlers reach through ctx.server (see commands/redis/services.ts),
// backed by the running Server.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { renderYaml } from '../ops/config.js';
import { packagePath } from '../package-root.js';
import type { RedisServer, ShutdownRequest } from '../commands/redis/services.js';
import type { Server } from './server.js';
import { ServerPubsubHub } from './pubsub-hub.js';

/** The Redis release whose commands and replies daxcache follows. */
export const REDIS_COMPAT_VERSION = '7.2.0';

export const DAXCACHE_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export function createRedisContext(server: Server): RedisServer {
  const { store, config, clients, stats, table, commit, blocking, acl } = server;
  return {
    store,
    config,
    runId: randomBytes(20).toString('hex'),
    version: DAXCACHE_VERSION,
    redisVersion: REDIS_COMPAT_VERSION,
    clients,
    commands: table,
    stats,
    // One hub per server: messages go between this server's connections only.
    pubsub: new ServerPubsubHub(),
    blocking,
    acl,
    aclFile: () => (config.aclfile === '' ? null : config.aclfile),
    warn: (message) => server.logger.warn(message),
    lastSaveMs: Date.now(),
    poolOpen: server.poolOpen,
    barriers: () => commit.barriers,
    errorCounts: () => table.errorCodes.entries(),
    shutdown(req: ShutdownRequest) {
      // Not from inside the command: let the turn finish, then shut down like SIGTERM does.
      setImmediate(() => void server.shutdown(`SHUTDOWN${req.flags.map((f) => ' ' + f.toUpperCase()).join('')} from client ${req.client.addr}`));
    },
    configChanged: (names) => server.configChanged(names),
    configApply: (name, value, pending) => server.configApply(name, value, pending),
    noteAuthFailure: () => void stats.authFailures++,
    preallocatePool: (bytes) => server.store.preallocate(bytes),
    resetStats: () => stats.reset(),
    rewriteConfig() {
      const file = config.configFile!;
      try {
        const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        const text = renderYaml(config, { previous, cwd: process.cwd() });
        // Write-then-rename, so a crash never leaves a half-written config file.
        const tmp = `${file}.tmp-${process.pid}`;
        writeFileSync(tmp, text);
        renameSync(tmp, file);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
  };
}

// Starts a real redis-server (Debian package) on a free port, without persistence, as the
// reference the command tests compare daxcache against.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { RespClient, type Wire } from './resp-client.js';

export const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;

export interface RealRedis {
  port: number;
  stop(): Promise<void>;
}

/** `extra`: more redis-server options, e.g. ['--databases', '1'] to compare with daxcache's single database. */
export async function startRealRedis(extra: string[] = []): Promise<RealRedis> {
  const port = await freePort();
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error('redis-server did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: () =>
      new Promise<void>((res) => {
        if (proc.exitCode !== null) return res();
        proc.once('exit', () => res());
        proc.kill('SIGKILL');
      }),
  };
}

/**
 * Runs a script on daxcache and on redis-server, command by command on both at once (after a
 * FLUSHALL of each), and returns what each answered, labelled by the command, for one toEqual.
 */
export async function runOnBoth(
  dax: RespClient,
  ref: RespClient,
  script: ReadonlyArray<ReadonlyArray<string | Buffer>>,
): Promise<{ got: Array<[string, Wire]>; want: Array<[string, Wire]> }> {
  await Promise.all([dax.call('flushall'), ref.call('flushall')]);
  const got: Array<[string, Wire]> = [];
  const want: Array<[string, Wire]> = [];
  for (const cmd of script) {
    const label = cmd.map((a) => (typeof a === 'string' ? a : a.toString('latin1'))).join(' ');
    const [d, r] = await Promise.all([dax.call(...cmd), ref.call(...cmd)]);
    got.push([label, d]);
    want.push([label, r]);
  }
  return { got, want };
}

/** A daxcache server and, when it is installed, a redis-server, for a suite that compares them. */
export interface ServerPair {
  dax: TestServer;
  redis: RealRedis | null;
}

/** Starts both before the suite's tests (beforeAll) and stops them after (afterAll). */
export function useServerPair(opts: { server?: StartOptions; redisArgs?: string[] } = {}): ServerPair {
  const pair = { redis: null } as ServerPair;
  beforeAll(async () => {
    [pair.dax, pair.redis] = await Promise.all([startServer(opts.server), haveRedisServer ? startRealRedis(opts.redisArgs) : null]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pair.dax?.stop(), pair.redis?.stop()]);
  });
  return pair;
}

/** The pair of servers, and one RESP connection to each (reopened by a test that restarts daxcache). */
export interface RespPair {
  servers: ServerPair;
  dax: RespClient;
  ref: RespClient;
}

/**
 * useServerPair() plus a connection to each, and one test per script that runs it on both
 * (runOnBoth) and wants the same replies. Call inside a describe that needs redis-server.
 */
export function useScriptedPair(
  scripts: Record<string, ReadonlyArray<ReadonlyArray<string | Buffer>>>,
  opts: { server?: StartOptions; redisArgs?: string[] } = {},
): RespPair {
  const pair = { servers: useServerPair(opts) } as RespPair;
  beforeAll(async () => {
    [pair.dax, pair.ref] = await Promise.all([RespClient.open(pair.servers.dax.port), RespClient.open(pair.servers.redis!.port)]);
  });
  afterAll(() => {
    pair.dax?.close();
    pair.ref?.close();
  });
  for (const [name, script] of Object.entries(scripts)) {
    it(name, async () => {
      const { got, want } = await runOnBoth(pair.dax, pair.ref, script);
      expect(got).toEqual(want);
    }, 60_000);
  }
  return pair;
}

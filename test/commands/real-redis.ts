// Starts a real redis-server (Debian package) on a free port, without persistence, as the
// reference the command tests compare daxcache against.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '../helpers/server.js';
import type { RespClient, Wire } from './resp-client.js';

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

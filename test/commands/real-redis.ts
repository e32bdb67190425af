// Starts a real redis-server (Debian package) on a free port, without persistence, as the
// reference the command tests compare daxcache against.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '../helpers/server.js';

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

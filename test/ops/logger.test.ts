import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, setLogLevel } from '../../src/ops/logger.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines at or above the level', () => {
    const { lines, stream } = sink();
    const log = createLogger('warn', { pretty: false, destination: stream });
    log.info('hidden');
    log.warn({ port: 1 }, 'shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: 'shown', port: 1 });
  });

  it('silent logs nothing', () => {
    const { lines, stream } = sink();
    const log = createLogger('silent', { pretty: false, destination: stream });
    log.fatal('x');
    expect(lines).toEqual([]);
  });

  it('gives each component one child logger tagged with its name', () => {
    const { lines, stream } = sink();
    const root = createLogger('info', { pretty: false, destination: stream });
    const a = componentLogger(root, 'store');
    expect(componentLogger(root, 'store')).toBe(a);
    a.info('opened');
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'store', msg: 'opened' });
  });

  it('setLogLevel reaches component loggers', () => {
    const { lines, stream } = sink();
    const root = createLogger('info', { pretty: false, destination: stream });
    const server = componentLogger(root, 'server');
    server.debug('before');
    setLogLevel(root, 'debug');
    server.debug('after');
    root.debug('root');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['after', 'root']);
    setLogLevel(root, 'error');
    server.warn('quiet');
    expect(lines).toHaveLength(2);
  });

  it('pretty output is human text, written synchronously', () => {
    const { lines, stream } = sink();
    const log = createLogger('info', { pretty: true, destination: stream });
    componentLogger(log, 'cli').info('hello');
    expect(lines.join('\n')).toMatch(/INFO.*\[cli\] hello/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });
});

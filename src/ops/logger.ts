// pino logger: JSON lines on stdout, or pino-pretty when stdout is a terminal. Both write
// synchronously (no worker thread), so lines logged just before process.exit are not lost.
// Components get a child logger with a `component` binding; setLogLevel (CONFIG SET log-level)
// reaches the root and every component logger.

import pino from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from './settings.js';

export type Logger = pino.Logger;
export type { LogLevel } from './settings.js';

export interface LoggerOptions {
  /** Human-readable output; default: whether stdout is a TTY. */
  pretty?: boolean;
  /** Where to write (tests); default: stdout (fd 1). */
  destination?: pino.DestinationStream;
  /** Extra fields on every line (default: pid and hostname, as pino does). */
  base?: Record<string, unknown>;
}

/** Component loggers of each root, so a level change reaches them. */
const components = new WeakMap<Logger, Map<string, Logger>>();

export function createLogger(level: LogLevel, opts: LoggerOptions = {}): Logger {
  const usePretty = opts.pretty ?? process.stdout.isTTY === true;
  const options: pino.LoggerOptions = { level, ...(opts.base ? { base: opts.base } : {}) };
  let stream: pino.DestinationStream;
  if (usePretty) {
    // Loaded only for a terminal: it takes ~45 ms to load, which every restart would pay otherwise.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    stream = pretty({
      sync: true,
      destination: opts.destination ?? 1,
      colorize: opts.destination === undefined && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,component',
      messageFormat: '{if component}[{component}] {end}{msg}',
    });
  } else {
    stream = opts.destination ?? pino.destination({ dest: 1, sync: true });
  }
  const root = pino(options, stream);
  components.set(root, new Map());
  return root;
}

/** The logger for one component (server, store, memcache, ...), made once per root. */
export function componentLogger(root: Logger, component: string): Logger {
  let byName = components.get(root);
  if (!byName) components.set(root, (byName = new Map()));
  let child = byName.get(component);
  if (!child) byName.set(component, (child = root.child({ component })));
  return child;
}

/**
 * Changes the level of a root and of its component loggers. Children made with `.child()` keep
 * the level they had (pino copies it at creation), so keep per-connection children short-lived.
 */
export function setLogLevel(root: Logger, level: LogLevel): void {
  root.level = level;
  for (const child of components.get(root)?.values() ?? []) child.level = level;
}

// The command table: each request kind the parser produces and its handler. Parse errors never
// reach it (the listener writes them); multi-gets may stop early and are resumed by the listener
// through getCommand directly.
import { cacheMemlimitCommand, flushAllCommand, quitCommand, shutdownCommand, verbosityCommand, versionCommand } from './admin.js';
import { arithCommand, deleteCommand, touchCommand } from './keys.js';
import { metaArith } from './meta-arith.js';
import { metaDebug, metaNoop } from './meta-debug.js';
import { metaDelete } from './meta-delete.js';
import { metaGet } from './meta-get.js';
import { metaSet } from './meta-set.js';
import { getCommand } from './retrieval.js';
import { statsCommand } from './stats.js';
import { storeCommand } from './storage.js';
import type { McTable } from './types.js';

export const COMMANDS: McTable = {
  store: storeCommand,
  get: (ctx, req) => void getCommand(ctx, req),
  delete: deleteCommand,
  arith: arithCommand,
  touch: touchCommand,
  flush_all: flushAllCommand,
  version: versionCommand,
  verbosity: verbosityCommand,
  quit: quitCommand,
  stats: statsCommand,
  shutdown: shutdownCommand,
  cache_memlimit: cacheMemlimitCommand,
  mg: metaGet,
  ms: metaSet,
  md: metaDelete,
  ma: metaArith,
  mn: metaNoop,
  me: metaDebug,
};

/** The metrics label of a request: its command name, from a fixed set. */
export function commandName(req: { kind: string; cmd?: string }): string {
  return req.cmd ?? req.kind;
}

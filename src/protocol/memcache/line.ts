// Turns one command line (without its line ending) into a request, following the dispatch of
// memcached's process_command_ascii: two-letter m* names are meta commands, unknown names get
// "ERROR", and a line ending in an "HTTP/..." token from an unknown command is hung up on.

import {
  parseArith,
  parseCacheMemlimit,
  parseDelete,
  parseFlushAll,
  parseGet,
  parseShutdown,
  parseStats,
  parseStore,
  parseTouch,
  parseVerbosity,
  type LineResult,
} from './classic.js';
import { ERR, parseError } from './errors.js';
import { parseMa, parseMd, parseMe, parseMg, parseMs } from './meta.js';
import type { Tokens } from './tokenize.js';

/** memcached commands we do not serve: a plain ERROR, never the HTTP hang-up. */
const UNSUPPORTED = new Set([
  'slabs',
  'lru',
  'lru_crawler',
  'watch',
  'extstore',
  'misbehave',
  'debugtime',
  'refresh_certs',
]);

/** First letters that memcached routes to a branch answering ERROR for unknown names. */
function branchLetter(c: number): boolean {
  // g s a c i d t
  return c === 0x67 || c === 0x73 || c === 0x61 || c === 0x63 || c === 0x69 || c === 0x64 || c === 0x74;
}

export function parseLine(line: Buffer, t: Tokens, itemSizeMax: number): LineResult {
  // memcached's tokenizer works on a C string: a NUL ends the command.
  let end = line.indexOf(0);
  if (end < 0) end = line.length;
  t.split(line, end);
  const n = t.count;
  if (n < 1 || t.len(0) < 2) return parseError(ERR.ERROR);
  const c0 = line[t.starts[0]!]!;
  const clen = t.len(0);

  if (c0 === 0x6d /* m */ && clen === 2) {
    switch (line[t.starts[0]! + 1]) {
      case 0x67 /* g */:
        return parseMg(line, t);
      case 0x73 /* s */:
        return parseMs(line, t, itemSizeMax);
      case 0x64 /* d */:
        return parseMd(line, t);
      case 0x61 /* a */:
        return parseMa(line, t);
      case 0x6e /* n */:
        return { kind: 'mn' };
      case 0x65 /* e */:
        return parseMe(line, t);
      default:
        return parseError(ERR.ERROR);
    }
  }

  // The two commonest commands without making a string of the name.
  if (clen === 3 && line[t.starts[0]! + 2] === 0x74 /* t */ && line[t.starts[0]! + 1] === 0x65 /* e */) {
    if (c0 === 0x67 /* g */) return parseGet('get', line, t);
    if (c0 === 0x73 /* s */) return parseStore('set', line, t, itemSizeMax);
  }
  const name = clen <= 16 ? t.str(line, 0) : '';
  switch (name) {
    case 'get':
    case 'gets':
    case 'gat':
    case 'gats':
      return parseGet(name, line, t);
    case 'bget':
      return parseGet('get', line, t);
    case 'set':
    case 'add':
    case 'replace':
    case 'append':
    case 'prepend':
    case 'cas':
      return parseStore(name, line, t, itemSizeMax);
    case 'incr':
    case 'decr':
      return parseArith(name, line, t);
    case 'delete':
      return parseDelete(line, t);
    case 'touch':
      return parseTouch(line, t);
    case 'flush_all':
      return parseFlushAll(line, t);
    case 'version':
      return { kind: 'version' };
    case 'verbosity':
      return parseVerbosity(line, t);
    case 'quit':
      return { kind: 'quit' };
    case 'stats':
      return parseStats(line, t);
    case 'shutdown':
      return parseShutdown(line, t);
    case 'cache_memlimit':
      return parseCacheMemlimit(line, t);
  }
  if (branchLetter(c0) || UNSUPPORTED.has(name)) return parseError(ERR.ERROR);
  // A stray HTTP request (malicious-commands.t): close without a word.
  const last = n - 1;
  if (t.len(last) >= 5 && line.toString('latin1', t.starts[last]!, t.starts[last]! + 5) === 'HTTP/') {
    return parseError('', { close: true });
  }
  return parseError(ERR.ERROR);
}

// Exact error lines of memcached's text/meta protocols (proto_text.c). Clients and memcapable
// match on these strings, so they are kept verbatim — including memcached's own inconsistencies
// ("options flags are too long" for mg vs "options flags too long" for ms/md/ma).

import type { ParseError } from './types.js';

export const ERR = {
  ERROR: 'ERROR',
  BAD_FORMAT: 'CLIENT_ERROR bad command line format',
  BAD_DATA_CHUNK: 'CLIENT_ERROR bad data chunk',
  TOO_LARGE: 'SERVER_ERROR object too large for cache',
  INVALID_EXPTIME: 'CLIENT_ERROR invalid exptime argument',
  INVALID_DELTA: 'CLIENT_ERROR invalid numeric delta argument',
  DELETE_USAGE: 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]',
  LINE_TOO_LONG: 'CLIENT_ERROR line too long',
  // meta
  INVALID_FLAG: 'CLIENT_ERROR invalid flag',
  DUPLICATE_FLAG: 'CLIENT_ERROR duplicate flag',
  INVALID_OR_DUPLICATE_FLAG: 'CLIENT_ERROR invalid or duplicate flag',
  BAD_TOKEN: 'CLIENT_ERROR bad token in command line format',
  DECODING_KEY: 'CLIENT_ERROR error decoding key',
  M_TOKEN_LENGTH: 'CLIENT_ERROR incorrect length for M token',
  INITIAL_VALUE: 'CLIENT_ERROR invalid numeric initial value',
  DELTA_VALUE: 'CLIENT_ERROR invalid numeric delta value',
  OPAQUE_TOO_LONG: 'CLIENT_ERROR opaque token too long',
  MG_FLAGS_TOO_LONG: 'CLIENT_ERROR options flags are too long',
  FLAGS_TOO_LONG: 'CLIENT_ERROR options flags too long',
  MS_MODE: 'CLIENT_ERROR invalid mode for ms M token',
  MA_MODE: 'CLIENT_ERROR invalid mode for ma M token',
} as const;

export function parseError(
  line: string,
  opts: { noreply?: boolean; close?: boolean; swallowed?: number; unlinkKey?: Buffer } = {},
): ParseError {
  const e: ParseError = {
    kind: 'error',
    line,
    noreply: opts.noreply ?? false,
    close: opts.close ?? false,
    swallowed: opts.swallowed ?? 0,
  };
  if (opts.unlinkKey) e.unlinkKey = opts.unlinkKey;
  return e;
}

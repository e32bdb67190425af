// The result of a storage command line whose data block has not been read yet.

import type { MetaSetRequest, StoreRequest } from './types.js';

export interface NeedData {
  kind: 'need-data';
  /** The request, complete except for `data`, which the parser fills in. */
  req: StoreRequest | MetaSetRequest;
  /** memcached reports "bad data chunk" silently for a classic command with noreply. */
  noreplyOnError: boolean;
}

export const EMPTY = Buffer.alloc(0);

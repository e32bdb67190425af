// Failures of store operations, as codes the protocol layers turn into their own error replies
// (Redis `-OOM ...`/`-ERR ...`, memcached `SERVER_ERROR out of memory storing object`, ...).
export type StoreErrorCode =
  | 'OOM' // the pool has no room for the write
  | 'TOO_LARGE' // key or value beyond the store's limits
  | 'TOO_MANY_KEYS' // a multi-key write larger than the intent log
  | 'WRONGTYPE' // the key holds another type (a string command on a hash, ...)
  | 'CLOSED';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

// Native status codes (native/core/store.h `St`).
export const enum Status {
  Ok = 0,
  NotFound = 1,
  Exists = 2,
  CasMismatch = 3,
  NoMem = 4,
  TooLarge = 5,
  TooManyKeys = 6,
  WrongType = 7,
  OutOfRange = 8,
}

export function failIfError(st: number): void {
  if (st === Status.NoMem) throw new StoreError('OOM', 'pool is full');
  if (st === Status.TooLarge) throw new StoreError('TOO_LARGE', 'key or value too large');
  if (st === Status.TooManyKeys) throw new StoreError('TOO_MANY_KEYS', 'too many keys for one atomic write');
  if (st === Status.WrongType) throw new StoreError('WRONGTYPE', 'the key holds another type');
}

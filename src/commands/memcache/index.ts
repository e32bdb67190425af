// The memcached command family: handlers, the table that maps request kinds to them, and the
// server-wide state they share.
export { COMMANDS, commandName } from './table.js';
export { getCommand } from './retrieval.js';
export { authenticate } from './auth.js';
export { aclAllows } from './acl.js';
export { McCounters } from './counters.js';
export { ItemState } from './item-state.js';
export { PrefixStats } from './prefix-stats.js';
export { SlabClasses } from './classes.js';
export type { McConnInfo, McConnection, McContext, McServer } from './types.js';

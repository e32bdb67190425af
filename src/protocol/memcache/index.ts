// Public face of the memcached protocol layer: bytes <-> typed requests and replies.
export * from './types.js';
export { ERR } from './errors.js';
export { MemcacheParser } from './parser.js';
export { ReplyWriter, type FillFn } from './writer.js';
export {
  REPLY,
  writeReply,
  writeLine,
  writeParseError,
  writeValue,
  writeValueHead,
  writeEnd,
  writeNumber,
  writeVersion,
  writeStat,
  writeMeta,
  writeMetaNoop,
  writeMetaDebug,
  type MetaCode,
  type MetaItem,
  type MetaDebugInfo,
} from './encoder.js';
export { KEY_MAX_LENGTH } from './tokenize.js';

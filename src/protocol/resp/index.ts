// Public face of the RESP protocol layer: bytes <-> commands/replies, nothing about their meaning.
export * from './reply.js';
export * from './errors.js';
export { formatDouble, formatDoubleRedis70 } from './double.js';
export { ReplyWriter, encodeReply, type Proto, type ReplyWriterOptions } from './encoder.js';
export { RequestParser, ProtocolError, DEFAULT_PARSER_OPTIONS, type RequestParserOptions } from './parser.js';
export { splitInlineArgs } from './inline.js';

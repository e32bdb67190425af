// Standard Redis error replies, worded exactly as Redis 7 (server.c createSharedObjects, t_string.c,
// object.c, multi.c, networking.c). Shared instances are immutable, so handlers return them as is.
import { ErrorReply } from './reply.js';

export const SYNTAX_ERR = new ErrorReply('ERR syntax error');
export const NOT_INTEGER = new ErrorReply('ERR value is not an integer or out of range');
export const NOT_FLOAT = new ErrorReply('ERR value is not a valid float');
export const WRONGTYPE = new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value');
export const OVERFLOW = new ErrorReply('ERR increment or decrement would overflow');
export const NAN_OR_INFINITY = new ErrorReply('ERR increment would produce NaN or Infinity');
export const NO_SUCH_KEY = new ErrorReply('ERR no such key');
export const SAME_OBJECT = new ErrorReply('ERR source and destination objects are the same');
export const STRING_TOO_LONG = new ErrorReply('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
export const DB_INDEX_OUT_OF_RANGE = new ErrorReply('ERR DB index is out of range');
export const OOM = new ErrorReply("OOM command not allowed when used memory > 'maxmemory'.");
export const NOAUTH = new ErrorReply('NOAUTH Authentication required.');
export const WRONGPASS = new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.');
export const NOPROTO = new ErrorReply('NOPROTO unsupported protocol version');

type Arg = Buffer | string;

/** "ERR wrong number of arguments for 'get' command" — Redis prints the table's lowercase fullname. */
export function wrongArity(cmdName: Arg): ErrorReply {
  return new ErrorReply(`ERR wrong number of arguments for '${str(cmdName).toLowerCase()}' command`);
}

/** "ERR invalid expire time in 'set' command" (Redis 7 addReplyErrorExpireTime). */
export function invalidExpireTime(cmdName: Arg): ErrorReply {
  return new ErrorReply(`ERR invalid expire time in '${str(cmdName).toLowerCase()}' command`);
}

/**
 * Redis 7 commandCheckExistence:
 *   for (j = 1; j < argc && sdslen(args) < 128; j++)
 *       args = sdscatprintf(args, "'%.*s' ", 128-sdslen(args), argv[j]);
 *   "unknown command '%.128s', with args beginning with: %s"
 * printf's %s stops at a NUL byte and precision counts bytes; CR/LF become spaces (rejectCommandFormat).
 */
export function unknownCommand(name: Arg, args: readonly Arg[]): ErrorReply {
  const parts: Buffer[] = [Buffer.from("ERR unknown command '"), cstr(name, 128), Buffer.from("', with args beginning with: ")];
  let argsLen = 0;
  for (let i = 0; i < args.length && argsLen < 128; i++) {
    const a = cstr(args[i]!, 128 - argsLen);
    parts.push(QUOTE, a, QUOTE_SP);
    argsLen += a.length + 3;
  }
  return new ErrorReply(Buffer.concat(parts).toString('utf8'));
}

/** "ERR unknown subcommand 'foo'. Try CONFIG HELP." (Redis 7 container command without that subcommand). */
export function unknownSubcommand(cmdName: Arg, sub: Arg): ErrorReply {
  return new ErrorReply(`ERR unknown subcommand '${cstr(sub, 128).toString('utf8')}'. Try ${str(cmdName).toUpperCase()} HELP.`);
}

/** Redis 7 addReplySubcommandSyntaxError. */
export function subcommandSyntaxError(cmdName: Arg, sub: Arg): ErrorReply {
  return new ErrorReply(
    `ERR unknown subcommand or wrong number of arguments for '${cstr(sub, 128).toString('utf8')}'. Try ${str(cmdName).toUpperCase()} HELP.`,
  );
}

const QUOTE = Buffer.from("'");
const QUOTE_SP = Buffer.from("' ");

function str(a: Arg): string {
  return typeof a === 'string' ? a : a.toString('utf8');
}

/** Bytes of a as C's "%.*s" prints them: up to the first NUL, at most max bytes. */
function cstr(a: Arg, max: number): Buffer {
  const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const nul = b.indexOf(0);
  const end = Math.min(nul < 0 ? b.length : nul, max);
  return b.subarray(0, end);
}

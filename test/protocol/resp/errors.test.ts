import { describe, expect, it } from 'vitest';
import {
  NOT_FLOAT,
  NOT_INTEGER,
  NO_SUCH_KEY,
  OOM,
  OVERFLOW,
  SYNTAX_ERR,
  WRONGTYPE,
  invalidExpireTime,
  subcommandSyntaxError,
  unknownCommand,
  unknownSubcommand,
  wrongArity,
} from '../../../src/protocol/resp/errors.js';
import { encodeReply } from '../../../src/protocol/resp/encoder.js';

describe('standard error replies (Redis 7 wording)', () => {
  it('constants', () => {
    expect(SYNTAX_ERR.message).toBe('ERR syntax error');
    expect(NOT_INTEGER.message).toBe('ERR value is not an integer or out of range');
    expect(NOT_FLOAT.message).toBe('ERR value is not a valid float');
    expect(WRONGTYPE.message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(OVERFLOW.message).toBe('ERR increment or decrement would overflow');
    expect(NO_SUCH_KEY.message).toBe('ERR no such key');
    expect(OOM.message).toBe("OOM command not allowed when used memory > 'maxmemory'.");
  });

  it('wrongArity uses the lowercase command name', () => {
    expect(wrongArity('GET').message).toBe("ERR wrong number of arguments for 'get' command");
    expect(wrongArity(Buffer.from('MSet')).message).toBe("ERR wrong number of arguments for 'mset' command");
  });

  it('invalidExpireTime', () => {
    expect(invalidExpireTime('SET').message).toBe("ERR invalid expire time in 'set' command");
  });

  it('unknownCommand quotes each argument followed by a space', () => {
    expect(unknownCommand('foo', ['a', 'b']).message).toBe("ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    expect(unknownCommand(Buffer.from('FOO'), []).message).toBe("ERR unknown command 'FOO', with args beginning with: ");
  });

  it('unknownCommand truncates as Redis: name to 128 bytes, args to a 128-byte budget', () => {
    const long = 'n'.repeat(200);
    expect(unknownCommand(long, []).message).toBe(`ERR unknown command '${'n'.repeat(128)}', with args beginning with: `);
    // one 200-byte arg: 128 bytes of it, then the budget is spent
    expect(unknownCommand('x', ['a'.repeat(200), 'b']).message).toBe(
      `ERR unknown command 'x', with args beginning with: '${'a'.repeat(128)}' `,
    );
    // 100 bytes (103 with quotes and space), then 25 bytes of the next, then stop
    expect(unknownCommand('x', ['a'.repeat(100), 'b'.repeat(100), 'c']).message).toBe(
      `ERR unknown command 'x', with args beginning with: '${'a'.repeat(100)}' '${'b'.repeat(25)}' `,
    );
    // the check is "< 128" before each argument: 127 bytes used still admit 1 byte of the next
    expect(unknownCommand('x', ['a'.repeat(124), 'bb', 'c']).message).toBe(
      `ERR unknown command 'x', with args beginning with: '${'a'.repeat(124)}' 'b' `,
    );
    // 128 used: nothing more
    expect(unknownCommand('x', ['a'.repeat(125), 'b']).message).toBe(
      `ERR unknown command 'x', with args beginning with: '${'a'.repeat(125)}' `,
    );
  });

  it('unknownCommand stops an argument at a NUL byte (printf %s)', () => {
    expect(unknownCommand('foo', [Buffer.from('ab\0cd')]).message).toBe(
      "ERR unknown command 'foo', with args beginning with: 'ab' ",
    );
  });

  it('unknownCommand with CR/LF in arguments encodes as a single line', () => {
    const out = encodeReply(unknownCommand('NO\r\n+PONG', ['a\nb']), 2).toString();
    expect(out).toBe("-ERR unknown command 'NO  +PONG', with args beginning with: 'a b' \r\n");
  });

  it('subcommand errors', () => {
    expect(unknownSubcommand('config', 'foo').message).toBe("ERR unknown subcommand 'foo'. Try CONFIG HELP.");
    expect(subcommandSyntaxError('client', 'bar').message).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'bar'. Try CLIENT HELP.",
    );
  });
});

// Shared pieces of container commands (CLIENT, CONFIG, COMMAND): HELP replies and the container
// spec whose own handler only runs when no subcommand matched.
import { SimpleString, subcommandSyntaxError, type Reply } from '../../protocol/resp/index.js';
import type { CommandFlag, CommandHandler, CommandSpec } from './types.js';

/** Redis addReplyHelp: "<CMD> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", the lines, then HELP. */
export function helpReply(command: string, lines: readonly string[]): Reply {
  const out: Reply[] = [new SimpleString(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)];
  for (const l of lines) out.push(new SimpleString(l));
  out.push(new SimpleString('HELP'), new SimpleString('    Print this help.'));
  return out;
}

/** A subcommand spec (arity counts the command name too, as in Redis: config|get is -3). */
export function sub(name: string, arity: number, flags: readonly CommandFlag[], handler: CommandHandler): CommandSpec {
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, handler };
}

export function container(name: string, flags: readonly CommandFlag[], subs: CommandSpec[]): CommandSpec {
  const subcommands: Record<string, CommandSpec> = {};
  for (const s of subs) subcommands[s.name] = s;
  return {
    name,
    arity: -2,
    flags,
    firstKey: 0,
    lastKey: 0,
    step: 0,
    // The table routes to a subcommand or rejects the name first; this is only a safety net.
    handler: (_ctx, argv) => subcommandSyntaxError(name, argv[1] ?? ''),
    subcommands,
  };
}

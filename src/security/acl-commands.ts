// The commands ACL rules talk about: every command and subcommand with a numeric id (its bit in a
// selector's bitmap) and its categories, as Redis's acl.c numbers them. The protocol layers give
// the list (the Redis command table, which memcached's commands map onto); this layer knows
// nothing of how a command runs.

/** Redis 7's ACL categories, in its order (ACL CAT lists them so; a category's bit is its index). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

/** What the rules need of one command. */
export interface AclCommandSource {
  /** "get", "config|get". */
  readonly fullName: string;
  /** '@read' style names (from COMMAND INFO's categories). */
  readonly categories: readonly string[];
  /** no_auth commands (AUTH, HELLO, QUIT) run whatever the rules say, as in Redis. */
  readonly noauth: boolean;
  readonly subcommands: readonly AclCommandSource[];
}

export interface AclCommand {
  readonly id: number;
  readonly fullName: string;
  /** Bit i set: in ACL_CATEGORIES[i]. */
  readonly categoryBits: number;
  readonly noauth: boolean;
  readonly parent: AclCommand | null;
  readonly subcommands: readonly AclCommand[];
}

/** The bit of a category by name (case-insensitive, without '@'), or 0 when there is none. */
export function categoryBit(name: string): number {
  const i = (ACL_CATEGORIES as readonly string[]).indexOf(name.toLowerCase());
  return i < 0 ? 0 : 1 << i;
}

/**
 * Every command, numbered in table order (subcommands after their parent). One id past the last
 * is the "future commands" bit: set only by +@all / allcommands, as Redis reserves its last bit,
 * so ACL LIST can tell "+@all -x" from "-@all +everything-else".
 */
export class AclCommands {
  readonly top: readonly AclCommand[];
  readonly all: readonly AclCommand[];
  private readonly byName = new Map<string, AclCommand>();

  constructor(sources: readonly AclCommandSource[]) {
    const all: AclCommand[] = [];
    const make = (s: AclCommandSource, parent: AclCommand | null): AclCommand => {
      let bits = 0;
      for (const c of s.categories) bits |= categoryBit(c.startsWith('@') ? c.slice(1) : c);
      const subs: AclCommand[] = [];
      const cmd: AclCommand = { id: all.length, fullName: s.fullName.toLowerCase(), categoryBits: bits, noauth: s.noauth, parent, subcommands: subs };
      all.push(cmd);
      this.byName.set(cmd.fullName, cmd);
      for (const sub of s.subcommands) subs.push(make(sub, cmd));
      return cmd;
    };
    this.top = sources.map((s) => make(s, null));
    this.all = all;
  }

  /** The bitmap length: one per command and the future-commands bit. */
  get size(): number {
    return this.all.length + 1;
  }

  get futureBit(): number {
    return this.all.length;
  }

  /** "get", "CONFIG|GET" (case-insensitive). */
  find(name: string): AclCommand | undefined {
    return this.byName.get(name.toLowerCase());
  }
}

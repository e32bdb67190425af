// One ACL selector (Redis 7 acl.c aclSelector): the commands it allows (a bitmap over
// AclCommands, plus allowed first arguments), the key patterns with their read/write rights and
// the Pub/Sub channel patterns. A user has a root selector and any number of "(...)" ones; a
// command runs when one of them allows all of it.
import { globMatch } from '../ops/glob.js';
import { ACL_CATEGORIES, categoryBit, type AclCommand, type AclCommands } from './acl-commands.js';

/** Why a rule was refused, as Redis's errno values (ACLSetUserStringError gives the texts). */
export type RuleError = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'EALREADY' | 'ECHILD';

export const KEY_READ = 1;
export const KEY_WRITE = 2;
export const KEY_ALL = KEY_READ | KEY_WRITE;

export interface KeyPattern {
  pattern: string;
  /** KEY_READ | KEY_WRITE. */
  flags: number;
}

export type Denial = 'command' | 'key' | 'channel';

/** Redis ACLStringHasSpaces: isspace or NUL anywhere. */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  }
  return false;
}

export class Selector {
  allKeys = false;
  allChannels = false;
  allCommands = false;
  /** 1 per allowed command id; the last slot is the future-commands bit. */
  allowed: Uint8Array;
  /** Command id -> first arguments allowed while the command itself is not ("+select|0"). */
  firstArgs = new Map<number, string[]>();
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(
    readonly commands: AclCommands,
    readonly root: boolean,
    allChannels: boolean,
  ) {
    this.allowed = new Uint8Array(commands.size);
    this.allChannels = allChannels;
  }

  clone(): Selector {
    const s = new Selector(this.commands, this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.allowed.set(this.allowed);
    for (const [id, args] of this.firstArgs) s.firstArgs.set(id, [...args]);
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    return s;
  }

  /** Allows everything the default user may (commands, keys, channels). */
  get unrestricted(): boolean {
    return this.allCommands && this.allKeys && this.allChannels;
  }

  private setBit(id: number, on: boolean): void {
    this.allowed[id] = on ? 1 : 0;
    if (!on) this.allCommands = false;
  }

  /** ACLChangeSelectorPerm: a command and, for a container, all its subcommands. */
  changePerm(cmd: AclCommand, allow: boolean): void {
    this.setBit(cmd.id, allow);
    this.firstArgs.delete(cmd.id);
    for (const sub of cmd.subcommands) this.setBit(sub.id, allow);
  }

  private changeCategory(bit: number, allow: boolean, list: readonly AclCommand[] = this.commands.top): void {
    for (const cmd of list) {
      if (cmd.categoryBits & bit) this.changePerm(cmd, allow);
      if (cmd.subcommands.length) this.changeCategory(bit, allow, cmd.subcommands);
    }
  }

  private setAll(allow: boolean): void {
    this.allowed.fill(allow ? 1 : 0);
    this.allCommands = allow;
    this.firstArgs.clear();
  }

  /** ACLSetSelector: one selector rule; null when applied. */
  apply(op: string): RuleError | null {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.patterns = [];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.patterns = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.setAll(true);
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.setAll(false);
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) return 'EISDIR';
      const pat = op.slice(1);
      if (hasSpaces(pat)) return 'EINVAL';
      if (!this.channels.includes(pat)) this.channels.push(pat);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      return this.allowCommand(op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = this.commands.find(op.slice(1));
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const bit = categoryBit(op.slice(2));
      if (!bit) return 'ENOENT';
      this.changeCategory(bit, op[0] === '+');
    } else {
      return 'EINVAL';
    }
    return null;
  }

  private addKeyPattern(op: string): RuleError | null {
    if (this.allKeys) return 'EEXIST';
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const c = op[offset]!.toUpperCase();
        if (c === 'R' && !(flags & KEY_READ)) flags |= KEY_READ;
        else if (c === 'W' && !(flags & KEY_WRITE)) flags |= KEY_WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else return 'EINVAL';
      }
    } else {
      flags = KEY_ALL;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return 'EINVAL';
    const same = this.patterns.find((p) => p.pattern === pattern);
    if (same) same.flags |= flags;
    else this.patterns.push({ pattern, flags });
    this.allKeys = false;
    return null;
  }

  private allowCommand(name: string): RuleError | null {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = this.commands.find(name);
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(cmd, true);
      return null;
    }
    const cmd = this.commands.find(name.slice(0, bar));
    if (cmd === undefined) return 'ENOENT';
    if (cmd.parent !== null) return 'ECHILD';
    const sub = name.slice(bar + 1);
    if (sub === '') return 'EINVAL';
    if (cmd.subcommands.length) {
      const subcmd = this.commands.find(name);
      if (subcmd === undefined) return 'ENOENT';
      this.changePerm(subcmd, true);
    } else {
      // "+select|0": a first argument of an otherwise blocked command (Redis warns it is a misuse).
      const list = this.firstArgs.get(cmd.id) ?? [];
      if (!list.some((a) => a.toLowerCase() === sub.toLowerCase())) list.push(sub);
      this.firstArgs.set(cmd.id, list);
    }
    return null;
  }

  /** ACLSelectorCheckKey: `need` is KEY_READ | KEY_WRITE as the command's key spec says (0: neither). */
  keyAllowed(key: string, need: number): boolean {
    if (this.allKeys) return true;
    for (const p of this.patterns) {
      if ((p.flags & need) !== need) continue;
      if (globMatch(p.pattern, key, false)) return true;
    }
    return false;
  }

  /** A channel against the patterns; `literal` (PSUBSCRIBE's patterns) compares them as strings. */
  channelAllowed(channel: string, literal: boolean): boolean {
    if (this.allChannels) return true;
    for (const p of this.channels) if (literal ? p === channel : globMatch(p, channel, false)) return true;
    return false;
  }

  /** Whether the command itself may run here (its bit, or an allowed first argument). */
  commandAllowed(cmd: AclCommand, argv: readonly Buffer[]): boolean {
    if (this.allCommands || cmd.noauth || this.allowed[cmd.id]) return true;
    const args = this.firstArgs.get(cmd.id);
    if (args === undefined || argv.length < 2) return false;
    const idx = cmd.parent ? 2 : 1;
    if (idx >= argv.length) return false;
    const given = argv[idx]!.toString('latin1').toLowerCase();
    return args.some((a) => a.toLowerCase() === given);
  }

  /** ACLDescribeSelector: keys, channels, then the command rules. */
  describe(): string {
    let res = '';
    if (this.allKeys) res += '~* ';
    else for (const p of this.patterns) res += patternText(p) + ' ';
    if (this.allChannels) res += '&* ';
    else {
      res += 'resetchannels ';
      for (const c of this.channels) res += `&${c} `;
    }
    return res + this.describeCommands();
  }

  keysText(): string {
    return this.allKeys ? '~*' : this.patterns.map(patternText).join(' ');
  }

  channelsText(): string {
    return this.allChannels ? '&*' : this.channels.map((c) => `&${c}`).join(' ');
  }

  /**
   * ACLDescribeSelectorCommandRules: "+@all" or "-@all", then the categories that fit best, then
   * single commands, applied to a scratch selector as they are emitted until it equals this one.
   */
  describeCommands(): string {
    const additive = !this.allowed[this.commands.futureBit];
    const rules: string[] = [additive ? '-@all' : '+@all'];
    const fake = new Selector(this.commands, false, false);
    fake.setAll(!additive);
    const temp = new Selector(this.commands, false, false);
    temp.allowed.set(this.allowed);
    const applied = new Set<number>();
    for (;;) {
      let best = -1;
      let minDiff = Infinity;
      let maxSame = 0;
      for (let j = 0; j < ACL_CATEGORIES.length; j++) {
        if (applied.has(j)) continue;
        const { on, off } = temp.countCategory(1 << j);
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = j;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best < 0) break;
      const name = ACL_CATEGORIES[best]!;
      fake.changeCategory(1 << best, additive);
      temp.changeCategory(1 << best, !additive);
      rules.push(`${additive ? '+' : '-'}@${name}`);
      applied.add(best);
    }
    this.describeSingles(fake, rules, this.commands.top);
    return rules.join(' ');
  }

  private countCategory(bit: number, list: readonly AclCommand[] = this.commands.top, acc = { on: 0, off: 0 }): { on: number; off: number } {
    for (const cmd of list) {
      if (cmd.categoryBits & bit) {
        if (this.allowed[cmd.id]) acc.on++;
        else acc.off++;
      }
      if (cmd.subcommands.length) this.countCategory(bit, cmd.subcommands, acc);
    }
    return acc;
  }

  private describeSingles(fake: Selector, rules: string[], list: readonly AclCommand[]): void {
    for (const cmd of list) {
      const mine = this.allowed[cmd.id] === 1;
      if (mine !== (fake.allowed[cmd.id] === 1)) {
        rules.push(`${mine ? '+' : '-'}${cmd.fullName}`);
        fake.changePerm(cmd, mine);
      }
      if (cmd.subcommands.length) this.describeSingles(fake, rules, cmd.subcommands);
      if (!mine) for (const a of this.firstArgs.get(cmd.id) ?? []) rules.push(`+${cmd.fullName}|${a}`);
    }
  }
}

function patternText(p: KeyPattern): string {
  // "~*" would read back as allkeys, after which the next pattern is refused (Redis 7.0 writes an
  // ACL file its own ACL LOAD rejects that way): a read-write "*" pattern keeps its %RW~ form.
  if (p.flags === KEY_ALL && p.pattern === '*') return '%RW~*';
  const prefix = p.flags === KEY_ALL ? '~' : p.flags === KEY_READ ? '%R~' : '%W~';
  return prefix + p.pattern;
}

// The server's ACL users (Redis 7.0 acl.c): the `default` user every connection starts as (its
// password is requirepass), users defined by acl-users or an aclfile, ACL SETUSER's staged
// changes, authentication, and the log of denials. Protocol-free: the Redis and memcached layers
// ask it who may run what.
import type { AclCommands } from './acl-commands.js';
import { AclLog } from './acl-log.js';
import { AclUser, mergeSelectorArgs, ruleErrorText } from './acl-user.js';
import { hasSpaces } from './acl-selector.js';

export interface AccessControlOptions {
  /** acl-pubsub-default allchannels: new users and `reset` get &*. */
  pubsubAllChannels: () => boolean;
  /** acllog-max-len. */
  logMaxLen: () => number;
}

export class AccessControl {
  private readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  readonly log: AclLog;
  /** Told of a user that is gone (ACL DELUSER, ACL LOAD): its connections are closed. */
  onUserDropped: (user: AclUser) => void = () => {};
  /** Told of a user whose rules ACL SETUSER changed: subscribers to channels it lost are closed. */
  onUserChanged: (user: AclUser) => void = () => {};

  constructor(
    readonly commands: AclCommands,
    private readonly opts: AccessControlOptions,
  ) {
    this.log = new AclLog(opts.logMaxLen);
    this.defaultUser = this.newDefaultUser();
    this.users.set('default', this.defaultUser);
  }

  private newUser(name: string): AclUser {
    return new AclUser(name, this.commands, this.opts.pubsubAllChannels);
  }

  private newDefaultUser(): AclUser {
    const u = this.newUser('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(op);
    return u;
  }

  get(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** Users in name order (Redis keeps them in a radix tree). */
  list(): AclUser[] {
    return [...this.users.keys()].sort(byteOrder).map((n) => this.users.get(n)!);
  }

  /** Whether a connection must authenticate before running commands (Redis authRequired). */
  get authRequired(): boolean {
    return !this.defaultUser.nopass || this.defaultUser.disabled;
  }

  /**
   * requirepass (ACLUpdateDefaultUserPassword): empty makes the default user nopass. Settings are
   * text (UTF-8); rules are latin1 strings of bytes, so the password's UTF-8 bytes are hashed.
   */
  setDefaultPassword(password: string): void {
    this.defaultUser.apply('resetpass');
    this.defaultUser.apply(password === '' ? 'nopass' : `>${utf8Bytes(password)}`);
  }

  /** ACLCheckUserCredentials: the user when the name and password are right and it is enabled. */
  authenticate(name: string, password: Buffer): AclUser | null {
    const u = this.users.get(name);
    return u !== undefined && u.passwordMatches(password) ? u : null;
  }

  /**
   * ACL SETUSER: every rule applies to a staged copy, and the user changes only when all did.
   * Returns Redis's error text (without "ERR ") or null.
   */
  setUser(name: string, rules: readonly string[]): string | null {
    if (hasSpaces(name)) return "Usernames can't contain spaces or null characters";
    const merged = mergeSelectorArgs(rules);
    if (!Array.isArray(merged)) return `Unmatched parenthesis in acl selector starting at '${rules[merged.unmatched]}'.`;
    const existing = this.users.get(name);
    const staged = existing ? existing.clone() : this.newUser(name);
    for (const op of merged) {
      const e = staged.apply(op);
      if (e) return `Error in ACL SETUSER modifier '${op}': ${ruleErrorText(e)}`;
    }
    if (existing) {
      existing.copyFrom(staged);
      this.onUserChanged(existing);
    } else this.users.set(name, staged);
    return null;
  }

  /** ACL DELUSER: the number deleted, or Redis's error when one of them is `default`. */
  deleteUsers(names: readonly string[]): number | string {
    if (names.includes('default')) return "The 'default' user cannot be removed";
    let n = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined) continue;
      this.users.delete(name);
      this.onUserDropped(u);
      n++;
    }
    return n;
  }

  /**
   * acl-users at start (ACLAppendUserForLoading + ACLLoadConfiguredUsers): each line
   * "user <name> <rules...>"; `default` may be redefined (it is reset first). Throws the
   * reason for a bad line, as Redis refuses to start.
   */
  loadConfigured(lines: readonly string[]): void {
    const seen = new Set<string>();
    for (const line of lines) {
      const argv = line.split(' ').filter((a) => a !== '');
      if (argv.length < 2 || argv[0] !== 'user') throw new Error(`acl-users: '${line}' should be 'user <name> <rules...>'`);
      const name = argv[1]!;
      if (hasSpaces(name)) throw new Error(`acl-users: spaces are not allowed in ACL usernames ('${name}')`);
      if (seen.has(name)) throw new Error(`acl-users: ${ruleErrorText('EALREADY')} ('${name}')`);
      seen.add(name);
      const merged = mergeSelectorArgs(argv.slice(2));
      if (!Array.isArray(merged)) throw new Error(`acl-users: unmatched parenthesis in the selector of user '${name}'`);
      let u = this.users.get(name);
      if (u === undefined) this.users.set(name, (u = this.newUser(name)));
      else u.apply('reset');
      for (const op of merged) {
        const e = u.apply(op);
        if (e) throw new Error(`acl-users: error loading ACL rule '${op}' for the user named '${name}': ${ruleErrorText(e)}`);
      }
    }
  }

  /**
   * ACLLoadFromFile: the whole file or nothing. Returns null when loaded, else Redis's one-line
   * account of every error (the users stay as they were).
   */
  loadFile(text: string, filename: string): string | null {
    const fresh = new Map<string, AclUser>();
    let errors = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const linenum = i + 1;
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${filename}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1]!;
      if (hasSpaces(name)) {
        errors += `'${filename}:${linenum}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (fresh.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${linenum}. `;
        continue;
      }
      const u = this.newUser(name);
      fresh.set(name, u);
      const merged = mergeSelectorArgs(argv.slice(2));
      if (!Array.isArray(merged)) {
        errors += `${filename}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      // An unknown command is named (it is no secret); of other errors only the first, which may
      // explain the rest (Redis 7.0).
      let syntaxError = false;
      for (const raw of merged) {
        const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        const e = u.apply(op);
        if (e === 'ENOENT') errors += `${filename}:${linenum}: Error in applying operation '${op}': ${ruleErrorText(e)}. `;
        else if (e && !syntaxError) {
          errors += `${filename}:${linenum}: ${ruleErrorText(e)}. `;
          syntaxError = true;
        }
      }
    }
    if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
    // The default user object stays (connections point at it); it takes the file's rules.
    const newDefault = fresh.get('default') ?? this.newDefaultUser();
    this.defaultUser.copyFrom(newDefault);
    fresh.set('default', this.defaultUser);
    const old = [...this.users.values()].filter((u) => u !== this.defaultUser);
    this.users.clear();
    for (const [n, u] of fresh) this.users.set(n, u);
    for (const u of old) this.onUserDropped(u);
    return null;
  }

  /** ACLSaveToFile's text: a "user <name> <rules>" line per user, in name order. */
  fileText(): string {
    return this.list().map((u) => `user ${u.name} ${u.describe()}\n`).join('');
  }
}

/** A text's UTF-8 bytes as a latin1 string (the form rules and names are kept in). */
export function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

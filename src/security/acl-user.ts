// An ACL user (Redis 7 acl.c ACLSetUser / ACLDescribeUser): on/off, passwords kept as SHA-256
// hex, nopass, the payload-sanitizing flag, and its selectors (the root one first). Rules are
// latin1 strings so that binary passwords hash to the bytes the client sent.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AclCommands } from './acl-commands.js';
import { Selector, type RuleError } from './acl-selector.js';

export type { RuleError } from './acl-selector.js';

/** The text Redis gives for each rule error (ACLSetUserStringError). */
export function ruleErrorText(e: RuleError): string {
  switch (e) {
    case 'ENOENT':
      return 'Unknown command or category name in ACL';
    case 'EINVAL':
      return 'Syntax error';
    case 'EEXIST':
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR':
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV':
      return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG':
      return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY':
      return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD':
      return 'Allowing first-arg of a subcommand is not supported';
  }
}

/** SHA-256 of the password's bytes, as lower-case hex (Redis ACLHashPassword). */
export function hashPassword(password: string | Buffer): string {
  return createHash('sha256').update(typeof password === 'string' ? Buffer.from(password, 'latin1') : password).digest('hex');
}

function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

export class AclUser {
  /** Redis keeps "on" and "off" as two flags; a new user has only "off". */
  enabled = false;
  disabled = true;
  nopass = false;
  skipSanitize = false;
  sanitize = false;
  /** SHA-256 hex of each password, in the order added. */
  passwords: string[] = [];
  /** [root, ...the "(...)" selectors]. */
  selectors: Selector[];
  /** Root selector allows all commands, keys and channels: the per-command check can be skipped. */
  unrestricted = false;

  constructor(
    readonly name: string,
    private readonly commands: AclCommands,
    private readonly pubsubAllChannels: () => boolean,
  ) {
    this.selectors = [new Selector(commands, true, pubsubAllChannels())];
    this.refresh();
  }

  get root(): Selector {
    return this.selectors[0]!;
  }

  private refresh(): void {
    this.unrestricted = this.root.unrestricted;
  }

  /** A copy under another name (staging ACL SETUSER: all rules apply, or none). */
  clone(name = this.name): AclUser {
    const u = new AclUser(name, this.commands, this.pubsubAllChannels);
    u.copyFrom(this);
    return u;
  }

  /** ACLCopyUser: everything but the name. */
  copyFrom(src: AclUser): void {
    this.enabled = src.enabled;
    this.disabled = src.disabled;
    this.nopass = src.nopass;
    this.skipSanitize = src.skipSanitize;
    this.sanitize = src.sanitize;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.clone());
    this.refresh();
  }

  /** ACLSetUser: one rule; null when applied. An empty rule does nothing. */
  apply(op: string): RuleError | null {
    const r = this.applyRule(op);
    this.refresh();
    return r;
  }

  private applyRule(op: string): RuleError | null {
    if (op.length === 0) return null;
    const lower = op.toLowerCase();
    switch (lower) {
      case 'on':
        this.enabled = true;
        this.disabled = false;
        return null;
      case 'off':
        this.enabled = false;
        this.disabled = true;
        return null;
      case 'skip-sanitize-payload':
        this.skipSanitize = true;
        this.sanitize = false;
        return null;
      case 'sanitize-payload':
        this.skipSanitize = false;
        this.sanitize = true;
        return null;
      case 'nopass':
        this.nopass = true;
        this.passwords = [];
        return null;
      case 'resetpass':
        this.nopass = false;
        this.passwords = [];
        return null;
      case 'clearselectors':
        this.selectors = [this.root];
        return null;
      case 'reset':
        this.applyRule('resetpass');
        this.applyRule('resetkeys');
        this.applyRule('resetchannels');
        if (this.pubsubAllChannels()) this.applyRule('allchannels');
        this.applyRule('off');
        this.applyRule('sanitize-payload');
        this.applyRule('clearselectors');
        this.applyRule('-@all');
        return null;
    }
    const c = op[0];
    if (c === '>' || c === '#') {
      const hash = c === '>' ? hashPassword(op.slice(1)) : op.slice(1);
      if (c === '#' && !validHash(hash)) return 'EBADMSG';
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
      return null;
    }
    if (c === '<' || c === '!') {
      const hash = c === '<' ? hashPassword(op.slice(1)) : op.slice(1);
      if (c === '!' && !validHash(hash)) return 'EBADMSG';
      const i = this.passwords.indexOf(hash);
      if (i < 0) return 'ENODEV';
      this.passwords.splice(i, 1);
      return null;
    }
    if (c === '(' && op[op.length - 1] === ')') {
      const s = new Selector(this.commands, false, this.pubsubAllChannels());
      for (const part of splitSelectorOps(op.slice(1, -1))) {
        const e = s.apply(part);
        if (e) return e;
      }
      this.selectors.push(s);
      return null;
    }
    return this.root.apply(op);
  }

  /** ACLCheckUserCredentials for this user: enabled, and nopass or one password matching. */
  passwordMatches(password: Buffer): boolean {
    if (this.disabled) return false;
    if (this.nopass) return true;
    const given = Buffer.from(hashPassword(password), 'latin1');
    let ok = false;
    // Every stored hash is compared (constant time each), whichever matches.
    for (const h of this.passwords) if (timingSafeEqual(given, Buffer.from(h, 'latin1'))) ok = true;
    return ok;
  }

  /** The flags Redis lists (ACL GETUSER flags, and the start of ACL LIST). */
  flagNames(): string[] {
    const out: string[] = [];
    if (this.enabled) out.push('on');
    if (this.disabled) out.push('off');
    if (this.nopass) out.push('nopass');
    if (this.skipSanitize) out.push('skip-sanitize-payload');
    if (this.sanitize) out.push('sanitize-payload');
    return out;
  }

  /** ACLDescribeUser: the rules that rebuild this user (ACL LIST, ACL SAVE). */
  describe(): string {
    let res = '';
    for (const f of this.flagNames()) res += f + ' ';
    for (const h of this.passwords) res += `#${h} `;
    for (const s of this.selectors) res += s.root ? s.describe() : ` (${s.describe()})`;
    return res;
  }
}

/** sdssplitargs, as Redis splits a selector's inside: spaces apart, "double" and 'single' quotes. */
function splitSelectorOps(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let cur = '';
    let quote = '';
    for (; i < text.length; i++) {
      const ch = text[i]!;
      if (quote) {
        if (ch === quote) quote = '';
        else cur += ch;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (/\s/.test(ch)) break;
      else cur += ch;
    }
    out.push(cur);
  }
  return out;
}

/**
 * ACLMergeSelectorArguments: a selector may arrive split over several arguments ("(~x" "+get)");
 * they are joined with spaces. Returns the index of an unclosed '(' argument instead when one is.
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | { unmatched: number } {
  const out: string[] = [];
  let open = -1;
  let cur = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j]!;
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      cur = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      cur += ' ' + op;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(cur);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? { unmatched: open } : out;
}

// The ACL rule model on its own (src/security), over the real command table: what ACL LIST / ACL
// SAVE write must rebuild the same user (Redis panics when its own description does not; here a
// property over random rule sequences), staged ACL SETUSER changes apply all or nothing, and the
// checks follow the rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCommandTable } from '../../src/commands/redis/table.js';
import { AccessControl } from '../../src/security/access-control.js';
import { AclUser, hashPassword } from '../../src/security/acl-user.js';
import { ACL_CATEGORIES } from '../../src/security/acl-commands.js';
import { KEY_READ, KEY_WRITE } from '../../src/security/acl-selector.js';

const table = createCommandTable({ authRequired: () => false, queueLimit: () => 1 << 30 });
const commands = table.aclCommands();
const newAcl = () => new AccessControl(commands, { pubsubAllChannels: () => false, logMaxLen: () => 128 });

/** Everything a user's rights are made of, to compare two users. */
function rights(u: AclUser): unknown {
  return {
    flags: u.flagNames(),
    passwords: u.passwords,
    selectors: u.selectors.map((s) => ({
      allowed: [...s.allowed],
      // First arguments matter only while the command itself is not allowed.
      firstArgs: [...s.firstArgs].filter(([id]) => !s.allowed[id]).sort(([a], [b]) => a - b),
      keys: s.allKeys ? '*' : s.patterns,
      channels: s.allChannels ? '*' : s.channels,
    })),
  };
}

const names = commands.all.map((c) => c.fullName);
const leaf = commands.all.filter((c) => c.parent === null && c.subcommands.length === 0).map((c) => c.fullName);
const word = fc.stringMatching(/^[a-z0-9:*?]{1,6}$/);
const selectorRule = fc.oneof(
  fc.constantFrom('+@all', '-@all', 'allcommands', 'nocommands', 'allkeys', 'resetkeys', 'allchannels', 'resetchannels'),
  fc.constantFrom(...ACL_CATEGORIES).chain((c) => fc.constantFrom(`+@${c}`, `-@${c}`)),
  fc.constantFrom(...names).chain((n) => fc.constantFrom(`+${n}`, `-${n}`)),
  fc.tuple(fc.constantFrom(...leaf), word).map(([n, a]) => `+${n}|${a}`),
  word.map((p) => `~${p}`),
  fc.tuple(fc.constantFrom('%R~', '%W~', '%RW~'), word).map(([f, p]) => f + p),
  word.map((p) => `&${p}`),
);
const userRule = fc.oneof(
  { weight: 6, arbitrary: selectorRule },
  { weight: 1, arbitrary: fc.constantFrom('on', 'off', 'nopass', 'resetpass', 'reset', 'clearselectors', 'sanitize-payload', 'skip-sanitize-payload') },
  { weight: 1, arbitrary: word.map((p) => `>${p}`) },
  { weight: 1, arbitrary: fc.array(selectorRule, { minLength: 1, maxLength: 4 }).map((rs) => `(${rs.join(' ')})`) },
);

describe('ACL rule descriptions', () => {
  it('replaying what ACL LIST says of a user rebuilds exactly its rights', () => {
    fc.assert(
      fc.property(fc.array(userRule, { maxLength: 25 }), (rules) => {
        const acl = newAcl();
        acl.setUser('u', []);
        for (const r of rules) acl.setUser('u', [r]); // a refused rule changes nothing
        const u = acl.get('u')!;
        const replayed = newAcl();
        const described = u.describe();
        // ACL LOAD reads what ACL SAVE wrote.
        expect(replayed.loadFile(`user u ${described}\n`, 'users.acl')).toBeNull();
        expect(rights(replayed.get('u')!)).toEqual(rights(u));
      }),
      { numRuns: 2000 },
    );
  });

  it('starts from +@all when future commands are allowed and narrows with categories', () => {
    const acl = newAcl();
    expect(acl.setUser('a', ['on', '+@all', '-@dangerous', '-get', '~*'])).toBeNull();
    expect(acl.get('a')!.describe()).toBe('on ~* resetchannels +@all -@dangerous -get');
    expect(acl.setUser('b', ['-@all', '+@read', '+@write', '-@keyspace', '+del'])).toBeNull();
    expect(acl.get('b')!.describe()).toMatch(/^off resetchannels -@all /);
  });
});

describe('ACL SETUSER staging', () => {
  it('applies every rule or none', () => {
    const acl = newAcl();
    expect(acl.setUser('s', ['on', '>pw', '~a:*', '+get'])).toBeNull();
    const before = rights(acl.get('s')!);
    expect(acl.setUser('s', ['+set', '~b:*', '+nosuch', 'off'])).toBe("Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
    expect(rights(acl.get('s')!)).toEqual(before);
    expect(acl.setUser('never', ['on', '(+get'])).toBe("Unmatched parenthesis in acl selector starting at '(+get'.");
    expect(acl.get('never')).toBeUndefined();
    expect(acl.setUser('a b', ['on'])).toBe("Usernames can't contain spaces or null characters");
  });
});

describe('ACL checks', () => {
  it('authenticates enabled users by SHA-256 of the password, any password for nopass', () => {
    const acl = newAcl();
    acl.setUser('p', ['on', '>secret', `#${hashPassword('other')}`]);
    expect(acl.authenticate('p', Buffer.from('secret'))?.name).toBe('p');
    expect(acl.authenticate('p', Buffer.from('other'))?.name).toBe('p');
    expect(acl.authenticate('p', Buffer.from('Secret'))).toBeNull();
    acl.setUser('p', ['off']);
    expect(acl.authenticate('p', Buffer.from('secret'))).toBeNull();
    acl.setUser('n', ['on', 'nopass']);
    expect(acl.authenticate('n', Buffer.from('anything'))?.name).toBe('n');
    expect(acl.authenticate('nobody', Buffer.from(''))).toBeNull();
    expect(acl.authRequired).toBe(false);
    acl.setDefaultPassword('pw');
    expect(acl.authRequired).toBe(true);
    expect(acl.authenticate('default', Buffer.from('pw'))?.name).toBe('default');
    acl.setDefaultPassword('');
    expect(acl.authRequired).toBe(false);
  });

  it('key patterns need the rights the command asks for', () => {
    const acl = newAcl();
    acl.setUser('k', ['%R~r:*', '%W~w:*', '~rw:*']);
    const s = acl.get('k')!.root;
    expect(s.keyAllowed('r:1', KEY_READ)).toBe(true);
    expect(s.keyAllowed('r:1', KEY_WRITE)).toBe(false);
    expect(s.keyAllowed('w:1', KEY_WRITE)).toBe(true);
    expect(s.keyAllowed('w:1', KEY_READ | KEY_WRITE)).toBe(false);
    expect(s.keyAllowed('rw:1', KEY_READ | KEY_WRITE)).toBe(true);
    expect(s.keyAllowed('other', 0)).toBe(false);
    expect(s.keyAllowed('w:x', 0)).toBe(true);
    acl.setUser('k', ['%R~w:*']);
    expect(acl.get('k')!.root.keyAllowed('w:1', KEY_READ | KEY_WRITE)).toBe(true); // the same pattern gains R
  });
});

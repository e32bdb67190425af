// ACL rules compared with a real redis-server 7.0 on the same commands (issue #17): each script
// runs on one connection to each server, authenticating as the users it defines and back to
// `default` (nopass, so any password returns to it) at the end. What must agree: ACL SETUSER's
// errors, what a user may run (the command, its keys with their read/write rights, channels,
// selectors, first arguments), AUTH / HELLO AUTH refusals, -NOPERM inside MULTI, ACL DRYRUN's
// texts, GETUSER and LIST for rules whose description does not depend on Redis's hash order.
import { describe, expect, it } from 'vitest';
import { haveRedisServer, runOnBoth, useServerPair } from '../commands/real-redis.js';
import { RespClient, type Wire } from '../commands/resp-client.js';

type Script = string[][];
/** A line's words; "" is an empty argument. */
const w = (line: string): string[] => line.split(' ').map((a) => (a === '""' ? '' : a));
const script = (...lines: string[]): Script => [...lines.map(w), w('auth default x')];

const scripts: Record<string, Script> = {
  'ACL SETUSER refuses bad rules with Redis\'s texts and changes nothing': script(
    'acl setuser bad1 on >pw ~a*',
    'acl setuser bad1 +nosuch',
    'acl setuser bad1 foo',
    'acl setuser bad1 %Q~x',
    'acl setuser bad1 %RR~x',
    'acl setuser bad1 #abc',
    'acl setuser bad1 #ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789',
    'acl setuser bad1 <nope',
    'acl setuser bad1 !0000000000000000000000000000000000000000000000000000000000000000',
    'acl setuser bad1 (~x',
    'acl setuser bad1 +config|get|x',
    'acl setuser bad1 +get|',
    'acl setuser bad1 allkeys ~more',
    'acl setuser bad1 allchannels &more',
    'acl setuser bad1 ~ok +get +@nosuch',
    'acl getuser bad1',
    'acl setuser never +nosuch',
    'acl getuser never',
    'acl setuser',
    'acl deluser default',
    'acl deluser bad1 nosuch',
    'acl getuser bad1',
  ),
  'commands, categories and key patterns decide what a user may run': script(
    'set app:1 one',
    'set other two',
    'acl setuser alice on >pw ~app:* +@read -get +set +acl|whoami',
    'auth alice wrong',
    'auth alice pw',
    'acl whoami',
    'get app:1',
    'mget app:1',
    'mget app:1 other',
    'set app:2 v',
    'set other v',
    'strlen app:1',
    'strlen other',
    'del app:1',
    'publish news hello',
    'ping',
    'acl list',
    'auth default x',
    'acl dryrun alice get app:1',
    'acl dryrun alice set app:1 v',
    'acl dryrun alice set other v',
    'acl dryrun alice mget app:1 other app:2',
    'acl dryrun alice nosuch',
    'acl dryrun nosuch get x',
    'acl getuser alice',
  ),
  '%R~ and %W~ patterns follow each command\'s key specs': script(
    'acl setuser dave on nopass %W~w:* %R~r:* +@all',
    'acl dryrun dave set w:1 v',
    'acl dryrun dave get w:1',
    'acl dryrun dave set r:1 v',
    'acl dryrun dave get r:1',
    'acl dryrun dave set w:1 v get',
    'acl dryrun dave getdel r:1',
    'acl dryrun dave copy r:1 w:1',
    'acl dryrun dave copy w:1 r:1',
    'acl dryrun dave mset w:1 a w:2 b',
    'acl dryrun dave bitfield w:1 get u8 0',
    'acl dryrun dave bitfield r:1 get u8 0',
    'acl dryrun dave bitfield w:1 set u8 0 1',
    'acl dryrun dave exists r:1 w:1',
    'acl dryrun dave ttl w:1',
    'acl dryrun dave del w:1',
    'acl dryrun dave lpush w:1 a',
    'acl dryrun dave rename w:1 w:2',
    'acl dryrun dave sort r:1',
    'acl dryrun dave sort r:1 store w:1',
    'acl dryrun dave sort r:1 store r:2',
    'acl dryrun dave zunionstore w:1 2 r:1 r:2',
    'acl dryrun dave zunionstore w:1 2 r:1 w:2',
    'acl dryrun dave lmove r:1 w:1 left right',
    'acl dryrun dave hincrby w:1 f 1',
    'auth dave x',
    'set w:1 v',
    'get w:1',
    'set r:1 v',
    'get r:1',
    'acl getuser dave',
  ),
  'a selector allows what the root one does not': script(
    'acl setuser sel on nopass ~a:* +get (+set ~b:*)',
    'acl getuser sel',
    'acl list',
    'auth sel x',
    'get a:1',
    'set b:1 v',
    'set a:1 v',
    'get b:1',
    'auth default x',
    'acl setuser sel clearselectors',
    'acl getuser sel',
  ),
  'first arguments, subcommands and containers': script(
    'acl setuser fa on nopass -@all +select|0 +client|getname +config',
    'acl list',
    'acl getuser fa',
    'acl setuser fa -config|set',
    'auth fa x',
    'select 0',
    'select 1',
    'client getname',
    'client id',
    'config get maxclients',
    'config set maxclients 100',
    'auth default x',
    'acl setuser fa +client',
    'acl dryrun fa client id',
    'acl dryrun fa select 1',
  ),
  'channels: &patterns for PUBLISH and SUBSCRIBE': script(
    'acl setuser pub on nopass ~* +@all &news*',
    'acl getuser pub',
    'acl dryrun pub publish newsroom hi',
    'acl dryrun pub publish sports hi',
    'acl dryrun pub subscribe news1 sports',
    'acl dryrun pub psubscribe news*',
    'acl dryrun pub psubscribe n*',
    'auth pub x',
    'publish newsroom hi',
    'publish sports hi',
    'subscribe sports',
    'psubscribe n*',
    'auth default x',
    'acl setuser pub allchannels',
    'acl dryrun pub publish sports hi',
    'acl setuser pub resetchannels',
    'acl dryrun pub publish newsroom hi',
  ),
  'authentication: off, nopass, several passwords, hashes, HELLO AUTH': script(
    'acl setuser au off >one >two',
    'auth au one',
    'acl setuser au on',
    'auth au one',
    'acl whoami',
    'auth au two',
    'auth au three',
    'auth default x',
    'acl setuser au <one',
    'auth au one',
    'auth au two',
    'auth default x',
    'acl setuser au resetpass #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b',
    'auth au secret',
    'auth default x',
    'acl setuser au !2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b nopass',
    'auth au anything',
    'auth default x',
    'hello 2 auth au',
    'hello 2 auth nosuch pw',
    'acl setuser au resetpass',
    'auth au anything',
    'auth nosuch pw',
    'auth a b c',
    'acl getuser au',
  ),
  'NOPERM inside MULTI dooms the transaction': script(
    'acl setuser tx on nopass ~* +@all -get',
    'auth tx x',
    'multi',
    'set k v',
    'get k',
    'exec',
    'multi',
    'set k v',
    'exec',
  ),
  'the default user: requirepass, reset, and a restricted default': script(
    'config set requirepass sekrit',
    'acl getuser default',
    'auth default sekrit',
    'config set requirepass ""',
    'acl getuser default',
    'acl setuser restricted reset',
    'acl getuser restricted',
    'acl list',
    'acl setuser restricted on nopass +@all ~* &* reset',
    'acl getuser restricted',
  ),
  'ACL CAT, GENPASS and LOG arguments': script(
    'acl cat',
    'acl cat nosuch',
    'acl cat read extra',
    'acl genpass 0',
    'acl genpass 4097',
    'acl genpass x',
    'acl log x',
    'acl log 1 2',
    'acl load',
    'acl save',
    'acl nosuch',
    'acl',
  ),
};

/**
 * Where Redis lists single commands after the categories (ACL LIST, GETUSER's "commands"), it
 * walks its command dict in hash order; daxcache walks its table. Replaying either list gives the
 * same rights, so the single-command rules are compared as a sorted list.
 */
function commandRulesSorted(w: Wire): Wire {
  if (Array.isArray(w)) return w.map(commandRulesSorted);
  if (w === null || !('b' in w)) return w;
  const m = /^(.*?)([+-]@all(?: [+-]@[a-z]+)*)((?: [+-][a-z_|0-9]+)*)$/.exec(w.b);
  if (m === null || m[3] === '') return w;
  return { b: `${m[1]}${m[2]} ${m[3]!.trim().split(' ').sort().join(' ')}` };
}

describe.runIf(haveRedisServer)('ACL rules against redis-server 7.0', () => {
  const servers = useServerPair({ server: { args: ['--protected-mode', 'no'] } });
  for (const [name, lines] of Object.entries(scripts)) {
    it(name, async () => {
      const dax = await RespClient.open(servers.dax.port);
      const ref = await RespClient.open(servers.redis!.port);
      try {
        const { got, want } = await runOnBoth(dax, ref, lines);
        const norm = (xs: Array<[string, Wire]>) => xs.map(([l, r]): [string, Wire] => [l, commandRulesSorted(r)]);
        expect(norm(got)).toEqual(norm(want));
      } finally {
        dax.close();
        ref.close();
      }
    }, 60_000);
  }
});

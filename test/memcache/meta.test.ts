// The meta protocol (mg ms md ma mn me) against a real server: every flag, return-flag order,
// base64 keys, opaque, quiet mode, and the anti-dogpile W/X/Z flags with N, R and I.
import { describe, expect, it } from 'vitest';
import { McSocket, memcacheSession } from './helpers.js';

let c: McSocket;
memcacheSession((_server, sock) => {
  c = sock;
});

/** The number after a return flag letter, e.g. flag('HD c12 t5', 'c') = 12. */
const flag = (line: string, letter: string): number => {
  const t = line.split(' ').find((x) => x.startsWith(letter) && /^(\d+|-1)$/.test(x.slice(1)));
  if (t === undefined) throw new Error(`no ${letter} in ${line}`);
  return Number(t.slice(1));
};

describe('mg', () => {
  it('miss: EN, or nothing with q; O and k are echoed', async () => {
    expect(await c.ask('mg nope v\r\n')).toEqual(['EN']);
    expect(await c.ask('mg nope O42 k v\r\n')).toEqual(['EN O42 knope']);
    c.send('mg nope v q\r\nmg nope k q\r\nmn\r\n');
    expect(await c.line()).toBe('MN');
  });

  it('hit: VA with v, HD without; return flags in request order', async () => {
    await c.ask('ms k 3 F7 T100\r\nbar\r\n');
    expect(await c.ask('mg k v\r\n', 2)).toEqual(['VA 3', 'bar']);
    expect(await c.ask('mg k\r\n')).toEqual(['HD']);
    const [line, data] = await c.ask('mg k s v f t k Oxy c\r\n', 2);
    expect(data).toBe('bar');
    expect(line).toMatch(/^VA 3 s3 f7 t100 kk Oxy c\d+$/);
    const [hd] = await c.ask('mg k c f\r\n');
    expect(hd).toMatch(/^HD c\d+ f7$/);
    // q hides only EN: a hit still answers.
    expect(await c.ask('mg k q s\r\n')).toEqual(['HD s3']);
  });

  it('c is the CAS that gets reports and cas accepts', async () => {
    await c.ask('set k 0 0 1\r\nx\r\n');
    const cas = flag((await c.ask('mg k c\r\n'))[0]!, 'c');
    c.send('gets k\r\n');
    expect(await c.until('END\r\n')).toBe(`VALUE k 0 1 ${cas}\r\nx\r\nEND\r\n`);
  });

  it('h and l report the state before this fetch; u does not bump', async () => {
    await c.ask('ms k 1\r\nx\r\n');
    expect(await c.ask('mg k h l u\r\n')).toEqual(['HD h0 l0']);
    expect(await c.ask('mg k h\r\n')).toEqual(['HD h0']);
    expect(await c.ask('mg k h\r\n')).toEqual(['HD h1']);
    // A classic get counts as a fetch too; a new value starts unfetched.
    await c.ask('set k 0 0 1\r\ny\r\n');
    expect(await c.ask('mg k h u\r\n')).toEqual(['HD h0']);
    c.send('get k\r\n');
    await c.until('END\r\n');
    expect(await c.ask('mg k h\r\n')).toEqual(['HD h1']);
  });

  it('T updates the TTL (like touch); t before T shows the old TTL', async () => {
    await c.ask('ms k 1 T100\r\nx\r\n');
    expect(await c.ask('mg k t T30\r\n')).toEqual(['HD t100']);
    expect(await c.ask('mg k T50 t\r\n')).toEqual(['HD t50']);
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t50']);
    expect(await c.ask('mg k T0 t\r\n')).toEqual(['HD t-1']);
    expect(await c.ask('mg nope T10\r\n')).toEqual(['EN']);
  });

  it('base64 keys: b decodes the key, k echoes it encoded with b', async () => {
    const raw = Buffer.from([0, 1, 2, 0xff, 0x20, 0x0a]);
    const b64 = raw.toString('base64');
    // Fetches are recorded once a client has asked for them (here with me).
    expect(await c.ask('me nope\r\n')).toEqual(['EN']);
    expect(await c.ask(`ms ${b64} 3 b k\r\nbin\r\n`)).toEqual([`HD k${b64} b`]);
    expect(await c.ask(`mg ${b64} b v k\r\n`, 2)).toEqual([`VA 3 k${b64} b`, 'bin']);
    const [me] = await c.ask(`me ${b64} b\r\n`);
    expect(me!.startsWith(`ME ${b64} exp=-1 la=`)).toBe(true);
    expect(me).toMatch(/ fetch=yes cls=\d+ size=\d+$/);
    expect(await c.ask(`md ${b64} b q\r\nmn\r\n`)).toEqual(['MN']);
    expect(await c.ask(`mg ${b64} b v\r\n`)).toEqual(['EN']);
    // Plain keys can be sent base64 too: Zm9v is "foo".
    await c.ask('set foo 0 0 1\r\nx\r\n');
    expect(await c.ask('mg Zm9v b v\r\n', 2)).toEqual(['VA 1', 'x']);
    expect(await c.ask('mg !!!! b v\r\n')).toEqual(['CLIENT_ERROR error decoding key']);
  });

  it('meta errors are never silenced', async () => {
    expect(await c.ask('mg k v v q\r\n')).toEqual(['CLIENT_ERROR duplicate flag']);
    expect(await c.ask('mg k ! q\r\n')).toEqual(['CLIENT_ERROR invalid flag']);
    expect(await c.ask('mg k Tx q\r\n')).toEqual(['CLIENT_ERROR bad token in command line format']);
    expect(await c.ask(`mg k O${'x'.repeat(40)}\r\n`)).toEqual(['CLIENT_ERROR opaque token too long']);
    const many = Array.from({ length: 19 }, (_, i) => `O${i}`).join(' ');
    expect(await c.ask(`mg k ${many}\r\n`)).toEqual(['CLIENT_ERROR options flags are too long']);
    expect(await c.ask(`mg ${'k'.repeat(251)} v\r\n`)).toEqual(['CLIENT_ERROR bad command line format']);
    expect(await c.ask('mg\r\n')).toEqual(['ERROR']);
    expect(await c.ask('mz k\r\n')).toEqual(['ERROR']);
  });
});

describe('ms', () => {
  it('stores with F and T; c returns the new CAS; q hides HD', async () => {
    const [hd] = await c.ask('ms k 2 F9 T60 c k O1\r\nhi\r\n');
    expect(hd).toMatch(/^HD c\d+ kk O1$/);
    c.send('gets k\r\n');
    expect(await c.until('END\r\n')).toBe(`VALUE k 9 2 ${flag(hd!, 'c')}\r\nhi\r\nEND\r\n`);
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t60']);
    expect(await c.ask('ms k 1 q\r\nx\r\nmn\r\n')).toEqual(['MN']);
  });

  it('modes: E add, A append, P prepend, R replace, S set', async () => {
    expect(await c.ask('ms k 1 ME\r\na\r\n')).toEqual(['HD']);
    expect(await c.ask('ms k 1 ME c\r\nb\r\n')).toEqual(['NS c0']);
    expect(await c.ask('ms k 1 MA\r\nz\r\n')).toEqual(['HD']);
    expect(await c.ask('ms k 1 MP\r\n<\r\n')).toEqual(['HD']);
    expect(await c.ask('ms nope 1 MA\r\nx\r\n')).toEqual(['NS']);
    expect(await c.ask('ms nope 1 MR k\r\nx\r\n')).toEqual(['NS knope']);
    expect(await c.ask('mg k v\r\n', 2)).toEqual(['VA 3', '<az']);
    expect(await c.ask('ms k 1 MR\r\nr\r\n')).toEqual(['HD']);
    expect(await c.ask('ms k 1 MS\r\ns\r\n')).toEqual(['HD']);
    expect(await c.ask('mg k v\r\n', 2)).toEqual(['VA 1', 's']);
    expect(await c.ask('ms k 1 MX\r\nx\r\n')).toEqual(['CLIENT_ERROR invalid mode for ms M token']);
    expect(await c.ask('ms k 1 MSS\r\nx\r\n')).toEqual(['CLIENT_ERROR incorrect length for M token']);
    // q does not hide NS.
    expect(await c.ask('ms k 1 ME q\r\nx\r\n')).toEqual(['NS']);
  });

  it('C compares CAS: HD, EX, NF; append honours C too', async () => {
    const cas = flag((await c.ask('ms k 1 c\r\na\r\n'))[0]!, 'c');
    expect(await c.ask(`ms k 1 C${cas + 1000}\r\nb\r\n`)).toEqual(['EX']);
    expect(await c.ask('ms nope 1 C5\r\nb\r\n')).toEqual(['NF']);
    expect(await c.ask(`ms k 1 MA C${cas + 1000}\r\nb\r\n`)).toEqual(['EX']);
    const [hd] = await c.ask(`ms k 1 C${cas} c\r\nb\r\n`);
    expect(flag(hd!, 'c')).toBeGreaterThan(cas);
    expect(await c.ask(`ms k 1 C${cas}\r\nc\r\n`)).toEqual(['EX']);
  });

  it('errors: bad length, bad flags (data swallowed), too large (old value removed)', async () => {
    expect(await c.ask('ms k\r\n')).toEqual(['CLIENT_ERROR bad command line format']);
    expect(await c.ask('ms k x\r\n')).toEqual(['CLIENT_ERROR bad command line format']);
    expect(await c.ask('ms k 1 Tx\r\nx\r\nmn\r\n', 2)).toEqual(['CLIENT_ERROR bad token in command line format', 'MN']);
    await c.ask('ms k 3\r\nold\r\n');
    expect(await c.ask(`ms k ${2 * 1024 * 1024} q\r\n${'x'.repeat(2 * 1024 * 1024)}\r\n`)).toEqual(['SERVER_ERROR object too large for cache']);
    expect(await c.ask('mg k v\r\n')).toEqual(['EN']);
    // E (a caller-chosen CAS) cannot be honoured by the store and is refused.
    expect(await c.ask('ms k 1 E99\r\nx\r\n')).toEqual(['CLIENT_ERROR invalid flag']);
  });
});

describe('md', () => {
  it('deletes: HD, NF, EX; q hides HD and NF; C must match', async () => {
    const cas = flag((await c.ask('ms k 1 c\r\nx\r\n'))[0]!, 'c');
    expect(await c.ask(`md k C${cas + 1} O7 k\r\n`)).toEqual(['EX O7 kk']);
    expect(await c.ask(`md k C${cas} O7 k\r\n`)).toEqual(['HD O7 kk']);
    expect(await c.ask('md k\r\n')).toEqual(['NF']);
    c.send('ms k 1\r\nx\r\nmd k q\r\nmd k q\r\nmn\r\n');
    expect(await c.lines(2)).toEqual(['HD', 'MN']);
    expect(await c.ask('md k v v\r\n')).toEqual(['CLIENT_ERROR invalid or duplicate flag']);
  });

  it('I marks stale with a new CAS and T; x empties the value but keeps the item', async () => {
    const cas = flag((await c.ask('ms k 3 F5 T100 c\r\nabc\r\n'))[0]!, 'c');
    expect(await c.ask('md k I T30\r\n')).toEqual(['HD']);
    const [va, data] = await c.ask('mg k v c t f\r\n', 2);
    expect(data).toBe('abc');
    expect(va).toMatch(/^VA 3 c\d+ t30 f5 X W$/);
    expect(flag(va!, 'c')).toBeGreaterThan(cas);
    expect(await c.ask('md k x\r\n')).toEqual(['HD']);
    expect(await c.ask('mg k v f t\r\n', 2)).toEqual(['VA 0 f5 t30', '']);
  });
});

describe('ma', () => {
  it('incr by default, D delta, MD/M- decr stopping at 0, v and t and c', async () => {
    await c.ask('set n 0 0 1\r\n5\r\n');
    expect(await c.ask('ma n\r\n')).toEqual(['HD']);
    expect(await c.ask('ma n v\r\n', 2)).toEqual(['VA 1', '7']);
    expect(await c.ask('ma n D10 v t\r\n', 2)).toEqual(['VA 2 t-1', '17']);
    expect(await c.ask('ma n MD D100 v\r\n', 2)).toEqual(['VA 1', '0']);
    expect(await c.ask('ma n M+ D18446744073709551615 v\r\n', 2)).toEqual(['VA 20', '18446744073709551615']);
    expect(await c.ask('ma n MI D1 v\r\n', 2)).toEqual(['VA 1', '0']);
    expect(await c.ask('ma n M- v\r\n', 2)).toEqual(['VA 1', '0']);
    const [line] = await c.ask('ma n c\r\n');
    expect(line).toMatch(/^HD c\d+$/);
  });

  it('NF on a miss (even with q); N creates with J; C must match; T sets a TTL', async () => {
    expect(await c.ask('ma nope O1 k\r\n')).toEqual(['NF O1 knope']);
    expect(await c.ask('ma nope q\r\n')).toEqual(['NF']);
    expect(await c.ask('ma cnt N0 J10 v\r\n', 2)).toEqual(['VA 2', '10']);
    expect(await c.ask('ma cnt C1 v\r\n')).toEqual(['EX']);
    expect(await c.ask('ma cnt T30 t v\r\n', 2)).toEqual(['VA 2 t30', '11']);
    expect(await c.ask('ma cnt t T60 v\r\n', 2)).toEqual(['VA 2 t30', '12']);
    expect(await c.ask('mg cnt t\r\n')).toEqual(['HD t60']);
    expect(await c.ask('ma viv N90 t v\r\n', 2)).toEqual(['VA 1 t90', '0']);
    c.send('ma cnt q\r\nma cnt q v\r\nmn\r\n');
    expect(await c.line()).toBe('MN');
    expect(await c.ask('mg cnt v\r\n', 2)).toEqual(['VA 2', '14']);
  });

  it('errors', async () => {
    await c.ask('set s 0 0 1\r\nx\r\n');
    expect(await c.ask('ma s\r\n')).toEqual(['CLIENT_ERROR cannot increment or decrement non-numeric value']);
    expect(await c.ask('ma s Dx\r\n')).toEqual(['CLIENT_ERROR invalid or duplicate flag']);
    expect(await c.ask('ma s MX\r\n')).toEqual(['CLIENT_ERROR invalid mode for ma M token']);
  });
});

describe('mn and me', () => {
  it('mn answers MN; me describes an item or answers EN', async () => {
    expect(await c.ask('mn\r\n')).toEqual(['MN']);
    expect(await c.ask('me nope\r\n')).toEqual(['EN']);
    await c.ask('ms k 1 T100\r\nx\r\n');
    expect(await c.ask('me k\r\n')).toEqual([expect.stringMatching(/^ME k exp=-100 la=0 cas=\d+ fetch=no cls=1 size=50$/)]);
    await c.ask('mg k\r\n');
    expect(await c.ask('me k\r\n')).toEqual([expect.stringMatching(/ fetch=yes /)]);
  });
});

describe('anti-dogpile: N vivify, R recache, I stale, W/X/Z', () => {
  it('N on a miss creates an empty item and wins; others see Z until it is set', async () => {
    const [first] = await c.ask('mg k N30 v t c s\r\n', 2);
    expect(first).toMatch(/^VA 0 t30 c\d+ s0 W$/);
    expect(await c.ask('mg k N30 v t\r\n', 2)).toEqual(['VA 0 t30 Z', '']);
    expect(await c.ask('ms k 3 T60\r\nnew\r\n')).toEqual(['HD']);
    expect(await c.ask('mg k v N30\r\n', 2)).toEqual(['VA 3', 'new']);
  });

  it('R wins once when the TTL is below the token; then Z', async () => {
    await c.ask('ms k 1 T60\r\nx\r\n');
    expect(await c.ask('mg k R30\r\n')).toEqual(['HD']);
    expect(await c.ask('mg k R90\r\n')).toEqual(['HD W']);
    expect(await c.ask('mg k R90\r\n')).toEqual(['HD Z']);
    // An item without a TTL never wins a recache.
    await c.ask('ms p 1\r\nx\r\n');
    expect(await c.ask('mg p R90\r\n')).toEqual(['HD']);
  });

  it('md I: the next mg wins (X W), later ones see Z X; ms with an older CAS and I keeps it stale', async () => {
    const cas = flag((await c.ask('ms k 3 T60 c\r\nabc\r\n'))[0]!, 'c');
    expect(await c.ask('md k I T30\r\n')).toEqual(['HD']);
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t30 X W']);
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t30 Z X']);
    // The recacher holds the old CAS: with I the older CAS is accepted but the item stays stale.
    expect(await c.ask(`ms k 3 C${cas} I\r\nnew\r\n`)).toEqual(['HD']);
    expect(await c.ask('mg k v t\r\n', 2)).toEqual(['VA 3 t30 Z X', 'new']);
    // A set with the current CAS clears it.
    const cur = flag((await c.ask('mg k c\r\n'))[0]!, 'c');
    expect(await c.ask(`ms k 3 C${cur} T60\r\nfin\r\n`)).toEqual(['HD']);
    expect(await c.ask('mg k v t\r\n', 2)).toEqual(['VA 3 t60', 'fin']);
  });

  it('a rewrite from another client (classic set) clears the stale and token state', async () => {
    await c.ask('ms k 1 T60\r\nx\r\n');
    await c.ask('md k I\r\n');
    expect(await c.ask('mg k\r\n')).toEqual(['HD X W']);
    await c.ask('set k 0 0 1\r\ny\r\n');
    expect(await c.ask('mg k\r\n')).toEqual(['HD']);
  });
});

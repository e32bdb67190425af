// The classic text protocol against a real server process, byte for byte: storage, retrieval,
// delete/touch/incr/decr, noreply, expiry, limits and error lines (memcached 1.6 wording).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { McSocket, memcacheSession } from './helpers.js';

let server: TestServer;
let c: McSocket;
memcacheSession((srv, sock) => {
  server = srv;
  c = sock;
});

const casOf = async (key: string): Promise<string> => {
  const [line] = await c.ask(`gets ${key}\r\n`, 1);
  const cas = line!.split(' ')[4]!;
  await c.until('END\r\n');
  return cas;
};

describe('storage commands', () => {
  it('set stores the value and its flags; get returns them', async () => {
    expect(await c.ask('set k 4294967295 0 5\r\nhello\r\n')).toEqual(['STORED']);
    c.send('get k\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE k 4294967295 5\r\nhello\r\nEND\r\n');
  });

  it('stores binary values (CR, LF, NUL inside the data block)', async () => {
    const v = Buffer.from([0, 13, 10, 255, 13, 10, 1]);
    c.send(Buffer.concat([Buffer.from(`set bin 0 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
    expect(await c.line()).toBe('STORED');
    c.send('get bin\r\n');
    expect(await c.line()).toBe('VALUE bin 0 7');
    expect(Buffer.compare(await c.bytes(9), Buffer.concat([v, Buffer.from('\r\n')]))).toBe(0);
    expect(await c.line()).toBe('END');
  });

  it('add stores only a missing key, replace only an existing one', async () => {
    expect(await c.ask('add k 0 0 1\r\na\r\n')).toEqual(['STORED']);
    expect(await c.ask('add k 0 0 1\r\nb\r\n')).toEqual(['NOT_STORED']);
    expect(await c.ask('replace nope 0 0 1\r\nb\r\n')).toEqual(['NOT_STORED']);
    expect(await c.ask('replace k 7 0 1\r\nc\r\n')).toEqual(['STORED']);
    c.send('get k nope\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE k 7 1\r\nc\r\nEND\r\n');
  });

  it('append and prepend keep the flags; a missing key is NOT_STORED', async () => {
    await c.ask('set k 9 0 3\r\nmid\r\n');
    expect(await c.ask('append k 0 0 1\r\n>\r\n')).toEqual(['STORED']);
    expect(await c.ask('prepend k 0 0 1\r\n<\r\n')).toEqual(['STORED']);
    expect(await c.ask('append nope 0 0 1\r\nx\r\n')).toEqual(['NOT_STORED']);
    expect(await c.ask('prepend nope 0 0 1\r\nx\r\n')).toEqual(['NOT_STORED']);
    c.send('get k\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE k 9 5\r\n<mid>\r\nEND\r\n');
  });

  it('cas stores only with the current CAS: STORED, EXISTS, NOT_FOUND', async () => {
    await c.ask('set k 0 0 1\r\na\r\n');
    const cas = await casOf('k');
    expect(await c.ask(`cas k 0 0 1 ${cas}\r\nb\r\n`)).toEqual(['STORED']);
    expect(await c.ask(`cas k 0 0 1 ${cas}\r\nc\r\n`)).toEqual(['EXISTS']);
    expect(await c.ask('cas k 0 0 1 0\r\nc\r\n')).toEqual(['EXISTS']);
    expect(await c.ask(`cas nope 0 0 1 ${cas}\r\nc\r\n`)).toEqual(['NOT_FOUND']);
    expect(await casOf('k')).not.toBe(cas);
    c.send('get k\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE k 0 1\r\nb\r\nEND\r\n');
  });

  it('noreply silences every storage reply', async () => {
    c.send('set a 0 0 1 noreply\r\na\r\nadd a 0 0 1 noreply\r\nb\r\nreplace zz 0 0 1 noreply\r\nb\r\n');
    c.send('append a 0 0 1 noreply\r\n!\r\ncas a 0 0 1 1 noreply\r\nx\r\nversion\r\n');
    expect(await c.line()).toBe('VERSION 1.6.18');
    c.send('get a\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE a 0 2\r\na!\r\nEND\r\n');
  });

  it('refuses bad command lines with memcached wording', async () => {
    expect(await c.ask('set k 0 0\r\n')).toEqual(['ERROR']);
    expect(await c.ask('set k abc 0 1\r\n')).toEqual(['CLIENT_ERROR bad command line format']);
    expect(await c.ask('set k 0 0 -1\r\n')).toEqual(['CLIENT_ERROR bad command line format']);
    expect(await c.ask('cas k 0 0 1\r\n')).toEqual(['ERROR']);
    expect(await c.ask(`set ${'k'.repeat(251)} 0 0 1\r\n`)).toEqual(['CLIENT_ERROR bad command line format']);
    expect(await c.ask('bogus\r\n')).toEqual(['ERROR']);
  });

  it('a data block without its CRLF is a bad data chunk', async () => {
    expect(await c.ask('set k 0 0 3\r\nabcde\r\n', 2)).toEqual(['CLIENT_ERROR bad data chunk', 'ERROR']);
    c.send('get k\r\n');
    expect(await c.until('END\r\n')).toBe('END\r\n');
  });

  it('SERVER_ERROR object too large for cache, and a failed set removes the old value', async () => {
    await c.ask('set big 0 0 3\r\nold\r\n');
    await c.ask('set keep 0 0 3\r\nold\r\n');
    // memcached's limit counts the item header: key "big" leaves 1048576 - 62 value bytes.
    const max = 1024 * 1024 - 59 - 3;
    expect(await c.ask(`set big 0 0 ${max + 1}\r\n${'x'.repeat(max + 1)}\r\n`)).toEqual(['SERVER_ERROR object too large for cache']);
    c.send('get big\r\n');
    expect(await c.until('END\r\n')).toBe('END\r\n');
    // Past the limit the block is not even read: it is swallowed.
    expect(await c.ask(`set big 0 0 ${2 * 1024 * 1024}\r\n${'y'.repeat(2 * 1024 * 1024)}\r\n`)).toEqual(['SERVER_ERROR object too large for cache']);
    // add/replace keep the old value (memcached unlinks only for set).
    expect(await c.ask(`replace keep 0 0 ${max + 2}\r\n${'x'.repeat(max + 2)}\r\n`)).toEqual(['SERVER_ERROR object too large for cache']);
    c.send('get keep\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE keep 0 3\r\nold\r\nEND\r\n');
    // Exactly at the limit is stored.
    expect(await c.ask(`set big 0 0 ${max}\r\n${'z'.repeat(max)}\r\n`)).toEqual(['STORED']);
    // An append that would pass the limit is NOT_STORED.
    expect(await c.ask('append big 0 0 1\r\n!\r\n')).toEqual(['NOT_STORED']);
  });

  it('pipelined commands in one write are answered in order', async () => {
    let req = '';
    for (let i = 0; i < 200; i++) req += `set p${i} ${i} 0 ${String(i).length}\r\n${i}\r\n`;
    for (let i = 0; i < 200; i++) req += `get p${i}\r\n`;
    c.send(req);
    const stored = await c.lines(200);
    expect(stored.every((l) => l === 'STORED')).toBe(true);
    for (let i = 0; i < 200; i++) {
      expect(await c.lines(3)).toEqual([`VALUE p${i} ${i} ${String(i).length}`, String(i), 'END']);
    }
  });
});

describe('retrieval commands', () => {
  it('get and gets: hits in order, misses left out, then END', async () => {
    await c.ask('set a 1 0 1\r\nA\r\n');
    await c.ask('set b 2 0 2\r\nBB\r\n');
    c.send('get a nope b\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE a 1 1\r\nA\r\nVALUE b 2 2\r\nBB\r\nEND\r\n');
    c.send('gets a b\r\n');
    const out = await c.until('END\r\n');
    expect(out).toMatch(/^VALUE a 1 1 \d+\r\nA\r\nVALUE b 2 2 \d+\r\nBB\r\nEND\r\n$/);
    expect(await c.ask('get\r\n')).toEqual(['ERROR']);
    expect(await c.ask('gets\r\n')).toEqual(['ERROR']);
    expect(await c.ask(`get a ${'k'.repeat(251)}\r\n`)).toEqual(['CLIENT_ERROR bad command line format']);
  });

  it('a get line with 5000 keys', async () => {
    let req = '';
    for (let i = 0; i < 5000; i += 2) req += `set key:${i} 0 0 ${String(i).length} noreply\r\n${i}\r\n`;
    c.send(req);
    const keys = Array.from({ length: 5000 }, (_, i) => `key:${i}`);
    c.send(`get ${keys.join(' ')}\r\n`);
    const out = await c.until('END\r\n', 20_000);
    const values = out.split('\r\n').filter((l) => l.startsWith('VALUE '));
    expect(values.length).toBe(2500);
    expect(values[0]).toBe('VALUE key:0 0 1');
    expect(values[2499]).toBe('VALUE key:4998 0 4');
  });

  it('a multi-get of many large values arrives whole (served in slices)', async () => {
    const v = Buffer.alloc(1000 * 1000, 'v');
    for (let i = 0; i < 24; i++) {
      c.send(Buffer.concat([Buffer.from(`set L${i} ${i} 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
      expect(await c.line()).toBe('STORED');
    }
    c.send(`get ${Array.from({ length: 24 }, (_, i) => `L${i}`).join(' ')} L0\r\n`);
    for (const i of [...Array.from({ length: 24 }, (_, i) => i), 0]) {
      expect(await c.line(20_000)).toBe(`VALUE L${i} ${i} ${v.length}`);
      const data = await c.bytes(v.length + 2, 20_000);
      expect(data.subarray(0, v.length).equals(v)).toBe(true);
    }
    expect(await c.line()).toBe('END');
  });

  it('gat and gats return the value and set a new TTL', async () => {
    await c.ask('set k 3 0 1\r\nx\r\n');
    c.send('gat 100 k nope\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE k 3 1\r\nx\r\nEND\r\n');
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t100']);
    c.send('gats 0 k\r\n');
    expect(await c.until('END\r\n')).toMatch(/^VALUE k 3 1 \d+\r\nx\r\nEND\r\n$/);
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t-1']);
    // A negative TTL still returns the value once, then the item is gone.
    c.send('gat -1 k\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE k 3 1\r\nx\r\nEND\r\n');
    c.send('get k\r\n');
    expect(await c.until('END\r\n')).toBe('END\r\n');
    expect(await c.ask('gat x k\r\n')).toEqual(['CLIENT_ERROR invalid exptime argument']);
  });

  it('gets returns the CAS a later cas command accepts, after gats too', async () => {
    await c.ask('set k 0 0 1\r\nx\r\n');
    c.send('gats 500 k\r\n');
    const cas = (await c.line()).split(' ')[4];
    await c.until('END\r\n');
    expect(await c.ask(`cas k 0 0 1 ${cas}\r\ny\r\n`)).toEqual(['STORED']);
  });
});

describe('delete, touch, incr, decr', () => {
  it('delete: DELETED, NOT_FOUND, the legacy 0, and its usage error', async () => {
    await c.ask('set k 0 0 1\r\nx\r\n');
    expect(await c.ask('delete k\r\n')).toEqual(['DELETED']);
    expect(await c.ask('delete k\r\n')).toEqual(['NOT_FOUND']);
    await c.ask('set k 0 0 1\r\nx\r\n');
    expect(await c.ask('delete k 0\r\n')).toEqual(['DELETED']);
    expect(await c.ask('delete k 5\r\n')).toEqual(['CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]']);
    expect(await c.ask('delete\r\n')).toEqual(['ERROR']);
    expect(await c.ask('delete a b c d\r\n')).toEqual(['ERROR']);
    c.send('delete k noreply\r\ndelete k 0 noreply\r\nversion\r\n');
    expect(await c.line()).toMatch(/^VERSION /);
  });

  it('touch: TOUCHED, NOT_FOUND; a negative TTL expires the item', async () => {
    await c.ask('set k 0 0 1\r\nx\r\n');
    expect(await c.ask('touch k 60\r\n')).toEqual(['TOUCHED']);
    expect(await c.ask('mg k t\r\n')).toEqual(['HD t60']);
    expect(await c.ask('touch nope 60\r\n')).toEqual(['NOT_FOUND']);
    expect(await c.ask('touch k x\r\n')).toEqual(['CLIENT_ERROR invalid exptime argument']);
    expect(await c.ask('touch k -1\r\n')).toEqual(['TOUCHED']);
    c.send('get k\r\n');
    expect(await c.until('END\r\n')).toBe('END\r\n');
  });

  it('incr wraps at 2^64, decr stops at 0, both keep flags and TTL', async () => {
    await c.ask('set n 5 100 2\r\n10\r\n');
    expect(await c.ask('incr n 5\r\n')).toEqual(['15']);
    expect(await c.ask('decr n 100\r\n')).toEqual(['0']);
    expect(await c.ask('incr n 18446744073709551615\r\n')).toEqual(['18446744073709551615']);
    expect(await c.ask('incr n 2\r\n')).toEqual(['1']);
    c.send('get n\r\n');
    expect(await c.until('END\r\n')).toBe('VALUE n 5 1\r\n1\r\nEND\r\n');
    expect(await c.ask('mg n t\r\n')).toEqual(['HD t100']);
  });

  it('incr/decr errors and misses', async () => {
    await c.ask('set s 0 0 3\r\nabc\r\n');
    expect(await c.ask('incr s 1\r\n')).toEqual(['CLIENT_ERROR cannot increment or decrement non-numeric value']);
    expect(await c.ask('incr s -1\r\n')).toEqual(['CLIENT_ERROR invalid numeric delta argument']);
    expect(await c.ask('incr s 18446744073709551616\r\n')).toEqual(['CLIENT_ERROR invalid numeric delta argument']);
    expect(await c.ask('incr nope 1\r\n')).toEqual(['NOT_FOUND']);
    expect(await c.ask('decr nope 1\r\n')).toEqual(['NOT_FOUND']);
    expect(await c.ask('incr s\r\n')).toEqual(['ERROR']);
    c.send('incr nope 1 noreply\r\nincr s 1 noreply\r\nversion\r\n');
    expect(await c.line()).toMatch(/^VERSION /);
  });
});

describe('expiry', () => {
  it('negative exptime: stored, then already expired', async () => {
    expect(await c.ask('set e 0 -1 1\r\nx\r\n')).toEqual(['STORED']);
    c.send('get e\r\n');
    expect(await c.until('END\r\n')).toBe('END\r\n');
    // The expired item does not block an add.
    expect(await c.ask('add e 0 0 1\r\ny\r\n')).toEqual(['STORED']);
  });

  it('exptime over 30 days is an absolute Unix time', async () => {
    const past = Math.floor(Date.now() / 1000) - 10;
    expect(await c.ask(`set p 0 ${past} 1\r\nx\r\n`)).toEqual(['STORED']);
    c.send('get p\r\n');
    expect(await c.until('END\r\n')).toBe('END\r\n');
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(await c.ask(`set f 0 ${future} 1\r\nx\r\n`)).toEqual(['STORED']);
    const [ttl] = await c.ask('mg f t\r\n');
    const left = Number(ttl!.slice('HD t'.length));
    expect(left).toBeGreaterThan(3590);
    expect(left).toBeLessThanOrEqual(3600);
    // Exactly 30 days is still relative.
    expect(await c.ask('set r 0 2592000 1\r\nx\r\n')).toEqual(['STORED']);
    expect(await c.ask('mg r t\r\n')).toEqual(['HD t2592000']);
  });

  it('a relative TTL expires the item', async () => {
    expect(await c.ask('set t 0 1 1\r\nx\r\n')).toEqual(['STORED']);
    const deadline = Date.now() + 5000;
    let out = '';
    while (Date.now() < deadline) {
      c.send('get t\r\n');
      out = await c.until('END\r\n');
      if (out === 'END\r\n') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(out).toBe('END\r\n');
  });
});

describe('connection', () => {
  it('quit closes the connection after earlier replies', async () => {
    c.send('set q 0 0 1\r\nx\r\nquit\r\nget q\r\n');
    expect(await c.line()).toBe('STORED');
    expect(await c.waitClosed()).toBe(true);
    expect(c.pending).toBe('');
  });

  it('an HTTP request is hung up on without a reply', async () => {
    c.send('GET / HTTP/1.1\r\n');
    expect(await c.waitClosed()).toBe(true);
    expect(c.pending).toBe('');
  });

  it('a line over 2048 bytes is refused and the connection closed', async () => {
    c.send(`${'x'.repeat(3000)}\r\n`);
    expect(await c.line()).toBe('CLIENT_ERROR line too long');
    expect(await c.waitClosed()).toBe(true);
  });

  it('a client that does not read its replies stops being served (bounded server memory)', async () => {
    const anonKb = (): number => Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))![1]);
    const v = Buffer.alloc(1024 * 1024 - 100, 'b');
    c.send(Buffer.concat([Buffer.from(`set big 0 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
    expect(await c.line()).toBe('STORED');
    c.socket.pause();
    const before = anonKb();
    // 300 MiB of replies asked for, none read.
    c.send('get big\r\n'.repeat(300));
    await new Promise((r) => setTimeout(r, 1500));
    const grown = anonKb() - before;
    expect(grown).toBeLessThan(64 * 1024);
    c.socket.resume();
    for (let i = 0; i < 300; i++) {
      expect(await c.line(20_000)).toBe(`VALUE big 0 ${v.length}`);
      await c.bytes(v.length + 2, 20_000);
      expect(await c.line(20_000)).toBe('END');
    }
  });

  it('version and verbosity', async () => {
    expect(await c.ask('version\r\n')).toEqual(['VERSION 1.6.18']);
    expect(await c.ask('verbosity 1\r\n')).toEqual(['OK']);
    expect(await c.ask('verbosity\r\n')).toEqual(['ERROR']);
    expect(await c.ask('verbosity x\r\n')).toEqual(['CLIENT_ERROR bad command line format']);
    c.send('verbosity 0 noreply\r\nversion\r\n');
    expect(await c.line()).toMatch(/^VERSION /);
  });
});

import { describe, expect, it } from 'vitest';
import { b, errLine, one, parseAll, plain } from './helpers.js';

describe('storage commands', () => {
  it.each(['set', 'add', 'replace', 'append', 'prepend'] as const)('%s', (cmd) => {
    expect(plain(one(`${cmd} foo 5 100 3\r\nbar\r\n`))).toEqual({
      kind: 'store',
      cmd,
      key: '<foo>',
      flags: 5,
      exptime: 100,
      bytes: 3,
      noreply: false,
      data: '<bar>',
    });
  });

  it('cas with a u64 unique', () => {
    expect(plain(one('cas k 0 0 1 18446744073709551615\r\nx\r\n'))).toMatchObject({
      kind: 'store',
      cmd: 'cas',
      cas: '18446744073709551615n',
      data: '<x>',
    });
  });

  it('noreply', () => {
    expect(one('set k 0 0 1 noreply\r\nx\r\n')).toMatchObject({ noreply: true });
    expect(one('cas k 0 0 1 7 noreply\r\nx\r\n')).toMatchObject({ noreply: true, cas: 7n });
  });

  it('a sixth token that is not noreply is ignored, as memcached does', () => {
    expect(one('set k 0 0 1 whatever\r\nx\r\n')).toMatchObject({ kind: 'store', noreply: false });
  });

  it('u32 flags, negative exptime, empty value', () => {
    expect(one('set k 4294967295 -1 0\r\n\r\n')).toMatchObject({ flags: 4294967295, exptime: -1, data: b('') });
  });

  it('binary data containing CRLF and NUL', () => {
    const data = Buffer.from([0, 13, 10, 255, 13, 10, 0x20]);
    const input = Buffer.concat([b(`set bin 0 0 ${data.length}\r\n`), data, b('\r\n')]);
    const r = one(input);
    expect(r.kind === 'store' && r.data.equals(data)).toBe(true);
  });

  it('wrong token counts are a bare ERROR', () => {
    expect(errLine('set k 0 0\r\n')).toBe('ERROR');
    expect(errLine('set k 0 0 1 noreply extra\r\n')).toBe('ERROR');
    expect(errLine('cas k 0 0 1\r\n')).toBe('ERROR');
    expect(errLine('cas k 0 0 1 2 noreply x\r\n')).toBe('ERROR');
  });

  it('bad numbers are "bad command line format" (issue_70.t)', () => {
    expect(errLine('set issue70 0 0 -1\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set issue70 0 0 4294967295\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set issue70 0 0 2147483647\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set k abc 0 1\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set k -1 0 1\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set k 4294967296 0 1\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set k 0 1x 1\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('set k 0 2147483648 1\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('cas k 0 0 1 -5\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('cas k 0 0 1 18446744073709551616\r\n')).toBe('CLIENT_ERROR bad command line format');
  });

  it('numbers accept what strtol accepts: sign, leading zeros, surrounding whitespace', () => {
    expect(one('set k +7 -0 0003\r\nabc\r\n')).toMatchObject({ flags: 7, exptime: 0, bytes: 3 });
    expect(one('set k 000000000000000000001 0 1\r\nx\r\n')).toMatchObject({ flags: 1 });
    // a tab is part of the token; strtol skips it before, and stops at it after the digits
    expect(one('set k \t5 0 1\t\r\nx\r\n')).toMatchObject({ flags: 5, bytes: 1 });
    expect(errLine('set k 5\tx 0 1x\r\n')).toBe('CLIENT_ERROR bad command line format');
  });

  it('a key of 250 bytes is fine, 251 is refused', () => {
    const k250 = 'k'.repeat(250);
    expect(one(`set ${k250} 0 0 1\r\nx\r\n`)).toMatchObject({ kind: 'store' });
    const r = parseAll(`set ${k250}k 0 0 1\r\nx\r\n`);
    // memcached does not swallow here: the data line is then read as a command.
    expect(plain(r)).toEqual([
      { kind: 'error', line: 'CLIENT_ERROR bad command line format', noreply: false, close: false, swallowed: 0 },
      { kind: 'error', line: 'ERROR', noreply: false, close: false, swallowed: 0 },
    ]);
  });

  it('noreply silences the syntax error of a storage command', () => {
    const r = one(`set ${'k'.repeat(251)} 0 0 1 noreply\r\n`);
    expect(r).toMatchObject({ kind: 'error', line: 'CLIENT_ERROR bad command line format', noreply: true });
  });

  it('too large: SERVER_ERROR, data swallowed, set reports the key to unlink', () => {
    const big = 'x'.repeat(101);
    const r = parseAll(`set foo 0 0 101\r\n${big}\r\nget foo\r\n`, { itemSizeMax: 100 });
    expect(plain(r)).toEqual([
      {
        kind: 'error',
        line: 'SERVER_ERROR object too large for cache',
        noreply: false,
        close: false,
        swallowed: 103,
        unlinkKey: '<foo>',
      },
      { kind: 'get', cmd: 'get', keys: ['<foo>'] },
    ]);
  });

  it('too large for add/append does not unlink; noreply silences it', () => {
    const r = parseAll(`add foo 0 0 101 noreply\r\n${'y'.repeat(101)}\r\nversion\r\n`, { itemSizeMax: 100 });
    expect(r[0]).toMatchObject({ line: 'SERVER_ERROR object too large for cache', noreply: true });
    expect(r[0]).not.toHaveProperty('unlinkKey');
    expect(r[1]).toEqual({ kind: 'version' });
  });

  it('exactly itemSizeMax is accepted', () => {
    expect(one(`set k 0 0 100\r\n${'z'.repeat(100)}\r\n`, { itemSizeMax: 100 })).toMatchObject({ bytes: 100 });
  });

  it('the default item size max is 1 MiB', () => {
    const r = parseAll(`set k 0 0 ${1024 * 1024 + 1}\r\n`);
    expect(r[0]).toMatchObject({ line: 'SERVER_ERROR object too large for cache', swallowed: 1024 * 1024 + 3 });
  });

  it('bad data chunk: the block is consumed, the rest parsed as commands (as memcached)', () => {
    const r = parseAll('set k 0 0 3\r\nhello\r\nget k\r\n');
    expect(plain(r)).toEqual([
      { kind: 'error', line: 'CLIENT_ERROR bad data chunk', noreply: false, close: false, swallowed: 0 },
      // "lo\r\n" is read as a command line
      { kind: 'error', line: 'ERROR', noreply: false, close: false, swallowed: 0 },
      { kind: 'get', cmd: 'get', keys: ['<k>'] },
    ]);
  });

  it('bad data chunk with noreply is silent', () => {
    expect(parseAll('set k 0 0 1 noreply\r\nxyz\r\n')[0]).toMatchObject({
      line: 'CLIENT_ERROR bad data chunk',
      noreply: true,
    });
  });

  it('data terminated by a bare LF is a bad chunk', () => {
    expect(parseAll('set k 0 0 1\r\nx\nmn\r\n')[0]).toMatchObject({ line: 'CLIENT_ERROR bad data chunk' });
  });
});

describe('retrieval commands', () => {
  it('get/gets with several keys', () => {
    expect(plain(one('get a bb ccc\r\n'))).toEqual({ kind: 'get', cmd: 'get', keys: ['<a>', '<bb>', '<ccc>'] });
    expect(plain(one('gets a\r\n'))).toEqual({ kind: 'get', cmd: 'gets', keys: ['<a>'] });
  });

  it('gat/gats take an exptime first', () => {
    expect(plain(one('gat 100 a b\r\n'))).toEqual({ kind: 'get', cmd: 'gat', keys: ['<a>', '<b>'], exptime: 100 });
    expect(plain(one('gats -1 a\r\n'))).toEqual({ kind: 'get', cmd: 'gats', keys: ['<a>'], exptime: -1 });
    expect(errLine('gat abc a\r\n')).toBe('CLIENT_ERROR invalid exptime argument');
    // memcached answers a keyless gat with just END
    expect(plain(one('gat 10\r\n'))).toEqual({ kind: 'get', cmd: 'gat', keys: [], exptime: 10 });
  });

  it('get without keys is ERROR; extra spaces are ignored', () => {
    expect(errLine('get\r\n')).toBe('ERROR');
    expect(errLine('get   \r\n')).toBe('ERROR');
    expect(plain(one('  get   a    b  \r\n'))).toEqual({ kind: 'get', cmd: 'get', keys: ['<a>', '<b>'] });
  });

  it('one key over 250 bytes fails the whole get', () => {
    expect(errLine(`get a ${'x'.repeat(251)} b\r\n`)).toBe('CLIENT_ERROR bad command line format');
  });

  it('bget is an alias of get', () => {
    expect(plain(one('bget a\r\n'))).toEqual({ kind: 'get', cmd: 'get', keys: ['<a>'] });
  });

  it('a get line with 5000 keys', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `key:${i}:${'p'.repeat(i % 40)}`);
    const line = `get ${keys.join(' ')}\r\n`;
    expect(line.length).toBeGreaterThan(100_000);
    const r = one(line);
    expect(r.kind).toBe('get');
    if (r.kind === 'get') expect(r.keys.map((k) => k.toString())).toEqual(keys);
  });
});

describe('other classic commands', () => {
  it('delete', () => {
    expect(plain(one('delete k\r\n'))).toEqual({ kind: 'delete', key: '<k>', noreply: false });
    expect(plain(one('delete k noreply\r\n'))).toEqual({ kind: 'delete', key: '<k>', noreply: true });
    expect(plain(one('delete k 0\r\n'))).toEqual({ kind: 'delete', key: '<k>', noreply: false });
    expect(plain(one('delete k 0 noreply\r\n'))).toEqual({ kind: 'delete', key: '<k>', noreply: true });
    expect(errLine('delete k 5\r\n')).toBe('CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]');
    expect(one('delete k 5 noreply\r\n')).toMatchObject({ kind: 'error', noreply: true });
    expect(errLine('delete\r\n')).toBe('ERROR');
    expect(errLine('delete a 0 noreply x\r\n')).toBe('ERROR');
    expect(errLine(`delete ${'k'.repeat(251)}\r\n`)).toBe('CLIENT_ERROR bad command line format');
  });

  it('incr/decr with u64 deltas', () => {
    expect(plain(one('incr n 18446744073709551615\r\n'))).toEqual({
      kind: 'arith',
      cmd: 'incr',
      key: '<n>',
      delta: '18446744073709551615n',
      noreply: false,
    });
    expect(one('decr n 5 noreply\r\n')).toMatchObject({ cmd: 'decr', delta: 5n, noreply: true });
    expect(errLine('incr n -1\r\n')).toBe('CLIENT_ERROR invalid numeric delta argument');
    expect(errLine('incr n abc\r\n')).toBe('CLIENT_ERROR invalid numeric delta argument');
    expect(errLine('incr n 18446744073709551616\r\n')).toBe('CLIENT_ERROR invalid numeric delta argument');
    expect(errLine('incr n\r\n')).toBe('ERROR');
    expect(errLine(`decr ${'k'.repeat(251)} 1\r\n`)).toBe('CLIENT_ERROR bad command line format');
  });

  it('touch', () => {
    expect(plain(one('touch k 10\r\n'))).toEqual({ kind: 'touch', key: '<k>', exptime: 10, noreply: false });
    expect(one('touch k 10 noreply\r\n')).toMatchObject({ noreply: true });
    expect(errLine('touch k x\r\n')).toBe('CLIENT_ERROR invalid exptime argument');
    expect(errLine('touch k\r\n')).toBe('ERROR');
  });

  it('flush_all', () => {
    expect(one('flush_all\r\n')).toEqual({ kind: 'flush_all', delay: 0, noreply: false });
    expect(one('flush_all 10\r\n')).toEqual({ kind: 'flush_all', delay: 10, noreply: false });
    expect(one('flush_all noreply\r\n')).toEqual({ kind: 'flush_all', delay: 0, noreply: true });
    expect(one('flush_all 3 noreply\r\n')).toEqual({ kind: 'flush_all', delay: 3, noreply: true });
    expect(errLine('flush_all abc\r\n')).toBe('CLIENT_ERROR invalid exptime argument');
    expect(errLine('flush_all 1 2 3\r\n')).toBe('ERROR');
  });

  it('version, quit, verbosity, stats, shutdown, cache_memlimit', () => {
    expect(one('version\r\n')).toEqual({ kind: 'version' });
    expect(one('quit\r\n')).toEqual({ kind: 'quit' });
    expect(one('verbosity 1\r\n')).toEqual({ kind: 'verbosity', level: 1, noreply: false });
    expect(one('verbosity 2 noreply\r\n')).toEqual({ kind: 'verbosity', level: 2, noreply: true });
    expect(errLine('verbosity x\r\n')).toBe('CLIENT_ERROR bad command line format');
    expect(errLine('verbosity\r\n')).toBe('ERROR');
    expect(one('stats\r\n')).toEqual({ kind: 'stats', args: [] });
    expect(one('stats slabs\r\n')).toEqual({ kind: 'stats', args: ['slabs'] });
    expect(one('stats detail on\r\n')).toEqual({ kind: 'stats', args: ['detail', 'on'] });
    expect(one('shutdown\r\n')).toEqual({ kind: 'shutdown', mode: 'immediate' });
    expect(one('shutdown graceful\r\n')).toEqual({ kind: 'shutdown', mode: 'graceful' });
    expect(one('shutdown now\r\n')).toEqual({ kind: 'shutdown', mode: 'invalid' });
    expect(one('cache_memlimit 100\r\n')).toEqual({ kind: 'cache_memlimit', megabytes: 100, noreply: false });
    expect(one('cache_memlimit 64 noreply\r\n')).toEqual({ kind: 'cache_memlimit', megabytes: 64, noreply: true });
    expect(errLine('cache_memlimit lots\r\n')).toBe('ERROR');
  });

  it('unknown commands are ERROR (bogus-commands.t)', () => {
    expect(errLine('boguscommand slkdsldkfjsd\r\n')).toBe('ERROR');
    expect(errLine('x\r\n')).toBe('ERROR');
    expect(errLine('\r\n')).toBe('ERROR');
    expect(errLine('\n')).toBe('ERROR');
    expect(errLine('GET\r\n')).toBe('ERROR'); // command names are case-sensitive
    expect(errLine('slabs reassign 1 2\r\n')).toBe('ERROR');
  });

  it('HTTP requests are hung up on silently (malicious-commands.t)', () => {
    for (const s of ['GET / HTTP/1.0', 'PUT /asdf/asd/fasdfasdf/sadf HTTP/1.1', 'DELETE HTTP/1.1']) {
      expect(parseAll(`${s}\r\nversion\r\n`)).toEqual([
        { kind: 'error', line: '', noreply: false, close: true, swallowed: 0 },
      ]);
    }
    // ...but a known command's branch answers ERROR instead (as memcached's dispatch does)
    expect(errLine('delete / HTTP/1.1\r\n')).toBe('CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]');
  });

  it('lines may end in a bare LF; a NUL ends the command', () => {
    expect(parseAll('version\nget a\n')).toEqual([
      { kind: 'version' },
      expect.objectContaining({ kind: 'get' }),
    ]);
    expect(plain(one('get a\0b c\r\n'))).toEqual({ kind: 'get', cmd: 'get', keys: ['<a>'] });
  });

  it('tabs are not separators (memcached splits on spaces only)', () => {
    expect(plain(one('get a\tb\r\n'))).toEqual({ kind: 'get', cmd: 'get', keys: ['<a\tb>'] });
  });
});

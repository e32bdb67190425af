// Valid memcached text and meta requests as fast-check arbitraries, each with the fields the
// parser must return for it (a subset of the Request: what the generator chose).
import fc from 'fast-check';

export interface McItem {
  bytes: Buffer;
  /** Expected fields of the parsed request (deep-compared; fields not named are not checked). */
  expect: Record<string, unknown>;
}

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-.!#$%&()*+/<=>?@[]^{|}~\'"`,;\\';
export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('k', 'key', 'k1', 'user:42', 'a-b_c') },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...KEY_CHARS.split('')), minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 250 }).map((n) => 'x'.repeat(n)) },
);
const dataArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 200, maxLength: 4000 }).map((a) => Buffer.from(a)) },
);
const u32 = fc.oneof(fc.constantFrom(0, 1, 4294967295), fc.nat());
const exptimeArb = fc.oneof(fc.constantFrom(0, -1, 2592000, 2592001, 2147483647, -2147483648), fc.integer({ min: -100, max: 100000 }));
const u64 = fc.oneof(fc.constantFrom(0n, 1n, 18446744073709551615n), fc.bigInt({ min: 0n, max: 18446744073709551615n }));
const sepArb = fc.constantFrom(' ', ' ', ' ', '  ');
const eolArb = fc.constantFrom('\r\n', '\r\n', '\n');

const K = (k: string): Buffer => Buffer.from(k, 'latin1');
function line(toks: (string | number | bigint)[], sep: string, eol: string): Buffer {
  return Buffer.from(toks.join(sep) + eol, 'latin1');
}

const storeArb: fc.Arbitrary<McItem> = fc
  .record({
    cmd: fc.constantFrom('set', 'add', 'replace', 'append', 'prepend', 'cas'),
    key: keyArb, flags: u32, exptime: exptimeArb, data: dataArb, cas: u64, noreply: fc.boolean(), sep: sepArb, eol: eolArb,
  })
  .map(({ cmd, key, flags, exptime, data, cas, noreply, sep, eol }) => {
    const toks: (string | number | bigint)[] = [cmd, key, flags, exptime, data.length];
    if (cmd === 'cas') toks.push(cas);
    if (noreply) toks.push('noreply');
    const expect: Record<string, unknown> = { kind: 'store', cmd, key: K(key), flags, exptime, bytes: data.length, noreply, data };
    if (cmd === 'cas') expect.cas = cas;
    return { bytes: Buffer.concat([line(toks, sep, eol), data, Buffer.from('\r\n')]), expect };
  });

const getArb: fc.Arbitrary<McItem> = fc
  .record({ cmd: fc.constantFrom('get', 'gets', 'gat', 'gats', 'bget'), keys: fc.array(keyArb, { minLength: 1, maxLength: 12 }), exptime: exptimeArb, sep: sepArb, eol: eolArb })
  .map(({ cmd, keys, exptime, sep, eol }) => {
    const touch = cmd === 'gat' || cmd === 'gats';
    const expect: Record<string, unknown> = { kind: 'get', cmd: cmd === 'bget' ? 'get' : cmd, keys: keys.map(K) };
    if (touch) expect.exptime = exptime;
    return { bytes: line([cmd, ...(touch ? [exptime] : []), ...keys], sep, eol), expect };
  });

const simpleArb: fc.Arbitrary<McItem> = fc
  .record({
    which: fc.integer({ min: 0, max: 8 }), key: keyArb, delta: u64, exptime: exptimeArb, noreply: fc.boolean(), n: fc.integer({ min: 0, max: 1000 }),
    sep: sepArb, eol: eolArb,
  })
  .map(({ which, key, delta, exptime, noreply, n, sep, eol }): McItem => {
    const nr = noreply ? ['noreply'] : [];
    switch (which) {
      case 0:
        return { bytes: line(['delete', key, ...nr], sep, eol), expect: { kind: 'delete', key: K(key), noreply } };
      case 1:
        return { bytes: line(['incr', key, delta, ...nr], sep, eol), expect: { kind: 'arith', cmd: 'incr', key: K(key), delta, noreply } };
      case 2:
        return { bytes: line(['decr', key, delta, ...nr], sep, eol), expect: { kind: 'arith', cmd: 'decr', key: K(key), delta, noreply } };
      case 3:
        return { bytes: line(['touch', key, exptime, ...nr], sep, eol), expect: { kind: 'touch', key: K(key), exptime, noreply } };
      case 4:
        return { bytes: line(['flush_all', n, ...nr], sep, eol), expect: { kind: 'flush_all', delay: n, noreply } };
      case 5:
        return { bytes: line(['version'], sep, eol), expect: { kind: 'version' } };
      case 6:
        return { bytes: line(['verbosity', n, ...nr], sep, eol), expect: { kind: 'verbosity', level: n, noreply } };
      case 7:
        return { bytes: line(['mn'], sep, eol), expect: { kind: 'mn' } };
      default:
        return { bytes: line(['me', key], sep, eol), expect: { kind: 'me', key: K(key), base64: false } };
    }
  });

/** Meta flags with what each sets in MetaFlags. */
const MG_FLAGS: Array<[string, Record<string, unknown>]> = [
  ['v', { retValue: true }], ['k', { retKey: true }], ['c', { retCas: true }], ['f', { retFlags: true }], ['s', { retSize: true }],
  ['t', { retTtl: true }], ['h', { retHit: true }], ['l', { retLastAccess: true }], ['u', { noBump: true }], ['q', { quiet: true }],
];
const metaArb: fc.Arbitrary<McItem> = fc
  .record({
    cmd: fc.constantFrom('mg', 'ms', 'md', 'ma'), key: keyArb, data: dataArb,
    bools: fc.subarray(MG_FLAGS, { maxLength: 6 }), ttl: fc.option(fc.integer({ min: -1, max: 100000 })),
    opaque: fc.option(fc.string({ unit: fc.constantFrom(...'abc123XYZ'.split('')), minLength: 1, maxLength: 20 })),
    clientFlags: fc.option(u32), msMode: fc.option(fc.constantFrom('E', 'A', 'P', 'R', 'S')), maMode: fc.option(fc.constantFrom('I', '+', 'D', '-')),
    delta: fc.option(u64), invalidate: fc.boolean(), sep: sepArb, eol: eolArb,
  })
  .map((r): McItem => {
    const toks: string[] = [r.cmd, r.key];
    const flags: Record<string, unknown> = {};
    if (r.cmd === 'ms') toks.push(String(r.data.length));
    const add = (tok: string, set: Record<string, unknown>) => {
      toks.push(tok);
      Object.assign(flags, set);
    };
    if (r.cmd === 'mg' || r.cmd === 'ma') for (const [f, set] of r.bools) add(f, set);
    if (r.ttl !== null && r.cmd !== 'md') add(`T${r.ttl}`, { ttl: r.ttl });
    if (r.opaque !== null) add(`O${r.opaque}`, { opaque: Buffer.from(r.opaque, 'latin1') });
    if (r.cmd === 'ms' && r.clientFlags !== null) add(`F${r.clientFlags}`, { clientFlags: r.clientFlags });
    if (r.cmd === 'ms' && r.msMode !== null) add(`M${r.msMode}`, { mode: r.msMode });
    if (r.cmd === 'ma' && r.maMode !== null) add(`M${r.maMode}`, { mode: r.maMode });
    if (r.cmd === 'ma' && r.delta !== null) add(`D${r.delta}`, { delta: r.delta });
    if ((r.cmd === 'md' || r.cmd === 'ms') && r.invalidate) add('I', { invalidate: true });
    const head = Buffer.from(toks.join(r.sep) + r.eol, 'latin1');
    if (r.cmd === 'ms') {
      return { bytes: Buffer.concat([head, r.data, Buffer.from('\r\n')]), expect: { kind: 'ms', key: K(r.key), bytes: r.data.length, data: r.data, flags } };
    }
    return { bytes: head, expect: { kind: r.cmd, key: K(r.key), flags } };
  });

export const mcItemArb: fc.Arbitrary<McItem> = fc.oneof(
  { weight: 4, arbitrary: storeArb },
  { weight: 3, arbitrary: getArb },
  { weight: 3, arbitrary: simpleArb },
  { weight: 4, arbitrary: metaArb },
);

export const mcStreamArb: fc.Arbitrary<McItem[]> = fc.array(mcItemArb, { minLength: 1, maxLength: 12 });

export function mcStreamBytes(items: readonly McItem[]): Buffer {
  return Buffer.concat(items.map((i) => i.bytes));
}

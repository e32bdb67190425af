// Property-based and byte-mutation fuzzing of the RESP and memcached request parsers (a bounded
// subset of `npm run fuzz`): fixed seeds, plus one random seed printed with any failure so it can
// be replayed (fast-check shrinks the failing input first).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROPERTIES, type PropertyName } from './properties.js';
import { MC_LIMITS, RESP_LIMITS, runMemcache, runResp } from './harness.js';
import { applyMutations, mutationArb } from './mutate.js';
import { streamArb, streamBytes } from './resp-gen.js';
import { mcStreamArb, mcStreamBytes } from './memcache-gen.js';
import { ERR } from '../../src/protocol/memcache/errors.js';

const RANDOM_SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const FIXED = [1, 0x5eed, 20240917];
const RUNS: Record<PropertyName, number> = { respValid: 400, respMutated: 1500, mcValid: 400, mcMutated: 1500 };

describe.each(Object.keys(PROPERTIES) as PropertyName[])('%s', (name) => {
  for (const seed of [...FIXED, RANDOM_SEED]) {
    it(`seed ${seed}`, () => {
      const details = fc.check(PROPERTIES[name], { seed, numRuns: RUNS[name] });
      expect(details.failed, `${name} failed with seed ${seed} (replay: fc.assert(PROPERTIES.${name}, { seed: ${seed}, path: '${details.counterexamplePath}' }))\n${fc.defaultReportMessage(details)}`).toBe(false);
    });
  }
});

function pieces(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}

describe('the fuzzers reach the parsers’ error paths and bounds', () => {
  it('mutated streams hit every RESP protocol error and memcached error class, and still parse commands', () => {
    const resp = new Map<string, number>();
    const mc = new Map<string, number>();
    let respCommands = 0;
    let mcRequests = 0;
    const streams = fc.sample(fc.tuple(streamArb, streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 })), { seed: 42, numRuns: 4000 });
    for (const [a, b, m] of streams) {
      const r = runResp(pieces(applyMutations(streamBytes(a), m, streamBytes(b)), 256));
      respCommands += r.commands.length;
      if (r.error) {
        const k = r.error.replace(/got '.'/, "got 'X'");
        resp.set(k, (resp.get(k) ?? 0) + 1);
      }
    }
    const mstreams = fc.sample(fc.tuple(mcStreamArb, mcStreamArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 })), { seed: 42, numRuns: 4000 });
    for (const [a, b, m] of mstreams) {
      const r = runMemcache(pieces(applyMutations(mcStreamBytes(a), m, mcStreamBytes(b)), 256));
      mcRequests += r.requests.length;
      for (const e of r.errors) mc.set(e, (mc.get(e) ?? 0) + 1);
    }
    expect([...resp.keys()].sort()).toEqual(expect.arrayContaining([
      "ERR Protocol error: expected '$', got 'X'",
      'ERR Protocol error: invalid bulk length',
      'ERR Protocol error: invalid multibulk length',
      'ERR Protocol error: too big inline request',
      'ERR Protocol error: too big mbulk count string',
      'ERR Protocol error: too big bulk count string',
      'ERR Protocol error: unbalanced quotes in request',
    ]));
    expect(respCommands).toBeGreaterThan(4000);
    for (const e of [ERR.ERROR, ERR.BAD_FORMAT, ERR.BAD_DATA_CHUNK, ERR.TOO_LARGE, ERR.DUPLICATE_FLAG, ERR.BAD_TOKEN, ERR.LINE_TOO_LONG]) expect(mc.get(e) ?? 0, e).toBeGreaterThan(0);
    expect(mcRequests).toBeGreaterThan(4000);
  });

  it('chunked byte by byte, the limits hold: too-long lines and bulks are refused before they are buffered', () => {
    const bytes = (s: string) => [...Buffer.from(s, 'latin1')].map((c) => Buffer.from([c]));
    expect(runResp(bytes('*1\r\n$-5\r\n')).error).toBe('ERR Protocol error: invalid bulk length');
    expect(runResp(bytes('*99999999999\r\n')).error).toBe('ERR Protocol error: invalid multibulk length');
    expect(runResp(bytes(`*1\r\n$${RESP_LIMITS.maxBulkLen + 1}\r\n`)).error).toBe('ERR Protocol error: invalid bulk length');
    const long = runResp(bytes('*1\r\n$' + '1'.repeat(RESP_LIMITS.maxInlineSize + 10)));
    expect(long.error).toBe('ERR Protocol error: too big bulk count string');
    expect(long.maxBuffered).toBeLessThanOrEqual(RESP_LIMITS.maxInlineSize + 1);
    const inline = runResp(bytes('x'.repeat(RESP_LIMITS.maxInlineSize + 10)));
    expect(inline.error).toBe('ERR Protocol error: too big inline request');
    expect(inline.maxBuffered).toBeLessThanOrEqual(RESP_LIMITS.maxInlineSize + 1);
    const q = runResp([Buffer.alloc(RESP_LIMITS.queryBufferLimit + 1, 'a')]);
    expect(q.error).toBe('ERR Protocol error: query buffer limit reached');
    const mcLine = runMemcache(bytes('set ' + 'k'.repeat(MC_LIMITS.maxLineLength + 10)));
    expect(mcLine.errors).toEqual([ERR.LINE_TOO_LONG]);
    expect(mcLine.maxBuffered).toBeLessThanOrEqual(MC_LIMITS.maxLineLength + 1);
    const big = runMemcache(bytes(`set k 0 0 ${MC_LIMITS.itemSizeMax + 1}\r\n` + 'v'.repeat(MC_LIMITS.itemSizeMax + 1) + '\r\nget k\r\n'));
    expect(big.errors).toEqual([ERR.TOO_LARGE]);
    expect(big.maxBuffered).toBeLessThan(64); // swallowed, not buffered
    expect(big.requests.map((r) => r.kind)).toEqual(['get']);
  });
});

// The parser properties, shared by the vitest suite (bounded) and `npm run fuzz` (a million inputs):
// - valid streams parse to exactly the generated requests, however the stream is chunked;
// - mutated streams never break an invariant (see harness.ts), and chunking does not change the
//   outcome: memcached's parser is documented chunking-invariant (it applies its line limit to
//   complete lines too); RESP's, like Redis, refuses a too-long *unterminated* line, so there the
//   outcome of one chunking must extend the other's up to where one stopped at an error.
import fc from 'fast-check';
import { cutsArb, split } from './chunking.js';
import { FuzzFailure, matches, runMemcache, runResp } from './harness.js';
import { mcStreamArb, mcStreamBytes } from './memcache-gen.js';
import { applyMutations, mutationArb } from './mutate.js';
import { expectedCommands, streamArb, streamBytes } from './resp-gen.js';

/** An input that takes longer than this is a hang. */
export const HANG_MS = 1000;
/** The longest input so far (ms), for the summary. */
export const timing = { maxMs: 0 };

/** The predicate, timed: an input over HANG_MS fails (and is shrunk like any failure). */
function timed<A extends unknown[]>(f: (...a: A) => void): (...a: A) => void {
  return (...a: A) => {
    const t0 = performance.now();
    f(...a);
    const ms = performance.now() - t0;
    if (ms > timing.maxMs) timing.maxMs = ms;
    if (ms > HANG_MS) throw new FuzzFailure(`hang: one input took ${ms.toFixed(0)} ms`);
  };
}

export const respValid = fc.property(streamArb, cutsArb, timed((items, cuts) => {
  const bytes = streamBytes(items);
  const want = expectedCommands(items);
  for (const chunks of [split(bytes, cuts), [bytes]]) {
    const run = runResp(chunks);
    if (run.error !== null) throw new FuzzFailure(`valid RESP stream refused: ${run.error}`);
    if (run.commands.length !== want.length || !run.commands.every((c, i) => matches(c, want[i]))) {
      throw new FuzzFailure(`valid RESP stream parsed to ${run.out.length} commands, ${want.length} expected`);
    }
  }
}));

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

export const respMutated = fc.property(
  streamArb, streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 }), cutsArb,
  timed((items, others, muts, cuts) => {
    const bytes = applyMutations(streamBytes(items), muts, streamBytes(others));
    const a = runResp(split(bytes, cuts));
    const b = runResp([bytes]);
    const ca = a.out.filter((o) => !o.startsWith('!'));
    const cb = b.out.filter((o) => !o.startsWith('!'));
    if (a.error === null && b.error === null ? a.out.join('\n') !== b.out.join('\n') : !(isPrefix(ca, cb) || isPrefix(cb, ca))) {
      throw new FuzzFailure(`RESP outcome depends on chunking:\n  chunked: ${a.out.length} items, ${a.error}\n  whole:   ${b.out.length} items, ${b.error}`);
    }
    // Without a line past the inline limit the outcome must be the same, error included.
    if (a.error !== b.error && !/too big|invalid (multi)?bulk length|query buffer/.test(`${a.error} ${b.error}`)) {
      throw new FuzzFailure(`RESP error depends on chunking: ${a.error} / ${b.error}`);
    }
  }),
);

export const mcValid = fc.property(mcStreamArb, cutsArb, timed((items, cuts) => {
  const bytes = mcStreamBytes(items);
  for (const chunks of [split(bytes, cuts), [bytes]]) {
    const run = runMemcache(chunks);
    if (run.errors.length > 0) throw new FuzzFailure(`valid memcached stream refused: ${run.errors.join(' | ')}`);
    if (run.requests.length !== items.length) throw new FuzzFailure(`${run.requests.length} requests, ${items.length} expected`);
    for (let i = 0; i < items.length; i++) {
      if (!matches(run.requests[i], items[i]!.expect)) throw new FuzzFailure(`request ${i} differs: ${run.out[i]}`);
    }
  }
}));

export const mcMutated = fc.property(
  mcStreamArb, mcStreamArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 }), cutsArb,
  timed((items, others, muts, cuts) => {
    const bytes = applyMutations(mcStreamBytes(items), muts, mcStreamBytes(others));
    const a = runMemcache(split(bytes, cuts));
    const b = runMemcache([bytes]);
    if (a.out.join('\n') !== b.out.join('\n')) {
      const i = a.out.findIndex((x, j) => x !== b.out[j]);
      throw new FuzzFailure(`memcached outcome depends on chunking at item ${i}:\n  chunked: ${a.out[i]}\n  whole:   ${b.out[i]}`);
    }
  }),
);

export type PropertyName = 'respValid' | 'respMutated' | 'mcValid' | 'mcMutated';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PROPERTIES: Record<PropertyName, fc.IProperty<any>> = { respValid, respMutated, mcValid, mcMutated };

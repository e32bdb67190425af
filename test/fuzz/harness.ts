// Drives the two request parsers over a chunked stream the way a connection does (feed a chunk,
// drain next() until it needs more) and checks their invariants on every step:
// - nothing is thrown: a bad stream gives the parser's documented protocol error, nothing else;
// - next() never loops without consuming: results and calls are bounded by the bytes fed;
// - buffered bytes stay under the configured bounds (client-query-buffer-limit; memcached's line
//   limits and item-size-max), and are 0 once the parser stopped at an error.
// A violated invariant throws FuzzFailure; callers compare the outputs.
import { ProtocolError, RequestParser, type RequestParserOptions } from '../../src/protocol/resp/parser.js';
import { MemcacheParser } from '../../src/protocol/memcache/parser.js';
import { ERR } from '../../src/protocol/memcache/errors.js';
import type { ParserOptions } from '../../src/protocol/memcache/types.js';

export class FuzzFailure extends Error {}

/** Small limits, so that the fuzzers reach every bound. */
export const RESP_LIMITS: Required<RequestParserOptions> = {
  maxBulkLen: 8192,
  maxMultibulkLen: 1024,
  maxInlineSize: 2048,
  queryBufferLimit: 256 * 1024,
};
export const MC_LIMITS: Required<ParserOptions> = {
  itemSizeMax: 8192,
  maxLineLength: 2048,
  maxMultigetLineLength: 16 * 1024,
};

const RESP_ERRORS = new RegExp(
  "^ERR Protocol error: (too big mbulk count string|invalid multibulk length|too big bulk count string|expected '\\$', got '[\\s\\S]'|invalid bulk length|too big inline request|unbalanced quotes in request|query buffer limit reached)$",
);
const MC_ERRORS = new Set<string>([...Object.values(ERR), '']);

export interface RespRun {
  /** Commands as comma-separated hex arguments, and the error last (as `!message`). */
  out: string[];
  commands: Buffer[][];
  error: string | null;
  maxBuffered: number;
}

export function runResp(chunks: readonly Buffer[], opts: Required<RequestParserOptions> = RESP_LIMITS): RespRun {
  const p = new RequestParser(opts);
  const run: RespRun = { out: [], commands: [], error: null, maxBuffered: 0 };
  let fed = 0;
  let calls = 0;
  for (const input of chunks) {
    // A copy the parser may view, scribbled over after detach() as a socket's read buffer is reused.
    const chunk = Buffer.from(input);
    fed += chunk.length;
    try {
      p.feed(chunk);
    } catch (e) {
      throw new FuzzFailure(`RESP feed threw: ${(e as Error).stack}`);
    }
    for (;;) {
      if (++calls > 2 * fed + 2 * chunks.length + 4) throw new FuzzFailure(`RESP next() loops: ${calls} calls for ${fed} bytes`);
      let r: Buffer[] | ProtocolError | undefined;
      try {
        r = p.next();
      } catch (e) {
        throw new FuzzFailure(`RESP next threw: ${(e as Error).stack}`);
      }
      if (r === undefined) break;
      if (r instanceof ProtocolError) {
        if (run.error !== null) throw new FuzzFailure('RESP parser reported two errors');
        if (!RESP_ERRORS.test(r.message)) throw new FuzzFailure(`RESP undocumented error: ${JSON.stringify(r.message)}`);
        run.error = r.message;
        run.out.push('!' + r.message);
        continue;
      }
      if (run.error !== null) throw new FuzzFailure('RESP command after its protocol error');
      if (!Array.isArray(r) || r.length === 0 || !r.every((a) => Buffer.isBuffer(a))) throw new FuzzFailure('RESP command is not a non-empty Buffer[]');
      if (r.length > opts.maxMultibulkLen) throw new FuzzFailure(`RESP command of ${r.length} args`);
      for (const a of r) if (a.length > Math.max(opts.maxBulkLen, opts.queryBufferLimit)) throw new FuzzFailure('RESP argument past bounds');
      run.commands.push(r.map((a) => Buffer.from(a)));
      run.out.push(r.map((a) => a.toString('hex')).join(','));
    }
    const held = p.bufferedBytes;
    if (held > run.maxBuffered) run.maxBuffered = held;
    if (run.error !== null ? held !== 0 : held > opts.queryBufferLimit) {
      throw new FuzzFailure(`RESP holds ${held} bytes (error: ${run.error})`);
    }
    // As the connection does: the chunk's memory is reused after the call.
    p.detach();
    chunk.fill(0xa5);
  }
  return run;
}

export interface McRun {
  out: string[];
  requests: Record<string, unknown>[];
  errors: string[];
  closed: boolean;
  maxBuffered: number;
}

/** A request as a stable string (Buffers as hex, bigints as decimal). */
export function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data)) {
      return 'hex:' + Buffer.from((x as { data: number[] }).data).toString('hex');
    }
    return x;
  });
}

export function runMemcache(chunks: readonly Buffer[], opts: Required<ParserOptions> = MC_LIMITS): McRun {
  const p = new MemcacheParser(opts);
  const run: McRun = { out: [], requests: [], errors: [], closed: false, maxBuffered: 0 };
  const bound = Math.max(opts.maxMultigetLineLength, opts.itemSizeMax + 2);
  let fed = 0;
  let calls = 0;
  for (const input of chunks) {
    // A copy the parser may view, scribbled over after detach() as a socket's read buffer is reused.
    const chunk = Buffer.from(input);
    fed += chunk.length;
    try {
      p.feed(chunk);
    } catch (e) {
      throw new FuzzFailure(`memcached feed threw: ${(e as Error).stack}`);
    }
    for (;;) {
      if (++calls > 2 * fed + 2 * chunks.length + 4) throw new FuzzFailure(`memcached next() loops: ${calls} calls for ${fed} bytes`);
      let r;
      try {
        r = p.next();
      } catch (e) {
        throw new FuzzFailure(`memcached next threw: ${(e as Error).stack}`);
      }
      if (r === undefined) break;
      if (run.closed) throw new FuzzFailure('memcached request after a closing error');
      if (r.kind === 'error') {
        if (!MC_ERRORS.has(r.line)) throw new FuzzFailure(`memcached undocumented error: ${JSON.stringify(r.line)}`);
        run.errors.push(r.line);
        if (r.close) run.closed = true;
      }
      run.out.push(canon(r));
      if (r.kind !== 'error') run.requests.push(r as unknown as Record<string, unknown>);
    }
    const held = p.bufferedBytes;
    if (held > run.maxBuffered) run.maxBuffered = held;
    if (run.closed ? held !== 0 || !p.closed : held > bound) throw new FuzzFailure(`memcached holds ${held} bytes (closed: ${run.closed})`);
    p.detach();
    chunk.fill(0xa5);
  }
  // Requests must not view the fed chunks (a stopped multi-get is kept across reads): they still
  // read as they did when returned, after every chunk was overwritten.
  const again = run.requests.map((r) => canon(r));
  const snap = run.out.filter((o) => !o.startsWith('{"kind":"error"'));
  for (let i = 0; i < again.length; i++) {
    if (again[i] !== snap[i]) throw new FuzzFailure(`memcached request ${i} changed when its chunk was reused: ${snap[i]} -> ${again[i]}`);
  }
  return run;
}

/** Deep subset match: every field of `want` equals the same field of `got` (Buffers by bytes). */
export function matches(got: unknown, want: unknown): boolean {
  if (Buffer.isBuffer(want)) return Buffer.isBuffer(got) && want.equals(got);
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((w, i) => matches(got[i], w));
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') return false;
    return Object.entries(want).every(([k, w]) => matches((got as Record<string, unknown>)[k], w));
  }
  return Object.is(got, want);
}

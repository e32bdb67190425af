// The warm-restart benchmark (bench/restart.mjs, issue #13) on its --quick path: 10k keys,
// daxcache (pool in /dev/shm) and memcached, a 2 s hit-ratio phase. Checks the JSON's shape, that
// daxcache keeps every key across kill -9 and a clean SHUTDOWN, and memcached's cold/warm restarts.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';

interface Row {
  system: string;
  scenario: string;
  keys: number;
  valueBytes: number;
  fillMs: number;
  stopMs: number;
  listenMs: number;
  firstReplyMs: number | null;
  firstOldValueMs: number | null;
  p99Ms: number | null;
  survived: number;
  sampleSize: number;
  loadSeconds: number;
  bucketSeconds: number;
  loadStartMs: number;
  hitRatio: Array<{ t: number; gets: number; hits: number; errors: number; hitRatio: number | null }>;
  restarts: Array<{ firstReplyMs: number | null; firstOldValueMs: number | null; survived: number }>;
  restartLog?: string;
  knownIssue?: string;
  error?: string;
}

const dir = mkdtempSync(join(tmpdir(), 'daxcache-restart-test-'));
const out = join(dir, 'restart.json');
let run: { code: number | null; stdout: string; stderr: string };
let json: { benchmark: string; options: Record<string, unknown>; nodeFloor: { medianMs: number; runs: number[] }; results: Row[]; svg?: string[] };

function runBench(args: string[], timeoutMs: number): Promise<typeof run> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(ROOT, 'bench/restart.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGTERM'), timeoutMs); // the script kills its servers on SIGTERM
    p.once('exit', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}

const row = (system: string, scenario: string): Row => {
  const r = json.results.find((x) => x.system === system && x.scenario === scenario);
  if (!r) throw new Error(`no result for ${system} ${scenario}`);
  return r;
};

beforeAll(async () => {
  run = await runBench(['--quick', '--keys', '10000', '--systems', 'daxcache-shm,memcached', '--load-seconds', '2',
    '--out', out, '--svg-dir', dir], 100_000);
  if (!existsSync(out)) throw new Error(`no JSON written (exit ${run.code}):\n${run.stderr}\n${run.stdout}`);
  json = JSON.parse(readFileSync(out, 'utf8'));
}, 110_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench/restart.mjs --quick', () => {
  it('exits 0 and prints the Markdown table', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| system \| scenario \| keys \| restart → first old value \(ms\) \| restart → 99% \(ms\) \| survived \|/);
    for (const s of ['daxcache-shm', 'memcached']) expect(run.stdout).toContain(`| ${s} |`);
  });

  it('writes one result per system and scenario with every field', () => {
    expect(json.benchmark).toBe('restart');
    expect(json.options).toMatchObject({ quick: true, keys: [10000], systems: ['daxcache-shm', 'memcached'], loadSeconds: 2, bucketSeconds: 0.5, restarts: 1 });
    // the empty Node.js server's start, the floor the table is read against
    expect(json.nodeFloor.runs).toHaveLength(3);
    expect(json.nodeFloor.medianMs).toBeGreaterThan(0);
    expect(run.stdout).toContain('Node floor (empty Node.js TCP server, exec → first reply)');
    expect(json.results.map((r) => `${r.system} ${r.scenario}`).sort()).toEqual(
      ['daxcache-shm kill-9', 'daxcache-shm shutdown', 'memcached kill-9', 'memcached sigusr1']);
    for (const r of json.results) {
      expect(r.error, `${r.system} ${r.scenario}`).toBeUndefined();
      expect(r).toMatchObject({ keys: 10000, valueBytes: 100, sampleSize: 10000, loadSeconds: 2, bucketSeconds: 0.5 });
      for (const f of ['fillMs', 'stopMs', 'listenMs', 'loadStartMs'] as const) expect(r[f]).toBeGreaterThan(0);
      expect(r.firstReplyMs).toBeGreaterThan(0);
      expect(r.restarts).toHaveLength(1);
      expect(r.restarts[0].firstReplyMs).toBe(r.firstReplyMs);
      expect(r.survived).toBeGreaterThanOrEqual(0);
      expect(r.survived).toBeLessThanOrEqual(1);
      // the hit-ratio series: 2 s in 0.5 s buckets, every bucket with GETs
      expect(r.hitRatio.map((p) => p.t)).toEqual([0.5, 1, 1.5, 2]);
      for (const p of r.hitRatio) {
        expect(p.gets).toBeGreaterThan(0);
        expect(p.hits).toBeLessThanOrEqual(p.gets);
        expect(p.hitRatio).toBeCloseTo(p.hits / p.gets, 10);
      }
    }
    expect(json.svg?.map((f) => f.replace(dir, ''))).toEqual(['/restart-time.svg', '/restart-hit-ratio.svg']);
    for (const f of json.svg!) expect(readFileSync(f, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('daxcache keeps every key after kill -9 and after SHUTDOWN', () => {
    for (const scenario of ['kill-9', 'shutdown']) {
      const r = row('daxcache-shm', scenario);
      expect(r.survived, scenario).toBe(1);
      expect(r.firstOldValueMs, scenario).toBeGreaterThan(0);
      expect(r.p99Ms!, scenario).toBeGreaterThanOrEqual(r.firstOldValueMs!);
      expect(r.hitRatio.every((p) => p.hitRatio === 1), scenario).toBe(true);
    }
  });

  it('memcached starts cold after kill -9', () => {
    const r = row('memcached', 'kill-9');
    expect(r.survived).toBe(0);
    expect(r.firstOldValueMs).toBeNull();
    expect(r.p99Ms).toBeNull();
    // the refill curve: misses are SET again, so the ratio climbs
    expect(r.hitRatio.at(-1)!.hitRatio!).toBeGreaterThan(r.hitRatio[0]!.hitRatio!);
  });

  it('memcached after SIGUSR1: keeps its cache, or the result names the restart-metadata bug it hit', () => {
    const r = row('memcached', 'sigusr1');
    // Debian's memcached 1.6.18 rejects its own restart metadata after SIGUSR1 (upstream #799);
    // the benchmark then says so in its row, with memcached's own log line, instead of a number.
    if (r.knownIssue) {
      expect(r.knownIssue).toMatch(/#799/);
      expect(r.restartLog).toMatch(/restart/);
      expect(r.survived).toBe(0);
    } else {
      expect(r.survived).toBeGreaterThan(0.99);
      expect(r.firstOldValueMs).toBeGreaterThan(0);
    }
  });
});

#!/usr/bin/env node
// Collections (issue #15): memory per element of one large hash, set, sorted set and list against
// redis-server's used_memory in the same run, and the first ordered access to a large sorted set
// after a restart of daxcache (its DRAM order tree is built then, from the pool).
//
// Usage: npm run build && node bench/collections.mjs [--elements 1000000] [--runs 3]
// Both servers run on free loopback ports: daxcache with its pool in /dev/shm (cache_line
// granularity, strict durability), redis-server without persistence. Elements are 10-byte fields/
// members ("e:0000001") and 10-byte values, written 100 per command, pipelined (redis-cli --pipe).
// Memory per element = (used_memory after - before) / elements; for daxcache the sorted set's DRAM
// order tree (INFO zset_order_memory) is added, as Redis's skiplist is inside its used_memory.
// Prints a markdown table of medians over --runs fresh fills.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/daxcache.mjs');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const N = Number(opt('elements', 1_000_000));
const RUNS = Number(opt('runs', 3));
const PER_CMD = 100;

console.log(`command: ${[basename(process.execPath), relative(process.cwd(), process.argv[1]), ...argv].join(' ')}`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cpus`);
console.log(`redis: ${spawnSync('redis-server', ['--version']).stdout.toString().trim()}`);

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => (p === 6379 || p === 11211 ? freePort().then(res, rej) : res(p)));
    });
    s.on('error', rej);
  });
}

/** One RESP command on a fresh connection: [reply text, ms from write to the whole reply]. */
function call(port, ...args) {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    let t0 = 0;
    s.on('connect', () => {
      t0 = performance.now();
      s.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (complete(buf)) {
        const ms = performance.now() - t0;
        s.destroy();
        res([buf, ms]);
      }
    });
    s.on('error', rej);
    s.on('close', () => res([buf, performance.now() - t0])); // SHUTDOWN closes without a reply
  });
}

/** Whether buf holds one whole RESP2 reply (enough for the replies this bench reads). */
function complete(buf) {
  let pos = 0;
  const one = () => {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return false;
    const t = buf[pos];
    const line = buf.slice(pos + 1, eol);
    pos = eol + 2;
    if (t === '$') {
      const n = Number(line);
      if (n < 0) return true;
      if (buf.length < pos + n + 2) return false;
      pos += n + 2;
      return true;
    }
    if (t === '*') {
      const n = Number(line);
      for (let i = 0; i < n; i++) if (!one()) return false;
      return true;
    }
    return true;
  };
  return one();
}

async function waitReady(port, proc) {
  for (let i = 0; i < 400; i++) {
    if (proc.exitCode !== null) throw new Error(`server on ${port} exited`);
    try {
      const [r] = await call(port, 'PING');
      if (r.startsWith('+PONG')) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`server on ${port} did not start`);
}

async function info(port, field) {
  const [r] = await call(port, 'INFO', 'memory');
  const m = new RegExp(`${field}:(\\d+)`).exec(r);
  return m ? Number(m[1]) : 0;
}

const pad = (i) => `e:${String(i).padStart(7, '0')}`;

/** The RESP protocol of the fill of one key of `type` (redis-cli --pipe input). */
function fillProtocol(type, key) {
  const parts = [];
  for (let i = 0; i < N; i += PER_CMD) {
    const args = type === 'hash' ? ['HSET', key] : type === 'set' ? ['SADD', key] : type === 'zset' ? ['ZADD', key] : ['RPUSH', key];
    for (let j = i; j < Math.min(N, i + PER_CMD); j++) {
      if (type === 'hash') args.push(pad(j), `v:${String(j).padStart(7, '0')}`);
      else if (type === 'zset') args.push(String(j % 100_000), pad(j));
      else args.push(pad(j));
    }
    parts.push(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`);
  }
  return parts.join('');
}

function pipe(port, file) {
  const r = spawnSync('sh', ['-c', `redis-cli -h 127.0.0.1 -p ${port} --pipe < '${file}'`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0 || !/errors: 0/.test(r.stdout)) throw new Error(`redis-cli --pipe failed: ${r.stdout} ${r.stderr}`);
}

const TYPES = ['hash', 'set', 'zset', 'list'];
const work = mkdtempSync(join(tmpdir(), 'daxcache-coll-bench-'));
const shm = mkdtempSync('/dev/shm/daxcache-coll-bench-');
const files = Object.fromEntries(TYPES.map((t) => {
  const f = join(work, `${t}.resp`);
  writeFileSync(f, fillProtocol(t, `big:${t}`));
  return [t, f];
}));

const procs = [];
function startDax(port, pool) {
  const p = spawn(process.execPath, [CLI, 'serve', '--bind', '127.0.0.1', '--port', String(port), '--memcached-port', '0',
    '--pool', pool, '--pool-size', '2gb', '--durability', 'strict', '--log-level', 'warn'], {
    env: { ...process.env, PMEM2_FORCE_GRANULARITY: 'cache_line' }, stdio: 'ignore' });
  procs.push(p);
  return p;
}
function startRedis(port) {
  const p = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', work], { stdio: 'ignore' });
  procs.push(p);
  return p;
}
const stopAll = () => { for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL'); };
process.on('exit', () => { stopAll(); rmSync(work, { recursive: true, force: true }); rmSync(shm, { recursive: true, force: true }); });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const per = { dax: Object.fromEntries(TYPES.map((t) => [t, []])), redis: Object.fromEntries(TYPES.map((t) => [t, []])) };
const firstAccess = [];
const secondAccess = [];

for (let run = 0; run < RUNS; run++) {
  const [dp, rp] = [await freePort(), await freePort()];
  const pool = join(shm, `run${run}.pool`);
  let dax = startDax(dp, pool);
  const redis = startRedis(rp);
  await Promise.all([waitReady(dp, dax), waitReady(rp, redis)]);
  for (const t of TYPES) {
    for (const [name, port] of [['dax', dp], ['redis', rp]]) {
      const before = await info(port, 'used_memory');
      const orderBefore = name === 'dax' ? await info(port, 'zset_order_memory') : 0;
      pipe(port, files[t]);
      if (t === 'zset') await call(port, 'ZRANK', 'big:zset', pad(1)); // daxcache builds its order tree here
      const after = await info(port, 'used_memory');
      const order = name === 'dax' ? (await info(port, 'zset_order_memory')) - orderBefore : 0;
      per[name][t].push((after - before + order) / N);
    }
  }
  // The first ordered access after a clean restart builds the tree from the pool.
  await call(dp, 'SHUTDOWN');
  await new Promise((r) => dax.once('exit', r));
  dax = startDax(dp, pool);
  await waitReady(dp, dax);
  const [r1, ms1] = await call(dp, 'ZRANGE', 'big:zset', String(N / 2), String(N / 2));
  const [, ms2] = await call(dp, 'ZRANGE', 'big:zset', String(N / 2 + 1), String(N / 2 + 1));
  if (!r1.startsWith('*1')) throw new Error(`ZRANGE after restart: ${r1}`);
  firstAccess.push(ms1);
  secondAccess.push(ms2);
  stopAll();
  await new Promise((r) => setTimeout(r, 200));
  rmSync(pool, { force: true });
  console.log(`run ${run + 1}/${RUNS} done`);
}

console.log(`\n${N} elements per key, medians of ${RUNS} run(s); bytes per element = used_memory delta / elements`);
console.log('(daxcache: pool chunks in use, plus the DRAM order tree for the sorted set)\n');
console.log('| type | daxcache B/elem | redis B/elem | daxcache / redis |');
console.log('|---|---:|---:|---:|');
for (const t of TYPES) {
  const d = median(per.dax[t]);
  const r = median(per.redis[t]);
  console.log(`| ${t} | ${d.toFixed(1)} | ${r.toFixed(1)} | ${(d / r).toFixed(2)}x |`);
}
console.log(`\nfirst ZRANGE of the ${N}-member sorted set after a clean restart: ${median(firstAccess).toFixed(1)} ms (the order tree's build); the next one: ${median(secondAccess).toFixed(2)} ms`);

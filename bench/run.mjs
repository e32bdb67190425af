#!/usr/bin/env node
// `npm run bench [-- NAME [ARGS...]]`: runs one of the benchmarks in bench/ (after the build that
// `npm run bench` does first), `store` when none is named; `npm run bench -- list` lists them.
// Results go to BENCHMARKS.md by hand, with the command, the machine and same-run peer ratios.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = {
  store: { cmd: [process.execPath, join(here, 'store.mjs')], what: 'in-process store get/set/delete (tinybench), both granularities' },
  'open-time': { cmd: [process.execPath, join(here, 'open-time.mjs')], what: 'open time versus key count (O(1) open), clean and after a crash' },
  'redis-benchmark': { cmd: ['bash', join(here, 'redis-benchmark.sh')], what: 'redis-benchmark against daxcache and redis-server in the same run' },
  memcaslap: { cmd: ['bash', join(here, 'memcaslap.sh')], what: 'memcaslap against daxcache and memcached in the same run' },
  'kill-soak': { cmd: [process.execPath, join(here, 'kill-soak.mjs')], what: 'kill -9 soak under RESP + memcached load (durability, not speed)' },
  tier: { cmd: [process.execPath, join(here, 'tier.mjs')], what: 'DRAM tier: W-TinyLFU vs LRU hit ratio (zipf), GET ops/s tier off/on with a slow pool' },
  restart: { cmd: [process.execPath, join(here, 'restart.mjs')], what: 'warm restart: time to old values, survival, hit ratio after restart (daxcache, redis, memcached)' },
  setbit: { cmd: [process.execPath, join(here, 'setbit.mjs')], what: 'SETBIT on 256 B..1 MiB values: in place through the intent log vs copying the value' },
  collections: { cmd: [process.execPath, join(here, 'collections.mjs')], what: 'memory per element of 1M-element hash/set/zset/list vs redis-server; first ZRANGE after restart' },
  growth: { cmd: [process.execPath, join(here, 'growth.mjs')], what: 'pause a pipelined client sees while CONFIG SET pool-size grows the pool (shm, disk)' },
  'index-growth': { cmd: [process.execPath, join(here, 'index-growth.mjs')], what: '10M small keys into a pool with a small key index: SET/GET throughput and p99 per million keys as the index splits' },
  'crash-soak': { cmd: [process.execPath, join(here, 'crash', 'soak.mjs')], what: 'crash-image soak (consistency, not speed)' },
};

const [name = 'store', ...args] = process.argv.slice(2);
if (name === 'list' || name === '--help' || name === '-h') {
  console.log('usage: npm run bench [-- NAME [ARGS...]]   (default: store)\n');
  for (const [n, b] of Object.entries(BENCHES)) console.log(`  ${n.padEnd(16)} ${b.what}`);
  process.exit(0);
}
const bench = BENCHES[name];
if (!bench) {
  console.error(`bench: no benchmark '${name}'; npm run bench -- list`);
  process.exit(2);
}
const r = spawnSync(bench.cmd[0], [...bench.cmd.slice(1), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);

#!/usr/bin/env bash
# redis-benchmark against daxcache (strict durability, pool in /dev/shm with cache_line
# granularity, i.e. CLWB+SFENCE as on real persistent memory) and, in the same run, against
# redis-server without persistence and redis-server with appendfsync always. Each server runs on a
# free loopback port in a temporary folder. Prints a markdown table of medians over RUNS runs.
#
# usage (from the repository root, after `npm run build`):
#   bench/redis-benchmark.sh [RUNS]            RUNS defaults to 3
# environment: REQUESTS (200000), CLIENTS (50), TESTS (set,get,incr,mset), PIPELINE (16),
#              DAXCACHE_ARGS (extra `daxcache serve` flags, e.g. "--durability relaxed"),
#              TLS=1 (every server on a TLS port only, client certificates required, certificates
#              made with openssl for the run; redis-benchmark --tls)
set -euo pipefail

RUNS=${1:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,get,incr,mset}
PIPELINE=${PIPELINE:-16}

cd "$(dirname "$0")/.."
[[ -f dist/daxcache.mjs ]] || { echo "dist/daxcache.mjs missing: run npm run build first" >&2; exit 2; }
for tool in redis-server redis-cli redis-benchmark node; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 2; }
done

WORK=$(mktemp -d)
SHM=$(mktemp -d -p /dev/shm daxcache-bench-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT INT TERM

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{const p=s.address().port;s.close(()=>console.log(p))})"
}

# TLS=1: a CA, a server and a client certificate; each server listens on its port over TLS only.
CLI_TLS=()
if [[ "${TLS:-0}" == 1 ]]; then
  command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 2; }
  (
    cd "$WORK"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=bench CA" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr -subj "/CN=$who" 2>/dev/null
      openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $who.crt -days 2 -extfile ext 2>/dev/null
    done
  )
  CLI_TLS=(--tls --cacert "$WORK/ca.crt" --cert "$WORK/client.crt" --key "$WORK/client.key")
fi
# `port_flags PORT`: the listening flags of a server (daxcache and redis-server spell them alike).
port_flags() {
  if [[ "${TLS:-0}" == 1 ]]; then
    echo "--port 0 --tls-port $1 --tls-cert-file $WORK/server.crt --tls-key-file $WORK/server.key --tls-ca-cert-file $WORK/ca.crt"
  else
    echo "--port $1"
  fi
}

wait_ready() { # port
  for _ in $(seq 1 200); do
    redis-cli "${CLI_TLS[@]}" -p "$1" PING 2>/dev/null | grep -q PONG && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  exit 1
}

DAX_PORT=$(free_port)
PMEM2_FORCE_GRANULARITY=cache_line node dist/daxcache.mjs serve --bind 127.0.0.1 $(port_flags "$DAX_PORT") \
  --pool "$SHM/bench.pool" --pool-size 1gb --memcached-port 0 --durability strict --log-level warn \
  ${DAXCACHE_ARGS:-} >"$WORK/daxcache.log" 2>&1 &
PIDS+=($!)

REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 $(port_flags "$REDIS_PORT") --save '' --appendonly no --dir "$WORK/redis" \
  --logfile "$WORK/redis.log" &
PIDS+=($!)

AOF_PORT=$(free_port)
mkdir -p "$WORK/redis-aof"
redis-server --bind 127.0.0.1 $(port_flags "$AOF_PORT") --save '' --appendonly yes --appendfsync always \
  --dir "$WORK/redis-aof" --logfile "$WORK/redis-aof.log" &
PIDS+=($!)

wait_ready "$DAX_PORT"
wait_ready "$REDIS_PORT"
wait_ready "$AOF_PORT"

NAMES=(daxcache redis redis-aof)
PORTS=("$DAX_PORT" "$REDIS_PORT" "$AOF_PORT")
RESULTS="$WORK/results.tsv" # server, pipeline, test, rps
: >"$RESULTS"

# redis-benchmark -q prints progress with \r and a final "SET: 123.45 requests per second, ..." line.
run_one() { # name port pipeline
  redis-benchmark "${CLI_TLS[@]}" -h 127.0.0.1 -p "$2" -t "$TESTS" -c "$CLIENTS" -n "$REQUESTS" -P "$3" -q 2>/dev/null |
    tr '\r' '\n' | grep 'requests per second' |
    awk -v s="$1" -v p="$3" -F': ' '{ split($2, a, " "); printf "%s\t%s\t%s\t%s\n", s, p, $1, a[1] }' >>"$RESULTS"
}

for run in $(seq 1 "$RUNS"); do
  for pipeline in 1 "$PIPELINE"; do
    # Interleave the servers within a run so background noise hits all of them alike.
    for i in 0 1 2; do
      echo "run $run/$RUNS: ${NAMES[$i]} -P $pipeline" >&2
      run_one "${NAMES[$i]}" "${PORTS[$i]}" "$pipeline"
    done
  done
done

node - "$RESULTS" "$RUNS" "$PIPELINE" "$CLIENTS" "$REQUESTS" <<'EOF'
const fs = require('fs');
const [file, runs, pipeline, clients, requests] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const get = (server, p, test) => median(rows.filter((r) => r[0] === server && r[1] === p && r[2] === test).map((r) => Number(r[3])));
const tests = [...new Set(rows.map((r) => r[2]))];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`| test | pipeline | daxcache strict (req/s) | redis no persistence | redis appendfsync always | daxcache / redis | daxcache / redis aof |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|`);
for (const p of ['1', pipeline]) {
  for (const t of tests) {
    const d = get('daxcache', p, t), r = get('redis', p, t), a = get('redis-aof', p, t);
    console.log(`| ${t} | ${p} | ${fmt(d)} | ${fmt(r)} | ${fmt(a)} | ${(d / r).toFixed(2)}x | ${(d / a).toFixed(2)}x |`);
  }
}
console.log(`\nmedians of ${runs} runs; redis-benchmark -c ${clients} -n ${requests}`);
EOF

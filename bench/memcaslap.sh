#!/usr/bin/env bash
# memcaslap against daxcache and against memcached, started by this script on free ports:
#   memcaslap -s 127.0.0.1:PORT -T 1 -c 50 -t 10s   (90% get / 10% set, 1 KiB values)
# daxcache runs with durability=strict on a /dev/shm pool with PMEM2_FORCE_GRANULARITY=cache_line
# (CLWB + SFENCE as on real DAX); memcached with -U 0 -m 1024. Runs alternate between the two
# servers (A B A B A B) so machine noise hits both alike; the table shows every run's TPS, the
# medians and the ratio. Needs `npm run build` first, Debian memcached and libmemcached-tools.
#
# Usage: bench/memcaslap.sh [runs=3] [seconds=10]
set -euo pipefail

RUNS=${1:-3}
SECS=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI="$ROOT/dist/daxcache.mjs"
[ -f "$CLI" ] || { echo "bench: $CLI missing: run npm run build first" >&2; exit 2; }
for t in memcached memcaslap node; do command -v "$t" >/dev/null || { echo "bench: $t not found" >&2; exit 2; }; done

# A free loopback port, never 6379/11211 (a developer's real servers may want them).
free_port() {
  node -e '
    const net = require("net");
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port; s.close(() => console.log(p));
    });'
}
pick_port() {
  local p
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    p=$(free_port)
    if [ "$p" != 6379 ] && [ "$p" != 11211 ] && [[ " $* " != *" $p "* ]]; then echo "$p"; return; fi
  done
  echo "bench: no free port" >&2; exit 1
}

RESP_PORT=$(pick_port)
DAX_PORT=$(pick_port "$RESP_PORT")
MC_PORT=$(pick_port "$RESP_PORT" "$DAX_PORT")
POOL_DIR=$(mktemp -d /dev/shm/daxcache-bench-XXXXXX)
DAX_PID=""
MC_PID=""

cleanup() {
  [ -n "$DAX_PID" ] && kill "$DAX_PID" 2>/dev/null && wait "$DAX_PID" 2>/dev/null || true
  [ -n "$MC_PID" ] && kill "$MC_PID" 2>/dev/null && wait "$MC_PID" 2>/dev/null || true
  rm -rf "$POOL_DIR"
}
trap cleanup EXIT

PMEM2_FORCE_GRANULARITY=cache_line node "$CLI" serve \
  --bind 127.0.0.1 --port "$RESP_PORT" --memcached-port "$DAX_PORT" \
  --pool "$POOL_DIR/bench.pool" --pool-size 1gb --durability strict --log-level warn \
  >"$POOL_DIR/daxcache.log" 2>&1 &
DAX_PID=$!

MC_USER=()
[ "$(id -u)" = 0 ] && MC_USER=(-u nobody)   # memcached refuses to run as root without -u
memcached -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 1024 "${MC_USER[@]}" >"$POOL_DIR/memcached.log" 2>&1 &
MC_PID=$!

wait_port() {
  local port=$1 i
  for i in $(seq 1 200); do
    if node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>process.exit(0));s.on("error",()=>process.exit(1))' "$port"; then return; fi
    sleep 0.05
  done
  echo "bench: nothing listening on $port" >&2; cat "$POOL_DIR"/*.log >&2; exit 1
}
wait_port "$DAX_PORT"
wait_port "$MC_PORT"

# One memcaslap run; prints "TPS OPS NET_RATE" from its summary line.
run() {
  local out
  out=$(memcaslap -s "127.0.0.1:$1" -T 1 -c 50 -t "${SECS}s" 2>&1)
  if grep -q '^<' <<<"$out"; then echo "bench: memcaslap reported errors against port $1" >&2; grep '^<' <<<"$out" | head -3 >&2; fi
  sed -n 's/^Run time: .* Ops: \([0-9]*\) TPS: \([0-9]*\) Net_rate: \(.*\)$/\2 \1 \3/p' <<<"$out"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

DAX_TPS=()
MC_TPS=()
for r in $(seq 1 "$RUNS"); do
  read -r tps ops net < <(run "$DAX_PORT"); DAX_TPS+=("$tps"); echo "run $r daxcache:  TPS $tps (ops $ops, $net)" >&2
  read -r tps ops net < <(run "$MC_PORT");  MC_TPS+=("$tps");  echo "run $r memcached: TPS $tps (ops $ops, $net)" >&2
done

DAX_MED=$(printf '%s\n' "${DAX_TPS[@]}" | median)
MC_MED=$(printf '%s\n' "${MC_TPS[@]}" | median)
RATIO=$(awk -v a="$DAX_MED" -v b="$MC_MED" 'BEGIN { printf "%.2f", a / b }')

header="| server | $(for r in $(seq 1 "$RUNS"); do printf 'run %s TPS | ' "$r"; done)median TPS |"
sep="|---|$(for r in $(seq 1 "$RUNS"); do printf -- '---:|'; done)---:|"
echo
echo "$header"
echo "$sep"
echo "| daxcache $(node -p "require('$ROOT/package.json').version") (strict, /dev/shm, cache_line) | $(printf '%s | ' "${DAX_TPS[@]}")**$DAX_MED** |"
echo "| memcached $(memcached -V | cut -d' ' -f2) (-U 0 -m 1024) | $(printf '%s | ' "${MC_TPS[@]}")**$MC_MED** |"
echo
echo "daxcache / memcached (median TPS): **${RATIO}x**"

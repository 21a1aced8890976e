#!/usr/bin/env bash
# Signaling benchmark: a node (target/switchboard.jar, the shipped JVM options) and a load client in two
# processes on this machine, loopback only. Prints round trip, relay throughput and RSS per socket.
#   scripts/bench-signaling.sh [rtt] [throughput] [memory] [scaling]     (default: rtt throughput memory)
#
# throughput: RUNS runs (default 5), each on a fresh node, and their median. With PHOENIX_URL (a Phoenix
#   server speaking the same protocol, e.g. ws://127.0.0.1:4000/socket/websocket) the same client runs against
#   Switchboard and that server in alternating runs, and both medians and their ratio are printed. Phoenix
#   itself cannot be installed on the machine these figures come from (hex.pm is unreachable from it): the
#   ratio there comes from the earlier side-by-side run in BENCHMARKS.md. PHOENIX_PID (optional): the
#   Phoenix server's pid, for its CPU per signal.
# scaling: the throughput and rtt phases with SCALING_IDLE (default "0 1000 5000 19000") idle joined sockets
#   in the background (rooms of 5, heartbeats on), held by a second client process so that neither process
#   needs 20,000 fds; prints a table of signals/s, rtt p50/p99 and node CPU-µs per signal.
# The load client shares the machine's cores with the node: its own CPU is printed with every run.
# memory: idle joined sockets added in steps (MEMORY_SOCKETS, default 1000,5000,10000,19000), RSS and live heap
#   per socket at each step against the node with none, after a full GC.
# BENCH_NODE_OPTS passes JVM options to the node (default: the shipped JAVA_OPTS, scripts/java-opts.sh),
# BENCH_CLIENT_OPTS to the client;
# BENCH_PORT (4400) and BENCH_METRICS_PORT (9400) are the node's ports; BENCH_SKIP_BUILD=1 uses the built jar.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-opts.sh
phases=("$@"); [ ${#phases[@]} -eq 0 ] && phases=(rtt throughput memory)
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -ntp -q clean package -DskipTests
  mvn -B -ntp -q test-compile
fi
port=${BENCH_PORT:-4400}
runs=${RUNS:-5}
cp="target/test-classes:target/switchboard.jar"
node=""
idle=""
cleanup() {
  [ -n "$idle" ] && kill "$idle" 2>/dev/null || true
  [ -n "$node" ] && kill "$node" 2>/dev/null || true
}
trap cleanup EXIT

start_node() {
  SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$port SWITCHBOARD_METRICS_PORT=${BENCH_METRICS_PORT:-9400} \
  SWITCHBOARD_TURN_RELAY_ENABLED=false \
  SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND=10000000 SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST=10000000 \
  SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP=100000 SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND=1000000 SWITCHBOARD_HTTP_JOIN_BURST_PER_IP=1000000 SWITCHBOARD_HTTP_MAX_CONNECTIONS=19500 \
  SWITCHBOARD_ROOMS_MAX_PEERS=6 SWITCHBOARD_MEDIA_ENABLED=false java ${BENCH_NODE_OPTS-$JAVA_OPTS} -jar target/switchboard.jar > target/bench-node.log 2>&1 &
  node=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.2; done
  echo "node did not start: target/bench-node.log" >&2; exit 1
}

stop_node() {
  kill "$node" 2>/dev/null || true; wait "$node" 2>/dev/null || true; node=""
}

bench() {
  java -cp "$cp" ${BENCH_CLIENT_OPTS:-} dev.switchboard.bench.SignalingBench "$@"
}

# the value of key=value in the RESULT line of a client's output
result() { sed -n "s/^RESULT .*\b$1=\([^ ]*\).*/\1/p" <<<"$2" | tail -1; }

median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.0f\n", (v[NR/2]+v[NR/2+1])/2}'; }

throughput_runs() {
  local sb=() px=() out
  if [ -z "${PHOENIX_URL:-}" ]; then
    echo "PHOENIX_URL not set: Switchboard only (Phoenix cannot be installed here: hex.pm is unreachable)"
  fi
  for i in $(seq "$runs"); do
    start_node
    out=$(bench throughput "$port" "$node"); echo "$out" | grep -v '^RESULT'
    sb+=("$(result signals_per_s "$out")")
    stop_node
    echo "switchboard run $i/$runs: ${sb[-1]} signals/s"
    if [ -n "${PHOENIX_URL:-}" ]; then
      out=$(bench throughput "$PHOENIX_URL" "${PHOENIX_PID:--1}"); echo "$out" | grep -v '^RESULT'
      px+=("$(result signals_per_s "$out")")
      echo "phoenix run $i/$runs: ${px[-1]} signals/s"
    fi
  done
  local sbm; sbm=$(printf '%s\n' "${sb[@]}" | median)
  echo "switchboard median over $runs runs: $sbm relayed signals/s (runs: ${sb[*]})"
  if [ -n "${PHOENIX_URL:-}" ]; then
    local pxm; pxm=$(printf '%s\n' "${px[@]}" | median)
    echo "phoenix ($PHOENIX_URL) median over $runs runs: $pxm relayed signals/s (runs: ${px[*]})"
    awk -v s="$sbm" -v p="$pxm" 'BEGIN {if (p > 0) printf "ratio switchboard / phoenix: %.2fx\n", s / p}'
  fi
}

scaling() {
  local rows=() n out rtt log
  for n in ${SCALING_IDLE:-0 1000 5000 19000}; do
    start_node
    if [ "$n" -gt 0 ]; then
      log=target/bench-idle-$n.log
      # java itself in the background (not the bench function's subshell), so that $! is the pid to kill
      java -cp "$cp" ${BENCH_CLIENT_OPTS:-} dev.switchboard.bench.SignalingBench idle "$port" "$n" > "$log" 2>&1 &
      idle=$!
      for _ in $(seq 600); do grep -q "idle sockets ready" "$log" && break; kill -0 "$idle" 2>/dev/null || break; sleep 1; done
      grep "idle sockets ready" "$log" || { echo "idle client failed: $log" >&2; tail -5 "$log" >&2; exit 1; }
    fi
    out=$(bench throughput "$port" "$node"); echo "$out" | grep -v '^RESULT'
    rtt=$(bench rtt "$port"); echo "$rtt" | grep -v '^RESULT'
    rows+=("$(printf '%6d | %5d | %9s | %7s / %7s | %6s | %5s | %5s' "$n" $(( (n + 4) / 5 + 51 )) \
      "$(result signals_per_s "$out")" "$(result rtt_p50_ms "$rtt")" "$(result rtt_p99_ms "$rtt")" \
      "$(result node_cpu_us_per_signal "$out")" "$(result node_cores "$out")" "$(result client_cores "$out")")")
    [ -n "$idle" ] && { kill "$idle" 2>/dev/null || true; wait "$idle" 2>/dev/null || true; idle=""; }
    stop_node
  done
  echo
  echo "idle sockets | rooms | signals/s | rtt p50 / p99 ms | node CPU-µs per signal | node cores | client cores"
  printf '%s\n' "${rows[@]}"
}

for phase in "${phases[@]}"; do
  case "$phase" in
    throughput) throughput_runs ;;
    scaling) scaling ;;
    *)
      start_node
      extra=(); [ "$phase" = memory ] && extra=("$node" "${MEMORY_SOCKETS:-1000,5000,10000,19000}")
      bench "$phase" "$port" "${extra[@]}" | grep -v '^RESULT'
      stop_node
      ;;
  esac
done
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"

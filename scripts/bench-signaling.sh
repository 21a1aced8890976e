#!/usr/bin/env bash
# Signaling benchmark: a node (target/switchboard.jar, the shipped JVM options) and a load client in two
# processes on this machine, loopback only. Prints round trip, relay throughput and RSS per socket.
# BENCH_NODE_OPTS passes JVM options to the node; by default the shipped JAVA_OPTS (scripts/java-opts.sh).
# memory: idle joined sockets added in steps (MEMORY_SOCKETS, default 1000,5000,10000,19000), RSS and live heap
# per socket at each step against the node with none, after a full GC.
#   scripts/bench-signaling.sh [rtt] [throughput] [memory]     (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-opts.sh
phases=("$@"); [ ${#phases[@]} -eq 0 ] && phases=(rtt throughput memory)
mvn -B -ntp -q clean package -DskipTests
mvn -B -ntp -q test-compile
port=${BENCH_PORT:-4400}
cp="target/test-classes:target/switchboard.jar"

for phase in "${phases[@]}"; do
  SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$port \
  SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND=10000000 SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST=10000000 \
  SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP=100000 SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND=1000000 SWITCHBOARD_HTTP_JOIN_BURST_PER_IP=1000000 SWITCHBOARD_HTTP_MAX_CONNECTIONS=19000 \
  SWITCHBOARD_ROOMS_MAX_PEERS=6 SWITCHBOARD_MEDIA_ENABLED=false java ${BENCH_NODE_OPTS-$JAVA_OPTS} -jar target/switchboard.jar > target/bench-node.log 2>&1 &
  node=$!
  trap 'kill $node 2>/dev/null || true' EXIT
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  extra=(); [ "$phase" = memory ] || [ "$phase" = throughput ] && extra=("$node")
  [ "$phase" = memory ] && extra+=("${MEMORY_SOCKETS:-1000,5000,10000,19000}")
  java -cp "$cp" ${BENCH_CLIENT_OPTS:-} dev.switchboard.bench.SignalingBench "$phase" "$port" "${extra[@]}"
  kill $node; wait $node 2>/dev/null || true
done
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"

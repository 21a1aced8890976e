#!/usr/bin/env bash
# A local cluster: redis-server, N Switchboard nodes (Hazelcast over loopback, distinct HTTP and TURN
# ports) and Caddy load-balancing across them on https://localhost:8443.
#   scripts/cluster.sh start [N]     (default 2 nodes)
#   scripts/cluster.sh stop          (stops exactly what start started)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-opts.sh   # JAVA_OPTS for every node (README "JVM options")
dir=target/cluster
pids="$dir/pids"

start() {
  local n=${1:-2}
  [ -f "$pids" ] && { echo "already running (scripts/cluster.sh stop first)" >&2; exit 1; }
  mkdir -p "$dir"
  [ -f target/switchboard.jar ] || mvn -B -ntp -q clean package -DskipTests
  : > "$pids"
  redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no > "$dir/redis.log" 2>&1 &
  echo "$! redis" >> "$pids"
  local members="" upstreams=""
  for i in $(seq 1 "$n"); do
    members="${members:+$members,}127.0.0.1:$((5700 + i))"
    upstreams="$upstreams 127.0.0.1:$((4000 + i))"
  done
  for i in $(seq 1 "$n"); do
    SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$((4000 + i)) SWITCHBOARD_METRICS_PORT=$((9400 + i)) \
    SWITCHBOARD_TURN_PORT=$((3477 + 2 * i)) SWITCHBOARD_TURN_MIN_PORT=$((50000 + 1000 * i)) \
    SWITCHBOARD_TURN_MAX_PORT=$((50999 + 1000 * i)) SWITCHBOARD_TURN_SECRET=${SWITCHBOARD_TURN_SECRET:-cluster-dev-secret} \
    SWITCHBOARD_CLUSTER_ENABLED=true SWITCHBOARD_CLUSTER_PORT=$((5700 + i)) SWITCHBOARD_CLUSTER_MEMBERS="$members" \
    SWITCHBOARD_REDIS_URL=redis://127.0.0.1:6390 SWITCHBOARD_MEDIA_ENABLED=false \
      java $JAVA_OPTS -jar target/switchboard.jar > "$dir/node-$i.log" 2>&1 &
    echo "$! node-$i" >> "$pids"
  done
  CADDY_HTTP_PORT=8080 CADDY_HTTPS_PORT=8443 CADDY_ADMIN=127.0.0.1:2999 SWITCHBOARD_UPSTREAMS="${upstreams# }" \
  CADDY_ACCESS_LOG="$PWD/$dir/access.log" XDG_DATA_HOME="$PWD/$dir/caddy-data" XDG_CONFIG_HOME="$PWD/$dir/caddy-config" \
    caddy run --adapter caddyfile --config Caddyfile > "$dir/caddy.log" 2>&1 &
  echo "$! caddy" >> "$pids"
  for i in $(seq 1 "$n"); do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((4000 + i))/ready" >/dev/null && break; sleep 0.3; done
    curl -sf "http://127.0.0.1:$((4000 + i))/ready" >/dev/null || { echo "node-$i not ready, see $dir/node-$i.log" >&2; stop; exit 1; }
  done
  echo "cluster up: redis 127.0.0.1:6390, nodes http://127.0.0.1:4001..$((4000 + n)), https://localhost:8443 (Caddy)"
}

stop() {
  [ -f "$pids" ] || { echo "nothing started"; return 0; }
  while read -r pid name; do
    kill "$pid" 2>/dev/null && echo "stopped $name"
  done < "$pids"
  rm -f "$pids"
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  *) echo "usage: scripts/cluster.sh start [N] | stop" >&2; exit 2 ;;
esac

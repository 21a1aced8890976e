#!/usr/bin/env bash
# Soak test (not part of the test suite). Builds the jar, starts its own node (or Redis and two clustered
# nodes), runs the driver src/test/java/dev/switchboard/soak/SoakRun.java for the given time, and stops
# everything it started. Load: idle joined sockets (heartbeats every 30 s), relay pairs sending numbered
# signals both ways, churn (connect, join, offer/answer, leave, close). Mid-run it restarts a node (40 %)
# and, clustered, Redis (70 %). Checked throughout: every push answered; every signal answered ok received
# by its target exactly once and in order, by nobody else; at the end room views, node gauges and the
# registry against the driver; RSS, heap after GC, threads and fds of every node sampled and judged
# (first vs last third). Prints a table line per sample, a summary and RESULT: PASS/FAIL (exit 1 on FAIL).
#
#   scripts/soak.sh [--minutes N] [--mode node|cluster] [driver options]
#     defaults: 30 minutes, node; driver options (SoakRun): --idle 2000 --pairs 20 --rate 50 --churn 20
#     --sample-seconds 30 --restart-node-at 0.4 --restart-redis-at 0.7 --grace-seconds 10 (0 disables a restart)
#   e.g. a short trial: scripts/soak.sh --minutes 3 --mode cluster --idle 200 --pairs 4 --rate 20 --churn 4 --sample-seconds 10
# Environment: SOAK_PORT_OFFSET (added to every port below), SOAK_NODE_OPTS (node JVM options),
# SOAK_SKIP_BUILD=1 (reuse target/), SOAK_REDIS_DOWN_SECONDS (Redis outage length, default 5).
# Ports: HTTP 4701/4702, metrics 9701/9702, TURN 3702/3704 (relays 56000-57999), Hazelcast 5781/5782, Redis 6480.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/soak
off=${SOAK_PORT_OFFSET:-0}
redis_port=$((6480 + off))

http_port() { echo $((4700 + off + $1)); }

start_node() { # <i> <node count>
  local i=$1 n=$2 members=""
  for j in $(seq 1 "$n"); do members="${members:+$members,}127.0.0.1:$((5780 + off + j))"; done
  (
    export SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT="$(http_port "$i")"
    export SWITCHBOARD_METRICS_PORT=$((9700 + off + i)) SWITCHBOARD_TURN_LISTEN_IP=127.0.0.1
    export SWITCHBOARD_TURN_PORT=$((3700 + off + 2 * i)) SWITCHBOARD_TURN_MIN_PORT=$((55000 + 1000 * i))
    export SWITCHBOARD_TURN_MAX_PORT=$((55999 + 1000 * i)) SWITCHBOARD_TURN_SECRET=soak-secret
    # the load's senders exceed a browser's rate; every socket comes from 127.0.0.1
    export SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND=100000 SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST=100000
    export SWITCHBOARD_ROOMS_MAX_PEERS=6 SWITCHBOARD_MEDIA_ENABLED=false # signaling only: mesh rooms of 6
    # the load's clients never resume: a dropped socket leaves at once, so its ledger can hold every ok to
    # "delivered" (a held session's signals are acked and dropped when its window ends, protocol.md §7)
    export SWITCHBOARD_SESSION_RESUME_SECONDS=0
    # every load socket comes from 127.0.0.1: lift the per-address socket cap (and the node cap) for the load
    export SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP=100000 SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND=1000000 SWITCHBOARD_HTTP_JOIN_BURST_PER_IP=1000000 SWITCHBOARD_HTTP_MAX_CONNECTIONS=19000
    if [ "$n" -gt 1 ]; then
      export SWITCHBOARD_CLUSTER_ENABLED=true SWITCHBOARD_CLUSTER_PORT=$((5780 + off + i))
      export SWITCHBOARD_CLUSTER_MEMBERS="$members" SWITCHBOARD_REDIS_URL="redis://127.0.0.1:$redis_port"
    fi
    # shellcheck disable=SC2086
    exec java ${SOAK_NODE_OPTS:-} -jar target/switchboard.jar
  ) >> "$dir/node-$i.log" 2>&1 &
  echo $! > "$dir/node-$i.pid"
}

wait_node() { # <i>
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$(http_port "$1")/ready" > /dev/null && return 0
    kill -0 "$(cat "$dir/node-$1.pid")" 2> /dev/null || break
    sleep 0.2
  done
  echo "soak: node-$1 not ready, see $dir/node-$1.log" >&2
  return 1
}

start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >> "$dir/redis.log" 2>&1 &
  echo $! > "$dir/redis.pid"
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && return 0; sleep 0.1; done
  echo "soak: redis not answering, see $dir/redis.log" >&2
  return 1
}

stop_pidfile() { # <pid file>: SIGTERM, then SIGKILL after 20 s
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -TERM "$pid" 2> /dev/null; then
    for _ in $(seq 200); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2> /dev/null && { echo "soak: $file did not stop in 20 s, SIGKILL" >&2; kill -KILL "$pid" 2> /dev/null || true; }
  fi
  rm -f "$file"
}

nodes_started() { cat "$dir/nodes"; }

# --ctl: called by the driver for the restarts
if [ "${1:-}" = "--ctl" ]; then
  case "${2:-}" in
    restart-node)
      i=${3:?node number}
      t0=$(date +%s.%N)
      stop_pidfile "$dir/node-$i.pid"
      t1=$(date +%s.%N)
      start_node "$i" "$(nodes_started)"
      wait_node "$i"
      printf 'soak: node-%s stopped (SIGTERM) in %.1f s, restarted as pid %s, ready after %.1f s\n' "$i" \
        "$(echo "$t1 - $t0" | bc)" "$(cat "$dir/node-$i.pid")" "$(echo "$(date +%s.%N) - $t1" | bc)"
      ;;
    restart-redis)
      stop_pidfile "$dir/redis.pid"
      sleep "${SOAK_REDIS_DOWN_SECONDS:-5}"
      start_redis
      echo "soak: redis restarted empty after ${SOAK_REDIS_DOWN_SECONDS:-5} s down, pid $(cat "$dir/redis.pid")"
      ;;
    *) echo "usage: scripts/soak.sh --ctl restart-node <i> | restart-redis" >&2; exit 2 ;;
  esac
  exit 0
fi

minutes=30 mode=node extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
case "$mode" in
  node) n=1 ;;
  cluster) n=2 ;;
  *) echo "usage: scripts/soak.sh [--minutes N] [--mode node|cluster] [driver options]" >&2; exit 2 ;;
esac

if [ -z "${SOAK_SKIP_BUILD:-}" ]; then
  mvn -B -ntp -q clean package -DskipTests
  mvn -B -ntp -q test-compile
fi
mkdir -p "$dir"
for f in "$dir"/*.pid; do
  [ -e "$f" ] && kill -0 "$(cat "$f")" 2> /dev/null && { echo "soak: $f is running (another soak?)" >&2; exit 1; }
done
rm -f "$dir"/*.pid "$dir"/*.log
echo "$n" > "$dir/nodes"
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

driver=""
cleanup() {
  set +e
  [ -n "$driver" ] && kill "$driver" 2> /dev/null && wait "$driver" 2> /dev/null
  for i in $(seq 1 "$n"); do stop_pidfile "$dir/node-$i.pid"; done
  stop_pidfile "$dir/redis.pid"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ports="" metrics="" args=()
[ "$n" -gt 1 ] && { start_redis; args=(--redis-port "$redis_port" --restart-redis-at 0.7); }
for i in $(seq 1 "$n"); do
  start_node "$i" "$n"
  ports="${ports:+$ports,}$(http_port "$i")"
  metrics="${metrics:+$metrics,}$((9700 + off + i))"
done
for i in $(seq 1 "$n"); do wait_node "$i"; done
echo "soak: $mode mode, $minutes min, nodes on $ports (logs in $dir/)"

java -Xmx1g -cp target/test-classes:target/switchboard.jar dev.switchboard.soak.SoakRun --minutes "$minutes" \
  --ports "$ports" --metrics-ports "$metrics" --pid-dir "$dir" --ctl scripts/soak.sh "${args[@]}" "${extra[@]}" &
driver=$!
rc=0
wait "$driver" || rc=$?
driver=""
exit "$rc"

#!/usr/bin/env bash
# Capacity runs (issue 13, item 2), driven by the load-test CLI (switchboard.jar load):
#
#   scripts/bench-capacity.sh node      one node filled to 19,000 joined peers (rooms of 5, room and peer topic
#                                        each, heartbeats on), reported at 5k, 10k and 19k: connect + join rate,
#                                        RSS and live heap per socket, heartbeat round trip p99, relayed-signal
#                                        round trip p50/p99
#   scripts/bench-capacity.sh cluster   Redis + NODES clustered nodes + one load client per node, to PEERS joined
#                                        peers (some rooms spanning two nodes): join rate, Redis commands per join
#                                        and per signal, Redis memory, event-bus consumers and Hazelcast
#                                        subscriptions per node, RSS per node, cross-node signal round trip, and
#                                        the time from kill -9 of a node until its peers are gone everywhere
#
# Sizes come from the environment, so either mode can be tried small first:
#   PEERS=2000 NODES=3 scripts/bench-capacity.sh cluster        (defaults: node 19000; cluster 200000 over 11 nodes)
#   scripts/bench-capacity.sh --quick node|cluster              (node: 2,000 peers; cluster: 3 nodes, 3,000 peers)
# Other knobs: REPORT_AT (node, default 5000,10000,19000), ROOM_SIZE (5), SPAN_EVERY (cluster: every Nth room of a
# client spans its node and the next one, default 10), CONNECT_RATE (sockets/s per client), CLIENT_STAGGER (seconds
# between cluster clients' starts, default 15), FAILURE_TIMEOUT (cluster nodes', default 20), REAP_WAIT (seconds to wait
# for the survivors' peer:left after Redis is clean, default FAILURE_TIMEOUT + 30), NODE_HEAP (cluster
# nodes' -Xmx, default 700m), NODE_JAVA_OPTS / CLIENT_JAVA_OPTS, HTTP_BASE / METRICS_BASE / HZ_BASE / REDIS_PORT
# (ports: node i listens on HTTP_BASE+i, metrics METRICS_BASE+i, Hazelcast HZ_BASE+i), OUT (target/capacity).
#
# Every process started here (nodes, redis, load clients) is stopped on exit, whatever happens. Results go to
# $OUT/<mode>-<time>/ (node and client logs, the JSON summaries) and a summary is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [ "${1:-}" = "--quick" ]; then quick=true; shift; fi
mode=${1:-}
case "$mode" in
  node | cluster) ;;
  *) echo "usage: scripts/bench-capacity.sh [--quick] node|cluster   (sizes: PEERS, NODES, REPORT_AT; see the header)" >&2; exit 2 ;;
esac

HTTP_BASE=${HTTP_BASE:-4600}
METRICS_BASE=${METRICS_BASE:-9600}
HZ_BASE=${HZ_BASE:-5900}
REDIS_PORT=${REDIS_PORT:-6440}
ROOM_SIZE=${ROOM_SIZE:-5}
if [ "$mode" = node ]; then
  PEERS=${PEERS:-$($quick && echo 2000 || echo 19000)}
  REPORT_AT=${REPORT_AT:-$($quick && echo 500,1000,2000 || echo 5000,10000,19000)}
  CONNECT_RATE=${CONNECT_RATE:-1000}
else
  NODES=${NODES:-$($quick && echo 3 || echo 11)}
  PEERS=${PEERS:-$($quick && echo 3000 || echo 200000)}
  CONNECT_RATE=${CONNECT_RATE:-200}
fi
SPAN_EVERY=${SPAN_EVERY:-10}
# seconds between the start of one cluster load client and the next
CLIENT_STAGGER=${CLIENT_STAGGER:-15}
# cluster.failure-timeout-seconds of the nodes (default 5): a dozen JVMs and their clients share 2 cores, and a node
# starved of CPU for half of it believes it stood still and heals (closes its sockets); a killed node is still noticed
# at once (loopback resets its connections)
FAILURE_TIMEOUT=${FAILURE_TIMEOUT:-20}
# seconds the reap phase waits for the survivors' peer:left once Redis is clean (default: the failure timeout + 30)
REAP_WAIT=${REAP_WAIT:-$((FAILURE_TIMEOUT + 30))}
NODE_HEAP=${NODE_HEAP:-700m}
# The JVM options scripts/run.sh gives a node (JAVA_OPTS of scripts/java-opts.sh where it exists; these are its values
# when this was written); the cluster's nodes add -Xmx so that NODES of them and the clients fit the 24 GB box.
# NODE_JAVA_OPTS="" runs the JVM's defaults (G1, heap a quarter of RAM).
if [ -f scripts/java-opts.sh ]; then source scripts/java-opts.sh; fi
NODE_JAVA_OPTS=${NODE_JAVA_OPTS-${JAVA_OPTS:--XX:+UseSerialGC -Xmn32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -Xss512k -XX:ReservedCodeCacheSize=64m}}
# Load clients: one collector thread and C1 only, so that a dozen clients leave the 2 cores to the nodes.
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -Xmx900m}
OUT=${OUT:-target/capacity}
jar=target/switchboard.jar
if [ ! -f "$jar" ] || [ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
run_dir="$OUT/$mode-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir"

# ---------------------------------------------------------------------------------------------------------------
# processes: every pid started is recorded and stopped on exit

started=()
cleanup() {
  local pid
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${started[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${started[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$run_dir/summary.txt" >&2; }
now_ms() { date +%s%3N; }

# Settings every node gets: the caps that protect a node from one client address are raised (every load socket
# comes from 127.0.0.x), and the per-socket message rate (round trips back to back exceed 100/s), media and the TURN
# relay are off (no UDP ports, no relay memory).
node_env() {
  local i=$1
  echo SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$((HTTP_BASE + i)) \
    SWITCHBOARD_METRICS_PORT=$((METRICS_BASE + i)) \
    SWITCHBOARD_HTTP_MAX_CONNECTIONS=19800 SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP=19800 \
    SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND=1000000 SWITCHBOARD_HTTP_JOIN_BURST_PER_IP=1000000 \
    SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND=1000000 SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST=1000000 \
    SWITCHBOARD_MEDIA_ENABLED=false SWITCHBOARD_TURN_RELAY_ENABLED=false SWITCHBOARD_TURN_SECRET=capacity-bench-secret
}

# start_node I [extra VAR=value ...]: one node process; its pid is in node_pid[I]
declare -A node_pid
start_node() {
  local i=$1; shift
  # shellcheck disable=SC2046,SC2086
  env $(node_env "$i") "$@" java $NODE_JAVA_OPTS -jar "$jar" > "$run_dir/node-$i.log" 2>&1 &
  node_pid[$i]=$!
  started+=("$!")
}

wait_ready() {
  local i=$1
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$((HTTP_BASE + i))/ready" > /dev/null && return 0
    kill -0 "${node_pid[$i]}" 2>/dev/null || { echo "node $i died, see $run_dir/node-$i.log" >&2; tail -20 "$run_dir/node-$i.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "node $i not ready after 150 s, see $run_dir/node-$i.log" >&2
  exit 1
}

# metric PORT REGEX: the sum of the samples whose line matches REGEX (name and labels) on that metrics port
metric() {
  curl -s -m 20 "http://127.0.0.1:$1/metrics" | awk -v re="$2" '$0 !~ /^#/ && $0 ~ re { s += $NF } END { printf "%.0f\n", s }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# live heap in KB after a full collection: jcmd GC.run, then the "used" of GC.heap_info (G1: one line; Serial: two)
live_heap_kb() {
  local pid=$1
  jcmd "$pid" GC.run > /dev/null
  jcmd "$pid" GC.heap_info | awk '!/Metaspace|class space/ { if (match($0, /used [0-9]+K/)) { s += substr($0, RSTART + 5, RLENGTH - 6) } } END { print s + 0 }'
}

# load_client NAME ARGS...: one load-client process in the background (pid in client_pid[NAME]); output in NAME.out
declare -A client_pid
load_client() {
  local name=$1; shift
  # shellcheck disable=SC2086
  java $CLIENT_JAVA_OPTS -jar "$jar" load "$@" > "$run_dir/$name.out" 2> "$run_dir/$name.err" &
  client_pid[$name]=$!
  started+=("$!")
}

url() { echo "ws://127.0.0.1:$((HTTP_BASE + $1))/socket/websocket"; }

# joined peers over nodes LIST (metrics ports)
joined_on() {
  local total=0 i
  for i in "$@"; do total=$((total + $(metric $((METRICS_BASE + i)) '^switchboard_peers_joined'))); done
  echo "$total"
}

# wait_joined TARGET TIMEOUT_S NODE...: polls until TARGET peers are joined over the nodes, or nothing moved for
# 60 s, or the timeout; prints the count reached
wait_joined() {
  local target=$1 timeout=$2; shift 2
  local start last_change count last=-1
  start=$(date +%s); last_change=$start
  while true; do
    count=$(joined_on "$@")
    [ "$count" -ge "$target" ] && break
    if [ "$count" != "$last" ]; then last=$count; last_change=$(date +%s); fi
    [ $(($(date +%s) - last_change)) -ge 60 ] && { log "joined peers stalled at $count (target $target)"; break; }
    [ $(($(date +%s) - start)) -ge "$timeout" ] && { log "joined peers at $count after ${timeout}s (target $target)"; break; }
    sleep 0.5
  done
  echo "$count"
}

# json FILE EXPR: a value of the JSON summary a load client printed (its last JSON object), by a Python expression
# over d (the dict); "?" when absent
json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
d = {}
start = text.rfind('\n{')
start = start + 1 if start >= 0 else text.find('{')
try:
    d = json.loads(text[start:]) if start >= 0 else {}
except ValueError:
    pass
try:
    v = eval(sys.argv[2], {"d": d})
except Exception:
    v = None
print("?" if v is None else v)
PY
}

# ---------------------------------------------------------------------------------------------------------------
# node mode

# One idle client per step (5k, then 5k more, then 9k more: each process well under the fd limit), each holding its
# sockets, heartbeating every 30 s as phoenix.js does, until the end. A client's --report-at at its own last socket
# pauses it there for REPORT_SECONDS and measures, as the CLI's milestone row: its connect + join rate, heartbeat round
# trips of its sockets over the window (each heartbeats once), and paced signal round trips between two of its peers.
# After that window the script takes the node's RSS and, after a full GC (jcmd GC.run), its live heap.
REPORT_SECONDS=${REPORT_SECONDS:-35}

node_run() {
  local node=1
  start_node $node
  wait_ready $node
  local pid=${node_pid[$node]}
  sleep 2
  local rss0 heap0 gc
  gc=$(java $NODE_JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 ~ /^Use(G1|Serial|Parallel|Z|Shenandoah)GC$/ && $4 == "true" { print $2 }')
  heap0=$(live_heap_kb "$pid"); rss0=$(rss_kb "$pid")
  log "node mode: one node (pid $pid, JVM options '${NODE_JAVA_OPTS}': $gc, max heap $(java $NODE_JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" { printf "%d MB", $4 / 1048576 }')), media and TURN off, $(nproc) cores"
  log "empty node after a full GC: RSS $((rss0 / 1024)) MB, live heap $((heap0 / 1024)) MB"
  printf '| joined peers | connect + join rate (this step) | RSS | RSS per socket | live heap | live heap per socket | heartbeat rtt p50 / p99 (n) | signal rtt p50 / p99 (n) |\n|---|---|---|---|---|---|---|---|\n' > "$run_dir/table.md"
  local previous=0 step=0 milestone count
  local -a steps=()
  IFS=, read -r -a steps <<< "$REPORT_AT"
  for milestone in "${steps[@]}"; do
    step=$((step + 1))
    local add=$((milestone - previous))
    load_client "idle-$step" idle --url "$(url "$node")" --sockets "$add" --room-size "$ROOM_SIZE" --heartbeat 30 \
      --duration 0 --connect-rate "$CONNECT_RATE" --room-prefix "idle$step" --id-offset "$previous" \
      --source-ips "127.0.0.$((10 + step))" --report-at "$add" --report-seconds "$REPORT_SECONDS" --server-pid "$pid" --json --no-progress
    count=$(wait_joined "$milestone" 900 $node)
    sleep $((REPORT_SECONDS + 3)) # the client's measuring window
    local rss heap
    rss=$(rss_kb "$pid"); heap=$(live_heap_kb "$pid")
    jcmd "$pid" GC.class_histogram > "$run_dir/histogram-$milestone.txt" 2>&1 || true
    log "$milestone: $count joined, node RSS $((rss / 1024)) MB, live heap $((heap / 1024)) MB"
    echo "$milestone $count $rss $heap" >> "$run_dir/memory.txt"
    previous=$milestone
  done
  # the clients' summaries (their milestone rows, errors, heartbeat round trips over the whole hold)
  local i
  for i in $(seq 1 "$step"); do kill -TERM "${client_pid[idle-$i]}" 2>/dev/null || true; done
  for i in $(seq 1 "$step"); do wait "${client_pid[idle-$i]}" 2>/dev/null || true; done
  step=0
  while read -r milestone count rss heap; do
    step=$((step + 1))
    local f="$run_dir/idle-$step.out" m='d["milestones"][0]'
    local line
    line=$(printf '| %d | %s/s | %d MB | %.2f KB | %d MB | %.2f KB | %s / %s ms (%s) | %s / %s ms (%s) |' "$count" \
      "$(json "$f" "$m[\"connect_join_per_s\"]")" $((rss / 1024)) "$(python3 -c "print(($rss - $rss0) / $count)")" \
      $((heap / 1024)) "$(python3 -c "print(($heap - $heap0) / $count)")" \
      "$(json "$f" "$m[\"heartbeat_p50_ms\"]")" "$(json "$f" "$m[\"heartbeat_p99_ms\"]")" "$(json "$f" "$m[\"heartbeat_samples\"]")" \
      "$(json "$f" "$m[\"signal_rtt_p50_ms\"]")" "$(json "$f" "$m[\"signal_rtt_p99_ms\"]")" "$(json "$f" "$m[\"signal_samples\"]")")
    echo "$line" >> "$run_dir/table.md"
    log "client $step: joined $(json "$f" 'd["joined"]'), errors $(json "$f" 'd["errors"]') $(json "$f" 'd["error_reasons"]'), heartbeat rtt over the hold $(json "$f" 'd["heartbeat_rtt_ms"]')"
  done < "$run_dir/memory.txt"
  log "RSS and live heap per socket: (value at the step - value of the empty node after a full GC) / joined peers"
  cat "$run_dir/table.md" | tee -a "$run_dir/summary.txt"
}

# ---------------------------------------------------------------------------------------------------------------
# cluster mode

redis() { redis-cli -p "$REDIS_PORT" "$@"; }

# the Redis commands executed since the last CONFIG RESETSTAT, as "command calls" lines (those inside scripts included)
redis_calls() { redis INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p' | sort; }

# per_op FILE COUNT: one line "total N/op, client round trips N/op (evalsha ...), executed: cmd n/op, ..." from a calls file
per_op() {
  awk -v n="$2" '
    { calls[$1] = $2; total += $2 }
    $1 ~ /^(evalsha|evalsha_ro|eval|eval_ro|script\|load|scard|hello|ping|select|client\|setinfo)$/ { trips += $2 }
    END {
      printf "%.2f commands executed per op (%.2f client round trips: EVALSHA and others; the rest run inside scripts):", total / n, trips / n
      for (c in calls) printf " %s %.2f", c, calls[c] / n
      printf "\n"
    }' "$1"
}

node_id_of() { sed -n 's/.*clustered as \([^ ,]*\).*/\1/p' "$run_dir/node-$1.log" | head -1; }

# bus figures of node I: "peers P, consumers cluster-wide peer/room/other, local, subscription entries stored owned/backup, RSS"
node_figures() {
  local i=$1 port=$((METRICS_BASE + $1)) body
  body=$(curl -s -m 20 "http://127.0.0.1:$port/metrics")
  local pick
  pick() { awk -v re="$1" '$0 !~ /^#/ && $0 ~ re { s += $NF } END { printf "%.0f", s }' <<< "$body"; }
  printf 'node %d: joined peers %s, sockets %s, cluster-wide event-bus consumers (= Hazelcast subscriptions it registered): peer %s, room %s, fixed %s, other %s; local consumers %s; subscription entries stored here: owned %s, backup %s; RSS %d MB\n' \
    "$i" "$(pick '^switchboard_peers_joined')" "$(pick '^switchboard_sockets_connected')" \
    "$(pick 'eventbus_consumers\{family="peer",scope="cluster"')" "$(pick 'eventbus_consumers\{family="room",scope="cluster"')" \
    "$(pick 'eventbus_consumers\{family="fixed",scope="cluster"')" "$(pick 'eventbus_consumers\{family="other",scope="cluster"')" \
    "$(pick 'eventbus_consumers\{.*scope="local"')" \
    "$(pick 'subscriptions_stored\{copy="owned"')" "$(pick 'subscriptions_stored\{copy="backup"')" $(( $(rss_kb "${node_pid[$i]}") / 1024 ))
}

cluster_run() {
  local i members=""
  for i in $(seq 1 "$NODES"); do members="${members:+$members,}127.0.0.1:$((HZ_BASE + i))"; done
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no > "$run_dir/redis.log" 2>&1 &
  started+=("$!")
  # Redis would have a host of its own; here its one thread competes with ~100 runnable JVM threads, and at equal
  # priority an EVALSHA took 0.4-0.6 ms of wall time instead of 0.05, failing joins at the nodes' command timeout
  renice -n -15 -p "$!" > /dev/null 2>&1 || true
  for _ in $(seq 50); do redis PING > /dev/null 2>&1 && break; sleep 0.1; done
  log "cluster mode: redis on $REDIS_PORT, $NODES nodes (-Xmx$NODE_HEAP ${NODE_JAVA_OPTS}, failure timeout ${FAILURE_TIMEOUT} s), $PEERS peers in rooms of $ROOM_SIZE, every ${SPAN_EVERY}th room of a client spanning its node and the next"
  # one after the other: a dozen JVMs starting at once on 2 cores starve each other's Hazelcast heartbeats
  for i in $(seq 1 "$NODES"); do
    NODE_JAVA_OPTS="-Xmx$NODE_HEAP $NODE_JAVA_OPTS" start_node "$i" SWITCHBOARD_CLUSTER_ENABLED=true \
      SWITCHBOARD_CLUSTER_PORT=$((HZ_BASE + i)) SWITCHBOARD_CLUSTER_MEMBERS="$members" \
      SWITCHBOARD_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" SWITCHBOARD_CLUSTER_FAILURE_TIMEOUT_SECONDS="$FAILURE_TIMEOUT"
    wait_ready "$i"
  done
  log "all $NODES nodes ready"
  for i in $(seq 1 "$NODES"); do log "$(node_figures "$i")"; done
  if [ "${STOP_AFTER:-}" = nodes ]; then return 0; fi # (debugging the start-up)
  local all_nodes
  all_nodes=$(seq 1 "$NODES" | tr '\n' ' ')

  # --- join phase: one client per node, its sockets there, every SPAN_EVERY-th room's last 2 members on the next node
  local per_client=$((PEERS / NODES / ROOM_SIZE * ROOM_SIZE)) t0 t1 joined
  redis CONFIG RESETSTAT > /dev/null
  t0=$(now_ms)
  for i in $(seq 1 "$NODES"); do
    local next=$((i % NODES + 1))
    load_client "client-$i" idle --url "$(url "$i")" --span-url "$(url "$next")" --span-every "$SPAN_EVERY" \
      --sockets "$per_client" --room-size "$ROOM_SIZE" --heartbeat 30 --duration 0 --connect-rate "$CONNECT_RATE" \
      --room-prefix "c$i" --source-ips "127.0.1.$((2 * i))-127.0.1.$((2 * i + 1))" \
      --json --no-progress
    # cold JVMs all ramping at once overflow the nodes' Redis pools (joins refused registry_unavailable, not retried)
    sleep "$CLIENT_STAGGER"
  done
  # shellcheck disable=SC2086
  joined=$(wait_joined $((per_client * NODES)) 1800 $all_nodes)
  t1=$(now_ms)
  redis_calls > "$run_dir/redis-join-phase.txt"
  local join_s
  join_s=$(python3 -c "print(round(($t1 - $t0) / 1000, 1))")
  log "join phase: $joined peers joined in $join_s s (from the clients' start): $(python3 -c "print(round($joined / max(0.001, $join_s)))") joins/s"
  log "Redis per join: $(per_op "$run_dir/redis-join-phase.txt" "$joined")"
  sleep 5
  log "Redis memory: $(redis INFO memory | tr -d '\r' | grep -E '^(used_memory_human|used_memory_rss_human|used_memory_lua_human):' | tr '\n' ' '), keys $(redis DBSIZE | tr -d '\r'), rooms $(redis SCARD sb:rooms | tr -d '\r')"
  for i in $(seq 1 "$NODES"); do log "$(node_figures "$i")"; done
  local client_rss=""
  for i in $(seq 1 "$NODES"); do client_rss="$client_rss $(( $(rss_kb "${client_pid[client-$i]}") / 1024 ))"; done
  log "load clients' RSS (MB):$client_rss; free memory: $(free -m | awk '/^Mem:/ { print $7 }') MB available"

  # --- signal phase: cross-node round trips at full load (one pair, A on node 1, B on node 2), Redis per signal
  local quiet_s=10
  redis CONFIG RESETSTAT > /dev/null
  sleep $quiet_s
  redis_calls > "$run_dir/redis-quiet.txt"
  redis CONFIG RESETSTAT > /dev/null
  load_client rtt-cross rtt --url "$(url 1)" --span-url "$(url 2)" --span-every 1 --pairs 1 --rate 0 --duration $quiet_s \
    --room-prefix rtt-cross --json --no-progress
  wait "${client_pid[rtt-cross]}" || true
  redis_calls > "$run_dir/redis-signal-phase.txt"
  local signals
  signals=$(json "$run_dir/rtt-cross.out" 'd["rtt_ms"]["count"]')
  log "cross-node signal round trip at full load (A on node 1, B on node 2): p50 $(json "$run_dir/rtt-cross.out" 'd["rtt_ms"]["p50"]') ms, p99 $(json "$run_dir/rtt-cross.out" 'd["rtt_ms"]["p99"]') ms over $signals round trips"
  log "Redis over ${quiet_s} s without signals (heartbeats, reap checks): $(per_op "$run_dir/redis-quiet.txt" 1)"
  [ "$signals" != "?" ] && log "Redis per relayed signal (2 per round trip; the quiet baseline included): $(per_op "$run_dir/redis-signal-phase.txt" $((2 * signals)))"

  # --- reap phase: kill -9 of node 2; until every survivor heard peer:left for each dead room-mate and Redis is clean
  local victim=2 dead_id
  dead_id=$(node_id_of $victim)
  local victim_peers
  victim_peers=$(metric $((METRICS_BASE + victim)) '^switchboard_peers_joined')
  # the peer:left the survivors are owed, counted in Redis just before the kill: for each of the victim's peers,
  # its room-mates on other nodes (joins refused on the way and rooms without survivors are thus left out)
  local expected
  expected=$(redis EVAL "local n = 0 for _, e in ipairs(redis.call('SMEMBERS', KEYS[1])) do local room = string.sub(e, 1, string.find(e, '|', 1, true) - 1) for _, v in ipairs(redis.call('HVALS', 'sb:room:' .. room .. ':nodes')) do if v ~= ARGV[1] then n = n + 1 end end end return n" 1 "sb:node:$dead_id:peers" "$dead_id" | tr -d '\r')
  local tk tr=""
  tk=$(now_ms)
  kill -9 "${node_pid[$victim]}"
  log "kill -9 of node $victim ($dead_id) holding $victim_peers joined peers"
  while [ $(( $(now_ms) - tk )) -lt 120000 ]; do
    if [ "$(redis EXISTS "sb:node:$dead_id:peers" | tr -d '\r')" = 0 ] && [ -z "$(redis ZSCORE sb:nodes "$dead_id" | tr -d '\r')" ]; then
      tr=$(now_ms); break
    fi
    sleep 0.05
  done
  log "Redis: the dead node's peer set and heartbeat gone $(( ${tr:-0} - tk )) ms after the kill"
  # the survivors' peer:left deliveries (the clients take their times): past the failure timeout, by when Hazelcast
  # has dropped the dead member whatever path reaped it
  sleep "$REAP_WAIT"
  local traces
  traces=$(redis EVAL "local n = 0 for _, k in ipairs(redis.call('KEYS', 'sb:room:*:nodes')) do for _, v in ipairs(redis.call('HVALS', k)) do if v == ARGV[1] then n = n + 1 end end end return n" 0 "$dead_id" | tr -d '\r')
  log "Redis entries still naming the dead node (room member node hashes, all rooms scanned): $traces"
  for i in $(seq 1 "$NODES"); do kill -TERM "${client_pid[client-$i]}" 2>/dev/null || true; done
  local last=0 left=0 bound
  for i in $(seq 1 "$NODES"); do
    wait "${client_pid[client-$i]}" 2>/dev/null || true
    local l at
    # only reaped room-mates' (reason node_lost): a join withdrawn after a timeout is a peer:left too
    l=$(json "$run_dir/client-$i.out" 'd.get("peer_left_node_lost", d["peer_left"])')
    at=$(json "$run_dir/client-$i.out" 'd.get("last_node_lost_epoch_ms", d["last_peer_left_epoch_ms"])')
    [ "$l" != "?" ] && left=$((left + l))
    [ "$at" != "?" ] && [ "$at" -gt "$last" ] && last=$at
    log "client $i: joined $(json "$run_dir/client-$i.out" 'd["joined"]'), errors $(json "$run_dir/client-$i.out" 'd["errors"]') $(json "$run_dir/client-$i.out" 'd["error_reasons"]'), peer:left (node_lost) heard $l of $(json "$run_dir/client-$i.out" 'd["peer_left"]') peer:left, open at the end $(json "$run_dir/client-$i.out" 'd["open_at_end"]'), heartbeat rtt p99 $(json "$run_dir/client-$i.out" 'd["heartbeat_rtt_ms"]["p99"]') ms"
  done
  # survivors with a dead room-mate: the spanning rooms of the victim's client (its odd members survive on the next
  # node, each hears the others leave) and of the previous client (its odd members were on the victim)
  bound=$(python3 -c "
per, size, every = $per_client, $ROOM_SIZE, $SPAN_EVERY
spans = len([g for g in range(per // size) if g % every == 0])
odd = size // 2  # the members joining second, fourth... are on the next node
print(spans * odd * (size - odd) * 2)")
  log "peer:left heard by survivors: $left (expected $expected: one per survivor and dead room-mate in Redis before the kill; $bound if every join had been admitted); the last $(( last - tk )) ms after the kill, clients stopped $(( $(now_ms) - tk )) ms after it"
}

case "$mode" in
  node) node_run ;;
  cluster) cluster_run ;;
esac

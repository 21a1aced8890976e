#!/usr/bin/env bash
# TURN over TCP: the same turnutils_uclient -t load against the relay as built from each given git revision
# (default: main and the working tree), one after the other on loopback, each with a warm-up. Prints per run the
# messages echoed, relayed packets/s, loss, and the node's CPU (user+system) over the measured run with relayed
# packets per CPU-second. The load is paced (-z 1 ms per client), so the rate is the client's and the CPU
# figure is the comparison.
#   scripts/bench-turn-tcp.sh                       # main against the working tree, twice each, interleaved
#   REVS="79bf26c HEAD" RUNS=3 M=10 N=10000 scripts/bench-turn-tcp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REVS=${REVS:-"main WORKTREE"}; RUNS=${RUNS:-2}; M=${M:-10}; N=${N:-10000}; L=${L:-120}; Z=${Z:-1}
SECRET=benchsecret; PORT=3491; PEER=49101
out=target/bench-turn-tcp; mkdir -p "$out"
hz=$(getconf CLK_TCK)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# classes and class path of one revision, compiled offline (no web assets needed)
build() {
  local rev=$1 dir="$out/$1"
  if [ "$rev" = WORKTREE ]; then dir=.; else
    rm -rf "$dir"; mkdir -p "$dir"; git archive "$rev" | tar -x -C "$dir"; fi
  (cd "$dir" && mvn -B -ntp -q -o compile -Dexec.skip=true \
    && mvn -B -ntp -q -o dependency:build-classpath -Dexec.skip=true -Dmdep.outputFile=target/bench.classpath) >&2
  echo "$dir/target/classes:$(cat "$dir/target/bench.classpath")"
}

turnutils_peer -L 127.0.0.1 -p $PEER > "$out/peer.log" 2>&1 & pids+=($!)

run() {
  local name=$1 classpath=$2 log="$out/$1.uclient.log" node before after start end
  SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=4491 SWITCHBOARD_METRICS_ENABLED=false \
  SWITCHBOARD_TURN_LISTEN_IP=127.0.0.1 SWITCHBOARD_TURN_PORT=$PORT SWITCHBOARD_TURN_RELAY_IP=127.0.0.1 \
  SWITCHBOARD_TURN_MIN_PORT=52000 SWITCHBOARD_TURN_MAX_PORT=52999 SWITCHBOARD_TURN_SECRET=$SECRET \
  SWITCHBOARD_TURN_ALLOWED_PEERS=127.0.0.1/32 SWITCHBOARD_TURN_USER_QUOTA=100000 \
    java --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$classpath" dev.switchboard.Main > "$out/$name.node.log" 2>&1 &
  node=$!; pids+=("$node")
  for _ in $(seq 100); do curl -sf http://127.0.0.1:4491/health >/dev/null && break; sleep 0.2; done
  turnutils_uclient -p $PORT -t -X -c -m "$M" -n 2000 -l "$L" -z "$Z" -e 127.0.0.1 -r $PEER -W $SECRET 127.0.0.1 \
    > "$out/$name.warmup.log" 2>&1 || true
  before=$(awk '{print $14 + $15}' "/proc/$node/stat"); start=$(date +%s.%N)
  turnutils_uclient -p $PORT -t -X -c -m "$M" -n "$N" -l "$L" -z "$Z" -e 127.0.0.1 -r $PEER -W $SECRET 127.0.0.1 \
    > "$log" 2>&1 || true
  end=$(date +%s.%N); after=$(awk '{print $14 + $15}' "/proc/$node/stat")
  kill "$node"; wait "$node" 2>/dev/null || true
  awk -v hz="$hz" -v cpu=$((after - before)) -v t0="$start" -v t1="$end" -v name="$name" '
    /start_mclient: tot_send_msgs=/ { match($0, /tot_recv_msgs=[0-9]+/); total = substr($0, RSTART + 14, RLENGTH - 14) + 0 }
    /Total lost packets/ { match($0, /\(([0-9.]+)%\)/); loss = substr($0, RSTART + 1, RLENGTH - 3) }
    END { secs = t1 - t0; cpus = cpu / hz; per = (cpus > 0) ? 2 * total / cpus : 0;
      printf "%-12s %9d %12d %8s %10.2f %14d\n", name, total, 2 * total / secs, loss, cpus, per }' "$log"
}

declare -A classpaths
for rev in $REVS; do classpaths[$rev]=$(build "$rev"); done
printf 'load: turnutils_uclient -t -X -c -m %s -n %s -l %s -z %s (peer: turnutils_peer, all on 127.0.0.1)\n' "$M" "$N" "$L" "$Z"
printf '%-12s %9s %12s %8s %10s %14s\n' revision echoed "relayed/s" "loss %" "CPU s" "relayed/CPU-s"
for i in $(seq "$RUNS"); do
  for rev in $REVS; do run "$rev" "${classpaths[$rev]}"; done
done
echo "logs: $out/"

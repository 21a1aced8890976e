#!/usr/bin/env bash
# Media benchmark: Switchboard's media node (target/switchboard.jar, its own process) against Janus 1.1.2's
# VideoRoom, the same synthetic VP8 load from the same Java client (src/test/java/dev/switchboard/bench/media),
# one server at a time, alternating, in one run. Everything runs in a network namespace of its own (unshare -n)
# with loopback and a veth pair (Janus gathers no candidates on loopback: it announces the veth address
# 10.77.0.1, Switchboard 127.0.0.1; both are delivered by the kernel's loopback path). Both SFUs are ICE-lite.
# Prints one RESULT line per measurement and a table with the Switchboard/Janus ratios.
#   scripts/bench-media.sh                                  # fanout:50 and mesh:10, 2 rounds, 20 s measured
#   SCENARIOS="fanout:24" ROUNDS=1 MEASURE=10 scripts/bench-media.sh
# Scenarios: fanout:N (1 publisher, N subscribers), mesh:N (N participants each publishing and watching the
# N-1 others). Load: FPS (30) frames/s, BITRATE (1000000) bit/s per publisher, a keyframe every KEYFRAME (2) s.
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIOS=${SCENARIOS:-fanout:50 mesh:10}; ROUNDS=${ROUNDS:-2}; MEASURE=${MEASURE:-20}; WARMUP=${WARMUP:-8}
SFUS=${SFUS:-switchboard janus}
FPS=${FPS:-30}; BITRATE=${BITRATE:-1000000}; KEYFRAME=${KEYFRAME:-2}
out=target/bench-media
if [ -z "${BENCH_MEDIA_INSIDE:-}" ]; then
  # (re)built when missing or older than the sources, so a run never measures stale code
  if [ ! -f target/switchboard.jar ] || [ -n "$(find src pom.xml conf -newer target/switchboard.jar -print -quit)" ]; then
    mvn -B -ntp -q -o package -DskipTests
  fi
  if [ ! -d target/test-classes/dev/switchboard/bench/media ] || [ -n "$(find src/test -newer target/test-classes/dev/switchboard/bench/media -print -quit)" ]; then
    mvn -B -ntp -q -o test-compile
    touch target/test-classes/dev/switchboard/bench/media
  fi
  mkdir -p "$out"
  exec unshare -n -- env BENCH_MEDIA_INSIDE=1 "$0" "$@"
fi

# Inside the namespace: loopback plus a veth pair for Janus's candidate.
ip link set lo up
ip link add bm0 type veth peer name bm1
ip addr add 10.77.0.1/24 dev bm0
ip addr add 10.77.0.2/24 dev bm1
ip link set bm0 up
ip link set bm1 up

hz=$(getconf CLK_TCK)
sb_http=4490; sb_media=4491
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null || true; }
trap cleanup EXIT

janus_conf() {
  local dir=$out/janus
  mkdir -p "$dir/plugins" "$dir/transports" "$dir/events" "$dir/loggers"
  ln -sf /usr/lib/x86_64-linux-gnu/janus/plugins/libjanus_videoroom.so "$dir/plugins/"
  ln -sf /usr/lib/x86_64-linux-gnu/janus/transports/libjanus_http.so "$dir/transports/"
  local abs; abs=$(cd "$dir" && pwd)
  # Only the VideoRoom plugin and the HTTP transport; no API secret or token auth; ICE-lite on the veth address.
  cat > "$dir/janus.jcfg" <<JCFG
general: {
  configs_folder = "$abs"
  plugins_folder = "$abs/plugins"
  transports_folder = "$abs/transports"
  events_folder = "$abs/events"
  loggers_folder = "$abs/loggers"
  debug_level = ${JANUS_DEBUG:-3}
  session_timeout = 0
  interface = "10.77.0.1"
}
media: {
  rtp_port_range = "20000-20999"
}
nat: {
  ice_lite = true
  ice_enforce_list = "10.77.0.1"
}
JCFG
  cat > "$dir/janus.transport.http.jcfg" <<JCFG
general: { http = true  port = 8088  ip = "127.0.0.1"  base_path = "/janus"  json = "plain" }
admin: { admin_http = false }
JCFG
  echo 'general: { }' > "$dir/janus.plugin.videoroom.jcfg"
  echo "$abs"
}

start_janus() {
  local dir; dir=$(janus_conf)
  janus -C "$dir/janus.jcfg" -F "$dir" > "$out/janus.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf -X POST -d '{"janus":"info","transaction":"up"}' http://127.0.0.1:8088/janus >/dev/null && return; sleep 0.2; done
  echo "Janus did not come up (see $out/janus.log)" >&2; exit 1
}

start_switchboard() {
  SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$sb_http SWITCHBOARD_METRICS_ENABLED=false \
  SWITCHBOARD_TURN_RELAY_ENABLED=false SWITCHBOARD_MEDIA_ENABLED=true SWITCHBOARD_MEDIA_HOST=127.0.0.1 \
  SWITCHBOARD_MEDIA_PORT=$sb_media SWITCHBOARD_ROOMS_MAX_PEERS=60 \
    java ${BENCH_NODE_OPTS:-} -jar target/switchboard.jar > "$out/switchboard.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$sb_http/health" >/dev/null && return; sleep 0.2; done
  echo "Switchboard did not come up (see $out/switchboard.log)" >&2; exit 1
}

measure() { # sfu scenario count -> RESULT line
  local sfu=$1 scenario=$2 n=$3 target
  if [ "$sfu" = janus ]; then start_janus; target=http://127.0.0.1:8088/janus; else start_switchboard; target=$sb_http; fi
  java -Xmx1g -Dpid="$server" -Dhz="$hz" -Dseconds="$MEASURE" -Dwarmup="$WARMUP" -Dfps="$FPS" -Dbitrate="$BITRATE" \
    -Dkeyframe-seconds="$KEYFRAME" -Djanus-client-ip=${JANUS_CLIENT_IP:-10.77.0.1} ${BENCH_CLIENT_OPTS:-} -cp target/test-classes:target/switchboard.jar \
    dev.switchboard.bench.media.MediaBench "$sfu" "$target" "$scenario" "$n" 2>> "$out/client.log" | grep '^RESULT' || echo "RESULT sfu=$sfu scenario=$scenario-$n failed=1"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

echo "load: $FPS fps, $BITRATE bit/s VP8 per publisher, keyframe every $KEYFRAME s; warm-up $WARMUP s, measured $MEASURE s"
results=$out/results.txt; : > "$results"
for s in $SCENARIOS; do
  scenario=${s%%:*}; n=${s##*:}
  for round in $(seq "$ROUNDS"); do
    order=$SFUS; [ $((round % 2)) -eq 0 ] && order=$(echo "$SFUS" | awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "") }')
    for sfu in $order; do
      line=$(measure "$sfu" "$scenario" "$n"); echo "$line round=$round" | tee -a "$results"
    done
  done
done

# Table: one row per measurement, then the Switchboard/Janus ratio per scenario and round.
awk '
  function v(k,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
  { sfu = v("sfu"); sc = v("scenario"); r = v("round"); key = sc " " r;
    fw[sfu, key] = v("fwd_pps"); cpu[sfu, key] = v("cpu_ms_per_1k"); p99[sfu, key] = v("p99_ms"); keys[key] = 1;
    printf "%-12s %-10s round %s  streams %-7s fwd pkt/s %7s  loss %6s %%  latency p50 %6s ms p99 %7s ms  CPU %6s s = %7s ms per 1k pkts (%s pkts/CPU-s)  RSS %6s MB (idle %s MB, %s KB per receiver)\n",
      sfu, sc, r, v("streams"), v("fwd_pps"), v("loss_pct"), v("p50_ms"), v("p99_ms"), v("cpu_s"), v("cpu_ms_per_1k"), v("pkts_per_cpu_s"), v("rss_mb"), v("idle_rss_mb"), v("rss_kb_per_receiver") }
  END { for (k in keys) if (cpu["switchboard", k] > 0 && cpu["janus", k] > 0)
    printf "ratio switchboard/janus %s: forwarded pkt/s %.2fx, forwarding efficiency (pkts per CPU-s) %.2fx, latency p99 %.2fx\n",
      k, fw["switchboard", k] / fw["janus", k], cpu["janus", k] / cpu["switchboard", k], p99["switchboard", k] / p99["janus", k] }
' "$results" > "$out/table.txt"
grep -v '^ratio' "$out/table.txt"; grep '^ratio' "$out/table.txt" | sort || true
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(janus --version 2>/dev/null | head -1); logs: $out/"

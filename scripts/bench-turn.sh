#!/usr/bin/env bash
# TURN relay benchmark: the same turnutils_uclient load against Switchboard's relay and against coturn,
# both started here on loopback, in one run. Prints relayed packets/s, Mbit/s, loss, server CPU and
# relayed packets per server CPU-second, the socket buffers where lost packets were dropped, and
# Switchboard/coturn ratios.
#   scripts/bench-turn.sh                 # m=80 allocations, 1 ms interval, 120 B, 15,000 messages each
#   M=40 N=10000 L=1000 scripts/bench-turn.sh
#   ENGINES="epoll nio" scripts/bench-turn.sh   # Switchboard's UDP engines (turn.io), each measured in the run
set -euo pipefail
cd "$(dirname "$0")/.."
M=${M:-80}; N=${N:-15000}; L=${L:-120}; Z=${Z:-1}; TCP=${TCP:-}; ENGINES=${ENGINES:-epoll nio}
SECRET=benchsecret
out=target/bench-turn; mkdir -p "$out"
# (re)built when missing or older than the sources, so a run never measures stale code
if [ ! -f target/switchboard.jar ] || [ -n "$(find src pom.xml conf -newer target/switchboard.jar -print -quit)" ]; then
  mvn -B -ntp -q package -DskipTests
fi
hz=$(getconf CLK_TCK)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

turnutils_peer -L 127.0.0.1 -p 49000 > "$out/peer.log" 2>&1 & pids+=($!)

start_coturn() {
  turnserver -n --listening-ip=127.0.0.1 --listening-port=3479 --relay-ip=127.0.0.1 \
    --min-port=49152 --max-port=49999 --realm=bench.local --allow-loopback-peers \
    --no-cli --no-tls --no-dtls --no-rfc5780 --log-file=stdout --simple-log \
    --pidfile="$out/coturn.pid" --userdb="$out/turndb" \
    --use-auth-secret --static-auth-secret=$SECRET > "$out/coturn.log" 2>&1 &
  echo $!
}

start_switchboard() {
  SWITCHBOARD_TURN_IO=$1 SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=4480 SWITCHBOARD_METRICS_ENABLED=false \
  SWITCHBOARD_TURN_LISTEN_IP=127.0.0.1 SWITCHBOARD_TURN_PORT=3480 SWITCHBOARD_TURN_RELAY_IP=127.0.0.1 \
  SWITCHBOARD_TURN_MIN_PORT=50000 SWITCHBOARD_TURN_MAX_PORT=50999 SWITCHBOARD_TURN_SECRET=$SECRET \
  SWITCHBOARD_TURN_ALLOWED_PEERS=127.0.0.1/32 SWITCHBOARD_TURN_USER_QUOTA=100000 \
    java -jar target/switchboard.jar > "$out/switchboard.log" 2>&1 &
  echo $!
}

# one measured run: prints "rt_per_s relayed_pps mbps loss_pct cpu_s pkts_per_cpu_s"
# Kernel receive-buffer drops during the measured run, per socket role, from the drops column of
# /proc/net/udp and /proc/net/udp6 (Java opens dual-stack sockets) sampled every 0.5 s: "server" = its
# listener port and its relay port range, "peer" = turnutils_peer, "client" = everything else
# (turnutils_uclient's sockets), "unattributed" = the rest of the kernel's RcvbufErrors count over the
# run (drops on sockets that closed between two samples).
rcvbuf_errors() { awk '/^Udp:/ { if (++n == 2) print $6 }' /proc/net/snmp; }
drops_by_role() {
  local snapshots=$1 listen=$2 relay_min=$3 relay_max=$4
  awk -v listen="$listen" -v rmin="$relay_min" -v rmax="$relay_max" '
    function hex(h,   i, v) { v = 0; h = toupper(h); for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789ABCDEF", substr(h, i, 1)) - 1; return v }
    /^--snapshot/ { first = (n++ == 0); next }
    $1 != "sl" { split($2, a, ":"); port = hex(a[2]); key = port "/" $10; d = $NF + 0;
      if (first) base[key] = d; else last[key] = d; role[key] = port }
    END { for (k in last) { p = role[k]; delta = last[k] - ((k in base) ? base[k] : 0);
        if (p == listen || (p >= rmin && p <= rmax)) s += delta; else if (p == 49000) q += delta; else c += delta }
      printf "%d %d %d", s, q, c }' "$snapshots"
}

measure() {
  local name=$1 pid=$2 port=$3 relay_min=$4 relay_max=$5 log="$out/$1.uclient.log" snaps="$out/$1.udp-snapshots"
  # warm-up (JIT for the JVM, caches for both), not measured
  turnutils_uclient -p "$port" $TCP -X -c -m "$M" -n 2000 -l "$L" -z "$Z" -e 127.0.0.1 -r 49000 -W $SECRET 127.0.0.1 > "$out/$name.warmup.log" 2>&1 || true
  local before after client drops errors_before
  errors_before=$(rcvbuf_errors)
  { echo --snapshot; cat /proc/net/udp /proc/net/udp6; } > "$snaps"
  before=$(cpu_ticks "$pid")
  turnutils_uclient -p "$port" $TCP -X -c -m "$M" -n "$N" -l "$L" -z "$Z" -e 127.0.0.1 -r 49000 -W $SECRET 127.0.0.1 > "$log" 2>&1 &
  client=$!
  while kill -0 "$client" 2>/dev/null; do { echo --snapshot; cat /proc/net/udp /proc/net/udp6; } >> "$snaps"; sleep 0.5; done
  wait "$client" || true
  after=$(cpu_ticks "$pid")
  drops=$(drops_by_role "$snaps" "$port" "$relay_min" "$relay_max")
  drops="$drops $(( $(rcvbuf_errors) - errors_before - $(echo "$drops" | awk '{print $1 + $2 + $3}') ))"
  awk -v hz="$hz" -v cpu=$((after - before)) -v len="$L" '
    /start_mclient: msz=.*tot_recv_msgs=/ { match($0, /tot_recv_msgs=[0-9]+/); r = substr($0, RSTART + 14, RLENGTH - 14) + 0;
      if (seen) { d[n++] = r - prev } prev = r; seen = 1 }
    /start_mclient: tot_send_msgs=/ { match($0, /tot_recv_msgs=[0-9]+/); total = substr($0, RSTART + 14, RLENGTH - 14) + 0 }
    /Total lost packets/ { match($0, /\(([0-9.]+)%\)/); loss = substr($0, RSTART + 1, RLENGTH - 3) }
    END {
      m = 0; for (i = 0; i < n; i++) if (d[i] > 0) v[m++] = d[i];
      for (i = 1; i < m; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
      rt = m ? v[int(m / 2)] : 0;
      cpus = cpu / hz;
      eff = cpus > 0 ? 2 * total / cpus : 0;
      printf "%d %d %.1f %s %.2f %d %s\n", rt, 2 * rt, 2 * rt * len * 8 / 1e6, loss, cpus, eff, drops
    }' drops="$drops" "$log"
}

printf 'load: turnutils_uclient %s-X -c -m %s -n %s -l %s -z %s (peer: turnutils_peer, all on 127.0.0.1)\n' "$TCP${TCP:+ }" "$M" "$N" "$L" "$Z"
cpid=$(start_coturn); pids+=("$cpid"); sleep 1
c=$(measure coturn "$cpid" 3479 49152 49999); kill "$cpid"; wait "$cpid" 2>/dev/null || true
declare -A s
for engine in $ENGINES; do
  spid=$(start_switchboard "$engine"); pids+=("$spid")
  for _ in $(seq 50); do curl -sf http://127.0.0.1:4480/health >/dev/null && break; sleep 0.2; done
  s[$engine]=$(measure "switchboard-$engine" "$spid" 3480 50000 50999); kill "$spid"; wait "$spid" 2>/dev/null || true
done

printf '%-18s %12s %14s %10s %8s %10s %20s  %s\n' server "round trips/s" "relayed pkt/s" "Mbit/s" "loss %" "server CPU s" \
  "relayed pkt/CPU-s" "dropped at: server sockets / echo peer / client / unattributed"
read -r crt cpps cmb closs ccpu ceff cds cdp cdc cdu <<<"$c"
printf '%-18s %12s %14s %10s %8s %10s %20s  %s / %s / %s / %s\n' coturn "$crt" "$cpps" "$cmb" "$closs" "$ccpu" "$ceff" "$cds" "$cdp" "$cdc" "$cdu"
for engine in $ENGINES; do
  read -r srt spps smb sloss scpu seff sds sdp sdc sdu <<<"${s[$engine]}"
  printf '%-18s %12s %14s %10s %8s %10s %20s  %s / %s / %s / %s\n' "switchboard-$engine" "$srt" "$spps" "$smb" "$sloss" "$scpu" "$seff" "$sds" "$sdp" "$sdc" "$sdu"
done
for engine in $ENGINES; do
  read -r srt spps smb sloss scpu seff sds sdp sdc sdu <<<"${s[$engine]}"
  awk -v e="$engine" -v sp="$spps" -v cp="$cpps" -v se="$seff" -v ce="$ceff" 'BEGIN {
    printf "ratio switchboard-%s/coturn: relayed pkt/s %.2fx, relayed pkt per CPU-second %.2fx\n", e, cp ? sp / cp : 0, ce ? se / ce : 0 }'
done
echo "logs: $out/"

#!/usr/bin/env bash
# The load tester: scripts/load.sh SCENARIO [options] (idle, relay, churn, rtt; --help lists every option).
#   scripts/load.sh idle --sockets 5000 --url ws://127.0.0.1:4000/socket/websocket
# Builds the jar first when it is missing or older than the sources, raises the open-file limit to the hard
# limit (one descriptor per socket), and runs the fat jar's load subcommand. The JVM options suit up to
# ~19,000 sockets in one process (about 0.5 GB); override them with LOAD_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/switchboard.jar ] || [ -n "$(find src pom.xml package.json -newer target/switchboard.jar -print -quit)" ]; then
  mvn -B -ntp -q clean package -DskipTests >&2
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# Serial GC: the client's heap is a few hundred MB of long-lived socket state, and one collector thread
# leaves the cores to the event loops (and to a server on the same host)
exec java ${LOAD_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx768m -Xss512k} -jar target/switchboard.jar load "$@"

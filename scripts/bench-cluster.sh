#!/usr/bin/env bash
# Cluster figures: signal round trip with both peers on one node and across two clustered nodes, and
# how long after a node's kill -9 its peers are reported gone. Uses scripts/cluster.sh (Redis, 2 nodes).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q clean package -DskipTests
mvn -B -ntp -q test-compile
cp="target/test-classes:target/switchboard.jar"
export SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND=10000000 SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST=10000000 SWITCHBOARD_MEDIA_ENABLED=false
scripts/cluster.sh start 2
trap 'scripts/cluster.sh stop >/dev/null' EXIT
java -cp "$cp" dev.switchboard.bench.SignalingBench rtt 4001
java -cp "$cp" dev.switchboard.bench.SignalingBench rtt 4001 4002
node2=$(awk '$2 == "node-2" {print $1}' target/cluster/pids)
java -cp "$cp" dev.switchboard.bench.SignalingBench reap 4001 4002 "$node2"

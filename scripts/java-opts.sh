# Sourced by scripts/run.sh, scripts/cluster.sh and scripts/bench-signaling.sh: the JVM options a node runs with
# unless JAVA_OPTS is set (JAVA_OPTS="" runs the JVM's defaults). Why these, with figures: README "JVM options".
: "${JAVA_OPTS=-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:G1PeriodicGCInterval=30000}"

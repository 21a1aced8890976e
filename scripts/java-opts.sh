# Sourced by scripts/run.sh, scripts/cluster.sh and the benchmark scripts: the JVM options a node runs with
# unless JAVA_OPTS is set (JAVA_OPTS="" runs the JVM's defaults). Why these, with figures: README "JVM options".
: "${JAVA_OPTS=-XX:+UseSerialGC -Xmn32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -Xss512k -XX:ReservedCodeCacheSize=64m}"

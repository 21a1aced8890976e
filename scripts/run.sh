#!/usr/bin/env bash
# Builds and runs one Switchboard node with its embedded defaults: single node, in-memory registry,
# http://localhost:4000. Configuration: conf/switchboard.yaml, overridable with SWITCHBOARD_* variables.
# JVM options: JAVA_OPTS, default in scripts/java-opts.sh (README "JVM options").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/switchboard.jar ] || [ -n "$(find src pom.xml package.json -newer target/switchboard.jar -print -quit)" ]; then
  mvn -B -ntp -q clean package -DskipTests
fi
source scripts/java-opts.sh
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java $JAVA_OPTS -jar target/switchboard.jar "$@"
